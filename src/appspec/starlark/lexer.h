// The Starlark lexer: source text to tokens, with Python-style INDENT/DEDENT and implicit line
// joining inside brackets.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "appspec/starlark/source.h"
#include "base/status.h"

namespace berth::starlark {

enum class Tok {
  kEof,
  kNewline,
  kIndent,
  kDedent,
  kIdent,
  kInt,
  kFloat,
  kString,
  kBytes,
  // Punctuation.
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kLBrace,
  kRBrace,
  kComma,
  kColon,
  kSemicolon,
  kDot,
  kAssign,
  kPlusEq,
  kMinusEq,
  kStarEq,
  kSlashSlashEq,
  kPercentEq,
  kSlashEq,
  kAmpEq,
  kPipeEq,
  kCaretEq,
  kLtLtEq,
  kGtGtEq,
  kEq,
  kNe,
  kLt,
  kGt,
  kLe,
  kGe,
  kPlus,
  kMinus,
  kStar,
  kStarStar,
  kSlash,
  kSlashSlash,
  kPercent,
  kAmp,
  kPipe,
  kCaret,
  kTilde,
  kLtLt,
  kGtGt,
  // Keywords.
  kAnd,
  kBreak,
  kContinue,
  kDef,
  kElif,
  kElse,
  kFor,
  kWhile,
  kIf,
  kIn,
  kLambda,
  kLoad,
  kNot,
  kOr,
  kPass,
  kReturn,
  kNone,
  kTrue,
  kFalse,
};

// How a token kind is shown in messages: "identifier", "newline", "'('", "'def'".
const char* TokName(Tok kind);

struct Token {
  Tok kind = Tok::kEof;
  Pos pos;
  std::string text;   // the name of an identifier, the decoded value of a string
  int64_t value = 0;  // the value of an int that fits in 64 bits
  bool big = false;   // an int literal beyond 64 bits: its digits are in text
  double fvalue = 0;  // the value of a float
};

// Splits a file into tokens, ending with kEof. Errors carry "file:line:col: message" and a caret.
Result<std::vector<Token>> Lex(const SourceFile& file);

}  // namespace berth::starlark
