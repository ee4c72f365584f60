// ProgramCache: parsed files shared by interpreters, so a file run again and again (a spec's
// app.star, once per app at a server start) is lexed and parsed once.
//
//   starlark::ProgramCache programs;
//   starlark::Interpreter interp({.programs = &programs});
//
// A Program is immutable once parsed, and every interpreter that runs it holds it, so one
// parsed file may serve several interpreters on several threads. Files that fail to parse are
// not kept (each run reports the error again).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "appspec/starlark/ast.h"
#include "appspec/starlark/parser.h"
#include "base/status.h"

namespace berth::starlark {

class ProgramCache {
 public:
  // At most `max_programs` files are kept; when full, the cache starts over.
  explicit ProgramCache(size_t max_programs = 128) : max_programs_(max_programs) {}
  ProgramCache(const ProgramCache&) = delete;
  ProgramCache& operator=(const ProgramCache&) = delete;

  // The parsed program of `file` (its name and text) under `options`: the kept one, else
  // parsed now and kept. Thread-safe.
  Result<std::shared_ptr<const Program>> Get(SourceFile file, ParseOptions options);

  size_t size() const;

 private:
  const size_t max_programs_;
  mutable std::mutex mu_;
  // options, name and text -> the program
  std::map<std::string, std::shared_ptr<const Program>> programs_;
};

}  // namespace berth::starlark
