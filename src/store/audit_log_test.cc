#include "store/audit_log.h"

#include <gtest/gtest.h>

#include "store/migrations.h"

namespace berth::store {
namespace {

TEST(AuditLogTest, ListsNewestFirstAndOutlivesTheApp) {
  auto opened = Database::Open(":memory:");
  ASSERT_TRUE(opened.ok());
  auto db = std::move(*opened);
  ASSERT_TRUE(Migrate(*db).ok());
  AuditLog log(*db);
  ASSERT_TRUE(log.Add({0, "", "uid 0", "app_prd_a", "localhost:/a", "create", "spec proxy"}).ok());
  ASSERT_TRUE(log.Add({0, "", "uid 5", "app_prd_a", "localhost:/a", "delete", ""}).ok());
  auto recent = log.Recent(10);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 2u);
  EXPECT_EQ((*recent)[0].operation, "delete");
  EXPECT_EQ((*recent)[0].actor, "uid 5");
  EXPECT_EQ((*recent)[1].detail, "spec proxy");
  EXPECT_FALSE((*recent)[1].at.empty());
  EXPECT_EQ(log.Recent(1)->size(), 1u);
}

}  // namespace
}  // namespace berth::store
