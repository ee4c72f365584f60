#include "store/migrations.h"

namespace berth::store {

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, R"sql(
        CREATE TABLE apps (
          id          TEXT PRIMARY KEY,
          domain      TEXT NOT NULL,
          path        TEXT NOT NULL,
          is_stage    INTEGER NOT NULL DEFAULT 0,
          main_id     TEXT REFERENCES apps(id) ON DELETE CASCADE,
          source      TEXT NOT NULL,
          spec        TEXT NOT NULL,
          dev         INTEGER NOT NULL DEFAULT 0,
          version     INTEGER NOT NULL DEFAULT 1,
          metadata    TEXT NOT NULL,
          created_at  TEXT NOT NULL,
          updated_at  TEXT NOT NULL,
          UNIQUE (domain, path)
        );
        CREATE INDEX apps_main_id ON apps(main_id);
        CREATE TABLE app_versions (
          app_id      TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
          version     INTEGER NOT NULL,
          metadata    TEXT NOT NULL,
          created_at  TEXT NOT NULL,
          PRIMARY KEY (app_id, version)
        );
      )sql"},
      {2, R"sql(
        -- App source files, content-addressed: a file's bytes are stored once however many
        -- apps and versions use it.
        CREATE TABLE files (
          sha256      TEXT PRIMARY KEY,
          content     BLOB NOT NULL
        );
        CREATE TABLE app_files (
          app_id      TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
          version     INTEGER NOT NULL,
          path        TEXT NOT NULL,
          sha256      TEXT NOT NULL REFERENCES files(sha256),
          mode        INTEGER NOT NULL,
          PRIMARY KEY (app_id, version, path)
        );
      )sql"},
      {3, R"sql(
        -- Versions: what each one changed and who made it; the version an app was switched
        -- away from (for `version revert`); and the audit list of every change.
        ALTER TABLE apps ADD COLUMN switched_from INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE app_versions ADD COLUMN spec TEXT NOT NULL DEFAULT '';
        ALTER TABLE app_versions ADD COLUMN changes TEXT NOT NULL DEFAULT '';
        ALTER TABLE app_versions ADD COLUMN actor TEXT NOT NULL DEFAULT '';
        CREATE INDEX app_files_sha256 ON app_files(sha256);
        CREATE TABLE audit (
          id          INTEGER PRIMARY KEY AUTOINCREMENT,
          at          TEXT NOT NULL,
          actor       TEXT NOT NULL,
          app_id      TEXT NOT NULL,
          app_path    TEXT NOT NULL,
          operation   TEXT NOT NULL,
          detail      TEXT NOT NULL
        );
        CREATE INDEX audit_app_path ON audit(app_path, id);
      )sql"},
      {4, R"sql(
        -- The built-in secret store (src/secrets/secret_store.h): values encrypted with
        -- AES-256-GCM under a key kept outside the database; key_id names that key.
        CREATE TABLE secrets (
          provider    TEXT NOT NULL,
          name        TEXT NOT NULL,
          nonce       BLOB NOT NULL,
          ciphertext  BLOB NOT NULL,
          key_id      TEXT NOT NULL,
          created_at  TEXT NOT NULL,
          updated_at  TEXT NOT NULL,
          PRIMARY KEY (provider, name)
        );
      )sql"},
  };
  return kMigrations;
}

Status Migrate(Database& db, const std::vector<Migration>& migrations) {
  auto lock = db.Lock();
  int64_t newest = migrations.empty() ? 0 : migrations.back().version;
  int64_t current = db.UserVersion();
  if (current > newest) {
    return Status::FailedPrecondition("the metadata database is at schema version " +
                                      std::to_string(current) +
                                      ", newer than this berth binary supports (" +
                                      std::to_string(newest) + "); use a newer berth");
  }
  for (const auto& m : migrations) {
    if (m.version <= current) continue;
    Status s = db.Transaction([&]() -> Status {
      BERTH_RETURN_IF_ERROR(db.Exec(m.sql));
      return db.SetUserVersion(m.version);
    });
    if (!s.ok()) return s.WithContext("migration " + std::to_string(m.version));
  }
  // A database made before auto_vacuum = INCREMENTAL (see Database::Open) switches with one
  // VACUUM (it rewrites the file, once), so deleted source files give their space back.
  if (db.AutoVacuum() != 2) {
    BERTH_RETURN_IF_ERROR(db.Exec("PRAGMA auto_vacuum = INCREMENTAL"));
    Status s = db.Exec("VACUUM");
    if (!s.ok()) return s.WithContext("switching the database to incremental vacuum");
  }
  return Status::Ok();
}

}  // namespace berth::store
