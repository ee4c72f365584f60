#include "template/lexer.h"

#include <gtest/gtest.h>

namespace berth::tmpl {
namespace {

std::string Kinds(std::string_view text) {
  auto toks = Lex("t", text);
  if (!toks.ok()) return "error: " + toks.status().message();
  std::string out;
  for (const auto& t : *toks) {
    if (!out.empty()) out += ' ';
    out += TokName(t.type);
    if (t.type != Tok::kLeftDelim && t.type != Tok::kRightDelim && t.type != Tok::kEOF) {
      out += "(" + t.value + ")";
    }
  }
  return out;
}

TEST(TemplateLexer, TextAndActions) {
  EXPECT_EQ(Kinds("a{{.x}}b"),
            "text(a) left delimiter field(x) right delimiter text(b) end of input");
  EXPECT_EQ(Kinds("{{$v := .a.b | printf \"%d\"}}"),
            "left delimiter variable($v) :=(:=) field(a) field(b) |(|) identifier(printf) "
            "string(%d) right delimiter end of input");
  EXPECT_EQ(Kinds("{{if true}}{{else}}{{end}}"),
            "left delimiter keyword(if) bool(true) right delimiter left delimiter keyword(else) "
            "right delimiter left delimiter keyword(end) right delimiter end of input");
}

TEST(TemplateLexer, TrimMarkersRemoveWhitespace) {
  EXPECT_EQ(Kinds("a \n {{- 1 -}} \n b"),
            "text(a) left delimiter number(1) right delimiter text(b) end of input");
  // "{{-3" is the number -3, not a trim marker.
  EXPECT_EQ(Kinds("a {{-3}}"), "text(a ) left delimiter number(-3) right delimiter end of input");
}

TEST(TemplateLexer, CommentsAreDropped) {
  EXPECT_EQ(Kinds("a {{- /* x */ -}} b"), "text(a) text(b) end of input");
  EXPECT_EQ(Kinds("{{/* x */ .a}}"),
            "error: t:1:1: comment ends before closing delimiter\n"
            "{{/* x */ .a}}\n^");
  EXPECT_NE(Kinds("{{/* x").find("unclosed comment"), std::string::npos);
}

TEST(TemplateLexer, StringsAndNumbers) {
  auto toks = Lex("t", "{{\"a\\n\\u00e9\\x41\" `r\\n` 'x' 0x1F 1.5e3}}");
  ASSERT_TRUE(toks.ok()) << toks.status().message();
  EXPECT_EQ((*toks)[1].value,
            "a\n\xC3\xA9"
            "A");
  EXPECT_EQ((*toks)[2].value, "r\\n");
  EXPECT_EQ((*toks)[3].value, "120");  // a character constant is its code point
  EXPECT_EQ((*toks)[4].value, "0x1F");
  EXPECT_EQ((*toks)[5].value, "1.5e3");
}

TEST(TemplateLexer, ErrorsPointAtTheMistake) {
  auto toks = Lex("f.tmpl", "line one\nx = {{ .a @ }}\n");
  ASSERT_FALSE(toks.ok());
  EXPECT_EQ(toks.status().message(),
            "f.tmpl:2:11: unrecognized character in action: \"@\"\nx = {{ .a @ }}\n          ^");
  EXPECT_NE(Kinds("{{\"abc}}").find("unterminated quoted string"), std::string::npos);
  EXPECT_NE(Kinds("a {{ .b").find("t:1:3: unclosed action"), std::string::npos);
}

TEST(TemplateLexer, PositionsCountLinesAndColumns) {
  auto toks = Lex("t", "ab\ncd {{ .x }}");
  ASSERT_TRUE(toks.ok());
  EXPECT_EQ((*toks)[2].pos.line, 2);
  EXPECT_EQ((*toks)[2].pos.col, 7);
  EXPECT_TRUE((*toks)[2].space_before);
}

}  // namespace
}  // namespace berth::tmpl
