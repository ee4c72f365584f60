#include "template/format.h"

#include <gtest/gtest.h>

namespace berth::tmpl {
namespace {

// Expected strings are what Go 1.19's fmt prints for the same operands.
TEST(TemplateFormat, ValuesPrintAsGoPrintsThem) {
  EXPECT_EQ(FormatValue(Value(1.5)), "1.5");
  EXPECT_EQ(FormatValue(Value(1e6)), "1e+06");
  EXPECT_EQ(FormatValue(Value(123456.0)), "123456");
  EXPECT_EQ(FormatValue(Value(0.0001)), "0.0001");
  EXPECT_EQ(FormatValue(Value(0.00001)), "1e-05");
  EXPECT_EQ(FormatValue(Value(-0.0)), "-0");
  EXPECT_EQ(FormatValue(Value(nullptr)), "<nil>");
  EXPECT_EQ(FormatValue(Value::parse(R"({"b":[1,"x",null],"a":{}})")),
            "map[a:map[] b:[1 x <nil>]]");
  EXPECT_EQ(FormatValue(Value(static_cast<uint64_t>(18446744073709551615u))),
            "1.8446744073709552e+19");
}

TEST(TemplateFormat, Sprint) {
  EXPECT_EQ(Sprint({Value(1), Value(2), Value("a"), Value(3), Value("b")}), "1 2a3b");
  EXPECT_EQ(Sprintln({Value("a"), Value(1)}), "a 1\n");
}

TEST(TemplateFormat, Sprintf) {
  EXPECT_EQ(Sprintf("%5.1f|%-4d|%04d|%x|%X|%q",
                    {Value(3.14159), Value(7), Value(-7), Value("hi"), Value(255), Value("a\"b")}),
            "  3.1|7   |-007|6869|FF|\"a\\\"b\"");
  EXPECT_EQ(Sprintf("%d", {Value("x")}), "%!d(string=x)");
  EXPECT_EQ(Sprintf("%d %d", {Value(1)}), "1 %!d(MISSING)");
  EXPECT_EQ(Sprintf("%d", {Value(1), Value(true)}), "1%!(EXTRA bool=true)");
  EXPECT_EQ(Sprintf("%z", {Value(1)}), "%!z(int=1)");
  EXPECT_EQ(Sprintf("100%", {}), "100%!(NOVERB)");
  EXPECT_EQ(Sprintf("%e|%g|%.2e", {Value(1234.5), Value(1e-7), Value(0.0)}),
            "1.234500e+03|1e-07|0.00e+00");
  // Widths beyond Go's limit are refused, not allocated (Go's odd output included).
  EXPECT_EQ(Sprintf("%99999999d", {Value(1)}), "%!(NOVERB)%!(EXTRA int=1)");
  EXPECT_EQ(Sprintf("%*d", {Value(99999999), Value(1)}), "%!(BADWIDTH)1");
}

TEST(TemplateFormat, GoQuote) {
  EXPECT_EQ(GoQuote("a\"b\\c\n\x01\xC3\xA9\xFF"), "\"a\\\"b\\\\c\\n\\x01\xC3\xA9\\xff\"");
}

}  // namespace
}  // namespace berth::tmpl
