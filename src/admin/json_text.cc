#include "admin/json_text.h"

namespace berth::admin::internal {

void AppendJsonString(std::string* out, std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
      out->append(Dump(nlohmann::json(std::string(s))));
      return;
    }
  }
  out->push_back('"');
  out->append(s);
  out->push_back('"');
}

}  // namespace berth::admin::internal
