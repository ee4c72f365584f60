// SecretStore: Berth's built-in encrypted secret store, the values of the `db*` providers.
//
// Values live in the metadata database (table `secrets`, one row per provider and name), each
// encrypted with AES-256-GCM under a random 12-byte nonce, with "<provider>/<name>" as
// additional authenticated data (a row copied to another name does not decrypt). The 32-byte
// key lives outside the database, in `key_file` ($BERTH_HOME/config/secret.key), created mode
// 0600 on first use. A key file that the group or others may read is refused. Each row records
// the id of its key (the first 16 hex digits of the key's SHA-256), so a wrong key file is
// reported as such instead of as a corrupt value.
//
// Rekey writes the new key to <key_file>.new and a copy of the old one to <key_file>.old,
// re-encrypts every row in one transaction, then renames .new over the key file and removes
// .old. An interrupted rekey is finished (or undone) by the next Put, Get or Rekey: the rows'
// key ids say which key file they need.
//
// Thread-safe: every operation holds the store's mutex.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "secrets/secret_provider.h"
#include "store/database.h"

namespace berth::secrets {

struct SecretEntry {
  std::string provider;
  std::string name;
  std::string created_at;  // RFC 3339, UTC
  std::string updated_at;
};

// The id of a key: the first 16 hex digits of its SHA-256.
std::string KeyId(std::string_view key);

// Reads a key file: exactly 32 bytes, not readable or writable by group or others.
// NotFound when it does not exist; PermissionDenied for a too-open mode (the message says
// `chmod 600 <path>`); InvalidArgument for a wrong size.
Result<std::string> ReadKeyFile(const std::string& path);

class SecretStore {
 public:
  SecretStore(store::Database& db, std::string key_file);

  // Creates or replaces the value of provider/name; true when it created it. Creates the key
  // file on first use, unless the database already holds values (then the key file is missing
  // and a new one would not open them: FailedPrecondition). InvalidArgument for an empty name
  // or one with control characters.
  Result<bool> Put(const std::string& provider, const std::string& name, const std::string& value);
  // The value; NotFound (naming provider and name) when there is none.
  Result<std::string> Get(const std::string& provider, const std::string& name);
  // Names and dates (never values), sorted by provider and name; "" lists every provider.
  Result<std::vector<SecretEntry>> List(const std::string& provider);
  // NotFound when there is no such secret.
  Status Delete(const std::string& provider, const std::string& name);
  // Generates a new key and re-encrypts every value with it (see above); returns how many.
  Result<int> Rekey();

  const std::string& key_file() const { return key_file_; }

  // Test seam: Rekey stops right after its transaction commits, before the key file is
  // replaced, as a crash there would.
  void StopRekeyAfterCommitForTest() { stop_after_commit_ = true; }

 private:
  // Finishes or undoes an interrupted rekey (see above). Called under mu_.
  Status Recover();
  // The current key; when `create` and there is none (and no rows), makes one.
  Result<std::string> CurrentKey(bool create);
  Result<int64_t> CountRows();

  store::Database& db_;
  const std::string key_file_;
  std::mutex mu_;
  bool stop_after_commit_ = false;
};

// The `db*` provider: {{secret "db" "DB_PASS"}} reads the value stored with
// `berth secret create db DB_PASS -`. Keys join with "_".
class StoreProvider : public SecretProvider {
 public:
  // Keys of `config`: keys_printf. `store` must outlive the provider.
  static Result<std::unique_ptr<SecretProvider>> Create(const std::string& name,
                                                        const ProviderConfig& config,
                                                        SecretStore* store);
  Result<std::string> Get(const std::vector<std::string>& keys) override;
  const std::string& name() const override { return name_; }

 private:
  StoreProvider(std::string name, std::string keys_printf, SecretStore* store)
      : name_(std::move(name)), keys_printf_(std::move(keys_printf)), store_(store) {}
  const std::string name_;
  const std::string keys_printf_;
  SecretStore* const store_;
};

}  // namespace berth::secrets
