#include "secrets/secret_provider.h"

namespace berth::secrets {

std::string SecretLabel(const std::string& provider, const std::string& key) {
  return "secret \"" + key + "\" from provider \"" + provider + "\"";
}

Result<std::string> JoinKeys(const std::string& provider, const std::vector<std::string>& keys,
                             const std::string& separator, const std::string& keys_printf) {
  if (keys.empty()) {
    return Status::InvalidArgument("provider \"" + provider + "\": a secret needs a key");
  }
  for (const auto& k : keys) {
    if (k.empty()) {
      return Status::InvalidArgument("provider \"" + provider + "\": a secret key is empty");
    }
  }
  if (keys_printf.empty()) {
    std::string out = keys[0];
    for (size_t i = 1; i < keys.size(); ++i) out += separator + keys[i];
    return out;
  }
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("provider \"" + provider + "\": keys_printf \"" + keys_printf +
                                   "\" " + why);
  };
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < keys_printf.size(); ++i) {
    char c = keys_printf[i];
    if (c != '%') {
      out.push_back(c);
      continue;
    }
    if (i + 1 >= keys_printf.size()) return bad("ends with a lone %");
    char d = keys_printf[++i];
    if (d == '%') {
      out.push_back('%');
    } else if (d == 's') {
      if (next >= keys.size()) {
        return bad("has more %s than the " + std::to_string(keys.size()) + " key(s) given");
      }
      out += keys[next++];
    } else {
      return bad(std::string("may only use %s and %%, not %") + d);
    }
  }
  if (next != keys.size()) {
    return bad("has " + std::to_string(next) + " %s for " + std::to_string(keys.size()) +
               " key(s)");
  }
  return out;
}

}  // namespace berth::secrets
