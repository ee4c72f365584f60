// AuditLog: every change made to an app, who made it and when, kept after the app is gone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/database.h"

namespace berth::store {

struct AuditEntry {
  int64_t id = 0;
  std::string at;     // RFC 3339
  std::string actor;  // e.g. "uid 1000"
  std::string app_id;
  std::string app_path;   // domain:/path of the prod app (stage changes say so in detail)
  std::string operation;  // create, delete, param-update, update-metadata, promote, ...
  std::string detail;
};

class AuditLog {
 public:
  explicit AuditLog(Database& db) : db_(db) {}

  // Appends an entry (`at` defaults to now). Call inside the change's transaction.
  Status Add(const AuditEntry& entry);
  // The newest `limit` entries, newest first.
  Result<std::vector<AuditEntry>> Recent(int64_t limit);

 private:
  Database& db_;
};

}  // namespace berth::store
