#include "store/source_store.h"

#include "base/hash.h"

namespace berth::store {

Status SourceStore::Put(const std::string& app_id, int64_t version, const SourceFiles& files) {
  auto lock = db_.Lock();
  for (const auto& [path, file] : files) {
    std::string sha = Sha256Hex(file.content);
    BERTH_RETURN_IF_ERROR(db_.Prepare("INSERT OR IGNORE INTO files (sha256, content) VALUES (?, ?)")
                              .Bind(1, sha)
                              .BindBlob(2, file.content)
                              .Run());
    BERTH_RETURN_IF_ERROR(
        db_.Prepare(
               "INSERT INTO app_files (app_id, version, path, sha256, mode) VALUES (?,?,?,?,?)")
            .Bind(1, app_id)
            .Bind(2, version)
            .Bind(3, path)
            .Bind(4, sha)
            .Bind(5, int64_t{file.mode})
            .Run());
  }
  return Status::Ok();
}

Result<SourceFiles> SourceStore::Get(const std::string& app_id, int64_t version) {
  auto lock = db_.Lock();
  auto st = db_.Prepare(
      "SELECT af.path, af.mode, f.content FROM app_files af JOIN files f ON f.sha256 = af.sha256 "
      "WHERE af.app_id = ? AND af.version = ?");
  st.Bind(1, app_id).Bind(2, version);
  SourceFiles out;
  while (st.Step()) {
    out[st.ColumnText(0)] = SourceFile{st.ColumnText(2), static_cast<int>(st.ColumnInt(1))};
  }
  BERTH_RETURN_IF_ERROR(st.status());
  return out;
}

namespace {

Result<std::map<std::pair<std::string, int64_t>, std::string>> DigestsOf(Database& db,
                                                                         const std::string& sql) {
  auto lock = db.Lock();
  auto st = db.Prepare(sql);
  std::map<std::pair<std::string, int64_t>, std::string> out;
  while (st.Step()) {
    std::string& digest = out[{st.ColumnText(0), st.ColumnInt(1)}];
    digest +=
        st.ColumnText(2) + '\0' + std::to_string(st.ColumnInt(3)) + '\0' + st.ColumnText(4) + '\n';
  }
  BERTH_RETURN_IF_ERROR(st.status());
  for (auto& [key, digest] : out) digest = Sha256Hex(digest);
  return out;
}

}  // namespace

Result<std::map<std::pair<std::string, int64_t>, std::string>> SourceStore::Digests() {
  return DigestsOf(
      db_,
      "SELECT app_id, version, path, mode, sha256 FROM app_files ORDER BY app_id, version, path");
}

Result<std::map<std::pair<std::string, int64_t>, std::string>> SourceStore::CurrentDigests() {
  return DigestsOf(
      db_,
      "SELECT f.app_id, f.version, f.path, f.mode, f.sha256 FROM apps a JOIN app_files f"
      " ON f.app_id = a.id AND f.version = a.version ORDER BY f.app_id, f.path");
}

Status SourceStore::CollectGarbage() {
  return db_.Exec("DELETE FROM files WHERE sha256 NOT IN (SELECT sha256 FROM app_files)");
}

}  // namespace berth::store
