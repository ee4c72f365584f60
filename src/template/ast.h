// The syntax tree of a parsed template. Produced by the parser (parser.h), read by the
// executor (executor.h); immutable after parsing.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "template/source.h"

namespace berth::tmpl {

struct Pipeline;

// An operand of a command: a literal, a field chain, a variable, a function name, or a
// parenthesised pipeline, optionally followed by .field accesses.
struct Expr {
  enum class Kind {
    kDot,         // .
    kField,       // .a.b (fields: a, b)
    kVariable,    // $x.a (name: $x; fields: a)
    kIdentifier,  // a function name (name)
    kString,      // (literal: the string)
    kNumber,      // (literal: int64 or double)
    kBool,        // (literal)
    kNil,         // nil
    kPipe,        // (pipeline).a (pipe; fields: a)
  };
  Kind kind;
  Pos pos;
  std::string name;
  std::vector<std::string> fields;
  nlohmann::json literal;
  std::unique_ptr<Pipeline> pipe;
  std::string source;  // the operand's text, for messages ("<.a.b>")
};

// One command of a pipeline: an operand and its arguments ("printf "%d" .n").
struct Command {
  Pos pos;
  std::vector<std::unique_ptr<Expr>> args;
};

// "$x := cmd | cmd": declared or assigned variables, then the commands.
struct Pipeline {
  Pos pos;
  bool is_assign = false;         // "=" rather than ":="
  std::vector<std::string> vars;  // at most 2, and 2 only in range
  std::vector<Command> cmds;
};

struct Node;
using NodeList = std::vector<std::unique_ptr<Node>>;

struct Node {
  enum class Kind {
    kText,      // text
    kAction,    // {{pipe}}
    kIf,        // {{if pipe}}list{{else}}else_list{{end}}
    kRange,     // {{range pipe}}list{{else}}else_list{{end}}
    kWith,      // {{with pipe}}list{{else}}else_list{{end}}
    kTemplate,  // {{template "name" pipe}} (pipe may be null)
    kBreak,
    kContinue,
  };
  Kind kind;
  Pos pos;
  std::string text;  // kText: the text; kTemplate: the template's name
  std::unique_ptr<Pipeline> pipe;
  NodeList list;
  NodeList else_list;
};

// The named templates of one parsed text: "" is the main one (under the template's own name),
// plus every {{define}} and {{block}}.
using TreeSet = std::map<std::string, NodeList, std::less<>>;

}  // namespace berth::tmpl
