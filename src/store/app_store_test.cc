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
  Status st = store_->Create(p, s, [](const std::vector<AppRecord>&) {
    return Status::InvalidArgument("nested");
  });
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(store_->List()->empty());
}

TEST_F(AppStoreTest, StageInsertFailureRollsBackProd) {
  auto [p, s] = Pair("a", "/x");
  s.id = p.id;  // primary key clash on the second insert
  EXPECT_FALSE(store_->Create(p, s, nullptr).ok());
  EXPECT_TRUE(store_->List()->empty());
}

}  // namespace
}  // namespace berth::store
