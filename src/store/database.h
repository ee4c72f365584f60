// Database: a thin, thread-safe wrapper over one SQLite connection in WAL mode.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace berth::store {

class Database;

// A prepared statement. Bind parameters are 1-based, as in SQLite. Not thread-safe: use it
// inside Database::Transaction or under Database::Lock().
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  ~Statement();

  Statement& Bind(int index, const std::string& value);
  Statement& Bind(int index, int64_t value);
  Statement& BindNull(int index);
  Statement& BindBlob(int index, const std::string& bytes);

  // Advances to the next row: true when a row is available, false when done. Errors are
  // reported through status().
  bool Step();
  // Runs a statement that returns no rows.
  Status Run();
  const Status& status() const { return status_; }

  std::string ColumnText(int index) const;
  int64_t ColumnInt(int index) const;
  bool ColumnIsNull(int index) const;

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* stmt, Status status)
      : db_(db), stmt_(stmt), status_(std::move(status)) {}
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  Status status_;
};

class Database {
 public:
  // Opens (creating if needed) the database file with WAL journaling, foreign keys on and a
  // busy timeout. ":memory:" gives a private in-memory database for tests.
  static Result<std::unique_ptr<Database>> Open(const std::string& path);
  ~Database();

  // Executes one or more statements without results.
  Status Exec(const std::string& sql);
  Statement Prepare(const std::string& sql);

  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT, holding the connection's lock; rolls back
  // when `body` returns an error, so a failed command leaves no partial rows. Nested calls (on
  // the same thread) use savepoints.
  Status Transaction(const std::function<Status()>& body);

  // Serialises a read that spans several statements.
  std::unique_lock<std::recursive_mutex> Lock() { return std::unique_lock(mu_); }

  int64_t UserVersion();
  Status SetUserVersion(int64_t version);

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  Status Error(const std::string& what) const;

  sqlite3* db_;
  std::recursive_mutex mu_;
  int transaction_depth_ = 0;  // guarded by mu_
};

}  // namespace berth::store
