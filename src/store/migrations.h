// Numbered schema migrations. Each runs in its own transaction together with the bump of
// PRAGMA user_version, so a crash leaves the database at a whole version.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "store/database.h"

namespace berth::store {

struct Migration {
  int version;
  std::string sql;
};

// The migrations this binary knows, in order, starting at version 1.
const std::vector<Migration>& Migrations();

// Brings `db` up to the newest version in `migrations`. A database whose version is newer
// than the newest known one is refused with a clear error and left untouched. A database not
// yet in auto_vacuum = INCREMENTAL mode is switched to it (one VACUUM).
Status Migrate(Database& db, const std::vector<Migration>& migrations = Migrations());

}  // namespace berth::store
