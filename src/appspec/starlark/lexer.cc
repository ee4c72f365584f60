#include "appspec/starlark/lexer.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "base/strings.h"

namespace berth::starlark {
namespace {

struct Keyword {
  const char* word;
  Tok kind;
};
constexpr Keyword kKeywords[] = {
    {"and", Tok::kAnd},     {"break", Tok::kBreak},   {"continue", Tok::kContinue},
    {"def", Tok::kDef},     {"elif", Tok::kElif},     {"else", Tok::kElse},
    {"for", Tok::kFor},     {"if", Tok::kIf},         {"in", Tok::kIn},
    {"load", Tok::kLoad},   {"lambda", Tok::kLambda}, {"not", Tok::kNot},
    {"or", Tok::kOr},       {"pass", Tok::kPass},     {"return", Tok::kReturn},
    {"None", Tok::kNone},   {"True", Tok::kTrue},     {"False", Tok::kFalse},
    {"while", Tok::kWhile},
};

// Python keywords that Starlark reserves or that this subset leaves out.
constexpr const char* kReserved[] = {
    "as",     "class", "del",      "except", "finally", "from", "global",
    "import", "is",    "nonlocal", "raise",  "try",     "with", "yield",
};

constexpr int kMaxIndentDepth = 100;

class Lexer {
 public:
  explicit Lexer(const SourceFile& file) : file_(file), src_(file.text) {}

  Result<std::vector<Token>> Run();

 private:
  char Peek(size_t ahead = 0) const { return i_ + ahead < src_.size() ? src_[i_ + ahead] : '\0'; }
  bool AtEnd() const { return i_ >= src_.size(); }
  Pos Here() const { return {line_, static_cast<int>(i_ - line_start_) + 1}; }
  void NewLine() {
    ++line_;
    line_start_ = i_;
  }
  Status Error(Pos pos, std::string_view msg) const {
    return Status::InvalidArgument(FormatError(file_, pos, msg));
  }
  void Emit(Tok kind, Pos pos) { tokens_.push_back(Token{kind, pos, {}, 0}); }

  Status Indentation();
  Status Number();
  Status String(Pos start, bool raw, bool bytes = false);
  Status Escape(std::string* out, Pos start, bool bytes);

  const SourceFile& file_;
  const std::string& src_;
  size_t i_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
  int depth_ = 0;  // open brackets
  std::vector<int> indents_{0};
  std::vector<Token> tokens_;
};

// Measures the indentation of a new logical line and emits INDENT/DEDENT tokens. Blank and
// comment-only lines are skipped entirely.
Status Lexer::Indentation() {
  while (true) {
    int width = 0;
    while (Peek() == ' ' || Peek() == '\t') {
      width = Peek() == '\t' ? (width / 8 + 1) * 8 : width + 1;
      ++i_;
    }
    if (Peek() == '#') {
      while (!AtEnd() && Peek() != '\n' && Peek() != '\r') ++i_;
    }
    if (AtEnd()) return Status::Ok();
    if (Peek() == '\r' || Peek() == '\n') {
      if (Peek() == '\r' && Peek(1) == '\n') ++i_;
      ++i_;
      NewLine();
      continue;
    }
    if (width > indents_.back()) {
      if (indents_.size() > kMaxIndentDepth) return Error(Here(), "too many levels of indentation");
      indents_.push_back(width);
      Emit(Tok::kIndent, Here());
    } else {
      while (width < indents_.back()) {
        indents_.pop_back();
        Emit(Tok::kDedent, Here());
      }
      if (width != indents_.back()) {
        return Error(Here(), "unindent does not match any outer indentation level");
      }
    }
    return Status::Ok();
  }
}

Status Lexer::Number() {
  Pos pos = Here();
  size_t start = i_;
  int base = 10;
  if (Peek() == '0' && (Peek(1) == 'x' || Peek(1) == 'X')) base = 16;
  if (Peek() == '0' && (Peek(1) == 'o' || Peek(1) == 'O')) base = 8;
  if (Peek() == '0' && (Peek(1) == 'b' || Peek(1) == 'B')) base = 2;
  if (base != 10) i_ += 2;
  size_t digits_start = i_;
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (base == 10) {
    while (is_digit(Peek())) ++i_;
    bool is_float = false;
    if (Peek() == '.') {
      is_float = true;
      ++i_;
      while (is_digit(Peek())) ++i_;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      size_t save = i_;
      ++i_;
      if (Peek() == '+' || Peek() == '-') ++i_;
      if (!is_digit(Peek())) {
        i_ = save;
        return Error(pos, "invalid float literal: missing exponent digits");
      }
      while (is_digit(Peek())) ++i_;
      is_float = true;
    }
    if (is_float) {
      if (std::isalpha(static_cast<unsigned char>(Peek())) || Peek() == '_') {
        return Error(Here(), "invalid character in float literal");
      }
      std::string text = src_.substr(start, i_ - start);
      Token t{Tok::kFloat, pos, text, 0};
      t.fvalue = std::strtod(text.c_str(), nullptr);
      if (std::isinf(t.fvalue)) return Error(pos, "floating-point literal too large");
      tokens_.push_back(std::move(t));
      return Status::Ok();
    }
  } else {
    while (HexDigitValue(Peek()) >= 0 && HexDigitValue(Peek()) < base) ++i_;
    if (HexDigitValue(Peek()) >= 0 && base != 16) {
      return Error(Here(), fmt::format("invalid digit '{}' in base-{} literal", Peek(), base));
    }
  }
  if (i_ == digits_start) return Error(pos, "missing digits in integer literal");
  if (std::isalpha(static_cast<unsigned char>(Peek())) || Peek() == '_') {
    return Error(Here(), "invalid character in integer literal");
  }
  if (base == 10 && src_[start] == '0' && i_ - start > 1) {
    bool all_zero = true;
    for (size_t k = start; k < i_; ++k) all_zero &= src_[k] == '0';
    if (!all_zero) {
      return Error(pos, "leading zeros are not allowed in integer literals (use 0o for octal)");
    }
  }
  std::string digits = src_.substr(digits_start, i_ - digits_start);
  uint64_t value = 0;
  bool big = false;
  for (char c : digits) {
    int d = HexDigitValue(c);
    if (value > (static_cast<uint64_t>(INT64_MAX) - d) / base) big = true;
    if (big) break;
    value = value * base + d;
  }
  Token t{Tok::kInt, pos, big ? digits : src_.substr(start, i_ - start),
          big ? base : static_cast<int64_t>(value)};
  t.big = big;
  tokens_.push_back(std::move(t));
  return Status::Ok();
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes the escape sequence after a backslash at i_ (i_ points at the backslash).
Status Lexer::Escape(std::string* out, Pos start, bool bytes) {
  Pos pos = Here();
  ++i_;  // the backslash
  char c = Peek();
  switch (c) {
    case '\n':
      ++i_;
      NewLine();
      return Status::Ok();
    case '\r':
      ++i_;
      if (Peek() == '\n') ++i_;
      NewLine();
      return Status::Ok();
    case 'n':
      out->push_back('\n');
      break;
    case 't':
      out->push_back('\t');
      break;
    case 'r':
      out->push_back('\r');
      break;
    case 'a':
      out->push_back('\a');
      break;
    case 'b':
      out->push_back('\b');
      break;
    case 'f':
      out->push_back('\f');
      break;
    case 'v':
      out->push_back('\v');
      break;
    case '\\':
      out->push_back('\\');
      break;
    case '\'':
      out->push_back('\'');
      break;
    case '"':
      out->push_back('"');
      break;
    case 'x': {
      int h = HexDigitValue(Peek(1)), l = HexDigitValue(Peek(2));
      if (h < 0 || l < 0) return Error(pos, "invalid escape sequence: \\x needs two hex digits");
      int v = h * 16 + l;
      if (v > 127 && !bytes) return Error(pos, "non-ASCII \\x escape; use \\u for Unicode");
      out->push_back(static_cast<char>(v));
      i_ += 3;
      return Status::Ok();
    }
    case 'u':
    case 'U': {
      int n = c == 'u' ? 4 : 8;
      uint32_t cp = 0;
      for (int k = 1; k <= n; ++k) {
        int h = HexDigitValue(Peek(k));
        if (h < 0)
          return Error(pos, fmt::format("invalid escape sequence: \\{} needs {} hex digits", c, n));
        cp = cp * 16 + h;
      }
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) {
        return Error(pos, "invalid Unicode code point in escape sequence");
      }
      AppendUtf8(out, cp);
      i_ += n + 1;
      return Status::Ok();
    }
    default:
      if (c >= '0' && c <= '7') {
        int v = 0, k = 0;
        while (k < 3 && Peek() >= '0' && Peek() <= '7') {
          v = v * 8 + (Peek() - '0');
          ++i_;
          ++k;
        }
        if (v > 255 || (v > 127 && !bytes)) {
          return Error(pos, "non-ASCII octal escape; use \\u for Unicode");
        }
        out->push_back(static_cast<char>(v));
        return Status::Ok();
      }
      if (AtEnd()) return Error(start, "unterminated string literal");
      return Error(pos, fmt::format("invalid escape sequence \\{}", c));
  }
  ++i_;
  return Status::Ok();
}

Status Lexer::String(Pos start, bool raw, bool bytes) {
  char quote = Peek();
  bool triple = Peek(1) == quote && Peek(2) == quote;
  i_ += triple ? 3 : 1;
  std::string value;
  while (true) {
    if (AtEnd()) return Error(start, "unterminated string literal");
    char c = Peek();
    if (c == quote) {
      if (!triple) {
        ++i_;
        break;
      }
      if (Peek(1) == quote && Peek(2) == quote) {
        i_ += 3;
        break;
      }
      value.push_back(c);
      ++i_;
      continue;
    }
    if (c == '\n' || c == '\r') {
      if (!triple)
        return Error(start,
                     "unterminated string literal (use triple quotes for multi-line strings)");
      if (c == '\r' && Peek(1) == '\n') ++i_;
      ++i_;
      NewLine();
      value.push_back('\n');
      continue;
    }
    if (c == '\\') {
      if (raw) {
        // A raw string keeps the backslash and the character after it, which never ends it.
        value.push_back('\\');
        ++i_;
        if (AtEnd()) return Error(start, "unterminated string literal");
        char n = Peek();
        if (n == '\n' || n == '\r') {
          if (n == '\r' && Peek(1) == '\n') ++i_;
          ++i_;
          NewLine();
          value.push_back('\n');
        } else {
          value.push_back(n);
          ++i_;
        }
        continue;
      }
      BERTH_RETURN_IF_ERROR(Escape(&value, start, bytes));
      continue;
    }
    value.push_back(c);
    ++i_;
  }
  tokens_.push_back(Token{bytes ? Tok::kBytes : Tok::kString, start, std::move(value), 0});
  return Status::Ok();
}

Result<std::vector<Token>> Lexer::Run() {
  bool line_start = true;
  while (true) {
    if (line_start && depth_ == 0) {
      BERTH_RETURN_IF_ERROR(Indentation());
      line_start = false;
    }
    // Spaces, tabs and explicit line continuations.
    while (true) {
      char c = Peek();
      if (c == ' ' || c == '\t' || c == '\f') {
        ++i_;
      } else if (c == '\\' && (Peek(1) == '\n' || Peek(1) == '\r')) {
        i_ += (Peek(1) == '\r' && Peek(2) == '\n') ? 3 : 2;
        NewLine();
      } else {
        break;
      }
    }
    if (Peek() == '#') {
      while (!AtEnd() && Peek() != '\n' && Peek() != '\r') ++i_;
    }
    if (AtEnd()) {
      if (!tokens_.empty() && tokens_.back().kind != Tok::kNewline &&
          tokens_.back().kind != Tok::kDedent && tokens_.back().kind != Tok::kIndent) {
        Emit(Tok::kNewline, Here());
      }
      while (indents_.size() > 1) {
        indents_.pop_back();
        Emit(Tok::kDedent, Here());
      }
      Emit(Tok::kEof, Here());
      return std::move(tokens_);
    }
    Pos pos = Here();
    char c = Peek();
    if (c == '\n' || c == '\r') {
      if (c == '\r' && Peek(1) == '\n') ++i_;
      ++i_;
      if (depth_ == 0) {
        Emit(Tok::kNewline, pos);
        line_start = true;
      }
      NewLine();
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      if ((c == 'r' || c == 'R') && (Peek(1) == '"' || Peek(1) == '\'')) {
        ++i_;
        BERTH_RETURN_IF_ERROR(String(pos, /*raw=*/true));
        continue;
      }
      if ((c == 'b' || c == 'B') && (Peek(1) == '"' || Peek(1) == '\'')) {
        ++i_;
        BERTH_RETURN_IF_ERROR(String(pos, /*raw=*/false, /*bytes=*/true));
        continue;
      }
      if ((c == 'b' || c == 'B') && (Peek(1) == 'r' || Peek(1) == 'R') &&
          (Peek(2) == '"' || Peek(2) == '\'')) {
        i_ += 2;
        BERTH_RETURN_IF_ERROR(String(pos, /*raw=*/true, /*bytes=*/true));
        continue;
      }
      if ((c == 'r' || c == 'R') && (Peek(1) == 'b' || Peek(1) == 'B') &&
          (Peek(2) == '"' || Peek(2) == '\'')) {
        i_ += 2;
        BERTH_RETURN_IF_ERROR(String(pos, /*raw=*/true, /*bytes=*/true));
        continue;
      }
      size_t start = i_;
      while (std::isalnum(static_cast<unsigned char>(Peek())) || Peek() == '_') ++i_;
      std::string word = src_.substr(start, i_ - start);
      Tok kind = Tok::kIdent;
      for (const auto& k : kKeywords) {
        if (word == k.word) kind = k.kind;
      }
      for (const char* r : kReserved) {
        if (word == r) {
          return Error(pos, fmt::format("keyword '{}' is not supported in Starlark", word));
        }
      }
      tokens_.push_back(Token{kind, pos, kind == Tok::kIdent ? std::move(word) : std::string(), 0});
      continue;
    }
    if ((c >= '0' && c <= '9') || (c == '.' && Peek(1) >= '0' && Peek(1) <= '9')) {
      BERTH_RETURN_IF_ERROR(Number());
      continue;
    }
    if (c == '"' || c == '\'') {
      BERTH_RETURN_IF_ERROR(String(pos, /*raw=*/false));
      continue;
    }
    auto two = [&](char a, char b) { return c == a && Peek(1) == b; };
    Tok kind;
    int len = 1;
    auto three = [&](char a, char b, char d) { return c == a && Peek(1) == b && Peek(2) == d; };
    if (three('/', '/', '=')) {
      kind = Tok::kSlashSlashEq;
      len = 3;
    } else if (three('<', '<', '=')) {
      kind = Tok::kLtLtEq, len = 3;
    } else if (three('>', '>', '=')) {
      kind = Tok::kGtGtEq, len = 3;
    } else if (two('<', '<')) {
      kind = Tok::kLtLt, len = 2;
    } else if (two('>', '>')) {
      kind = Tok::kGtGt, len = 2;
    } else if (two('/', '=')) {
      kind = Tok::kSlashEq, len = 2;
    } else if (two('&', '=')) {
      kind = Tok::kAmpEq, len = 2;
    } else if (two('|', '=')) {
      kind = Tok::kPipeEq, len = 2;
    } else if (two('^', '=')) {
      kind = Tok::kCaretEq, len = 2;
    } else if (two('/', '/')) {
      kind = Tok::kSlashSlash, len = 2;
    } else if (two('*', '*')) {
      kind = Tok::kStarStar, len = 2;
    } else if (two('=', '=')) {
      kind = Tok::kEq, len = 2;
    } else if (two('!', '=')) {
      kind = Tok::kNe, len = 2;
    } else if (two('<', '=')) {
      kind = Tok::kLe, len = 2;
    } else if (two('>', '=')) {
      kind = Tok::kGe, len = 2;
    } else if (two('+', '=')) {
      kind = Tok::kPlusEq, len = 2;
    } else if (two('-', '=')) {
      kind = Tok::kMinusEq, len = 2;
    } else if (two('*', '=')) {
      kind = Tok::kStarEq, len = 2;
    } else if (two('%', '=')) {
      kind = Tok::kPercentEq, len = 2;
    } else {
      switch (c) {
        case '(':
          kind = Tok::kLParen;
          break;
        case ')':
          kind = Tok::kRParen;
          break;
        case '[':
          kind = Tok::kLBracket;
          break;
        case ']':
          kind = Tok::kRBracket;
          break;
        case '{':
          kind = Tok::kLBrace;
          break;
        case '}':
          kind = Tok::kRBrace;
          break;
        case ',':
          kind = Tok::kComma;
          break;
        case ':':
          kind = Tok::kColon;
          break;
        case ';':
          kind = Tok::kSemicolon;
          break;
        case '.':
          kind = Tok::kDot;
          break;
        case '=':
          kind = Tok::kAssign;
          break;
        case '<':
          kind = Tok::kLt;
          break;
        case '>':
          kind = Tok::kGt;
          break;
        case '+':
          kind = Tok::kPlus;
          break;
        case '-':
          kind = Tok::kMinus;
          break;
        case '*':
          kind = Tok::kStar;
          break;
        case '/':
          kind = Tok::kSlash;
          break;
        case '%':
          kind = Tok::kPercent;
          break;
        case '&':
          kind = Tok::kAmp;
          break;
        case '|':
          kind = Tok::kPipe;
          break;
        case '^':
          kind = Tok::kCaret;
          break;
        case '~':
          kind = Tok::kTilde;
          break;
        default: {
          unsigned char u = static_cast<unsigned char>(c);
          if (u >= 0x20 && u < 0x7f) return Error(pos, fmt::format("unexpected character '{}'", c));
          return Error(pos, fmt::format("unexpected byte 0x{:02x}", u));
        }
      }
    }
    if (kind == Tok::kLParen || kind == Tok::kLBracket || kind == Tok::kLBrace) ++depth_;
    if ((kind == Tok::kRParen || kind == Tok::kRBracket || kind == Tok::kRBrace) && depth_ > 0) {
      --depth_;
    }
    i_ += len;
    Emit(kind, pos);
  }
}

}  // namespace

const char* TokName(Tok kind) {
  switch (kind) {
    case Tok::kEof:
      return "end of file";
    case Tok::kNewline:
      return "newline";
    case Tok::kIndent:
      return "indent";
    case Tok::kDedent:
      return "unindent";
    case Tok::kIdent:
      return "identifier";
    case Tok::kInt:
      return "integer";
    case Tok::kFloat:
      return "float";
    case Tok::kString:
      return "string";
    case Tok::kBytes:
      return "bytes";
    case Tok::kLParen:
      return "'('";
    case Tok::kRParen:
      return "')'";
    case Tok::kLBracket:
      return "'['";
    case Tok::kRBracket:
      return "']'";
    case Tok::kLBrace:
      return "'{'";
    case Tok::kRBrace:
      return "'}'";
    case Tok::kComma:
      return "','";
    case Tok::kColon:
      return "':'";
    case Tok::kSemicolon:
      return "';'";
    case Tok::kDot:
      return "'.'";
    case Tok::kAssign:
      return "'='";
    case Tok::kPlusEq:
      return "'+='";
    case Tok::kMinusEq:
      return "'-='";
    case Tok::kStarEq:
      return "'*='";
    case Tok::kSlashSlashEq:
      return "'//='";
    case Tok::kPercentEq:
      return "'%='";
    case Tok::kSlashEq:
      return "'/='";
    case Tok::kAmpEq:
      return "'&='";
    case Tok::kPipeEq:
      return "'|='";
    case Tok::kCaretEq:
      return "'^='";
    case Tok::kLtLtEq:
      return "'<<='";
    case Tok::kGtGtEq:
      return "'>>='";
    case Tok::kEq:
      return "'=='";
    case Tok::kNe:
      return "'!='";
    case Tok::kLt:
      return "'<'";
    case Tok::kGt:
      return "'>'";
    case Tok::kLe:
      return "'<='";
    case Tok::kGe:
      return "'>='";
    case Tok::kPlus:
      return "'+'";
    case Tok::kMinus:
      return "'-'";
    case Tok::kStar:
      return "'*'";
    case Tok::kStarStar:
      return "'**'";
    case Tok::kSlash:
      return "'/'";
    case Tok::kSlashSlash:
      return "'//'";
    case Tok::kPercent:
      return "'%'";
    case Tok::kAmp:
      return "'&'";
    case Tok::kPipe:
      return "'|'";
    case Tok::kCaret:
      return "'^'";
    case Tok::kTilde:
      return "'~'";
    case Tok::kLtLt:
      return "'<<'";
    case Tok::kGtGt:
      return "'>>'";
    case Tok::kAnd:
      return "'and'";
    case Tok::kBreak:
      return "'break'";
    case Tok::kContinue:
      return "'continue'";
    case Tok::kDef:
      return "'def'";
    case Tok::kElif:
      return "'elif'";
    case Tok::kElse:
      return "'else'";
    case Tok::kFor:
      return "'for'";
    case Tok::kWhile:
      return "'while'";
    case Tok::kIf:
      return "'if'";
    case Tok::kIn:
      return "'in'";
    case Tok::kLambda:
      return "'lambda'";
    case Tok::kLoad:
      return "'load'";
    case Tok::kNot:
      return "'not'";
    case Tok::kOr:
      return "'or'";
    case Tok::kPass:
      return "'pass'";
    case Tok::kReturn:
      return "'return'";
    case Tok::kNone:
      return "'None'";
    case Tok::kTrue:
      return "'True'";
    case Tok::kFalse:
      return "'False'";
  }
  return "token";
}

Result<std::vector<Token>> Lex(const SourceFile& file) { return Lexer(file).Run(); }

}  // namespace berth::starlark
