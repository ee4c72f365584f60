#include "store/source_store.h"

#include <gtest/gtest.h>

#include "store/app_store.h"
#include "store/migrations.h"

namespace berth::store {
namespace {

TEST(SourceStoreTest, PutGetAndGarbage) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(Migrate(**db).ok());
  AppStore apps(**db);
  SourceStore sources(**db);
  AppRecord prod;
  prod.id = "app_prd_x";
  prod.domain = "localhost";
  prod.path = "/x";
  prod.spec = "container";
  prod.source = "/src";
  AppRecord stage = prod;
  stage.id = "app_stg_x";
  stage.path = "/x_cl_stage";
  stage.is_stage = true;
  stage.main_id = prod.id;
  ASSERT_TRUE(apps.Create(prod, stage, nullptr).ok());
  SourceFiles files = {{"Containerfile", {"FROM busybox\n", 0644}},
                       {"bin/run.sh", {std::string("#!/bin/sh\n\0binary", 18), 0755}}};
  ASSERT_TRUE((*db)
                  ->Transaction([&] {
                    BERTH_RETURN_IF_ERROR(sources.Put(prod.id, 1, files));
                    return sources.Put(stage.id, 1, files);
                  })
                  .ok());
  auto got = sources.Get(stage.id, 1);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ(got->at("bin/run.sh").content, files["bin/run.sh"].content);
  EXPECT_EQ(got->at("bin/run.sh").mode, 0755);
  auto count = [&] {
    auto st = (*db)->Prepare("SELECT COUNT(*) FROM files");
    st.Step();
    return st.ColumnInt(0);
  };
  EXPECT_EQ(count(), 2) << "identical contents are stored once";
  ASSERT_TRUE(apps.Delete({prod.id, stage.id}).ok());
  ASSERT_TRUE(sources.CollectGarbage().ok());
  EXPECT_EQ(count(), 0);
}

TEST(SourceStoreTest, DigestsTellEqualSourcesApart) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(Migrate(**db).ok());
  SourceStore sources(**db);
  SourceFiles a = {{"app.py", {"print(1)\n", 0644}}, {"run.sh", {"#!/bin/sh\n", 0755}}};
  SourceFiles mode = a;
  mode["run.sh"].mode = 0644;
  SourceFiles content = a;
  content["app.py"].content = "print(2)\n";
  SourceFiles renamed = {{"main.py", a["app.py"]}, {"run.sh", a["run.sh"]}};
  ASSERT_TRUE((*db)->Exec("PRAGMA foreign_keys = OFF").ok());  // app_files rows without apps
  ASSERT_TRUE((*db)
                  ->Transaction([&] {
                    BERTH_RETURN_IF_ERROR(sources.Put("one", 1, a));
                    BERTH_RETURN_IF_ERROR(sources.Put("two", 3, a));
                    BERTH_RETURN_IF_ERROR(sources.Put("mode", 1, mode));
                    BERTH_RETURN_IF_ERROR(sources.Put("content", 1, content));
                    return sources.Put("renamed", 1, renamed);
                  })
                  .ok());
  auto d = sources.Digests();
  ASSERT_TRUE(d.ok()) << d.status().message();
  ASSERT_EQ(d->size(), 5u);
  EXPECT_EQ(d->at({"one", 1}), d->at({"two", 3}));
  EXPECT_NE(d->at({"one", 1}), d->at({"mode", 1}));
  EXPECT_NE(d->at({"one", 1}), d->at({"content", 1}));
  EXPECT_NE(d->at({"one", 1}), d->at({"renamed", 1}));
  EXPECT_FALSE(d->count({"one", 2})) << "a version without files has no digest";
}

TEST(SourceStoreTest, CurrentDigestsHaveOnlyEachAppsCurrentVersion) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(Migrate(**db).ok());
  AppStore apps(**db);
  SourceStore sources(**db);
  AppRecord prod;
  prod.id = "app_prd_x";
  prod.domain = "localhost";
  prod.path = "/x";
  prod.spec = "container";
  prod.source = "/src";
  AppRecord stage = prod;
  stage.id = "app_stg_x";
  stage.path = "/x_cl_stage";
  stage.is_stage = true;
  stage.main_id = prod.id;
  ASSERT_TRUE(apps.Create(prod, stage, nullptr).ok());
  SourceFiles one = {{"app.py", {"print(1)\n", 0644}}};
  SourceFiles two = {{"app.py", {"print(2)\n", 0644}}};
  stage.version = 2;
  ASSERT_TRUE((*db)
                  ->Transaction([&] {
                    BERTH_RETURN_IF_ERROR(sources.Put(prod.id, 1, one));
                    BERTH_RETURN_IF_ERROR(sources.Put(stage.id, 1, one));
                    BERTH_RETURN_IF_ERROR(sources.Put(stage.id, 2, two));
                    return apps.Update(stage);
                  })
                  .ok());
  auto all = sources.Digests();
  auto current = sources.CurrentDigests();
  ASSERT_TRUE(all.ok() && current.ok());
  EXPECT_EQ(all->size(), 3u);
  ASSERT_EQ(current->size(), 2u);
  EXPECT_EQ(current->at({prod.id, 1}), all->at({prod.id, 1}));
  EXPECT_EQ(current->at({stage.id, 2}), all->at({stage.id, 2}));
  EXPECT_FALSE(current->count({stage.id, 1}));
}

}  // namespace
}  // namespace berth::store
