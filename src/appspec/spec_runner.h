// Runs one file of a spec (params.star, app.star) with the spec's files as its world:
// load("x.in", ...) gets a built-in module, load("lib.star", ...) another file of the set.
#pragma once

#include <map>
#include <string>

#include "base/status.h"
#include "appspec/file_set.h"
#include "appspec/starlark/interpreter.h"

namespace berth::appspec {

class SpecRunner {
 public:
  explicit SpecRunner(const FileSet& files);
  SpecRunner(const SpecRunner&) = delete;
  SpecRunner& operator=(const SpecRunner&) = delete;

  starlark::Interpreter& interp() { return interp_; }
  // Names every file of the set sees (loaded .star files included).
  starlark::Predeclared& predeclared() { return predeclared_; }
  // Modules for load("<name>.in", ...), each a struct of the names it exports.
  std::map<std::string, starlark::Value>& native_modules() { return native_modules_; }

  // Runs `file` of the set and returns its globals (a module struct). A file missing from the
  // set is NotFound.
  Result<starlark::Value> Run(const std::string& file);

 private:
  Result<starlark::Value> LoadModule(const std::string& name);

  const FileSet& files_;
  starlark::Interpreter interp_;
  starlark::Predeclared predeclared_;
  std::map<std::string, starlark::Value> native_modules_;
};

}  // namespace berth::appspec
