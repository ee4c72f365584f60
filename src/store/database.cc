#include "store/database.h"

#include <algorithm>
#include <cstdint>

namespace berth::store {

namespace {

// SQLite's own auto-checkpoint threshold, which this hook replaces.
constexpr int kCheckpointPages = 1000;

// After a commit: a passive checkpoint once the WAL holds kCheckpointPages pages (what SQLite's
// auto-checkpoint does), and a truncating one once it is larger than kWalLimitPages, so one big
// transaction (a large source stored) does not leave a WAL as large as itself on disk until
// the next write.
int CheckpointAfterCommit(void*, sqlite3* db, const char* name, int pages) {
  if (pages < kCheckpointPages) return SQLITE_OK;
  const int mode =
      pages > Database::kWalLimitPages ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE;
  sqlite3_wal_checkpoint_v2(db, name, mode, nullptr, nullptr);
  return SQLITE_OK;
}

}  // namespace

Statement::Statement(Statement&& other) noexcept
    : owner_(other.owner_), db_(other.db_), stmt_(other.stmt_), status_(std::move(other.status_)) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_) owner_->GiveBack(stmt_);
}

Statement& Statement::Bind(int index, const std::string& value) {
  if (stmt_)
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  if (stmt_) sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::BindBlob(int index, const std::string& bytes) {
  if (stmt_)
    sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::BindZeroBlob(int index, int64_t bytes) {
  if (stmt_) sqlite3_bind_zeroblob64(stmt_, index, static_cast<sqlite3_uint64>(bytes));
  return *this;
}

Statement& Statement::BindNull(int index) {
  if (stmt_) sqlite3_bind_null(stmt_, index);
  return *this;
}

bool Statement::Step() {
  if (!stmt_ || !status_.ok()) return false;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) {
    status_ = Status::IOError(std::string("sqlite: ") + sqlite3_errmsg(db_));
  }
  return false;
}

Status Statement::Run() {
  while (Step()) {
  }
  return status_;
}

std::string Statement::ColumnText(int index) const {
  if (sqlite3_column_type(stmt_, index) == SQLITE_BLOB) {
    const void* blob = sqlite3_column_blob(stmt_, index);
    return blob ? std::string(static_cast<const char*>(blob),
                              static_cast<size_t>(sqlite3_column_bytes(stmt_, index)))
                : "";
  }
  const unsigned char* text = sqlite3_column_text(stmt_, index);
  if (!text) return "";
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, index)));
}

int64_t Statement::ColumnInt(int index) const { return sqlite3_column_int64(stmt_, index); }

bool Statement::ColumnIsNull(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

Blob::Blob(Blob&& other) noexcept : db_(other.db_), blob_(other.blob_) { other.blob_ = nullptr; }

Blob::~Blob() {
  if (blob_) sqlite3_blob_close(blob_);
}

int64_t Blob::size() const { return sqlite3_blob_bytes(blob_); }

Status Blob::Read(int64_t offset, char* out, int n) {
  if (sqlite3_blob_read(blob_, out, n, static_cast<int>(offset)) != SQLITE_OK) {
    return Status::IOError(std::string("sqlite: blob read: ") + sqlite3_errmsg(db_));
  }
  return Status::Ok();
}

Status Blob::Write(int64_t offset, const char* data, int n) {
  if (sqlite3_blob_write(blob_, data, n, static_cast<int>(offset)) != SQLITE_OK) {
    return Status::IOError(std::string("sqlite: blob write: ") + sqlite3_errmsg(db_));
  }
  return Status::Ok();
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : "out of memory";
    if (raw) sqlite3_close(raw);
    return Status::IOError("cannot open database " + path + ": " + msg);
  }
  std::unique_ptr<Database> db(new Database(raw));
  sqlite3_busy_timeout(raw, 5000);
  BERTH_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys = ON"));
  // Takes effect only while the file is empty (before WAL mode writes its header): new
  // databases.
  if (Status s = db->Exec("PRAGMA auto_vacuum = INCREMENTAL"); !s.ok()) {
    return Status::IOError("cannot use database " + path + ": " + sqlite3_errmsg(raw));
  }
  if (path != ":memory:") {
    auto st = db->Prepare("PRAGMA journal_mode = WAL");
    bool stepped = st.Step();
    if (!stepped || st.ColumnText(0) != "wal") {
      // SQLite's own reason: "file is not a database", "database disk image is malformed",
      // "attempt to write a readonly database"...
      std::string reason = stepped ? "journal mode stays " + st.ColumnText(0) : sqlite3_errmsg(raw);
      return Status::IOError("cannot use database " + path + ": " + reason);
    }
    BERTH_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous = NORMAL"));
    sqlite3_wal_hook(raw, CheckpointAfterCommit, nullptr);
  }
  return db;
}

Database::~Database() {
  // sqlite3_close refuses to close a connection with statements left.
  for (auto& [sql, stmts] : kept_) {
    for (sqlite3_stmt* stmt : stmts) sqlite3_finalize(stmt);
  }
  sqlite3_close(db_);
}

void Database::GiveBack(sqlite3_stmt* stmt) {
  // Reset ends its read (a statement stepped part way holds the WAL's read mark) whatever
  // the last step gave.
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  {
    std::lock_guard lock(kept_mu_);
    auto& stmts = kept_[sqlite3_sql(stmt)];
    if (stmts.size() < kKeptPerText) {
      stmts.push_back(stmt);
      return;
    }
  }
  sqlite3_finalize(stmt);
}

Status Database::Error(const std::string& what) const {
  return Status::IOError("sqlite: " + what + ": " + sqlite3_errmsg(db_));
}

Status Database::Exec(const std::string& sql) {
  std::lock_guard lock(mu_);
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::IOError("sqlite: " + msg);
  }
  return Status::Ok();
}

Statement Database::Prepare(const std::string& sql) {
  {
    std::lock_guard lock(kept_mu_);
    auto it = kept_.find(sql);
    if (it != kept_.end() && !it->second.empty()) {
      sqlite3_stmt* stmt = it->second.back();
      it->second.pop_back();
      return Statement(this, db_, stmt, Status::Ok());
    }
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    return Statement(this, db_, nullptr, Error("prepare"));
  }
  return Statement(this, db_, stmt, Status::Ok());
}

Status Database::Transaction(const std::function<Status()>& body) {
  std::lock_guard lock(mu_);
  // Nested calls become savepoints, so a store method that opens a transaction can run inside
  // a caller's larger one.
  const int depth = transaction_depth_;
  const std::string savepoint = "berth_sp_" + std::to_string(depth);
  BERTH_RETURN_IF_ERROR(Exec(depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT " + savepoint));
  ++transaction_depth_;
  Status s = body();
  --transaction_depth_;
  // A failed rollback leaves nothing more to do: the body's error is what the caller needs.
  if (!s.ok()) {
    if (depth == 0) {
      Exec("ROLLBACK").IgnoreError("the body's error is reported");
    } else {
      Exec("ROLLBACK TO " + savepoint).IgnoreError("the body's error is reported");
      Exec("RELEASE " + savepoint).IgnoreError("the body's error is reported");
    }
    return s;
  }
  Status c = Exec(depth == 0 ? "COMMIT" : "RELEASE " + savepoint);
  if (!c.ok() && depth == 0) Exec("ROLLBACK").IgnoreError("the commit's error is reported");
  return c;
}

Result<Blob> Database::OpenBlob(const std::string& table, const std::string& column, int64_t rowid,
                                bool write) {
  std::lock_guard lock(mu_);
  sqlite3_blob* blob = nullptr;
  if (sqlite3_blob_open(db_, "main", table.c_str(), column.c_str(), rowid, write ? 1 : 0, &blob) !=
      SQLITE_OK) {
    Status s = Error("blob open " + table + "." + column);
    if (blob) sqlite3_blob_close(blob);
    return s;
  }
  return Blob(db_, blob);
}

int64_t Database::LastInsertRowid() {
  std::lock_guard lock(mu_);
  return sqlite3_last_insert_rowid(db_);
}

int64_t Database::Changes() {
  std::lock_guard lock(mu_);
  return sqlite3_changes64(db_);
}

int64_t Database::MaxValueBytes() { return sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, -1); }

void Database::LowerMaxValueBytes(int64_t bytes) {
  sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, static_cast<int>(std::min<int64_t>(bytes, INT32_MAX)));
}

Status Database::Reclaim() {
  std::lock_guard lock(mu_);
  if (!sqlite3_get_autocommit(db_)) return Status::Ok();  // inside a transaction
  BERTH_RETURN_IF_ERROR(Exec("PRAGMA incremental_vacuum"));
  // Returns a row (busy, log pages, checkpointed pages); an in-memory database has no WAL.
  auto st = Prepare("PRAGMA wal_checkpoint(TRUNCATE)");
  return st.Run();
}

int64_t Database::AutoVacuum() {
  std::lock_guard lock(mu_);
  auto st = Prepare("PRAGMA auto_vacuum");
  return st.Step() ? st.ColumnInt(0) : 0;
}

int64_t Database::UserVersion() {
  std::lock_guard lock(mu_);
  auto st = Prepare("PRAGMA user_version");
  return st.Step() ? st.ColumnInt(0) : 0;
}

Status Database::SetUserVersion(int64_t version) {
  return Exec("PRAGMA user_version = " + std::to_string(version));
}

}  // namespace berth::store
