// JSON for the admin protocol's plain structs, written once: a struct lists its fields in a
// Fields(visitor) member, and ToJson/FromJson walk that list. No exception leaves FromJson: a
// field of the wrong type is an InvalidArgument naming it. Fields missing from the JSON keep
// their default values and unknown fields are ignored, so old clients and new servers (and the
// reverse) understand each other.
//
//   struct Point {
//     int64_t x = 0;
//     std::string label;
//     template <typename V> void Fields(V& v) { v("x", x); v("label", label); }
//   };
//   nlohmann::json j = admin::ToJson(Point{1, "a"});     // {"x":1,"label":"a"}
//   Result<Point> p = admin::FromJson<Point>(j);
//
// Supported field types: std::string, bool, int64_t, int, nlohmann::json (any value),
// std::optional<T>, std::vector<T>, std::map<std::string, T>, and structs with Fields().
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "base/status.h"

namespace berth::admin {

namespace internal {

template <typename T>
concept HasFields = requires(T t, int& v) {
  t.Fields(v);
};

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};
template <typename T>
struct IsMap : std::false_type {};
template <typename T>
struct IsMap<std::map<std::string, T>> : std::true_type {};

template <typename T>
nlohmann::json Encode(const T& value);

struct Writer {
  nlohmann::json* out;
  template <typename T>
  void operator()(const char* name, const T& value) {
    (*out)[name] = Encode(value);
  }
};

template <typename T>
nlohmann::json Encode(const T& value) {
  if constexpr (HasFields<T>) {
    nlohmann::json j = nlohmann::json::object();
    Writer w{&j};
    const_cast<T&>(value).Fields(w);  // Fields() only reads through a Writer
    return j;
  } else if constexpr (IsOptional<T>::value) {
    return value ? Encode(*value) : nlohmann::json(nullptr);
  } else if constexpr (IsVector<T>::value) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& item : value) j.push_back(Encode(item));
    return j;
  } else if constexpr (IsMap<T>::value) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : value) j[k] = Encode(v);
    return j;
  } else {
    return nlohmann::json(value);
  }
}

template <typename T>
Status Decode(const nlohmann::json& j, const std::string& where, T* out);

struct Reader {
  const nlohmann::json* in;
  std::string where;  // "" at the top, else "field." prefix
  Status status;
  template <typename T>
  void operator()(const char* name, T& value) {
    if (!status.ok()) return;
    auto it = in->find(name);
    if (it == in->end()) return;
    status = Decode(*it, where + name, &value);
  }
};

inline Status TypeError(const std::string& where, const char* expected) {
  return Status::InvalidArgument("admin request: " + (where.empty() ? "the body" : where) +
                                 " must be " + expected);
}

template <typename T>
Status Decode(const nlohmann::json& j, const std::string& where, T* out) {
  if constexpr (HasFields<T>) {
    if (!j.is_object()) return TypeError(where, "an object");
    Reader r{&j, where.empty() ? "" : where + ".", Status::Ok()};
    out->Fields(r);
    return r.status;
  } else if constexpr (IsOptional<T>::value) {
    if (j.is_null()) {
      out->reset();
      return Status::Ok();
    }
    typename T::value_type v{};
    BERTH_RETURN_IF_ERROR(Decode(j, where, &v));
    *out = std::move(v);
    return Status::Ok();
  } else if constexpr (IsVector<T>::value) {
    if (!j.is_array()) return TypeError(where, "an array");
    out->clear();
    for (size_t i = 0; i < j.size(); ++i) {
      typename T::value_type v{};
      BERTH_RETURN_IF_ERROR(Decode(j[i], where + "[" + std::to_string(i) + "]", &v));
      out->push_back(std::move(v));
    }
    return Status::Ok();
  } else if constexpr (IsMap<T>::value) {
    if (!j.is_object()) return TypeError(where, "an object");
    out->clear();
    for (const auto& [k, item] : j.items()) {
      typename T::mapped_type v{};
      BERTH_RETURN_IF_ERROR(Decode(item, where + "." + k, &v));
      (*out)[k] = std::move(v);
    }
    return Status::Ok();
  } else if constexpr (std::is_same_v<T, nlohmann::json>) {
    *out = j;
    return Status::Ok();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!j.is_string()) return TypeError(where, "a string");
    *out = j.get<std::string>();
    return Status::Ok();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!j.is_boolean()) return TypeError(where, "true or false");
    *out = j.get<bool>();
    return Status::Ok();
  } else if constexpr (std::is_integral_v<T>) {
    if (!j.is_number_integer()) return TypeError(where, "an integer");
    *out = j.get<T>();
    return Status::Ok();
  } else {
    static_assert(sizeof(T) == 0, "unsupported field type");
  }
}

}  // namespace internal

template <typename T>
nlohmann::json ToJson(const T& value) {
  return internal::Encode(value);
}

template <typename T>
Result<T> FromJson(const nlohmann::json& j) {
  T value{};
  BERTH_RETURN_IF_ERROR(internal::Decode(j, "", &value));
  return value;
}

// Serialises without ever throwing: invalid UTF-8 in a string becomes U+FFFD.
std::string Dump(const nlohmann::json& j, int indent = -1);

}  // namespace berth::admin
