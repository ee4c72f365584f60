#include "template/parser.h"

#include <gtest/gtest.h>

namespace berth::tmpl {
namespace {

const std::set<std::string, std::less<>> kFuncs = {"printf", "len", "secret"};

Status ParseText(std::string_view text, TreeSet* trees, int max_nesting = kDefaultMaxNesting) {
  ParserConfig config;
  config.functions = &kFuncs;
  config.max_nesting = max_nesting;
  return Parse("t", text, config, trees);
}

TEST(TemplateParser, BuildsTreesForMainAndDefines) {
  TreeSet trees;
  ASSERT_TRUE(ParseText("a{{define \"x\"}}X{{end}}{{block \"b\" .}}B{{end}}", &trees).ok());
  ASSERT_EQ(trees.size(), 3u);
  ASSERT_EQ(trees["t"].size(), 2u);
  EXPECT_EQ(trees["t"][0]->kind, Node::Kind::kText);
  EXPECT_EQ(trees["t"][1]->kind, Node::Kind::kTemplate);
  EXPECT_EQ(trees["x"][0]->text, "X");
  EXPECT_EQ(trees["b"][0]->text, "B");
}

TEST(TemplateParser, ElseIfNestsInTheElseList) {
  TreeSet trees;
  ASSERT_TRUE(ParseText("{{if 1}}a{{else if 2}}b{{else}}c{{end}}", &trees).ok());
  const Node& top = *trees["t"][0];
  EXPECT_EQ(top.kind, Node::Kind::kIf);
  ASSERT_EQ(top.else_list.size(), 1u);
  EXPECT_EQ(top.else_list[0]->kind, Node::Kind::kIf);
  EXPECT_EQ(top.else_list[0]->else_list[0]->text, "c");
}

TEST(TemplateParser, PipelinesVariablesAndChains) {
  TreeSet trees;
  ASSERT_TRUE(ParseText("{{range $i, $e := .l}}{{$e.a.b | printf \"%v\"}}{{end}}", &trees).ok());
  const Node& range = *trees["t"][0];
  EXPECT_EQ(range.pipe->vars, (std::vector<std::string>{"$i", "$e"}));
  const Pipeline& p = *range.list[0]->pipe;
  ASSERT_EQ(p.cmds.size(), 2u);
  EXPECT_EQ(p.cmds[0].args[0]->kind, Expr::Kind::kVariable);
  EXPECT_EQ(p.cmds[0].args[0]->fields, (std::vector<std::string>{"a", "b"}));
}

TEST(TemplateParser, Numbers) {
  EXPECT_EQ(*ParseNumber("42"), 42);
  EXPECT_EQ(*ParseNumber("-0x10"), -16);
  EXPECT_EQ(*ParseNumber("017"), 15);
  EXPECT_EQ(*ParseNumber("1_000"), 1000);
  EXPECT_TRUE(ParseNumber("1.5")->is_number_float());
  EXPECT_TRUE(ParseNumber("99999999999999999999")->is_number_float());
  EXPECT_FALSE(ParseNumber("12ab").ok());
  EXPECT_FALSE(ParseNumber("09").ok());
}

TEST(TemplateParser, Errors) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"{{nope 1}}", "t:1:3: function \"nope\" not defined"},
      {"{{$x}}", "t:1:3: undefined variable \"$x\""},
      {"{{if 1}}{{$x := 1}}{{end}}{{$x}}", "undefined variable \"$x\""},
      {"{{if 1}}x", "unexpected EOF: {{if}} without {{end}}"},
      {"x{{end}}", "unexpected {{end}}"},
      {"{{break}}", "{{break}} outside {{range}}"},
      {"{{if 1}}{{define \"a\"}}{{end}}{{end}}", "{{define}} is allowed only at the top level"},
      {"{{.a | .b}}", "non executable command in pipeline stage 2"},
      {"{{}}", "missing value for command"},
      {"{{if}}{{end}}", "missing value for if"},
      {"{{define \"a\"}}x{{end}}{{define \"a\"}}y{{end}}", "multiple definition of template \"a\""},
      {"{{template .x}}", "unexpected field \"x\" in template clause"},
      {"{{$a, $b := 1}}", "too many declarations in command"},
      {"{{printf \"a\"\"b\"}}", "unexpected string \"b\" in operand"},
      {"{{(1}}", "t:1:5: unexpected \"}}\" in operand"},
      {"{{1)}}", "t:1:4: unexpected \")\" in operand"},
  };
  for (const auto& c : cases) {
    TreeSet trees;
    Status s = ParseText(c.text, &trees);
    EXPECT_FALSE(s.ok()) << c.text;
    EXPECT_NE(s.message().find(c.error), std::string::npos) << c.text << " -> " << s.message();
  }
}

TEST(TemplateParser, NestingIsBounded) {
  std::string deep;
  for (int i = 0; i < 20; ++i) deep += "{{if 1}}";
  for (int i = 0; i < 20; ++i) deep += "{{end}}";
  TreeSet trees;
  EXPECT_TRUE(ParseText(deep, &trees, 20).ok());
  TreeSet trees2;
  Status s = ParseText(deep, &trees2, 19);
  EXPECT_NE(s.message().find("nested too deeply (more than 19 levels)"), std::string::npos)
      << s.message();
  std::string parens = "{{" + std::string(30, '(') + "1" + std::string(30, ')') + "}}";
  TreeSet trees3;
  EXPECT_FALSE(ParseText(parens, &trees3, 20).ok());
}

}  // namespace
}  // namespace berth::tmpl
