// The arguments of a call to a native function, and the helper that binds them to parameters.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "appspec/starlark/value.h"
#include "base/status.h"

namespace berth::starlark {

class Args {
 public:
  Args(std::string fn_name, Value self, std::vector<Value> positional, NamedValues named)
      : fn_name_(std::move(fn_name)),
        self_(self),
        positional_(std::move(positional)),
        named_(std::move(named)) {}

  const std::string& fn_name() const { return fn_name_; }
  Value self() const { return self_; }
  const std::vector<Value>& positional() const { return positional_; }
  const NamedValues& named() const { return named_; }

  // One parameter: a name ("port", or "port?" when optional) and where to store its value.
  struct Param {
    std::string_view name;
    Value* out;
  };
  // Binds positional arguments to parameters in order and keyword arguments by name. Fails for
  // a missing required argument, too many positional ones, a repeated one, or an unknown keyword
  // (suggesting the closest parameter). Optional parameters not given keep their value.
  Status Unpack(std::initializer_list<Param> params) const;

  // Fails unless there are no keyword arguments.
  Status NoKeywords() const;

  // An error about one parameter: the caret goes under the argument that gave it.
  Status Error(std::string_view param, std::string message) const;
  // An error about the index-th argument (positional first, then keyword, in call order).
  Status ErrorAt(int index, std::string message) const;

  // Which argument an error points at, or -1 for the call itself.
  int error_arg() const { return error_arg_; }

 private:
  std::string fn_name_;
  Value self_;
  std::vector<Value> positional_;
  NamedValues named_;
  mutable std::vector<std::pair<std::string, int>> bound_;  // parameter -> argument index
  mutable int error_arg_ = -1;
};

}  // namespace berth::starlark
