#include "template/parser.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>

#include "base/strings.h"
#include "template/lexer.h"

namespace berth::tmpl {
namespace {

class Parser {
 public:
  Parser(std::string_view name, std::string_view text, const ParserConfig& config,
         std::vector<Token> tokens, TreeSet* trees)
      : name_(name), text_(text), config_(config), toks_(std::move(tokens)), trees_(trees) {}

  Status Run() {
    NodeList main;
    while (Peek().type != Tok::kEOF) {
      if (Peek().type == Tok::kLeftDelim && Peek(1).type == Tok::kKeyword &&
          Peek(1).value == "define") {
        Next();
        Next();
        BERTH_RETURN_IF_ERROR(ParseDefine());
        continue;
      }
      std::unique_ptr<Node> node;
      std::string stop;
      BERTH_RETURN_IF_ERROR(TextOrAction(&node, &stop));
      if (!stop.empty()) return Error(last_pos_, fmt::format("unexpected {{{{{}}}}}", stop));
      if (node) main.push_back(std::move(node));
    }
    return AddTree(std::string(name_), std::move(main), Pos{1, 1});
  }

 private:
  Status Error(Pos pos, std::string_view message) {
    return Status::InvalidArgument(FormatError(name_, text_, pos, message));
  }

  const Token& Peek(size_t ahead = 0) const {
    size_t i = std::min(i_ + ahead, toks_.size() - 1);
    return toks_[i];
  }
  const Token& Next() {
    const Token& t = toks_[std::min(i_, toks_.size() - 1)];
    if (i_ < toks_.size() - 1) ++i_;
    last_pos_ = t.pos;
    return t;
  }

  Status Unexpected(const Token& t, std::string_view context) {
    std::string what;
    switch (t.type) {
      case Tok::kEOF:
        what = "EOF";
        break;
      case Tok::kRightDelim:
      case Tok::kPipe:
      case Tok::kLeftParen:
      case Tok::kRightParen:
      case Tok::kDeclare:
      case Tok::kAssign:
      case Tok::kComma:
        what = fmt::format("{:?}", t.value);
        break;
      default:
        what = fmt::format("{} {:?}", TokName(t.type), t.value);
    }
    return Error(t.pos, fmt::format("unexpected {} in {}", what, context));
  }

  // An empty tree or one of only whitespace text may be replaced, as in Go.
  static bool IsEmpty(const NodeList& list) {
    for (const auto& n : list) {
      if (n->kind != Node::Kind::kText) return false;
      for (char c : n->text) {
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
      }
    }
    return true;
  }

  Status AddTree(std::string name, NodeList list, Pos pos) {
    auto it = trees_->find(name);
    if (it != trees_->end()) {
      if (IsEmpty(list)) return Status::Ok();
      if (!IsEmpty(it->second)) {
        return Error(pos, fmt::format("template: multiple definition of template {:?}", name));
      }
      it->second = std::move(list);
      return Status::Ok();
    }
    trees_->emplace(std::move(name), std::move(list));
    return Status::Ok();
  }

  Status Enter(Pos pos) {
    if (++depth_ > config_.max_nesting) {
      return Error(pos, fmt::format("template nested too deeply (more than {} levels)",
                                    config_.max_nesting));
    }
    return Status::Ok();
  }

  // After "{{define": "name"}}list{{end}}.
  Status ParseDefine() {
    Pos pos = last_pos_;
    const Token& name = Next();
    if (name.type != Tok::kString) return Unexpected(name, "define clause");
    std::string tree_name = name.value;
    BERTH_RETURN_IF_ERROR(ExpectRightDelim("define clause"));
    std::vector<std::string> saved_vars = std::move(vars_);
    vars_ = {"$"};
    NodeList list;
    std::string stop;
    BERTH_RETURN_IF_ERROR(ItemList(&list, &stop, "define"));
    if (stop != "end") return Error(last_pos_, "unexpected {{else}} in define");
    vars_ = std::move(saved_vars);
    return AddTree(std::move(tree_name), std::move(list), pos);
  }

  Status ExpectRightDelim(std::string_view context) {
    const Token& t = Next();
    if (t.type != Tok::kRightDelim) return Unexpected(t, context);
    return Status::Ok();
  }

  // Items until {{end}} or {{else...}}; `stop` says which ("end" or "else"). For "else", the
  // tokens after the keyword are left unread.
  Status ItemList(NodeList* list, std::string* stop, std::string_view context) {
    stop->clear();
    while (true) {
      if (Peek().type == Tok::kEOF) {
        return Error(Peek().pos,
                     fmt::format("unexpected EOF: {{{{{}}}}} without {{{{end}}}}", context));
      }
      std::unique_ptr<Node> node;
      BERTH_RETURN_IF_ERROR(TextOrAction(&node, stop));
      if (!stop->empty()) return Status::Ok();
      if (node) list->push_back(std::move(node));
    }
  }

  // One text or action; {{end}} and {{else}} set `stop` instead of giving a node.
  Status TextOrAction(std::unique_ptr<Node>* out, std::string* stop) {
    const Token& t = Next();
    if (t.type == Tok::kText) {
      auto node = std::make_unique<Node>();
      node->kind = Node::Kind::kText;
      node->pos = t.pos;
      node->text = t.value;
      *out = std::move(node);
      return Status::Ok();
    }
    if (t.type != Tok::kLeftDelim) return Unexpected(t, "input");
    Pos pos = t.pos;
    if (Peek().type == Tok::kKeyword) {
      const Token& kw = Next();
      const std::string& k = kw.value;
      if (k == "end") {
        *stop = "end";
        return ExpectRightDelim("end");
      }
      if (k == "else") {
        *stop = "else";
        return Status::Ok();
      }
      if (k == "if") return Control(Node::Kind::kIf, "if", kw.pos, out);
      if (k == "range") return Control(Node::Kind::kRange, "range", kw.pos, out);
      if (k == "with") return Control(Node::Kind::kWith, "with", kw.pos, out);
      if (k == "template" || k == "block") return TemplateCall(k, kw.pos, out);
      if (k == "break" || k == "continue") {
        if (range_depth_ == 0) {
          return Error(kw.pos, fmt::format("{{{{{}}}}} outside {{{{range}}}}", k));
        }
        BERTH_RETURN_IF_ERROR(ExpectRightDelim(k));
        auto node = std::make_unique<Node>();
        node->kind = k == "break" ? Node::Kind::kBreak : Node::Kind::kContinue;
        node->pos = kw.pos;
        *out = std::move(node);
        return Status::Ok();
      }
      if (k == "define") return Error(kw.pos, "{{define}} is allowed only at the top level");
      return Unexpected(kw, "command");
    }
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kAction;
    node->pos = pos;
    BERTH_ASSIGN_OR_RETURN(node->pipe, ParsePipeline("command", Tok::kRightDelim, false));
    *out = std::move(node);
    return Status::Ok();
  }

  // After {{if / {{range / {{with: pipeline}}list[{{else [if|with] ...}}list]{{end}}.
  Status Control(Node::Kind kind, std::string_view context, Pos pos, std::unique_ptr<Node>* out) {
    BERTH_RETURN_IF_ERROR(Enter(pos));
    size_t vars_before = vars_.size();
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->pos = pos;
    BERTH_ASSIGN_OR_RETURN(node->pipe,
                           ParsePipeline(context, Tok::kRightDelim, kind == Node::Kind::kRange));
    if (kind == Node::Kind::kRange) ++range_depth_;
    std::string stop;
    BERTH_RETURN_IF_ERROR(ItemList(&node->list, &stop, context));
    if (kind == Node::Kind::kRange) --range_depth_;
    if (stop == "else") {
      // "{{else if ...}}" and "{{else with ...}}" nest a control that shares this {{end}}.
      if ((kind == Node::Kind::kIf && Peek().type == Tok::kKeyword && Peek().value == "if") ||
          (kind == Node::Kind::kWith && Peek().type == Tok::kKeyword && Peek().value == "with")) {
        const Token& kw = Next();
        std::unique_ptr<Node> nested;
        BERTH_RETURN_IF_ERROR(Control(kind, context, kw.pos, &nested));
        node->else_list.push_back(std::move(nested));
      } else {
        BERTH_RETURN_IF_ERROR(ExpectRightDelim("else"));
        BERTH_RETURN_IF_ERROR(ItemList(&node->else_list, &stop, context));
        if (stop != "end") return Error(last_pos_, "expected end; found {{else}}");
      }
    }
    vars_.resize(vars_before);
    --depth_;
    *out = std::move(node);
    return Status::Ok();
  }

  // After {{template / {{block: "name" [pipeline]}} (block: then list{{end}}).
  Status TemplateCall(const std::string& keyword, Pos pos, std::unique_ptr<Node>* out) {
    const Token& name = Next();
    if (name.type != Tok::kString) return Unexpected(name, keyword + " clause");
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kTemplate;
    node->pos = pos;
    node->text = name.value;
    if (Peek().type != Tok::kRightDelim) {
      BERTH_ASSIGN_OR_RETURN(node->pipe, ParsePipeline(keyword, Tok::kRightDelim, false));
    } else {
      Next();
    }
    if (keyword == "block") {
      if (!node->pipe) return Error(pos, "missing value for block");
      BERTH_RETURN_IF_ERROR(Enter(pos));
      std::vector<std::string> saved_vars = std::move(vars_);
      vars_ = {"$"};
      int saved_range = range_depth_;
      range_depth_ = 0;
      NodeList list;
      std::string stop;
      BERTH_RETURN_IF_ERROR(ItemList(&list, &stop, "block"));
      if (stop != "end") return Error(last_pos_, "unexpected {{else}} in block");
      vars_ = std::move(saved_vars);
      range_depth_ = saved_range;
      --depth_;
      BERTH_RETURN_IF_ERROR(AddTree(node->text, std::move(list), pos));
    }
    *out = std::move(node);
    return Status::Ok();
  }

  bool HasVar(std::string_view name) const {
    for (const auto& v : vars_) {
      if (v == name) return true;
    }
    return false;
  }

  // [decl :=|=] command {| command} up to `end` (consumed).
  Result<std::unique_ptr<Pipeline>> ParsePipeline(std::string_view context, Tok end,
                                                  bool is_range) {
    auto pipe = std::make_unique<Pipeline>();
    pipe->pos = Peek().pos;
    // Declarations: "$x :=", "$x =", and in range "$i, $e :=".
    if (Peek().type == Tok::kVariable) {
      size_t save = i_;
      const Token& v = Next();
      if (Peek().type == Tok::kDeclare || Peek().type == Tok::kAssign) {
        bool assign = Next().type == Tok::kAssign;
        pipe->is_assign = assign;
        pipe->vars.push_back(v.value);
      } else if (Peek().type == Tok::kComma && is_range) {
        Next();
        const Token& v2 = Next();
        if (v2.type != Tok::kVariable) return Unexpected(v2, "range declaration");
        const Token& d = Next();
        if (d.type != Tok::kDeclare && d.type != Tok::kAssign) {
          return Unexpected(d, "range declaration");
        }
        pipe->is_assign = d.type == Tok::kAssign;
        pipe->vars = {v.value, v2.value};
      } else if (Peek().type == Tok::kComma) {
        return Error(Peek().pos, fmt::format("too many declarations in {}", context));
      } else {
        i_ = save;
      }
      if (Peek().type == Tok::kComma) {
        return Error(Peek().pos, fmt::format("too many declarations in {}", context));
      }
      for (const auto& name : pipe->vars) {
        if (pipe->is_assign) {
          if (!HasVar(name)) return Error(v.pos, fmt::format("undefined variable {:?}", name));
        } else {
          if (name == "$") return Error(v.pos, "cannot declare $");
        }
      }
    }
    while (true) {
      const Token& t = Peek();
      if (t.type == end) {
        Next();
        break;
      }
      if (t.type == Tok::kEOF || t.type == Tok::kRightDelim || t.type == Tok::kRightParen) {
        return Unexpected(t, context);
      }
      Command cmd;
      BERTH_RETURN_IF_ERROR(ParseCommand(context, end, &cmd));
      pipe->cmds.push_back(std::move(cmd));
      if (Peek().type == Tok::kPipe) {
        Next();
        if (Peek().type == end) return Unexpected(Peek(), context);
      }
    }
    if (pipe->cmds.empty()) return Error(last_pos_, fmt::format("missing value for {}", context));
    // Stages after the first receive a value, so they must be function calls.
    for (size_t k = 1; k < pipe->cmds.size(); ++k) {
      Expr::Kind first = pipe->cmds[k].args[0]->kind;
      if (first != Expr::Kind::kIdentifier) {
        return Error(pipe->cmds[k].pos,
                     fmt::format("non executable command in pipeline stage {}", k + 1));
      }
    }
    // Declared variables are visible from here to the end of the enclosing control.
    if (!pipe->is_assign) {
      for (const auto& name : pipe->vars) vars_.push_back(name);
    }
    return pipe;
  }

  Status ParseCommand(std::string_view context, Tok end, Command* cmd) {
    cmd->pos = Peek().pos;
    while (true) {
      const Token& t = Peek();
      if (t.type == end || t.type == Tok::kPipe) break;
      if (!cmd->args.empty() && !t.space_before) {
        return Unexpected(t, "operand");
      }
      BERTH_ASSIGN_OR_RETURN(auto expr, ParseOperand(context));
      cmd->args.push_back(std::move(expr));
    }
    if (cmd->args.empty()) return Error(Peek().pos, "empty command");
    return Status::Ok();
  }

  Result<std::unique_ptr<Expr>> ParseOperand(std::string_view context) {
    const Token& t = Next();
    auto e = std::make_unique<Expr>();
    e->pos = t.pos;
    switch (t.type) {
      case Tok::kIdentifier:
        if (!config_.functions || !config_.functions->count(t.value)) {
          return Error(t.pos, fmt::format("function {:?} not defined", t.value));
        }
        e->kind = Expr::Kind::kIdentifier;
        e->name = t.value;
        break;
      case Tok::kDot:
        e->kind = Expr::Kind::kDot;
        break;
      case Tok::kNil:
        e->kind = Expr::Kind::kNil;
        break;
      case Tok::kVariable:
        if (!HasVar(t.value)) {
          return Error(t.pos, fmt::format("undefined variable {:?}", t.value));
        }
        e->kind = Expr::Kind::kVariable;
        e->name = t.value;
        break;
      case Tok::kField:
        e->kind = Expr::Kind::kField;
        e->fields.push_back(t.value);
        break;
      case Tok::kBool:
        e->kind = Expr::Kind::kBool;
        e->literal = t.value == "true";
        break;
      case Tok::kString:
        e->kind = Expr::Kind::kString;
        e->literal = t.value;
        break;
      case Tok::kNumber: {
        auto n = ParseNumber(t.value);
        if (!n.ok()) return Error(t.pos, n.status().message());
        e->kind = Expr::Kind::kNumber;
        e->literal = std::move(*n);
        break;
      }
      case Tok::kLeftParen: {
        BERTH_RETURN_IF_ERROR(Enter(t.pos));
        e->kind = Expr::Kind::kPipe;
        BERTH_ASSIGN_OR_RETURN(e->pipe,
                               ParsePipeline("parenthesized pipeline", Tok::kRightParen, false));
        --depth_;
        break;
      }
      default:
        return Unexpected(t, context);
    }
    // A chain: fields right after the operand, with no space between.
    while (Peek().type == Tok::kField && !Peek().space_before) {
      const Token& f = Next();
      switch (e->kind) {
        case Expr::Kind::kField:
        case Expr::Kind::kVariable:
        case Expr::Kind::kPipe:
          e->fields.push_back(f.value);
          break;
        case Expr::Kind::kDot:
          return Error(f.pos, "unexpected . after term \".\"");
        default:
          return Error(f.pos, fmt::format("unexpected . after term {:?}", t.value));
      }
    }
    return e;
  }

  std::string_view name_;
  std::string_view text_;
  const ParserConfig& config_;
  std::vector<Token> toks_;
  TreeSet* trees_;
  size_t i_ = 0;
  Pos last_pos_{1, 1};
  std::vector<std::string> vars_{"$"};
  int depth_ = 0;
  int range_depth_ = 0;
};

}  // namespace

Result<nlohmann::json> ParseNumber(std::string_view text) {
  std::string s;
  for (char c : text) {
    if (c != '_') s += c;
  }
  auto bad = [&] { return Status::InvalidArgument(fmt::format("bad number syntax: {:?}", text)); };
  if (s.empty()) return bad();
  std::string_view body = s;
  bool neg = false;
  if (body[0] == '+' || body[0] == '-') {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body.empty()) return bad();
  bool hex = body.size() > 1 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X');
  bool is_float = hex ? body.find_first_of(".pP") != std::string_view::npos
                      : body.find_first_of(".eE") != std::string_view::npos;
  if (!is_float) {
    int base = 10;
    std::string_view digits = body;
    if (body.size() > 1 && body[0] == '0') {
      char p = body[1];
      if (p == 'x' || p == 'X') {
        base = 16;
        digits.remove_prefix(2);
      } else if (p == 'o' || p == 'O') {
        base = 8;
        digits.remove_prefix(2);
      } else if (p == 'b' || p == 'B') {
        base = 2;
        digits.remove_prefix(2);
      } else {
        base = 8;
        digits.remove_prefix(1);
      }
    }
    if (digits.empty()) return bad();
    unsigned __int128 v = 0;
    for (char c : digits) {
      const int d = HexDigitValue(c);
      if (d < 0 || d >= base) return bad();
      v = v * base + d;
      if (v > (static_cast<unsigned __int128>(1) << 64)) break;
    }
    unsigned __int128 limit = static_cast<unsigned __int128>(INT64_MAX) + (neg ? 1 : 0);
    if (v <= limit) {
      int64_t i = neg ? static_cast<int64_t>(-static_cast<__int128>(v)) : static_cast<int64_t>(v);
      return nlohmann::json(i);
    }
    // Too big for an int: fall through to a float, as Go's constants do.
  }
  if (body.find_first_not_of("0123456789abcdefABCDEFxXpP.+-") != std::string_view::npos) {
    return bad();
  }
  errno = 0;
  char* endp = nullptr;
  double d = std::strtod(s.c_str(), &endp);
  if (endp != s.c_str() + s.size()) return bad();
  if (errno == ERANGE && (d > 1 || d < -1)) {
    return Status::InvalidArgument(fmt::format("number out of range: {}", text));
  }
  return nlohmann::json(d);
}

Status Parse(std::string_view name, std::string_view text, const ParserConfig& config,
             TreeSet* trees) {
  BERTH_ASSIGN_OR_RETURN(auto tokens, Lex(name, text));
  return Parser(name, text, config, std::move(tokens), trees).Run();
}

}  // namespace berth::tmpl
