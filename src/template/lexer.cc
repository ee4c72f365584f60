#include "template/lexer.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/strings.h"

namespace berth::tmpl {
namespace {

constexpr std::string_view kLeft = "{{";
constexpr std::string_view kRight = "}}";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsAlnum(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

void AppendUtf8(std::string& out, uint32_t r) {
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

class Lexer {
 public:
  Lexer(std::string_view name, std::string_view text) : name_(name), text_(text) {}

  Result<std::vector<Token>> Run() {
    while (pos_ < text_.size()) {
      size_t open = text_.find(kLeft, pos_);
      size_t text_end = open == std::string_view::npos ? text_.size() : open;
      std::string_view chunk = text_.substr(pos_, text_end - pos_);
      if (open == std::string_view::npos) {
        EmitText(chunk, pos_);
        pos_ = text_.size();
        break;
      }
      // "{{- " trims the whitespace before the action.
      size_t inner = open + kLeft.size();
      bool left_trim = inner + 1 < text_.size() && text_[inner] == '-' && IsSpace(text_[inner + 1]);
      if (left_trim) {
        while (!chunk.empty() && IsSpace(chunk.back())) chunk.remove_suffix(1);
        inner += 2;
      }
      EmitText(chunk, pos_);
      BERTH_RETURN_IF_ERROR(LexAction(open, inner));
    }
    Add(Tok::kEOF, "", text_.size());
    return std::move(tokens_);
  }

 private:
  Status Error(size_t offset, std::string_view message) {
    return Status::InvalidArgument(FormatError(name_, text_, PosOf(offset), message));
  }

  // Positions only move forward, so each is computed from the previous one.
  Pos PosOf(size_t offset) {
    if (offset < pos_cache_offset_) {
      pos_cache_offset_ = 0;
      pos_cache_ = Pos{1, 1};
    }
    for (; pos_cache_offset_ < offset && pos_cache_offset_ < text_.size(); ++pos_cache_offset_) {
      if (text_[pos_cache_offset_] == '\n') {
        ++pos_cache_.line;
        pos_cache_.col = 1;
      } else {
        ++pos_cache_.col;
      }
    }
    return pos_cache_;
  }

  void Add(Tok type, std::string value, size_t offset, bool space_before = false) {
    tokens_.push_back(Token{type, std::move(value), PosOf(offset), space_before});
  }

  void EmitText(std::string_view chunk, size_t offset) {
    if (trim_next_) {
      size_t skipped = 0;
      while (skipped < chunk.size() && IsSpace(chunk[skipped])) ++skipped;
      chunk.remove_prefix(skipped);
      offset += skipped;
      trim_next_ = false;
    }
    if (!chunk.empty()) Add(Tok::kText, std::string(chunk), offset);
  }

  // At `i`: " -}}" (trim) or "}}". Returns the length of the delimiter, 0 when not at one.
  size_t AtRightDelim(size_t i, bool* trim) const {
    std::string_view rest = text_.substr(i);
    if (rest.size() >= 4 && IsSpace(rest[0]) && rest[1] == '-' && rest.substr(2, 2) == kRight) {
      *trim = true;
      return 4;
    }
    if (rest.substr(0, 2) == kRight) {
      *trim = false;
      return 2;
    }
    return 0;
  }

  Status LexAction(size_t open, size_t i) {
    // A comment: {{/* ... */}}, nothing else in the action.
    if (text_.substr(i, 2) == "/*") {
      size_t end = text_.find("*/", i + 2);
      if (end == std::string_view::npos) return Error(open, "unclosed comment");
      bool trim = false;
      size_t len = AtRightDelim(end + 2, &trim);
      if (len == 0) return Error(open, "comment ends before closing delimiter");
      trim_next_ = trim;
      pos_ = end + 2 + len;
      return Status::Ok();
    }
    Add(Tok::kLeftDelim, "{{", open);
    bool space = false;
    while (true) {
      bool trim = false;
      if (size_t len = AtRightDelim(i, &trim)) {
        Add(Tok::kRightDelim, "}}", trim ? i + 1 : i, space || trim);
        trim_next_ = trim;
        pos_ = i + len;
        return Status::Ok();
      }
      if (i >= text_.size()) return Error(open, "unclosed action");
      char c = text_[i];
      if (IsSpace(c)) {
        space = true;
        ++i;
        continue;
      }
      size_t start = i;
      if (c == '"') {
        std::string value;
        BERTH_RETURN_IF_ERROR(LexQuoted(&i, '"', &value));
        Add(Tok::kString, std::move(value), start, space);
      } else if (c == '`') {
        size_t end = text_.find('`', i + 1);
        if (end == std::string_view::npos) return Error(start, "unterminated raw quoted string");
        std::string value(text_.substr(i + 1, end - i - 1));
        value.erase(std::remove(value.begin(), value.end(), '\r'), value.end());
        Add(Tok::kString, std::move(value), start, space);
        i = end + 1;
      } else if (c == '\'') {
        std::string value;
        BERTH_RETURN_IF_ERROR(LexQuoted(&i, '\'', &value));
        // A character constant is the number of its code point.
        uint32_t r = 0;
        size_t n = DecodeRune(value, &r);
        if (value.empty() || n != value.size()) return Error(start, "malformed character constant");
        Add(Tok::kNumber, std::to_string(r), start, space);
      } else if (c == '$') {
        ++i;
        while (i < text_.size() && IsAlnum(text_[i])) ++i;
        Add(Tok::kVariable, std::string(text_.substr(start, i - start)), start, space);
      } else if (c == '.' && i + 1 < text_.size() && IsDigit(text_[i + 1])) {
        BERTH_RETURN_IF_ERROR(LexNumber(&i));
        Add(Tok::kNumber, std::string(text_.substr(start, i - start)), start, space);
      } else if (c == '.') {
        ++i;
        while (i < text_.size() && IsAlnum(text_[i])) ++i;
        if (i == start + 1) {
          Add(Tok::kDot, ".", start, space);
        } else {
          Add(Tok::kField, std::string(text_.substr(start + 1, i - start - 1)), start, space);
        }
      } else if (c == '+' || c == '-' || IsDigit(c)) {
        BERTH_RETURN_IF_ERROR(LexNumber(&i));
        Add(Tok::kNumber, std::string(text_.substr(start, i - start)), start, space);
      } else if (IsAlnum(c)) {
        while (i < text_.size() && IsAlnum(text_[i])) ++i;
        std::string word(text_.substr(start, i - start));
        if (i < text_.size() && !AtTerminator(i)) {
          return Error(i, fmt::format("bad character {:?}", std::string(1, text_[i])));
        }
        Tok type = Tok::kIdentifier;
        if (word == "true" || word == "false") {
          type = Tok::kBool;
        } else if (word == "nil") {
          type = Tok::kNil;
        } else if (IsKeyword(word)) {
          type = Tok::kKeyword;
        }
        Add(type, std::move(word), start, space);
      } else if (c == '|') {
        Add(Tok::kPipe, "|", start, space);
        ++i;
      } else if (c == '(') {
        Add(Tok::kLeftParen, "(", start, space);
        ++i;
      } else if (c == ')') {
        Add(Tok::kRightParen, ")", start, space);
        ++i;
      } else if (c == ',') {
        Add(Tok::kComma, ",", start, space);
        ++i;
      } else if (c == '=') {
        Add(Tok::kAssign, "=", start, space);
        ++i;
      } else if (c == ':') {
        if (i + 1 >= text_.size() || text_[i + 1] != '=') return Error(i, "expected :=");
        Add(Tok::kDeclare, ":=", start, space);
        i += 2;
      } else {
        return Error(i, fmt::format("unrecognized character in action: {:?}", std::string(1, c)));
      }
      space = false;
    }
  }

  static bool IsKeyword(const std::string& w) {
    return w == "if" || w == "else" || w == "end" || w == "range" || w == "with" || w == "define" ||
           w == "template" || w == "block" || w == "break" || w == "continue";
  }

  bool AtTerminator(size_t i) const {
    char c = text_[i];
    if (IsSpace(c) || c == '.' || c == ',' || c == '|' || c == ':' || c == ')' || c == '(') {
      return true;
    }
    return text_.substr(i, 2) == kRight;
  }

  // Scans a number's characters (the parser checks its syntax).
  Status LexNumber(size_t* i) {
    size_t start = *i;
    size_t j = *i;
    if (text_[j] == '+' || text_[j] == '-') ++j;
    size_t digits = j;
    while (j < text_.size()) {
      char c = text_[j];
      if (IsAlnum(c) || c == '.' ||
          ((c == '+' || c == '-') && (text_[j - 1] == 'e' || text_[j - 1] == 'E' ||
                                      text_[j - 1] == 'p' || text_[j - 1] == 'P'))) {
        ++j;
      } else {
        break;
      }
    }
    if (j == digits) return Error(start, "bad number syntax");
    *i = j;
    return Status::Ok();
  }

  static size_t DecodeRune(std::string_view s, uint32_t* r) {
    if (s.empty()) return 0;
    unsigned char c = s[0];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || n > s.size()) {
      *r = 0xFFFD;
      return 1;
    }
    uint32_t v = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < n; ++k) {
      unsigned char cc = s[k];
      if ((cc & 0xC0) != 0x80) {
        *r = 0xFFFD;
        return 1;
      }
      v = (v << 6) | (cc & 0x3F);
    }
    *r = v;
    return n;
  }

  // A Go quoted string or character from text_[*i] (the opening quote), escapes decoded.
  Status LexQuoted(size_t* i, char quote, std::string* out) {
    size_t start = *i;
    size_t j = start + 1;
    const char* unterminated =
        quote == '"' ? "unterminated quoted string" : "unterminated character constant";
    while (true) {
      if (j >= text_.size() || text_[j] == '\n') return Error(start, unterminated);
      char c = text_[j];
      if (c == quote) break;
      if (c != '\\') {
        *out += c;
        ++j;
        continue;
      }
      if (j + 1 >= text_.size()) return Error(start, unterminated);
      char e = text_[j + 1];
      j += 2;
      switch (e) {
        case 'a':
          *out += '\a';
          break;
        case 'b':
          *out += '\b';
          break;
        case 'f':
          *out += '\f';
          break;
        case 'n':
          *out += '\n';
          break;
        case 'r':
          *out += '\r';
          break;
        case 't':
          *out += '\t';
          break;
        case 'v':
          *out += '\v';
          break;
        case '\\':
          *out += '\\';
          break;
        case '"':
        case '\'':
          if (e != quote) return Error(j - 2, "invalid escape in quoted string");
          *out += e;
          break;
        case 'x':
        case 'u':
        case 'U': {
          int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          uint32_t v = 0;
          for (int k = 0; k < n; ++k) {
            int h = j + k < text_.size() ? HexDigitValue(text_[j + k]) : -1;
            if (h < 0) return Error(j - 2, "invalid escape in quoted string");
            v = v * 16 + h;
          }
          j += n;
          if (e == 'x') {
            *out += static_cast<char>(v);
          } else {
            if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
              return Error(j - n - 2, "invalid escape in quoted string");
            }
            AppendUtf8(*out, v);
          }
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            uint32_t v = 0;
            for (int k = 0; k < 3; ++k) {
              char d = j - 1 + k < text_.size() ? text_[j - 1 + k] : 0;
              if (d < '0' || d > '7') return Error(j - 2, "invalid escape in quoted string");
              v = v * 8 + (d - '0');
            }
            if (v > 255) return Error(j - 2, "invalid escape in quoted string");
            j += 2;
            *out += static_cast<char>(v);
            break;
          }
          return Error(j - 2, "invalid escape in quoted string");
      }
    }
    *i = j + 1;
    return Status::Ok();
  }

  std::string_view name_;
  std::string_view text_;
  size_t pos_ = 0;
  bool trim_next_ = false;
  size_t pos_cache_offset_ = 0;
  Pos pos_cache_{1, 1};
  std::vector<Token> tokens_;
};

}  // namespace

const char* TokName(Tok t) {
  switch (t) {
    case Tok::kText:
      return "text";
    case Tok::kLeftDelim:
      return "left delimiter";
    case Tok::kRightDelim:
      return "right delimiter";
    case Tok::kIdentifier:
      return "identifier";
    case Tok::kKeyword:
      return "keyword";
    case Tok::kField:
      return "field";
    case Tok::kVariable:
      return "variable";
    case Tok::kDot:
      return "dot";
    case Tok::kString:
      return "string";
    case Tok::kNumber:
      return "number";
    case Tok::kBool:
      return "bool";
    case Tok::kNil:
      return "nil";
    case Tok::kPipe:
      return "|";
    case Tok::kLeftParen:
      return "(";
    case Tok::kRightParen:
      return ")";
    case Tok::kDeclare:
      return ":=";
    case Tok::kAssign:
      return "=";
    case Tok::kComma:
      return ",";
    case Tok::kEOF:
      return "end of input";
  }
  return "token";
}

Result<std::vector<Token>> Lex(std::string_view name, std::string_view text) {
  return Lexer(name, text).Run();
}

}  // namespace berth::tmpl
