#include "store/migrations.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace berth::store {
namespace {

TEST(MigrationsTest, AppliesInOrderAndIsIdempotent) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(Migrate(**db).ok());
  EXPECT_EQ((*db)->UserVersion(), Migrations().back().version);
  ASSERT_TRUE(Migrate(**db).ok());
  EXPECT_TRUE((*db)->Exec("SELECT id FROM apps").ok());
}

TEST(MigrationsTest, FailedMigrationRollsBackWhole) {
  auto db = Database::Open(":memory:");
  std::vector<Migration> ms = {{1, "CREATE TABLE a(x)"},
                               {2, "CREATE TABLE b(x); CREATE TABLE a(y)"}};
  Status s = Migrate(**db, ms);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("migration 2"), std::string::npos);
  EXPECT_EQ((*db)->UserVersion(), 1);
  EXPECT_FALSE((*db)->Exec("SELECT * FROM b").ok()) << "table b must have been rolled back";
}

TEST(MigrationsTest, RefusesNewerDatabase) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE((*db)->SetUserVersion(99).ok());
  Status s = Migrate(**db);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("newer than this berth binary supports"), std::string::npos);
  EXPECT_EQ((*db)->UserVersion(), 99);
}

}  // namespace
}  // namespace berth::store

namespace berth::store {
namespace {

TEST(DatabaseTest, NestedTransactionRollsBackToSavepoint) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(x)").ok());
  Status s = (*db)->Transaction([&]() -> Status {
    BERTH_RETURN_IF_ERROR((*db)->Exec("INSERT INTO t VALUES (1)"));
    Status inner = (*db)->Transaction([&]() -> Status {
      BERTH_RETURN_IF_ERROR((*db)->Exec("INSERT INTO t VALUES (2)"));
      return Status::Internal("inner fails");
    });
    EXPECT_FALSE(inner.ok());
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto st = (*db)->Prepare("SELECT COUNT(*) FROM t");
  st.Step();
  EXPECT_EQ(st.ColumnInt(0), 1);
  // An outer failure rolls back everything, inner work included.
  s = (*db)->Transaction([&]() -> Status {
    EXPECT_TRUE((*db)->Transaction([&] { return (*db)->Exec("INSERT INTO t VALUES (3)"); }).ok());
    return Status::Internal("outer fails");
  });
  auto st2 = (*db)->Prepare("SELECT COUNT(*) FROM t");
  st2.Step();
  EXPECT_EQ(st2.ColumnInt(0), 1);
}

}  // namespace
}  // namespace berth::store

namespace berth::store {
namespace {

// A file that is no SQLite database: the error is SQLite's own reason, with the path.
TEST(DatabaseTest, ACorruptFileSaysWhy) {
  std::string path = ::testing::TempDir() + "berth-corrupt-" + std::to_string(::getpid()) + ".db";
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(4096, 'x');
  }
  auto db = Database::Open(path);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().message(), "cannot use database " + path + ": file is not a database");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace berth::store
