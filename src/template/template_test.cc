#include "template/template.h"

#include <gtest/gtest.h>

namespace berth::tmpl {
namespace {

Result<std::string> Render(std::string_view text, const Value& data, const FuncMap& funcs = {},
                           const Budget& budget = {}, ParseOptions options = {}) {
  for (const auto& [name, fn] : funcs) options.functions.insert(name);
  BERTH_ASSIGN_OR_RETURN(auto t, Template::Parse("t.tmpl", text, options));
  return t.Execute(data, funcs, budget);
}

// A stand-in for the secrets integration's function: variadic strings in, a string out.
Result<Value> FakeSecret(const std::vector<Value>& args) {
  std::string key;
  for (const auto& a : args) {
    if (!a.is_string()) return Status::InvalidArgument("secret keys must be strings");
    key += (key.empty() ? "" : "/") + a.get<std::string>();
  }
  if (key == "vault_prod/KEY") return Value("p&<>\"'w");
  return Status::NotFound("no secret " + key + " in provider");
}

TEST(TemplateApi, LooksLikeTemplate) {
  EXPECT_TRUE(LooksLikeTemplate("{{secret \"KEY\"}}"));
  EXPECT_TRUE(LooksLikeTemplate("a }} b {{"));  // both present: the parser judges the rest
  EXPECT_FALSE(LooksLikeTemplate("password{{"));
  EXPECT_FALSE(LooksLikeTemplate("plain }} value"));
  EXPECT_FALSE(LooksLikeTemplate(""));
}

TEST(TemplateApi, CallerFunctionsAndNoEscaping) {
  FuncMap funcs{{"secret", FakeSecret}};
  auto out = Render("pw={{secret \"vault_prod\" \"KEY\"}} host={{.params.host}}",
                    Value::parse(R"({"params": {"host": "a&b"}})"), funcs);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(*out, "pw=p&<>\"'w host=a&b");
}

TEST(TemplateApi, FunctionErrorAbortsWithItsMessageAndCode) {
  FuncMap funcs{{"secret", FakeSecret}};
  auto out = Render("a\nb = {{ secret \"vault_prod\" \"NOPE\" }}\n", Value(nullptr), funcs);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(out.status().message(),
            "t.tmpl:2:8: error calling secret: no secret vault_prod/NOPE in provider\n"
            "b = {{ secret \"vault_prod\" \"NOPE\" }}\n"
            "       ^");
}

TEST(TemplateApi, UndeclaredFunctionIsAParseError) {
  auto t = Template::Parse("s.tmpl", "x {{secret \"K\"}}", {});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            "s.tmpl:1:5: function \"secret\" not defined\nx {{secret \"K\"}}\n    ^");
  // Declared at parse but not supplied at execute: an execution error, not a crash.
  ParseOptions options;
  options.functions = {"secret"};
  auto t2 = Template::Parse("s.tmpl", "{{secret \"K\"}}", options);
  ASSERT_TRUE(t2.ok());
  auto out = t2->Execute(Value(nullptr));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("function \"secret\" not defined"), std::string::npos);
}

TEST(TemplateApi, ExecutionErrorsNameTheDefinedTemplate) {
  auto out = Render("{{define \"inner\"}}\n  {{index .l 9}}{{end}}{{template \"inner\" .}}",
                    Value::parse(R"({"l": [1]})"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "t.tmpl:2:5: executing \"inner\": error calling index: index out of range: 9\n"
            "  {{index .l 9}}{{end}}{{template \"inner\" .}}\n"
            "    ^");
}

TEST(TemplateApi, StepBudget) {
  Value data = Value::parse(R"({"l": [1,2,3,4,5,6,7,8,9,10]})");
  std::string nested =
      "{{range .l}}{{range $.l}}{{range $.l}}{{range $.l}}x{{end}}{{end}}{{end}}{{end}}";
  Budget budget;
  budget.max_steps = 5000;
  budget.max_output_bytes = 1 << 30;
  auto out = Render(nested, data, {}, budget);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("template step limit exceeded (5000 steps)"),
            std::string::npos)
      << out.status().message();
  budget.max_steps = 100000;
  out = Render(nested, data, {}, budget);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->size(), 10000u);
}

TEST(TemplateApi, OutputBudget) {
  Budget budget;
  budget.max_output_bytes = 100;
  auto out =
      Render("{{range .}}0123456789{{end}}", Value::parse("[1,2,3,4,5,6,7,8,9,10]"), {}, budget);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->size(), 100u);
  out = Render("{{range .}}0123456789{{end}}x", Value::parse("[1,2,3,4,5,6,7,8,9,10]"), {}, budget);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("template output exceeds the limit of 100 bytes"),
            std::string::npos);
  // A value doubled in a loop is stopped before it eats memory, even when never printed.
  out = Render("{{$s := \"ab\"}}{{range .}}{{$s = printf \"%s%s\" $s $s}}{{end}}",
               Value::parse("[1,2,3,4,5,6,7,8,9,10]"), {}, budget);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("the value of printf exceeds the limit of 100 bytes"),
            std::string::npos)
      << out.status().message();
}

TEST(TemplateApi, TemplateRecursionDepth) {
  Budget budget;
  budget.max_template_depth = 10;
  auto out = Render("{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" .}}", Value(1), {},
                    budget);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("exceeded maximum template depth (10)"), std::string::npos);
}

TEST(TemplateApi, NestingAcrossTemplateCallsIsBounded) {
  // 90 nested ifs in a template that calls itself 90 deep: each limit holds alone, their
  // product would not fit on a stack.
  std::string body;
  for (int i = 0; i < 90; ++i) body += "{{if 1}}";
  body += "{{template \"r\" .}}";
  for (int i = 0; i < 90; ++i) body += "{{end}}";
  auto out = Render("{{define \"r\"}}" + body + "{{end}}{{template \"r\" .}}", Value(1));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("nested too deeply at run time (more than 1000 levels)"),
            std::string::npos)
      << out.status().message().substr(0, 200);
}

TEST(TemplateApi, MissingKeyOption) {
  ParseOptions options;
  options.missing_key_error = true;
  auto out = Render("{{.a}}", Value::parse(R"({"b": 1})"), {}, {}, options);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("map has no entry for key \"a\""), std::string::npos);
  out = Render("{{.a}}", Value::parse(R"({"b": 1})"));
  EXPECT_EQ(*out, "<no value>");
}

TEST(TemplateApi, ElseWith) {
  // Go 1.23's {{else with}}.
  auto out = Render("{{with .a}}A{{else with .b}}B{{.}}{{else}}none{{end}}",
                    Value::parse(R"({"b": "x"})"));
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(*out, "Bx");
}

TEST(TemplateApi, CopiesShareTheParsedTemplate) {
  auto t = Template::Parse("c", "{{.}}!");
  ASSERT_TRUE(t.ok());
  Template copy = *t;
  EXPECT_EQ(copy.name(), "c");
  EXPECT_EQ(*copy.Execute(Value("hi")), "hi!");
  EXPECT_EQ(*t->Execute(Value(2)), "2!");
}

}  // namespace
}  // namespace berth::tmpl
