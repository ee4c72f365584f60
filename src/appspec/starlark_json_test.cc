// Table tests of the Starlark <-> JSON conversions: each case is a Starlark expression, the JSON
// it encodes to (or the error), and what that JSON decodes back to.
#include "appspec/starlark_json.h"

#include <gtest/gtest.h>

namespace berth::appspec {
namespace {

using starlark::Interpreter;
using starlark::Value;

// Evaluates `expr` and encodes it: the JSON text, or "error: " and the message.
std::string Encode(Interpreter& interp, const std::string& expr) {
  Result<Value> m = interp.ExecFile("t.star", "r = " + expr, {});
  if (!m.ok()) return "eval error: " + m.status().message();
  Result<nlohmann::json> j = ToJson(*m->struct_value()->Get("r"));
  if (!j.ok()) return "error: " + j.status().message();
  return j->dump();
}

// Decodes JSON text and returns repr() of the value, or "error: " and the message.
std::string Decode(Interpreter& interp, const std::string& text) {
  Result<Value> v = FromJson(interp, nlohmann::json::parse(text));
  if (!v.ok()) return "error: " + v.status().message();
  Result<std::string> r = starlark::Repr(interp, *v);
  return r.ok() ? *r : "error: " + r.status().message();
}

TEST(StarlarkJsonTest, EncodeNumbersBytesAndContainers) {
  struct Case {
    const char* expr;
    const char* json;
  };
  const Case cases[] = {
      {"None", "null"},
      {"[True, 1, -2, 'a']", R"([true,1,-2,"a"])"},
      {"1.5", "1.5"},
      {"-0.25", "-0.25"},
      {"1e300", "1e+300"},
      {"2.0", "2.0"},
      {"float('inf')", "error: cannot encode non-finite float +inf as JSON"},
      {"float('nan')", "error: cannot encode non-finite float nan as JSON"},
      {"9223372036854775807", "9223372036854775807"},
      {"1 << 63", "9223372036854775808"},
      {"(1 << 64) - 1", "18446744073709551615"},
      {"1 << 64",
       "error: int 18446744073709551616 is too large for JSON (ints must fit in 64 bits)"},
      {"-(1 << 63) - 1",
       "error: int -9223372036854775809 is too large for JSON (ints must fit in 64 bits)"},
      {"b'abc'", R"("abc")"},
      {"b'caf\\xc3\\xa9'", R"("café")"},
      {"b'\\xff'", R"("�")"},
      {"{'x': (1.5, b'y')}", R"({"x":[1.5,"y"]})"},
      {"{1: 2}", "error: dict keys must be strings, not int"},
      {"range(2)", "error: a range value cannot be converted to JSON"},
  };
  for (const Case& c : cases) {
    Interpreter interp;
    EXPECT_EQ(Encode(interp, c.expr), c.json) << c.expr;
  }
}

TEST(StarlarkJsonTest, DecodeNumbers) {
  struct Case {
    const char* json;
    const char* repr;
  };
  const Case cases[] = {
      {"1.5", "1.5"},
      {"-2e-3", "-0.002"},
      {"3", "3"},
      {"3.0", "3.0"},
      {"9223372036854775807", "9223372036854775807"},
      {"9223372036854775808", "9223372036854775808"},
      {"18446744073709551615", "18446744073709551615"},
      {"-9223372036854775808", "-9223372036854775808"},
      {R"({"a": [1, 2.5, "s", null, true]})", R"({"a": [1, 2.5, "s", None, True]})"},
  };
  for (const Case& c : cases) {
    Interpreter interp;
    EXPECT_EQ(Decode(interp, c.json), c.repr) << c.json;
  }
}

TEST(StarlarkJsonTest, RoundTrip) {
  for (const char* expr : {"[0.1, 1e-07, 123456789.125, -1.0]", "[1 << 63, (1 << 64) - 1, -5]",
                           "{'k': {'n': [1.25]}}"}) {
    Interpreter interp;
    std::string json = Encode(interp, expr);
    Result<Value> m = interp.ExecFile("u.star", std::string("r = ") + expr, {});
    ASSERT_TRUE(m.ok());
    Result<std::string> want = starlark::Repr(interp, *m->struct_value()->Get("r"));
    EXPECT_EQ(Decode(interp, json), *want) << expr;
  }
}

}  // namespace
}  // namespace berth::appspec
