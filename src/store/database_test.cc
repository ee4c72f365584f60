#include "store/database.h"

#include <gtest/gtest.h>

#include <string>

namespace berth::store {
namespace {

std::unique_ptr<Database> TableOfThree() {
  auto db = Database::Open(":memory:");
  EXPECT_TRUE(db.ok());
  EXPECT_TRUE((*db)->Exec("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3)").ok());
  return std::move(*db);
}

int64_t CountOf(Database& db, const std::string& sql, std::optional<int64_t> x) {
  auto st = db.Prepare(sql);
  if (x) st.Bind(1, *x);
  EXPECT_TRUE(st.Step()) << st.status().message();
  return st.ColumnInt(0);
}

TEST(DatabaseTest, AReusedStatementStartsWithoutTheLastBindings) {
  auto db = TableOfThree();
  const std::string sql = "SELECT count(*) FROM t WHERE x = ?";
  EXPECT_EQ(CountOf(*db, sql, 2), 1);
  // The same text again gets the statement back: its parameter is NULL again, not 2.
  EXPECT_EQ(CountOf(*db, sql, std::nullopt), 0);
  EXPECT_EQ(CountOf(*db, sql, 3), 1);
}

TEST(DatabaseTest, TwoStatementsOfTheSameTextAtOnceAreIndependent) {
  auto db = TableOfThree();
  const std::string sql = "SELECT x FROM t WHERE x >= ? ORDER BY x";
  auto a = db->Prepare(sql);
  a.Bind(1, int64_t{1});
  ASSERT_TRUE(a.Step());
  auto b = db->Prepare(sql);
  b.Bind(1, int64_t{3});
  ASSERT_TRUE(b.Step());
  EXPECT_EQ(b.ColumnInt(0), 3);
  EXPECT_FALSE(b.Step());
  ASSERT_TRUE(a.Step());
  EXPECT_EQ(a.ColumnInt(0), 2);
}

TEST(DatabaseTest, AStatementLeftPartWayHoldsNothingOnceItGoes) {
  auto db = TableOfThree();
  {
    auto st = db->Prepare("SELECT x FROM t");
    ASSERT_TRUE(st.Step());  // one row of three: the statement is still reading
  }
  // A statement still reading the table would make these fail ("database table is locked").
  EXPECT_TRUE(db->Exec("DROP TABLE t").ok());
  EXPECT_TRUE(db->Exec("CREATE TABLE t(y)").ok());
  // Kept statements of a dropped table are compiled again: the error is SQLite's own.
  auto st = db->Prepare("SELECT x FROM t");
  EXPECT_FALSE(st.Step());
  EXPECT_FALSE(st.status().ok());
  EXPECT_NE(st.status().message().find("no such column: x"), std::string::npos)
      << st.status().message();
}

}  // namespace
}  // namespace berth::store
