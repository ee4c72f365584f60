// The lexer of Berth's Go text/template subset: text, actions between {{ and }}, with the
// trim markers "{{- " and " -}}" applied here (the whitespace they remove never reaches the
// parser) and comments {{/* ... */}} dropped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "template/source.h"

namespace berth::tmpl {

enum class Tok {
  kText,        // text outside actions (value: the text, already trimmed)
  kLeftDelim,   // {{
  kRightDelim,  // }}
  kIdentifier,  // a function name: printf, eq, secret
  kKeyword,     // if else end range with define template block break continue
  kField,       // .name (value: "name")
  kVariable,    // $ or $name (value: "$name")
  kDot,         // .
  kString,      // "..." or `...` (value: the unquoted string)
  kNumber,      // 12, -3, 1.5e3, 0x1F, 'a' (value: the literal's text)
  kBool,        // true, false
  kNil,         // nil
  kPipe,        // |
  kLeftParen,   // (
  kRightParen,  // )
  kDeclare,     // :=
  kAssign,      // =
  kComma,       // ,
  kEOF,
};

struct Token {
  Tok type;
  std::string value;
  Pos pos;
  bool space_before = false;  // whitespace separates it from the previous token
};

// The name of a token type for messages ("identifier", "right delimiter").
const char* TokName(Tok t);

// Splits `text` into tokens ending with kEOF. Errors (an unclosed action or comment, a bad
// character, an unterminated string) are formatted with FormatError under `name`.
Result<std::vector<Token>> Lex(std::string_view name, std::string_view text);

}  // namespace berth::tmpl
