#include "secrets/secret_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>

#include "base/files.h"
#include "base/hash.h"
#include "secrets/aes_gcm.h"
#include "secrets/env_provider.h"

namespace berth::secrets {

namespace {

std::string NowRfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// What the tag authenticates besides the value: the row's identity, length-prefixed so that
// ("ab", "c") and ("a", "bc") differ.
std::string Aad(const std::string& provider, const std::string& name) {
  return "berth-secret-v1:" + std::to_string(provider.size()) + ":" + provider + "/" + name;
}

std::string Label(const std::string& provider, const std::string& name) {
  return SecretLabel(provider, name);
}

Status CheckName(const std::string& provider, const std::string& name) {
  if (provider.empty()) return Status::InvalidArgument("a secret provider name is required");
  if (name.empty()) return Status::InvalidArgument("a secret name is required");
  if (name.size() > 256) {
    return Status::InvalidArgument("secret name is longer than 256 bytes");
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("secret name contains a control character");
    }
  }
  return Status::Ok();
}

struct Sealed {
  std::string nonce;
  std::string ciphertext;
};

Result<Sealed> Seal(const std::string& key, const std::string& provider, const std::string& name,
                    const std::string& value) {
  Sealed s;
  BERTH_ASSIGN_OR_RETURN(s.nonce, RandomBytes(kGcmNonceBytes));
  BERTH_ASSIGN_OR_RETURN(s.ciphertext, SealAesGcm(key, s.nonce, value, Aad(provider, name)));
  return s;
}

Status Unlink(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Status::IOError("cannot remove " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace

std::string KeyId(std::string_view key) { return Sha256Hex(key).substr(0, 16); }

Result<std::string> ReadKeyFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::NotFound("secret key file " + path + " does not exist");
    return Status::IOError("secret key file " + path + ": " + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%03o", static_cast<unsigned>(st.st_mode & 0777));
    return Status::PermissionDenied("secret key file " + path + " has mode " + mode +
                                    ": the group or others may read it; refusing to use it "
                                    "(chmod 600 " +
                                    path + ")");
  }
  BERTH_ASSIGN_OR_RETURN(std::string key, ReadFile(path));
  if (key.size() != kAesKeyBytes) {
    return Status::InvalidArgument("secret key file " + path + " holds " +
                                   std::to_string(key.size()) + " bytes, not 32");
  }
  return key;
}

SecretStore::SecretStore(store::Database& db, std::string key_file)
    : db_(db), key_file_(std::move(key_file)) {}

Result<int64_t> SecretStore::CountRows() {
  auto lock = db_.Lock();
  store::Statement st = db_.Prepare("SELECT COUNT(*) FROM secrets");
  if (!st.Step()) return st.status().ok() ? Status::Internal("no count") : st.status();
  return st.ColumnInt(0);
}

Status SecretStore::Recover() {
  const std::string new_file = key_file_ + ".new";
  const std::string old_file = key_file_ + ".old";
  bool has_new = PathExists(new_file);
  bool has_old = PathExists(old_file);
  if (!has_new && !has_old) return Status::Ok();
  auto rows_using = [&](const std::string& path) -> Result<bool> {
    BERTH_ASSIGN_OR_RETURN(std::string key, ReadKeyFile(path));
    auto lock = db_.Lock();
    store::Statement st = db_.Prepare("SELECT 1 FROM secrets WHERE key_id = ? LIMIT 1");
    st.Bind(1, KeyId(key));
    bool found = st.Step();
    BERTH_RETURN_IF_ERROR(st.status());
    return found;
  };
  if (has_new) {
    BERTH_ASSIGN_OR_RETURN(bool committed, rows_using(new_file));
    if (committed) {
      // The rekey's transaction committed: its key is the key now.
      if (::rename(new_file.c_str(), key_file_.c_str()) != 0) {
        return Status::IOError("cannot rename " + new_file + ": " + std::strerror(errno));
      }
    } else {
      BERTH_RETURN_IF_ERROR(Unlink(new_file));
    }
  }
  if (has_old) {
    BERTH_ASSIGN_OR_RETURN(bool needed, rows_using(old_file));
    BERTH_ASSIGN_OR_RETURN(std::string old_key, ReadKeyFile(old_file));
    auto current = ReadKeyFile(key_file_);
    bool same = current.ok() && KeyId(*current) == KeyId(old_key);
    if (needed && !same) {
      return Status::FailedPrecondition("secrets in the database need the key in " + old_file +
                                        ", not " + key_file_ + "; restore it (mv " + old_file +
                                        " " + key_file_ + ")");
    }
    BERTH_RETURN_IF_ERROR(Unlink(old_file));
  }
  return Status::Ok();
}

Result<std::string> SecretStore::CurrentKey(bool create) {
  BERTH_RETURN_IF_ERROR(Recover());
  auto key = ReadKeyFile(key_file_);
  if (key.ok() || key.status().code() != Status::Code::kNotFound || !create) return key;
  BERTH_ASSIGN_OR_RETURN(int64_t rows, CountRows());
  if (rows > 0) {
    return Status::FailedPrecondition("secret key file " + key_file_ +
                                      " is missing but the database holds " + std::to_string(rows) +
                                      " encrypted secret(s); restore the key file");
  }
  std::string dir = key_file_.substr(0, key_file_.rfind('/'));
  if (!dir.empty()) BERTH_RETURN_IF_ERROR(MakeDirs(dir, 0700));
  BERTH_ASSIGN_OR_RETURN(std::string fresh, RandomBytes(kAesKeyBytes));
  BERTH_RETURN_IF_ERROR(WriteFileAtomic(key_file_, fresh, 0600));
  return fresh;
}

Result<bool> SecretStore::Put(const std::string& provider, const std::string& name,
                              const std::string& value) {
  BERTH_RETURN_IF_ERROR(CheckName(provider, name));
  std::lock_guard lock(mu_);
  BERTH_ASSIGN_OR_RETURN(std::string key, CurrentKey(/*create=*/true));
  BERTH_ASSIGN_OR_RETURN(Sealed sealed, Seal(key, provider, name, value));
  bool created = false;
  std::string now = NowRfc3339();
  Status s = db_.Transaction([&]() -> Status {
    store::Statement find = db_.Prepare("SELECT 1 FROM secrets WHERE provider = ? AND name = ?");
    find.Bind(1, provider).Bind(2, name);
    created = !find.Step();
    BERTH_RETURN_IF_ERROR(find.status());
    store::Statement st = db_.Prepare(
        "INSERT INTO secrets (provider, name, nonce, ciphertext, key_id, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?) ON CONFLICT(provider, name) DO UPDATE SET "
        "nonce = excluded.nonce, ciphertext = excluded.ciphertext, key_id = excluded.key_id, "
        "updated_at = excluded.updated_at");
    st.Bind(1, provider).Bind(2, name).BindBlob(3, sealed.nonce).BindBlob(4, sealed.ciphertext);
    st.Bind(5, KeyId(key)).Bind(6, now).Bind(7, now);
    return st.Run();
  });
  if (!s.ok()) return s.WithContext(Label(provider, name));
  return created;
}

Result<std::string> SecretStore::Get(const std::string& provider, const std::string& name) {
  std::lock_guard lock(mu_);
  BERTH_RETURN_IF_ERROR(Recover());
  std::string nonce, ciphertext, key_id;
  {
    auto db_lock = db_.Lock();
    store::Statement st = db_.Prepare(
        "SELECT nonce, ciphertext, key_id FROM secrets WHERE provider = ? AND name = ?");
    st.Bind(1, provider).Bind(2, name);
    if (!st.Step()) {
      BERTH_RETURN_IF_ERROR(st.status());
      return Status::NotFound(Label(provider, name) + ": no such secret (see berth secret list " +
                              provider + ")");
    }
    nonce = st.ColumnText(0);
    ciphertext = st.ColumnText(1);
    key_id = st.ColumnText(2);
  }
  auto key = ReadKeyFile(key_file_);
  if (!key.ok()) return key.status().WithContext(Label(provider, name));
  if (KeyId(*key) != key_id) {
    return Status::FailedPrecondition(Label(provider, name) + ": it was encrypted with key " +
                                      key_id + " but " + key_file_ + " holds key " + KeyId(*key));
  }
  auto value = OpenAesGcm(*key, nonce, ciphertext, Aad(provider, name));
  if (!value.ok()) return value.status().WithContext(Label(provider, name));
  return value;
}

Result<std::vector<SecretEntry>> SecretStore::List(const std::string& provider) {
  std::lock_guard lock(mu_);
  auto db_lock = db_.Lock();
  store::Statement st = db_.Prepare(
      "SELECT provider, name, created_at, updated_at FROM secrets "
      "WHERE ? = '' OR provider = ? ORDER BY provider, name");
  st.Bind(1, provider).Bind(2, provider);
  std::vector<SecretEntry> out;
  while (st.Step()) {
    out.push_back(
        SecretEntry{st.ColumnText(0), st.ColumnText(1), st.ColumnText(2), st.ColumnText(3)});
  }
  BERTH_RETURN_IF_ERROR(st.status());
  return out;
}

Status SecretStore::Delete(const std::string& provider, const std::string& name) {
  std::lock_guard lock(mu_);
  bool found = false;
  BERTH_RETURN_IF_ERROR(db_.Transaction([&]() -> Status {
    store::Statement find = db_.Prepare("SELECT 1 FROM secrets WHERE provider = ? AND name = ?");
    find.Bind(1, provider).Bind(2, name);
    found = find.Step();
    BERTH_RETURN_IF_ERROR(find.status());
    if (!found) return Status::Ok();
    store::Statement st = db_.Prepare("DELETE FROM secrets WHERE provider = ? AND name = ?");
    st.Bind(1, provider).Bind(2, name);
    return st.Run();
  }));
  if (!found) return Status::NotFound(Label(provider, name) + ": no such secret");
  return Status::Ok();
}

Result<int> SecretStore::Rekey() {
  std::lock_guard lock(mu_);
  BERTH_ASSIGN_OR_RETURN(std::string old_key, CurrentKey(/*create=*/true));
  BERTH_ASSIGN_OR_RETURN(std::string new_key, RandomBytes(kAesKeyBytes));
  const std::string new_file = key_file_ + ".new";
  const std::string old_file = key_file_ + ".old";
  BERTH_RETURN_IF_ERROR(WriteFileAtomic(old_file, old_key, 0600));
  BERTH_RETURN_IF_ERROR(WriteFileAtomic(new_file, new_key, 0600));
  int count = 0;
  Status s = db_.Transaction([&]() -> Status {
    struct Row {
      std::string provider, name, nonce, ciphertext, key_id;
    };
    std::vector<Row> rows;
    {
      store::Statement st =
          db_.Prepare("SELECT provider, name, nonce, ciphertext, key_id FROM secrets");
      while (st.Step()) {
        rows.push_back(Row{st.ColumnText(0), st.ColumnText(1), st.ColumnText(2), st.ColumnText(3),
                           st.ColumnText(4)});
      }
      BERTH_RETURN_IF_ERROR(st.status());
    }
    for (const Row& r : rows) {
      if (r.key_id != KeyId(old_key)) {
        return Status::FailedPrecondition(Label(r.provider, r.name) +
                                          ": it was encrypted with key " + r.key_id + " but " +
                                          key_file_ + " holds key " + KeyId(old_key));
      }
      auto value = OpenAesGcm(old_key, r.nonce, r.ciphertext, Aad(r.provider, r.name));
      if (!value.ok()) return value.status().WithContext(Label(r.provider, r.name));
      BERTH_ASSIGN_OR_RETURN(Sealed sealed, Seal(new_key, r.provider, r.name, *value));
      store::Statement up = db_.Prepare(
          "UPDATE secrets SET nonce = ?, ciphertext = ?, key_id = ? "
          "WHERE provider = ? AND name = ?");
      up.BindBlob(1, sealed.nonce).BindBlob(2, sealed.ciphertext).Bind(3, KeyId(new_key));
      up.Bind(4, r.provider).Bind(5, r.name);
      BERTH_RETURN_IF_ERROR(up.Run());
      ++count;
    }
    return Status::Ok();
  });
  if (!s.ok()) {
    Unlink(new_file).IgnoreError("the old key stays in force; a stale .new is removed later");
    Unlink(old_file).IgnoreError("a copy of the key that is still in force");
    return s.WithContext("rekey (nothing changed)");
  }
  if (stop_after_commit_) return Status::Internal("rekey stopped after commit (test)");
  if (::rename(new_file.c_str(), key_file_.c_str()) != 0) {
    return Status::IOError("rekey: cannot rename " + new_file + " to " + key_file_ + ": " +
                           std::strerror(errno) + " (the next operation retries)");
  }
  BERTH_RETURN_IF_ERROR(Unlink(old_file));
  return count;
}

Result<std::unique_ptr<SecretProvider>> StoreProvider::Create(const std::string& name,
                                                              const ProviderConfig& config,
                                                              SecretStore* store) {
  BERTH_RETURN_IF_ERROR(CheckProviderKeys(name, config, {"keys_printf"}));
  if (!store) {
    return Status::FailedPrecondition("[secret." + name + "]: no metadata database to use");
  }
  auto fmt = config.find("keys_printf");
  return std::unique_ptr<SecretProvider>(
      new StoreProvider(name, fmt == config.end() ? "" : fmt->second, store));
}

Result<std::string> StoreProvider::Get(const std::vector<std::string>& keys) {
  BERTH_ASSIGN_OR_RETURN(std::string key, JoinKeys(name_, keys, "_", keys_printf_));
  return store_->Get(name_, key);
}

}  // namespace berth::secrets
