#include "base/status.h"

#include <gtest/gtest.h>

namespace berth {
namespace {

Result<int> Half(int n) {
  if (n % 2 != 0) return Status::InvalidArgument("odd number " + std::to_string(n));
  return n / 2;
}

Result<int> Quarter(int n) {
  BERTH_ASSIGN_OR_RETURN(int h, Half(n));
  return Half(h);
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = Status::NotFound("app /x does not exist");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  EXPECT_EQ(s.ToString(), "not found: app /x does not exist");
  EXPECT_EQ(s.WithContext("delete").message(), "delete: app /x does not exist");
  EXPECT_EQ(Status::CodeFromName(Status::CodeName(Status::Code::kAlreadyExists)),
            Status::Code::kAlreadyExists);
}

TEST(StatusTest, ResultPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd number 3");
}

}  // namespace
}  // namespace berth
