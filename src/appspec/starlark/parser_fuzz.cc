// libFuzzer target for the Starlark lexer and parser: any input must give a tree or an error,
// never a crash, a hang or a sanitizer report. Build with -DBERTH_FUZZ=ON (see CMakeLists.txt).
#include <cstddef>
#include <cstdint>
#include <string>

#include "appspec/starlark/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  berth::starlark::SourceFile file{"fuzz.star",
                                   std::string(reinterpret_cast<const char*>(data), size)};
  auto program = berth::starlark::Parse(std::move(file));
  (void)program;
  return 0;
}
