// SecretProvider: where `{{secret "provider" "KEY"}}` gets its value. One instance per
// `[secret.<name>]` table of berth.toml; the name's prefix picks the type (see
// secret_providers.h).
//
// The contract every provider keeps: an error never contains a secret's value. It names the
// provider and the key (and the file or address asked), e.g.
//   secret "DB_PASS" from provider "prop_local": no such key in /etc/berth/secrets.properties
// Get() may be called from several threads at once.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/status.h"

namespace berth::secrets {

// A provider's `[secret.<name>]` table, e.g. {"file_name": "/etc/berth/secrets.properties"}.
using ProviderConfig = std::map<std::string, std::string>;

class SecretProvider {
 public:
  virtual ~SecretProvider() = default;

  // The value of the secret that `keys` name: the keys joined into one key with the
  // provider's separator (or its `keys_printf`). InvalidArgument for no keys or a bad join;
  // NotFound for a missing key; Unavailable for an unreachable source. Never logs the value.
  virtual Result<std::string> Get(const std::vector<std::string>& keys) = 0;

  // The `<name>` of `[secret.<name>]`.
  virtual const std::string& name() const = 0;
};

// Joins `keys` into the one key a provider looks up. With `keys_printf` empty: the keys joined
// by `separator`. Otherwise `keys_printf` is a format whose only directives are `%s` (the next
// key) and `%%` (a percent sign); it must have exactly one `%s` per key. Anything else (another
// directive, a count mismatch, no keys, an empty key) is InvalidArgument naming `provider`.
Result<std::string> JoinKeys(const std::string& provider, const std::vector<std::string>& keys,
                             const std::string& separator, const std::string& keys_printf);

// The start of every error about one secret: `secret "KEY" from provider "NAME"`.
std::string SecretLabel(const std::string& provider, const std::string& key);

}  // namespace berth::secrets
