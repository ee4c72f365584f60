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
  ASSERT_TRUE((*db)->Transaction([&] {
    BERTH_RETURN_IF_ERROR(sources.Put(prod.id, 1, files));
    return sources.Put(stage.id, 1, files);
  }).ok());
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

}  // namespace
}  // namespace berth::store
