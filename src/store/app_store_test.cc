#include "store/app_store.h"

#include <gtest/gtest.h>

#include "store/migrations.h"

namespace berth::store {
namespace {

class AppStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open(":memory:");
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
    ASSERT_TRUE(Migrate(*db_).ok());
    store_ = std::make_unique<AppStore>(*db_);
  }

  static std::pair<AppRecord, AppRecord> Pair(const std::string& id, const std::string& path) {
    AppRecord prod;
    prod.id = "app_prd_" + id;
    prod.domain = "localhost";
    prod.path = path;
    prod.source = "-";
    prod.spec = "proxy";
    prod.metadata.params["url"] = "http://127.0.0.1:9000";
    prod.metadata.copts["memory"] = "256m";
    prod.metadata.copts["init"] = std::nullopt;
    prod.created_at = prod.updated_at = NowRfc3339();
    AppRecord stage = prod;
    stage.id = "app_stg_" + id;
    stage.path = (path == "/" ? "" : path) + "_cl_stage";
    stage.is_stage = true;
    stage.main_id = prod.id;
    return {prod, stage};
  }

  std::unique_ptr<Database> db_;
  std::unique_ptr<AppStore> store_;
};

TEST_F(AppStoreTest, CreateListGetDelete) {
  auto [prod, stage] = Pair("a", "/x");
  ASSERT_TRUE(store_->Create(prod, stage, nullptr).ok());
  auto all = store_->List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  auto got = store_->Get(prod.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->metadata.params.at("url"), "http://127.0.0.1:9000");
  EXPECT_EQ(got->metadata.copts.at("memory"), "256m");
  EXPECT_FALSE(got->metadata.copts.at("init").has_value());
  ASSERT_TRUE(store_->Delete({prod.id, stage.id}).ok());
  EXPECT_TRUE(store_->List()->empty());
  EXPECT_EQ(store_->Get(prod.id).status().code(), Status::Code::kNotFound);
}

TEST_F(AppStoreTest, ForEachWalksTheRowsOfListAndMayReadTheStore) {
  // More distinct metadata than the parse memo keeps (64), every second app alike.
  for (int i = 0; i < 150; ++i) {
    auto [p, s] = Pair(std::to_string(i), "/p" + std::to_string(i));
    if (i % 2 == 0)
      p.metadata.params["url"] = s.metadata.params["url"] = "http://h" + std::to_string(i);
    ASSERT_TRUE(store_->Create(p, s, nullptr).ok()) << i;
  }
  auto all = store_->List();
  ASSERT_TRUE(all.ok());
  std::vector<AppRecord> walked;
  Status st = store_->ForEach([&](AppRecord&& r) -> Status {
    auto again = store_->Get(r.id);  // a nested read under the walk's lock
    if (!again.ok()) return again.status();
    EXPECT_EQ(again->metadata, r.metadata) << r.id;
    walked.push_back(std::move(r));
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(walked.size(), all->size());
  for (size_t i = 0; i < walked.size(); ++i) {
    EXPECT_EQ(walked[i].id, (*all)[i].id);
    EXPECT_EQ(walked[i].path, (*all)[i].path);
    EXPECT_EQ(walked[i].metadata, (*all)[i].metadata) << walked[i].path;
  }
  // An error from the visitor ends the walk and is the walk's result.
  int seen = 0;
  st = store_->ForEach([&](AppRecord&&) -> Status {
    return ++seen == 3 ? Status::Internal("stop here") : Status::Ok();
  });
  EXPECT_EQ(st.message(), "stop here");
  EXPECT_EQ(seen, 3);
}

TEST_F(AppStoreTest, DuplicatePathIsRefusedAndLeavesNothing) {
  auto [p1, s1] = Pair("a", "/x");
  ASSERT_TRUE(store_->Create(p1, s1, nullptr).ok());
  auto [p2, s2] = Pair("b", "/x");
  Status s = store_->Create(p2, s2, nullptr);
  EXPECT_EQ(s.code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(store_->List()->size(), 2u);
}

TEST_F(AppStoreTest, CheckRefusalRollsBack) {
  auto [p, s] = Pair("a", "/x");
  Status st = store_->Create(
      p, s, [](const std::vector<AppRecord>&) { return Status::InvalidArgument("nested"); });
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(store_->List()->empty());
}

TEST_F(AppStoreTest, StageInsertFailureRollsBackProd) {
  auto [p, s] = Pair("a", "/x");
  s.id = p.id;  // primary key clash on the second insert
  EXPECT_FALSE(store_->Create(p, s, nullptr).ok());
  EXPECT_TRUE(store_->List()->empty());
}

TEST_F(AppStoreTest, CheckSeesTheAppsThatCanConflictNotTheWholeDomain) {
  for (const char* path : {"/x", "/x/z", "/y", "/x/zz", "/w/v"}) {
    auto [p, s] = Pair(path + 1, path);
    ASSERT_TRUE(store_->Create(p, s, nullptr).ok()) << path;
  }
  auto other = Pair("other", "/x/z/w");
  other.first.domain = other.second.domain = "example.com";
  ASSERT_TRUE(store_->Create(other.first, other.second, nullptr).ok());
  auto seen_by = [&](const std::string& path) {
    std::vector<std::string> seen;
    auto [p, s] = Pair("new", path);
    Status st = store_->Create(p, s, [&](const std::vector<AppRecord>& existing) {
      for (const auto& e : existing) seen.push_back(e.path);
      return Status::InvalidArgument("refused");  // write nothing
    });
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << path;
    return seen;
  };
  // Ancestors, root first.
  EXPECT_EQ(seen_by("/x/z/w"), (std::vector<std::string>{"/x", "/x/z"}));
  // The first prod app under the path (not its stage twin, not "/x/zz").
  EXPECT_EQ(seen_by("/w"), (std::vector<std::string>{"/w/v"}));
  EXPECT_EQ(seen_by("/q"), (std::vector<std::string>{}));
  // Everything on the domain is under "/": the first app is enough to refuse.
  EXPECT_EQ(seen_by("/"), (std::vector<std::string>{"/w/v"}));
  // The path and the stage path taken are still AlreadyExists, whatever the check says.
  auto [p, s] = Pair("again", "/x/z");
  EXPECT_EQ(store_->Create(p, s, nullptr).code(), Status::Code::kAlreadyExists);
  auto [p2, s2] = Pair("again2", "/v");
  s2.path = "/x_cl_stage";
  EXPECT_EQ(store_->Create(p2, s2, nullptr).code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(store_->List()->size(), 12u);
}

TEST_F(AppStoreTest, ListKeepsEachAppsMetadataWhenSomeAreEqual) {
  for (const char* path : {"/x", "/y", "/z"}) {
    auto [p, s] = Pair(path + 1, path);
    if (std::string(path) == "/y") p.metadata.params["url"] = s.metadata.params["url"] = "http://y";
    ASSERT_TRUE(store_->Create(p, s, nullptr).ok()) << path;
  }
  auto all = store_->List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 6u);
  for (const auto& r : *all) {
    bool y = r.path.starts_with("/y");
    EXPECT_EQ(r.metadata.params.at("url"), y ? "http://y" : "http://127.0.0.1:9000") << r.path;
    EXPECT_EQ(r.metadata.copts.at("memory"), "256m") << r.path;
  }
}

TEST_F(AppStoreTest, TheConflictQueriesUseTheDomainPathIndex) {
  for (const char* sql : {"SELECT id FROM apps WHERE domain = 'a' AND path = '/x'",
                          "SELECT id FROM apps WHERE domain = 'a' AND path > '/x/' AND path < "
                          "'/x0' AND is_stage = 0 ORDER BY path LIMIT 1"}) {
    auto st = db_->Prepare(std::string("EXPLAIN QUERY PLAN ") + sql);
    std::string plan;
    while (st.Step()) plan += st.ColumnText(3) + "\n";
    EXPECT_NE(plan.find("USING INDEX sqlite_autoindex_apps_"), std::string::npos) << plan;
    EXPECT_NE(plan.find("(domain=? AND path"), std::string::npos) << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
  }
}

}  // namespace
}  // namespace berth::store

namespace berth::store {
namespace {

class AppVersionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Database::Open(":memory:");
    ASSERT_TRUE(opened.ok());
    db_ = std::move(*opened);
    ASSERT_TRUE(Migrate(*db_).ok());
    store_ = std::make_unique<AppStore>(*db_);
    prod_.id = "app_prd_v";
    prod_.domain = "localhost";
    prod_.path = "/v";
    prod_.source = "-";
    prod_.spec = "proxy";
    prod_.metadata.params["url"] = "http://127.0.0.1:1";
    stage_ = prod_;
    stage_.id = "app_stg_v";
    stage_.path = "/v_cl_stage";
    stage_.is_stage = true;
    stage_.main_id = prod_.id;
    ASSERT_TRUE(store_->Create(prod_, stage_, nullptr, "uid 7").ok());
  }

  std::unique_ptr<Database> db_;
  std::unique_ptr<AppStore> store_;
  AppRecord prod_, stage_;
};

TEST_F(AppVersionsTest, CreateRecordsVersionOneWithItsActor) {
  auto versions = store_->Versions(stage_.id);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 1u);
  EXPECT_EQ(versions->front().version, 1);
  EXPECT_EQ(versions->front().spec, "proxy");
  EXPECT_EQ(versions->front().actor, "uid 7");
  EXPECT_EQ(versions->front().metadata.params.at("url"), "http://127.0.0.1:1");
}

TEST_F(AppVersionsTest, UpdateAndAddVersionThenReadBack) {
  AppRecord next = stage_;
  next.version = 2;
  next.metadata.params["url"] = "http://127.0.0.1:2";
  next.switched_from = 1;
  ASSERT_TRUE(store_->Update(next).ok());
  VersionRecord v{2, "proxy", next.metadata, "param url=http://127.0.0.1:2", "uid 0", ""};
  ASSERT_TRUE(store_->AddVersion(next.id, v).ok());
  EXPECT_EQ(store_->AddVersion(next.id, v).code(), Status::Code::kAlreadyExists);
  auto got = store_->Get(stage_.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->version, 2);
  EXPECT_EQ(got->switched_from, 1);
  EXPECT_EQ(got->metadata.params.at("url"), "http://127.0.0.1:2");
  EXPECT_EQ(store_->Version(stage_.id, 2)->changes, "param url=http://127.0.0.1:2");
  EXPECT_EQ(store_->Version(stage_.id, 9).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(*store_->MaxVersion({prod_.id, stage_.id}), 2);
  AppRecord ghost = stage_;
  ghost.id = "app_stg_none";
  EXPECT_EQ(store_->Update(ghost).code(), Status::Code::kNotFound);
}

TEST_F(AppVersionsTest, PruneKeepsTheNewestAndThePinned) {
  for (int64_t n = 2; n <= 6; ++n) {
    VersionRecord v{n, "proxy", stage_.metadata, "x", "", ""};
    ASSERT_TRUE(store_->AddVersion(stage_.id, v).ok());
  }
  auto deleted = store_->PruneVersions(stage_.id, 3, {1});
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 3);  // 2, 3, 4 go; 1 is pinned; 5 and 6 are the newest
  std::vector<int64_t> left;
  auto versions = store_->Versions(stage_.id);
  ASSERT_TRUE(versions.ok());
  for (const auto& v : *versions) left.push_back(v.version);
  EXPECT_EQ(left, (std::vector<int64_t>{1, 5, 6}));
}

// A row whose metadata does not parse is listed with the reason; the others are read.
TEST_F(AppStoreTest, UnreadableMetadataIsReportedPerRow) {
  auto [p1, s1] = Pair("a", "/x");
  auto [p2, s2] = Pair("b", "/y");
  ASSERT_TRUE(store_->Create(p1, s1, nullptr).ok());
  ASSERT_TRUE(store_->Create(p2, s2, nullptr).ok());
  ASSERT_TRUE(db_->Prepare("UPDATE apps SET metadata = '[1]' WHERE id = 'app_prd_a'").Run().ok());
  ASSERT_TRUE(db_->Prepare("UPDATE apps SET metadata = 'x' WHERE id = 'app_prd_b'").Run().ok());
  auto all = store_->List();
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_EQ(all->size(), 4u);
  std::map<std::string, std::string> errors;
  for (const auto& r : *all) errors[r.id] = r.metadata_error;
  EXPECT_EQ(errors["app_prd_a"],
            "its stored metadata cannot be read: app metadata is not a JSON object");
  EXPECT_EQ(errors["app_prd_b"], "its stored metadata cannot be read: not JSON");
  EXPECT_EQ(errors["app_stg_a"], "");
  EXPECT_EQ(errors["app_stg_b"], "");
  EXPECT_TRUE(store_->Get("app_prd_b")->metadata.params.empty());
}

}  // namespace
}  // namespace berth::store
