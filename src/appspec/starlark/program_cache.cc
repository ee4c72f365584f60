#include "appspec/starlark/program_cache.h"

namespace berth::starlark {

Result<std::shared_ptr<const Program>> ProgramCache::Get(SourceFile file, ParseOptions options) {
  std::string key = std::string(options.allow_while ? "w" : "-") + file.name + '\0' + file.text;
  {
    std::lock_guard lock(mu_);
    if (auto it = programs_.find(key); it != programs_.end()) return it->second;
  }
  // Parsed without the lock: two threads may parse the same file at once, and one result is
  // kept.
  BERTH_ASSIGN_OR_RETURN(std::unique_ptr<Program> parsed, Parse(std::move(file), options));
  std::shared_ptr<const Program> program = std::move(parsed);
  std::lock_guard lock(mu_);
  if (programs_.size() >= max_programs_) programs_.clear();
  return programs_.emplace(std::move(key), std::move(program)).first->second;
}

size_t ProgramCache::size() const {
  std::lock_guard lock(mu_);
  return programs_.size();
}

}  // namespace berth::starlark
