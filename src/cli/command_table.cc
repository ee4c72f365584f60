#include "cli/command_table.h"

#include <cstdio>

namespace berth::cli {

int Main(int argc, char** argv) {
  std::fprintf(stderr, "berth: no commands yet\n");
  return 1;
}

}  // namespace berth::cli
