// Test support: reads the engine output captured in src/container/testdata/.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace berth::container::testing {

inline std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(BERTH_SOURCE_DIR) + "/src/container/testdata/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace berth::container::testing
