#include "appspec/starlark/args.h"

#include <fmt/format.h>

#include "appspec/starlark/suggest.h"

namespace berth::starlark {

Status Args::Unpack(std::initializer_list<Param> params) const {
  std::vector<std::string> names;
  std::vector<bool> optional, set;
  for (const Param& p : params) {
    bool opt = !p.name.empty() && p.name.back() == '?';
    names.emplace_back(opt ? p.name.substr(0, p.name.size() - 1) : p.name);
    optional.push_back(opt);
    set.push_back(false);
  }
  bound_.clear();
  if (positional_.size() > names.size()) {
    return ErrorAt(static_cast<int>(names.size()),
                   fmt::format("{}() accepts at most {} positional argument{} ({} given)", fn_name_,
                               names.size(), names.size() == 1 ? "" : "s", positional_.size()));
  }
  auto it = params.begin();
  for (size_t i = 0; i < positional_.size(); ++i, ++it) {
    *it->out = positional_[i];
    set[i] = true;
    bound_.emplace_back(names[i], static_cast<int>(i));
  }
  for (size_t j = 0; j < named_.size(); ++j) {
    int arg = static_cast<int>(positional_.size() + j);
    const std::string& key = named_[j].first;
    size_t k = 0;
    while (k < names.size() && names[k] != key) ++k;
    if (k == names.size()) {
      std::string hint = DidYouMean(key, names);
      if (hint.empty()) {
        std::string known;
        for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
        hint = fmt::format(" ({}() accepts: {})", fn_name_, known);
      }
      return ErrorAt(arg, fmt::format("unknown keyword argument \"{}\"{}", key, hint));
    }
    if (set[k]) {
      return ErrorAt(arg,
                     fmt::format("{}() got multiple values for argument \"{}\"", fn_name_, key));
    }
    *(params.begin() + k)->out = named_[j].second;
    set[k] = true;
    bound_.emplace_back(names[k], arg);
  }
  for (size_t k = 0; k < names.size(); ++k) {
    if (!set[k] && !optional[k]) {
      return Status::InvalidArgument(
          fmt::format("{}: missing argument for {}", fn_name_, names[k]));
    }
  }
  return Status::Ok();
}

Status Args::NoKeywords() const {
  if (named_.empty()) return Status::Ok();
  return ErrorAt(static_cast<int>(positional_.size()),
                 fmt::format("{}: unexpected keyword arguments", fn_name_));
}

Status Args::Error(std::string_view param, std::string message) const {
  for (const auto& [name, index] : bound_) {
    if (name == param) return ErrorAt(index, std::move(message));
  }
  return Status::InvalidArgument(std::move(message));
}

Status Args::ErrorAt(int index, std::string message) const {
  error_arg_ = index;
  return Status::InvalidArgument(std::move(message));
}

}  // namespace berth::starlark
