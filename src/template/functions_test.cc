#include "template/functions.h"

#include <gtest/gtest.h>

namespace berth::tmpl {
namespace {

Result<Value> Call(const std::string& name, std::vector<Value> args) {
  return Builtins().at(name)(args);
}

TEST(TemplateFunctions, Truth) {
  EXPECT_FALSE(Truth(Value(nullptr)));
  EXPECT_FALSE(Truth(NoValue()));
  EXPECT_FALSE(Truth(Value(0)));
  EXPECT_FALSE(Truth(Value(0.0)));
  EXPECT_FALSE(Truth(Value("")));
  EXPECT_FALSE(Truth(Value::array()));
  EXPECT_FALSE(Truth(Value::object()));
  EXPECT_TRUE(Truth(Value(-1)));
  EXPECT_TRUE(Truth(Value("0")));
  EXPECT_TRUE(Truth(Value::parse("[0]")));
}

TEST(TemplateFunctions, ArgumentChecks) {
  EXPECT_EQ(Call("upper", {Value(1)}).status().message(),
            "wrong type for value; expected string; got int");
  EXPECT_EQ(Call("upper", {Value("a"), Value("b")}).status().message(),
            "wrong number of args for upper: want 1 got 2");
  EXPECT_EQ(Call("eq", {Value(1)}).status().message(), "missing argument for comparison");
  EXPECT_EQ(Call("lt", {Value(1), Value(1.5)}).status().message(),
            "incompatible types for comparison");
}

TEST(TemplateFunctions, Base64) {
  EXPECT_EQ(*Call("b64enc", {Value(std::string("\0\xff", 2))}), "AP8=");
  EXPECT_EQ(*Call("b64dec", {Value("AP8=")}), std::string("\0\xff", 2));
  EXPECT_EQ(Call("b64dec", {Value("AP8")}).status().message(),
            "illegal base64 data at input byte 0");
  EXPECT_FALSE(Call("b64dec", {Value("A=P8")}).ok());
}

TEST(TemplateFunctions, ReplaceWithEmptyPatternInsertsAroundRunes) {
  EXPECT_EQ(*Call("replace", {Value(""), Value("-"), Value("a\xC3\xA9")}), "-a-\xC3\xA9-");
}

TEST(TemplateFunctions, ToJsonIsGosEncoding) {
  EXPECT_EQ(ToJson(Value::parse(R"({"b":[1,2.5,null,true],"a":"<&>\u2028"})")),
            R"({"a":"\u003c\u0026\u003e\u2028","b":[1,2.5,null,true]})");
  EXPECT_EQ(ToJson(Value(1e-7)), "1e-7");
  EXPECT_EQ(ToJson(Value(1e21)), "1e+21");
  EXPECT_EQ(ToJson(Value(std::string("\xff"))), "\"\\ufffd\"");
}

TEST(TemplateFunctions, Split) {
  EXPECT_EQ(*Call("split", {Value(","), Value("a,b")}), Value::parse(R"({"_0":"a","_1":"b"})"));
  EXPECT_EQ(*Call("splitList", {Value(""), Value("ab")}), Value::parse(R"(["a","b"])"));
}

}  // namespace
}  // namespace berth::tmpl
