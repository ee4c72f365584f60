#include "appspec/params.h"

#include <gtest/gtest.h>

namespace berth::appspec {
namespace {

using nlohmann::json;

std::vector<ParamDecl> MustLoad(const std::string& params_star) {
  Result<std::vector<ParamDecl>> decls = LoadParams({{"params.star", params_star}});
  EXPECT_TRUE(decls.ok()) << decls.status().message();
  return decls.ok() ? *decls : std::vector<ParamDecl>{};
}

TEST(SpecParamsTest, LoadsDeclarations) {
  auto decls = MustLoad(
      "param('image', description='The image')\n"
      "param('port', type=INT, default=5000)\n"
      "param('debug', type=BOOLEAN, required=False)\n"
      "param('tags', type=LIST, default=['a', 'b'])\n"
      "param('labels', type=DICT, default={'k': 1})\n");
  ASSERT_EQ(decls.size(), 5u);
  EXPECT_EQ(decls[0].name, "image");
  EXPECT_EQ(decls[0].type, ParamType::kString);
  EXPECT_EQ(decls[0].description, "The image");
  EXPECT_TRUE(decls[0].required);
  EXPECT_TRUE(decls[0].default_value.is_null());
  EXPECT_EQ(decls[1].type, ParamType::kInt);
  EXPECT_EQ(decls[1].default_value, json(5000));
  EXPECT_FALSE(decls[1].required);  // it has a default
  EXPECT_EQ(decls[2].type, ParamType::kBoolean);
  EXPECT_FALSE(decls[2].required);
  EXPECT_EQ(decls[3].default_value, json({"a", "b"}));
  EXPECT_EQ(decls[4].default_value, json::parse(R"({"k": 1})"));
  EXPECT_STREQ(ParamTypeName(decls[4].type), "DICT");
}

TEST(SpecParamsTest, MissingParamsStarMeansNoParams) {
  Result<std::vector<ParamDecl>> decls = LoadParams({{"app.star", "x = 1"}});
  ASSERT_TRUE(decls.ok());
  EXPECT_TRUE(decls->empty());
}

TEST(SpecParamsTest, ErrorsNameTheFileWithACaret) {
  Result<std::vector<ParamDecl>> r =
      LoadParams({{"params.star", "param('a')\nparam('port', type=INT, default='x')\n"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "params.star:2:25: param port: default must be an INT, got string\n"
            "param('port', type=INT, default='x')\n"
            "                        ^");
  r = LoadParams({{"params.star", "param('port', typ=INT)"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().substr(0, r.status().message().find('\n')),
            "params.star:1:15: unknown keyword argument \"typ\" (did you mean \"type\"?)");
  r = LoadParams({{"params.star", "param('port', type=STRNG)"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().substr(0, r.status().message().find('\n')),
            "params.star:1:20: undefined name \"STRNG\" (did you mean \"STRING\"?)");
  r = LoadParams({{"params.star", "param('a')\nparam('a')"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().substr(0, r.status().message().find('\n')),
            "params.star:2:7: param a is declared twice");
  r = LoadParams({{"params.star", "param('a', type='float')"}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("type must be one of STRING, INT, BOOLEAN, LIST, DICT"),
            std::string::npos);
}

TEST(SpecParamsTest, ParamsStarCanLoadAnotherFile) {
  Result<std::vector<ParamDecl>> r = LoadParams(
      {{"params.star", "load('common.star', 'PORT')\nparam('port', type=INT, default=PORT)"},
       {"common.star", "PORT = 8080"}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)[0].default_value, json(8080));
}

std::vector<ParamDecl> Decls() {
  return MustLoad(
      "param('image')\n"
      "param('port', type=INT, default=5000)\n"
      "param('count', type=INT, required=False)\n"
      "param('debug', type=BOOLEAN, required=False)\n"
      "param('name', required=False)\n"
      "param('tags', type=LIST, required=False)\n"
      "param('labels', type=DICT, required=False)\n");
}

TEST(SpecParamsTest, ResolveConvertsDefaultsAndZeroValues) {
  auto r = ResolveParams(Decls(), {{"image", "nginx"}, {"debug", "TRUE"}, {"EXTRA", "42"}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::map<std::string, json> want = {
      {"image", "nginx"},
      {"port", 5000},
      {"count", 0},
      {"debug", true},
      {"name", ""},
      {"tags", json::array()},
      {"labels", json::object()},
      {"EXTRA", "42"},  // undeclared keys pass through as strings
  };
  EXPECT_EQ(*r, want);
}

TEST(SpecParamsTest, ResolveParsesGivenValues) {
  auto r = ResolveParams(Decls(), {{"image", "x"},
                                   {"port", " 8080 "},
                                   {"count", "-3"},
                                   {"debug", "false"},
                                   {"tags", "[\"a\", 1]"},
                                   {"labels", "{\"k\": \"v\"}"}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)["port"], json(8080));
  EXPECT_EQ((*r)["count"], json(-3));
  EXPECT_EQ((*r)["debug"], json(false));
  EXPECT_EQ((*r)["tags"], json::parse(R"(["a", 1])"));
  EXPECT_EQ((*r)["labels"], json::parse(R"({"k": "v"})"));
}

TEST(SpecParamsTest, ResolveErrors) {
  const std::vector<ParamDecl> decls = Decls();
  struct Case {
    std::map<std::string, std::string> given;
    std::string want;
  } cases[] = {
      {{}, "param image is a required param, a value has to be provided"},
      {{{"image", "x"}, {"port", "abc"}}, "param port must be an INT, got \"abc\""},
      {{{"image", "x"}, {"port", "1.5"}}, "param port must be an INT, got \"1.5\""},
      {{{"image", "x"}, {"port", ""}}, "param port must be an INT, got \"\""},
      {{{"image", "x"}, {"port", "99999999999999999999"}},
       "param port must be an INT (64-bit), got \"99999999999999999999\""},
      {{{"image", "x"}, {"debug", "yes"}},
       "param debug must be a BOOLEAN (true or false), got \"yes\""},
      {{{"image", "x"}, {"tags", "{}"}}, "param tags must be a LIST (a JSON array), got \"{}\""},
      {{{"image", "x"}, {"tags", "[1,"}}, "param tags must be a LIST (a JSON array), got \"[1,\""},
      {{{"image", "x"}, {"labels", "[]"}},
       "param labels must be a DICT (a JSON object), got \"[]\""},
  };
  for (const Case& c : cases) {
    auto r = ResolveParams(decls, c.given);
    ASSERT_FALSE(r.ok()) << c.want;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(), c.want);
  }
}

TEST(SpecParamsTest, ParamsToEnv) {
  std::map<std::string, json> params = {{"s", "text"},
                                        {"i", 8080},
                                        {"b", true},
                                        {"l", json::parse(R"(["a", 1])")},
                                        {"d", json::parse(R"({"k": "v"})")},
                                        {"n", nullptr}};
  std::map<std::string, std::string> want = {{"s", "text"},          {"i", "8080"},
                                             {"b", "true"},          {"l", "[\"a\",1]"},
                                             {"d", "{\"k\":\"v\"}"}, {"n", ""}};
  EXPECT_EQ(ParamsToEnv(params), want);
  // Invalid UTF-8 (possible in a params.star default) is replaced, not thrown over.
  EXPECT_EQ(ParamsToEnv({{"l", json::array({std::string("a\xff")})}}).at("l"),
            "[\"a\xef\xbf\xbd\"]");
}

}  // namespace
}  // namespace berth::appspec
