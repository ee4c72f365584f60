// Database: a thin, thread-safe wrapper over one SQLite connection in WAL mode.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/status.h"

namespace berth::store {

class Database;

// A prepared statement. Bind parameters are 1-based, as in SQLite. Not thread-safe: use it
// inside Database::Transaction or under Database::Lock(). When it goes, its SQLite statement
// is reset and kept by its Database for the next Prepare of the same text.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  ~Statement();

  Statement& Bind(int index, const std::string& value);
  Statement& Bind(int index, int64_t value);
  Statement& BindNull(int index);
  Statement& BindBlob(int index, const std::string& bytes);
  // A BLOB of `bytes` zero bytes, to be filled in place through Database::OpenBlob.
  Statement& BindZeroBlob(int index, int64_t bytes);

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
  Statement(Database* owner, sqlite3* db, sqlite3_stmt* stmt, Status status)
      : owner_(owner), db_(db), stmt_(stmt), status_(std::move(status)) {}
  Database* owner_;
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  Status status_;
};

// Incremental I/O on one BLOB value (sqlite3_blob_*), so a large value never sits whole in
// memory. Use it under Database::Lock() (or inside a Transaction) and drop it before the lock.
class Blob {
 public:
  Blob(Blob&& other) noexcept;
  ~Blob();
  int64_t size() const;
  // Reads `n` bytes at `offset` into `out`; writes `n` bytes at `offset` (within size()).
  Status Read(int64_t offset, char* out, int n);
  Status Write(int64_t offset, const char* data, int n);

 private:
  friend class Database;
  Blob(sqlite3* db, sqlite3_blob* blob) : db_(db), blob_(blob) {}
  sqlite3* db_;
  sqlite3_blob* blob_;
};

class Database {
 public:
  // Opens (creating if needed) the database file with WAL journaling, foreign keys on and a
  // busy timeout. A new database gets auto_vacuum = INCREMENTAL, so Reclaim can shrink it (an
  // older one keeps its mode until Migrate switches it with one VACUUM). ":memory:" gives a private
  // in-memory database for tests.
  // After each commit the WAL is checkpointed once it holds 1000 pages (SQLite's default), and
  // truncated to nothing once it holds more than kWalLimitPages (a big transaction).
  static Result<std::unique_ptr<Database>> Open(const std::string& path);
  static constexpr int kWalLimitPages = 4096;
  ~Database();

  // Executes one or more statements without results.
  Status Exec(const std::string& sql);
  // A statement for `sql`: one that an earlier Prepare of the same text made and gave back
  // (reset, bindings cleared), else a new one. Compiling a statement costs more than running
  // a simple one, and the store runs the same few texts again and again (one per app at a
  // server start).
  Statement Prepare(const std::string& sql);

  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT, holding the connection's lock; rolls back
  // when `body` returns an error, so a failed command leaves no partial rows. Nested calls (on
  // the same thread) use savepoints.
  Status Transaction(const std::function<Status()>& body);

  // Serialises a read that spans several statements.
  std::unique_lock<std::recursive_mutex> Lock() { return std::unique_lock(mu_); }
  // The lock if no other thread holds it (owns_lock() tells).
  std::unique_lock<std::recursive_mutex> TryLock() {
    return std::unique_lock(mu_, std::try_to_lock);
  }

  // Opens the BLOB in `column` of the row `rowid` of `table`, for reading or for writing.
  Result<Blob> OpenBlob(const std::string& table, const std::string& column, int64_t rowid,
                        bool write);
  // The rowid of the last row inserted, and the rows the last statement changed.
  int64_t LastInsertRowid();
  int64_t Changes();

  // The largest string or BLOB SQLite stores in one value (SQLITE_LIMIT_LENGTH: 1,000,000,000
  // bytes unless the library was built otherwise). LowerMaxValueBytes lowers it (tests).
  int64_t MaxValueBytes();
  void LowerMaxValueBytes(int64_t bytes);

  // Gives free pages back to the file system: an incremental vacuum (the database is in
  // auto_vacuum = INCREMENTAL mode, see Open) and a WAL checkpoint that truncates the WAL
  // file. Does nothing inside a transaction.
  Status Reclaim();
  // 0 none, 1 full, 2 incremental (PRAGMA auto_vacuum).
  int64_t AutoVacuum();

  int64_t UserVersion();
  Status SetUserVersion(int64_t version);

 private:
  friend class Statement;
  explicit Database(sqlite3* db) : db_(db) {}
  Status Error(const std::string& what) const;
  // Takes back a statement that is done with (Statement's destructor).
  void GiveBack(sqlite3_stmt* stmt);

  // Statements kept for reuse, by their SQL text (at most kKeptPerText each). Its own lock:
  // a Statement may go after the caller let go of mu_.
  static constexpr size_t kKeptPerText = 4;
  std::mutex kept_mu_;
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>> kept_;

  sqlite3* db_;
  std::recursive_mutex mu_;
  int transaction_depth_ = 0;  // guarded by mu_
};

}  // namespace berth::store
