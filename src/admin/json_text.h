// JSON text for the admin protocol's structs, written straight from their Fields() lists
// (json_fields.h) without building an nlohmann tree first: the server's answers with
// thousands of apps. ToJsonText(v) parses to the same JSON value as Dump(ToJson(v)); only the
// order of an object's keys differs (Fields() order here, sorted there). Strings that are not
// plain printable ASCII are escaped by nlohmann (invalid UTF-8 becomes U+FFFD, as in Dump).
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "admin/json_fields.h"

namespace berth::admin {

namespace internal {

// Appends `s` as a JSON string literal.
void AppendJsonString(std::string* out, std::string_view s);

template <typename T>
void AppendJson(std::string* out, const T& value);

struct TextWriter {
  std::string* out;
  bool first = true;
  template <typename T>
  void operator()(const char* name, const T& value) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(out, name);
    out->push_back(':');
    AppendJson(out, value);
  }
};

template <typename T>
void AppendJson(std::string* out, const T& value) {
  if constexpr (HasFields<T>) {
    out->push_back('{');
    TextWriter w{out};
    const_cast<T&>(value).Fields(w);  // Fields() only reads through a TextWriter
    out->push_back('}');
  } else if constexpr (IsOptional<T>::value) {
    if (value) {
      AppendJson(out, *value);
    } else {
      out->append("null");
    }
  } else if constexpr (IsVector<T>::value) {
    out->push_back('[');
    bool first = true;
    for (const auto& item : value) {
      if (!first) out->push_back(',');
      first = false;
      AppendJson(out, item);
    }
    out->push_back(']');
  } else if constexpr (IsMap<T>::value) {
    out->push_back('{');
    bool first = true;
    for (const auto& [k, v] : value) {
      if (!first) out->push_back(',');
      first = false;
      AppendJsonString(out, k);
      out->push_back(':');
      AppendJson(out, v);
    }
    out->push_back('}');
  } else if constexpr (std::is_same_v<T, std::string>) {
    AppendJsonString(out, value);
  } else if constexpr (std::is_same_v<T, bool>) {
    out->append(value ? "true" : "false");
  } else if constexpr (std::is_integral_v<T>) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    out->append(buf, end);
  } else {
    out->append(Dump(nlohmann::json(value)));  // nlohmann::json and anything else
  }
}

}  // namespace internal

template <typename T>
std::string ToJsonText(const T& value) {
  std::string out;
  internal::AppendJson(&out, value);
  return out;
}

// Valid JSON text laid out as nlohmann's dump(indent) lays out the same value with its keys
// in the order they come (a newline and `indent` spaces per level, "key": value, empty
// containers as {} and []), in one pass without building a tree: printing an answer of
// thousands of apps. Strings are copied as they are. The text must be valid JSON
// (nlohmann::json::accept).
std::string IndentJson(std::string_view text, int indent);

// The text of the member `key` of the JSON object `text` (valid JSON), e.g. the array of
// {"apps":[...]}; nullopt when `text` is not an object or has no such member. Keys are
// compared as they are written (a key written with escapes is not found).
std::optional<std::string_view> JsonMemberText(std::string_view text, std::string_view key);

}  // namespace berth::admin
