#include "appspec/starlark_json.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace berth::appspec {
namespace {

using starlark::Type;
using starlark::Value;

constexpr int kMaxDepth = 100;

Result<nlohmann::json> ToJsonDepth(Value v, int depth) {
  if (depth > kMaxDepth) return Status::InvalidArgument("value is nested too deeply");
  switch (v.type()) {
    case Type::kNone:
      return nlohmann::json(nullptr);
    case Type::kBool:
      return nlohmann::json(v.bool_value());
    case Type::kInt:
      return nlohmann::json(v.int_value());
    case Type::kBigInt: {
      // Beyond int64: only a positive value up to 2^64-1 has a JSON number here.
      const starlark::BigInt& b = v.bigint();
      std::string digits = b.ToString();
      if (!b.negative() &&
          starlark::BigInt::Compare(b, *starlark::BigInt::Parse("18446744073709551615", 10)) <= 0) {
        return nlohmann::json(static_cast<uint64_t>(std::stoull(digits)));
      }
      return Status::InvalidArgument(
          fmt::format("int {} is too large for JSON (ints must fit in 64 bits)", digits));
    }
    case Type::kFloat: {
      double d = v.float_value();
      if (!std::isfinite(d)) {
        return Status::InvalidArgument(
            fmt::format("cannot encode non-finite float {} as JSON", starlark::FormatFloat(d)));
      }
      return nlohmann::json(d);
    }
    case Type::kString:
      return nlohmann::json(v.str());
    case Type::kBytes:
      return nlohmann::json(starlark::ValidUtf8(v.bytes()));
    case Type::kList:
    case Type::kTuple: {
      nlohmann::json out = nlohmann::json::array();
      const auto& items = v.is(Type::kList) ? v.list()->items : v.tuple()->items;
      for (Value x : items) {
        BERTH_ASSIGN_OR_RETURN(nlohmann::json j, ToJsonDepth(x, depth + 1));
        out.push_back(std::move(j));
      }
      return out;
    }
    case Type::kDict: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [k, x] : v.dict()->Items()) {
        if (!k.is(Type::kString)) {
          return Status::InvalidArgument(
              fmt::format("dict keys must be strings, not {}", starlark::TypeName(k)));
        }
        BERTH_ASSIGN_OR_RETURN(nlohmann::json j, ToJsonDepth(x, depth + 1));
        out[k.str()] = std::move(j);
      }
      return out;
    }
    default:
      return Status::InvalidArgument(
          fmt::format("a {} value cannot be converted to JSON", starlark::TypeName(v)));
  }
}

Result<Value> FromJsonDepth(starlark::Interpreter& interp, const nlohmann::json& j, int depth) {
  if (depth > kMaxDepth) return Status::InvalidArgument("JSON value is nested too deeply");
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return Value::None();
    case nlohmann::json::value_t::boolean:
      return Value::Bool(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value::Int(j.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return interp.NewInt(*starlark::BigInt::Parse(std::to_string(u), 10));
      }
      return Value::Int(static_cast<int64_t>(u));
    }
    case nlohmann::json::value_t::number_float:
      return Value::Float(j.get<double>());
    case nlohmann::json::value_t::string:
      return interp.NewString(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      std::vector<Value> items;
      for (const auto& x : j) {
        BERTH_ASSIGN_OR_RETURN(Value v, FromJsonDepth(interp, x, depth + 1));
        items.push_back(v);
      }
      return interp.NewList(std::move(items));
    }
    case nlohmann::json::value_t::object: {
      starlark::DictObj* d = interp.NewDict();
      for (const auto& [k, x] : j.items()) {
        BERTH_ASSIGN_OR_RETURN(Value v, FromJsonDepth(interp, x, depth + 1));
        BERTH_RETURN_IF_ERROR(d->Set(interp, interp.NewString(k), v));
      }
      return Value(d);
    }
    default:
      return Status::InvalidArgument("unsupported JSON value (binary)");
  }
}

}  // namespace

Result<nlohmann::json> ToJson(Value v) { return ToJsonDepth(v, 0); }

Result<Value> FromJson(starlark::Interpreter& interp, const nlohmann::json& j) {
  return FromJsonDepth(interp, j, 0);
}

}  // namespace berth::appspec
