// AppService with many apps: the stage-twin index, the route table shared between publishes,
// the nesting checks that look at a few rows, and Load resolving equal apps once.
#include <gtest/gtest.h>

#include "app/app_service.h"
#include "appspec/spec_library.h"
#include "store/migrations.h"

namespace berth::app {
namespace {

class AppServiceScaleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::Database::Open(":memory:");
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
    ASSERT_TRUE(store::Migrate(*db_).ok());
    service_ = NewService(router_);
    ASSERT_TRUE(service_->Load().ok());
  }

  std::unique_ptr<AppService> NewService(proxy::Router& router) {
    return std::make_unique<AppService>(AppService::Options{}, *db_, router, resolver_, nullptr);
  }

  Result<std::vector<AppInfo>> Create(const std::string& path, int port = 9000,
                                      bool dry_run = false) {
    CreateRequest req;
    req.path = path;
    req.spec = "proxy";
    req.metadata.params["url"] = "http://127.0.0.1:" + std::to_string(port);
    req.approve = true;
    req.dry_run = dry_run;
    return service_->Create(req);
  }

  // The port of the upstream that a request to `path` goes to, 0 when no app matches.
  static int PortAt(proxy::Router& router, const std::string& path) {
    const proxy::Route* r = router.Current().Match("localhost", path);
    if (!r) return 0;
    proxy::Acquired a;
    EXPECT_TRUE(r->backend->TryAcquire(&a));
    return a.upstream.port;
  }

  std::unique_ptr<store::Database> db_;
  appspec::SpecLibrary specs_{""};
  SpecResolver resolver_{specs_, {}};
  proxy::Router router_;
  std::unique_ptr<AppService> service_;
};

TEST_F(AppServiceScaleTest, StageAheadAndDeleteFindTheStageTwin) {
  ASSERT_TRUE(Create("/a").ok());
  ASSERT_TRUE(Create("/b").ok());
  auto listed = service_->List("all", true);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 4u);
  EXPECT_EQ((*listed)[0].type, "PROD");
  EXPECT_EQ((*listed)[1].type, "STG");

  // The stage twin of /b moves ahead (as a stage update would): /b is PROD*, /a is not.
  std::string b_stage = (*listed)[3].id;
  ASSERT_TRUE(db_->Prepare("UPDATE apps SET version = 2 WHERE id = ?").Bind(1, b_stage).Run().ok());
  proxy::Router router;
  auto reloaded = NewService(router);
  ASSERT_TRUE(reloaded->Load().ok());
  listed = reloaded->List("all", false);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].type, "PROD");
  EXPECT_EQ((*listed)[1].type, "PROD*");
  EXPECT_TRUE((*listed)[1].stage_ahead);

  // Delete and restart take the stage twin along; the other app stays.
  auto restarted = reloaded->Restart("/b");
  ASSERT_TRUE(restarted.ok());
  EXPECT_EQ(restarted->size(), 2u);
  auto deleted = reloaded->Delete("/b");
  ASSERT_TRUE(deleted.ok());
  ASSERT_EQ(deleted->apps.size(), 2u);
  EXPECT_EQ(deleted->apps[1].id, b_stage);
  EXPECT_EQ(reloaded->List("all", true)->size(), 2u);
  EXPECT_EQ(PortAt(router, "/b"), 0);
  EXPECT_EQ(PortAt(router, "/b_cl_stage"), 0);
  EXPECT_EQ(PortAt(router, "/a/x"), 9000);
}

TEST_F(AppServiceScaleTest, PublishingKeepsTheRoutesOfAppsThatDidNotChange) {
  ASSERT_TRUE(Create("/a", 9001).ok());
  ASSERT_TRUE(Create("/c", 9003).ok());
  auto before = router_.Snapshot();
  const proxy::Route* a = before->Match("localhost", "/a");
  const proxy::Route* c_stage = before->Match("localhost", "/c_cl_stage");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(c_stage, nullptr);
  ASSERT_TRUE(Create("/b", 9002).ok());
  auto after = router_.Snapshot();
  ASSERT_NE(after, before);
  EXPECT_EQ(after->size(), 6u);
  EXPECT_EQ(after->Match("localhost", "/a"), a);
  EXPECT_EQ(after->Match("localhost", "/c_cl_stage"), c_stage);
  EXPECT_EQ(PortAt(router_, "/a"), 9001);
  EXPECT_EQ(PortAt(router_, "/b/x"), 9002);
  EXPECT_EQ(PortAt(router_, "/c"), 9003);
  ASSERT_TRUE(service_->Delete("/a").ok());
  EXPECT_EQ(router_.Current().size(), 4u);
  EXPECT_EQ(PortAt(router_, "/a"), 0);
  EXPECT_EQ(router_.Current().Match("localhost", "/c_cl_stage"), c_stage);
}

TEST_F(AppServiceScaleTest, TwinsAndUnchangedVersionsShareOneBackend) {
  ASSERT_TRUE(Create("/a", 9001).ok());
  ASSERT_TRUE(Create("/b", 9001).ok());
  auto route = [&](const std::string& path) { return router_.Current().Match("localhost", path); };
  ASSERT_NE(route("/a"), nullptr);
  ASSERT_NE(route("/a_cl_stage"), nullptr);
  EXPECT_EQ(route("/a")->backend, route("/a_cl_stage")->backend);
  EXPECT_NE(route("/a")->backend, route("/b")->backend);  // another app: its own

  // A param the URL does not use: new versions, the same backend and the same routes.
  const proxy::Route* a = route("/a");
  ChangeOptions promote;
  promote.promote = true;
  auto changed = service_->UpdateParam("/a", "OTHER", "1", promote);
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  ASSERT_EQ(changed->size(), 2u);  // the stage's update and the promote
  EXPECT_EQ(service_->Find("/a")->version, 2);
  EXPECT_EQ(route("/a"), a);
  EXPECT_EQ(route("/a_cl_stage")->backend, a->backend);

  // A new URL: a new backend, shared by prod and stage after the promote.
  changed = service_->UpdateParam("/a", "url", "http://127.0.0.1:9002", ChangeOptions{});
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  EXPECT_EQ(PortAt(router_, "/a_cl_stage"), 9002);
  EXPECT_EQ(PortAt(router_, "/a"), 9001);
  EXPECT_NE(route("/a_cl_stage")->backend, route("/a")->backend);
  ASSERT_TRUE(service_->Promote("/a", ChangeOptions{}).ok());
  EXPECT_EQ(PortAt(router_, "/a"), 9002);
  EXPECT_EQ(route("/a")->backend, route("/a_cl_stage")->backend);
  EXPECT_EQ(PortAt(router_, "/b"), 9001);
}

// apps_ is keyed on a view of each entry's id, held by its route: a change that gives an app a
// new route (a new URL), or keeps its route, or a delete, must leave every app found by its id.
TEST_F(AppServiceScaleTest, AppsStayFoundByIdAcrossChangesOfTheirRoute) {
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Create("/r" + std::to_string(i), 9000).ok());
  ChangeOptions promote;
  promote.promote = true;
  for (int port = 9001; port <= 9004; ++port) {
    auto changed =
        service_->UpdateParam("all", "url", "http://127.0.0.1:" + std::to_string(port), promote);
    ASSERT_TRUE(changed.ok()) << changed.status().message();
    changed = service_->UpdateParam("all", "OTHER", std::to_string(port), promote);
    ASSERT_TRUE(changed.ok()) << changed.status().message();
  }
  ASSERT_TRUE(service_->Delete("/r3").ok());
  auto listed = service_->List("all", true);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u * 19);
  for (const auto& info : *listed) {
    auto found = service_->Find(info.path);
    ASSERT_TRUE(found.ok()) << info.path;
    EXPECT_EQ(found->id, info.id);
    EXPECT_EQ(found->version, 9) << info.path;
    EXPECT_EQ(found->metadata.params.at("OTHER"), "9004");
    EXPECT_EQ(PortAt(router_, found->path), 9004) << info.path;
    auto versions = service_->Versions(info.path);
    ASSERT_TRUE(versions.ok());
    EXPECT_EQ(versions->current, 9);
  }
  auto stage = service_->Find("/r5_cl_stage");
  ASSERT_TRUE(stage.ok());
  EXPECT_EQ(stage->main_id, service_->Find("/r5")->id);
  // A switch back to version 1 gives the app its first URL again: a new route once more.
  ASSERT_TRUE(service_->SwitchVersion("/r5", "1", ChangeOptions{}).ok());
  EXPECT_EQ(PortAt(router_, "/r5"), 9000);
  EXPECT_EQ(service_->Find("/r5")->id, stage->main_id);
  ASSERT_TRUE(service_->Delete("all").ok());
  EXPECT_EQ(service_->List("all", true)->size(), 0u);
  EXPECT_EQ(router_.Current().size(), 0u);
}

TEST_F(AppServiceScaleTest, AStageTwinWithAnotherIdIsFound) {
  // Create names a stage twin app_stg_X after its prod app_prd_X; a twin named otherwise is
  // found too.
  store::AppRecord prod;
  prod.id = "app_prd_legacy";
  prod.domain = "localhost";
  prod.path = "/old";
  prod.spec = "proxy";
  prod.metadata.params["url"] = "http://127.0.0.1:9000";
  prod.metadata.approved = true;
  store::AppRecord stage = prod;
  stage.id = "app_stg_other";
  stage.path = "/old_cl_stage";
  stage.is_stage = true;
  stage.main_id = prod.id;
  store::AppStore store(*db_);
  ASSERT_TRUE(store.Create(prod, stage, [](const auto&) { return Status::Ok(); }).ok());
  store::SourceStore sources(*db_);
  ASSERT_TRUE(sources.Put(prod.id, 1, {}).ok());
  ASSERT_TRUE(sources.Put(stage.id, 1, {}).ok());
  proxy::Router router;
  auto service = NewService(router);
  ASSERT_TRUE(service->Load().ok());
  auto listed = service->List("/old", true);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[1].id, "app_stg_other");
  EXPECT_EQ((*listed)[1].type, "STG");
  auto changed = service->UpdateParam("/old", "X", "1", ChangeOptions{});
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  ASSERT_EQ(changed->size(), 1u);
  EXPECT_EQ((*changed)[0].id, "app_stg_other");
  listed = service->List("/old", false);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].type, "PROD*");
  auto deleted = service->Delete("/old");
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->apps.size(), 2u);
  EXPECT_EQ(service->List("all", true)->size(), 0u);
}

TEST_F(AppServiceScaleTest, NestedPathsAreRefusedAmongManyApps) {
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(Create("/s" + std::to_string(i)).ok());
  ASSERT_TRUE(Create("/x/y").ok());
  for (bool dry_run : {false, true}) {
    for (const char* path : {"/x", "/x/y/z", "/"}) {
      auto r = Create(path, 9000, dry_run);
      ASSERT_FALSE(r.ok()) << path << " dry_run=" << dry_run;
      EXPECT_NE(r.status().message().find("nested"), std::string::npos) << r.status().message();
    }
    auto taken = Create("/x/y", 9000, dry_run);
    EXPECT_EQ(taken.status().code(), Status::Code::kAlreadyExists) << dry_run;
    EXPECT_TRUE(Create("/x/yy", 9000, /*dry_run=*/true).ok());
  }
  EXPECT_TRUE(Create("/x/yy").ok());
  EXPECT_TRUE(Create("other.localhost:/").ok()) << "another domain";
  EXPECT_EQ(service_->List("all", true)->size(), 2u * 53);
}

TEST_F(AppServiceScaleTest, LoadResolvesEqualAppsOnceAndKeepsDifferentOnesApart) {
  ASSERT_TRUE(Create("/a", 9001).ok());
  ASSERT_TRUE(Create("/b", 9001).ok());
  ASSERT_TRUE(Create("/c", 9002).ok());
  ASSERT_TRUE(Create("/d", 9004).ok());
  ASSERT_TRUE(
      db_->Prepare("UPDATE apps SET metadata = '{\"params\":{}}' WHERE path = '/d'").Run().ok());

  proxy::Router router;
  auto reloaded = NewService(router);
  ASSERT_TRUE(reloaded->Load().ok());
  EXPECT_EQ(PortAt(router, "/a/x"), 9001);
  EXPECT_EQ(PortAt(router, "/b"), 9001);
  EXPECT_EQ(PortAt(router, "/b_cl_stage"), 9001);
  EXPECT_EQ(PortAt(router, "/c"), 9002);
  EXPECT_EQ(PortAt(router, "/d"), 0) << "its url param is gone: it no longer resolves";
  EXPECT_EQ(PortAt(router, "/d_cl_stage"), 9004);
  // Apps that resolve alike share one backend.
  EXPECT_EQ(router.Current().Match("localhost", "/a")->backend,
            router.Current().Match("localhost", "/b")->backend);
  EXPECT_NE(router.Current().Match("localhost", "/a")->backend,
            router.Current().Match("localhost", "/c")->backend);
  auto listed = reloaded->List("/d", false);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].state, "error");
  EXPECT_NE((*listed)[0].error.find("url"), std::string::npos) << (*listed)[0].error;
}

// One damaged row does not stop a start: the app is listed in the error state with the
// reason and the way out, the others serve, no change builds on the empty metadata, and a
// switch to its current version restores what that version stored.
TEST_F(AppServiceScaleTest, AnAppWhoseStoredMetadataDoesNotParseIsListedBrokenAndTheOthersServe) {
  ASSERT_TRUE(Create("/a", 9001).ok());
  ASSERT_TRUE(Create("/b", 9002).ok());
  ASSERT_TRUE(
      db_->Prepare("UPDATE apps SET metadata = '{\"params\":' WHERE path = '/b'").Run().ok());

  proxy::Router router;
  auto reloaded = NewService(router);
  ASSERT_TRUE(reloaded->Load().ok());
  EXPECT_EQ(PortAt(router, "/a"), 9001);
  EXPECT_EQ(PortAt(router, "/b"), 0);
  EXPECT_EQ(PortAt(router, "/b_cl_stage"), 9002) << "the stage row is intact";
  auto listed = reloaded->List("/b", false);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].state, "error");
  EXPECT_EQ((*listed)[0].error,
            "its stored metadata cannot be read: not JSON; restore it with: berth version switch "
            "1 localhost:/b, or delete it");

  // A change of a dev app builds on the prod row itself: refused, the row left as it was.
  ASSERT_TRUE(db_->Prepare("UPDATE apps SET dev = 1 WHERE path = '/b'").Run().ok());
  auto again = NewService(router);
  ASSERT_TRUE(again->Load().ok());
  auto updated = again->UpdateParam("/b", "X", "1", {});
  ASSERT_FALSE(updated.ok());
  EXPECT_EQ(updated.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(updated.status().message().find("cannot be read"), std::string::npos)
      << updated.status().message();
  auto row = db_->Prepare("SELECT metadata FROM apps WHERE path = '/b'");
  ASSERT_TRUE(row.Step());
  EXPECT_EQ(row.ColumnText(0), "{\"params\":");

  auto restored = again->SwitchVersion("/b", "1", {});
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  EXPECT_EQ(PortAt(router, "/b"), 9002);
  EXPECT_EQ((*again->List("/b", false))[0].error, "");
}

}  // namespace
}  // namespace berth::app
