#include "appspec/spec_runner.h"

#include <fmt/format.h>

#include "appspec/starlark/program_cache.h"
#include "appspec/starlark/suggest.h"

namespace berth::appspec {
namespace {

// Every spec file run in this process is parsed once while it stays the same: a server start
// runs app.star once per app.
starlark::ProgramCache& SpecPrograms() {
  static starlark::ProgramCache programs;
  return programs;
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

SpecRunner::SpecRunner(const FileSet& files)
    : files_(files), interp_([this] {
        starlark::InterpreterOptions options;
        // As Clace runs app.star and params.star: its internal/app package sets only
        // resolve.AllowRecursion = true (in an init func) and runs the files through
        // starlark.ExecFile, whose legacy file options at the starlark-go version Clace pins
        // (c05ff208, Nov 2024) are Recursion on; Set, While, TopLevelControl and
        // GlobalReassign off (resolve.AllowSet and AllowGlobalReassign stay false).
        options.allow_recursion = true;
        options.programs = &SpecPrograms();
        options.loader = [this](starlark::Interpreter&, const std::string& name) {
          return LoadModule(name);
        };
        return options;
      }()) {}

Result<starlark::Value> SpecRunner::Run(const std::string& file) {
  auto it = files_.find(file);
  if (it == files_.end()) return Status::NotFound(fmt::format("{} not found", file));
  return interp_.ExecFile(file, it->second, predeclared_);
}

Result<starlark::Value> SpecRunner::LoadModule(const std::string& name) {
  if (EndsWith(name, ".in")) {
    auto it = native_modules_.find(name);
    if (it != native_modules_.end()) return it->second;
    std::vector<std::string> known;
    for (const auto& [n, v] : native_modules_) known.push_back(n);
    std::string list;
    for (const std::string& n : known) list += (list.empty() ? "" : ", ") + n;
    return Status::NotFound(fmt::format("no built-in module of that name{}; known: {}",
                                        starlark::DidYouMean(name, known), list));
  }
  auto it = files_.find(name);
  if (it == files_.end()) {
    std::vector<std::string> known;
    for (const auto& [n, v] : files_) {
      if (EndsWith(n, ".star")) known.push_back(n);
    }
    return Status::NotFound(fmt::format("no file of that name in the spec or the app source{}",
                                        starlark::DidYouMean(name, known)));
  }
  return interp_.ExecFile(name, it->second, predeclared_);
}

}  // namespace berth::appspec
