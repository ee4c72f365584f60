#include "store/app_store.h"

#include <algorithm>
#include <ctime>
#include <unordered_map>

namespace berth::store {

using nlohmann::json;

json AppMetadata::ToJson() const {
  json copts_json = json::object();
  for (const auto& [k, v] : copts) copts_json[k] = v ? json(*v) : json(nullptr);
  return json{{"params", params}, {"cargs", cargs},      {"copts", copts_json},
              {"cvols", cvols},   {"conf", conf},        {"branch", branch},
              {"commit", commit}, {"approved", approved}};
}

Result<AppMetadata> AppMetadata::FromJson(const json& j) {
  if (!j.is_object()) return Status::InvalidArgument("app metadata is not a JSON object");
  AppMetadata m;
  auto str_map = [&](const char* key, std::map<std::string, std::string>& out) -> Status {
    if (!j.contains(key)) return Status::Ok();
    const json& v = j.at(key);
    if (!v.is_object()) return Status::InvalidArgument(std::string(key) + " must be an object");
    for (const auto& [k, val] : v.items()) {
      if (!val.is_string()) {
        return Status::InvalidArgument(std::string(key) + "." + k + " must be a string");
      }
      out[k] = val.get<std::string>();
    }
    return Status::Ok();
  };
  BERTH_RETURN_IF_ERROR(str_map("params", m.params));
  BERTH_RETURN_IF_ERROR(str_map("cargs", m.cargs));
  BERTH_RETURN_IF_ERROR(str_map("conf", m.conf));
  if (j.contains("copts")) {
    if (!j["copts"].is_object()) return Status::InvalidArgument("copts must be an object");
    for (const auto& [k, v] : j["copts"].items()) {
      if (v.is_null())
        m.copts[k] = std::nullopt;
      else if (v.is_string())
        m.copts[k] = v.get<std::string>();
      else
        return Status::InvalidArgument("copts." + k + " must be a string or null");
    }
  }
  if (j.contains("cvols")) {
    if (!j["cvols"].is_array()) return Status::InvalidArgument("cvols must be an array");
    for (const auto& v : j["cvols"]) {
      if (!v.is_string()) return Status::InvalidArgument("cvols entries must be strings");
      m.cvols.push_back(v.get<std::string>());
    }
  }
  if (j.contains("branch") && j["branch"].is_string()) m.branch = j["branch"];
  if (j.contains("commit") && j["commit"].is_string()) m.commit = j["commit"];
  if (j.contains("approved") && j["approved"].is_boolean()) m.approved = j["approved"];
  return m;
}

std::string NowRfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {
constexpr const char* kColumns =
    "id, domain, path, is_stage, main_id, source, spec, dev, version, metadata, created_at, "
    "updated_at, switched_from";
}  // namespace

Status AppStore::Insert(const AppRecord& r, const std::string& actor) {
  auto st = db_.Prepare(std::string("INSERT INTO apps (") + kColumns +
                        ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
  st.Bind(1, r.id).Bind(2, r.domain).Bind(3, r.path).Bind(4, int64_t{r.is_stage});
  if (r.main_id.empty())
    st.BindNull(5);
  else
    st.Bind(5, r.main_id);
  std::string meta = r.metadata.ToJson().dump();
  st.Bind(6, r.source).Bind(7, r.spec).Bind(8, int64_t{r.dev}).Bind(9, r.version);
  st.Bind(10, meta).Bind(11, r.created_at).Bind(12, r.updated_at).Bind(13, r.switched_from);
  Status s = st.Run();
  if (!s.ok()) {
    if (s.message().find("UNIQUE") != std::string::npos) {
      return Status::AlreadyExists("app " + r.domain + ":" + r.path + " already exists");
    }
    return s;
  }
  VersionRecord v;
  v.version = r.version;
  v.spec = r.spec;
  v.metadata = r.metadata;
  v.changes = "created";
  v.actor = actor;
  v.created_at = r.created_at;
  return AddVersion(r.id, v);
}

namespace {

// Hands each row of a SELECT of kColumns to `visit`. Equal metadata texts (apps made alike)
// are parsed once, among the last kMaxParsed distinct ones: the memo stays small while a walk
// of every app keeps what `visit` made of the rows before (a bigger one, freed at the end,
// would leave holes among those in the heap).
constexpr size_t kMaxParsed = 64;
Status VisitRows(Statement& st, const std::function<Status(AppRecord&&)>& visit) {
  std::unordered_map<std::string, AppMetadata> parsed;
  while (st.Step()) {
    AppRecord r;
    r.id = st.ColumnText(0);
    r.domain = st.ColumnText(1);
    r.path = st.ColumnText(2);
    r.is_stage = st.ColumnInt(3) != 0;
    r.main_id = st.ColumnText(4);
    r.source = st.ColumnText(5);
    r.spec = st.ColumnText(6);
    r.dev = st.ColumnInt(7) != 0;
    r.version = st.ColumnInt(8);
    std::string text = st.ColumnText(9);
    if (auto known = parsed.find(text); known != parsed.end()) {
      r.metadata = known->second;
    } else {
      json meta = json::parse(text, nullptr, /*allow_exceptions=*/false);
      auto read = meta.is_discarded() ? Result<AppMetadata>(Status::InvalidArgument("not JSON"))
                                      : AppMetadata::FromJson(meta);
      if (read.ok()) {
        r.metadata = std::move(*read);
        if (parsed.size() >= kMaxParsed) parsed.clear();
        parsed.emplace(std::move(text), r.metadata);
      } else {
        r.metadata_error = "its stored metadata cannot be read: " + read.status().message();
      }
    }
    r.created_at = st.ColumnText(10);
    r.updated_at = st.ColumnText(11);
    r.switched_from = st.ColumnInt(12);
    BERTH_RETURN_IF_ERROR(visit(std::move(r)));
  }
  return st.status();
}

Result<std::vector<AppRecord>> ReadRows(Statement& st) {
  std::vector<AppRecord> out;
  BERTH_RETURN_IF_ERROR(VisitRows(st, [&out](AppRecord&& r) {
    out.push_back(std::move(r));
    return Status::Ok();
  }));
  return out;
}

}  // namespace

Status AppStore::Create(const AppRecord& prod, const AppRecord& stage,
                        const std::function<Status(const std::vector<AppRecord>&)>& check,
                        const std::string& actor) {
  return db_.Transaction([&]() -> Status {
    // Only the rows that can conflict, each found through the (domain, path) index: the
    // apps at the new path, at its stage path and at each of its ancestors ("/", "/a" for
    // "/a/b"), and the first prod app under it.
    std::vector<std::string> exact = {prod.path, stage.path};
    if (prod.path != "/") exact.push_back("/");
    for (size_t slash = prod.path.find('/', 1); slash != std::string::npos;
         slash = prod.path.find('/', slash + 1)) {
      exact.push_back(prod.path.substr(0, slash));
    }
    std::vector<AppRecord> existing;
    for (const auto& path : exact) {
      auto st = db_.Prepare(std::string("SELECT ") + kColumns +
                            " FROM apps WHERE domain = ? AND path = ?");
      st.Bind(1, prod.domain).Bind(2, path);
      BERTH_ASSIGN_OR_RETURN(auto rows, ReadRows(st));
      for (auto& r : rows) existing.push_back(std::move(r));
    }
    // Under "/a": every path from "/a/" (exclusive) up to "/a0" ('0' follows '/').
    bool root = prod.path == "/";
    auto under = db_.Prepare(std::string("SELECT ") + kColumns +
                             " FROM apps WHERE domain = ? AND path > ? AND path < ? AND "
                             "is_stage = 0 ORDER BY path LIMIT 1");
    under.Bind(1, prod.domain)
        .Bind(2, root ? std::string("/") : prod.path + "/")
        .Bind(3, root ? std::string("0") : prod.path + "0");
    BERTH_ASSIGN_OR_RETURN(auto below, ReadRows(under));
    for (auto& r : below) existing.push_back(std::move(r));

    for (const auto& e : existing) {
      if (e.path == prod.path || e.path == stage.path) {
        return Status::AlreadyExists("app " + e.domain + ":" + e.path + " already exists");
      }
    }
    if (check) BERTH_RETURN_IF_ERROR(check(existing));
    BERTH_RETURN_IF_ERROR(Insert(prod, actor));
    return Insert(stage, actor);
  });
}

namespace {

// The apps (those matching `where` when it is not empty), ordered by domain and path.
std::string SelectApps(const std::string& where) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM apps";
  if (!where.empty()) sql += " WHERE " + where;
  return sql + " ORDER BY domain, path";
}

}  // namespace

Result<std::vector<AppRecord>> AppStore::Query(const std::string& where, const std::string& arg) {
  auto lock = db_.Lock();
  auto st = db_.Prepare(SelectApps(where));
  if (!where.empty()) st.Bind(1, arg);
  return ReadRows(st);
}

Result<std::vector<AppRecord>> AppStore::List() { return Query("", ""); }

Status AppStore::ForEach(const std::function<Status(AppRecord&&)>& visit) {
  auto lock = db_.Lock();
  // While this statement is stepping, SQLite keeps its read transaction open: what `visit`
  // reads sees the same snapshot and takes no locks of its own.
  auto st = db_.Prepare(SelectApps(""));
  return VisitRows(st, visit);
}

Result<AppRecord> AppStore::Get(const std::string& id) {
  BERTH_ASSIGN_OR_RETURN(auto rows, Query("id = ?", id));
  if (rows.empty()) return Status::NotFound("app " + id + " not found");
  return rows.front();
}

Status AppStore::Delete(const std::vector<std::string>& ids) {
  return db_.Transaction([&]() -> Status {
    for (const auto& id : ids) {
      BERTH_RETURN_IF_ERROR(db_.Prepare("DELETE FROM apps WHERE id = ?").Bind(1, id).Run());
    }
    return Status::Ok();
  });
}

Status AppStore::Update(const AppRecord& r) {
  auto lock = db_.Lock();
  auto st = db_.Prepare(
      "UPDATE apps SET spec = ?, version = ?, metadata = ?, switched_from = ?, updated_at = ? "
      "WHERE id = ?");
  st.Bind(1, r.spec).Bind(2, r.version).Bind(3, r.metadata.ToJson().dump());
  st.Bind(4, r.switched_from).Bind(5, NowRfc3339()).Bind(6, r.id);
  BERTH_RETURN_IF_ERROR(st.Run());
  auto changed = db_.Prepare("SELECT changes()");
  if (!changed.Step() || changed.ColumnInt(0) == 0) {
    return Status::NotFound("app " + r.id + " not found");
  }
  return Status::Ok();
}

Status AppStore::AddVersion(const std::string& app_id, const VersionRecord& v) {
  auto lock = db_.Lock();
  auto st = db_.Prepare(
      "INSERT INTO app_versions (app_id, version, metadata, created_at, spec, changes, actor) "
      "VALUES (?,?,?,?,?,?,?)");
  st.Bind(1, app_id).Bind(2, v.version).Bind(3, v.metadata.ToJson().dump());
  st.Bind(4, v.created_at.empty() ? NowRfc3339() : v.created_at).Bind(5, v.spec);
  st.Bind(6, v.changes).Bind(7, v.actor);
  Status s = st.Run();
  if (!s.ok() && s.message().find("UNIQUE") != std::string::npos) {
    return Status::AlreadyExists("app " + app_id + " already has version " +
                                 std::to_string(v.version));
  }
  return s;
}

namespace {

Result<std::vector<VersionRecord>> ReadVersions(Statement& st) {
  std::vector<VersionRecord> out;
  while (st.Step()) {
    VersionRecord v;
    v.version = st.ColumnInt(0);
    json meta = json::parse(st.ColumnText(1), nullptr, /*allow_exceptions=*/false);
    BERTH_ASSIGN_OR_RETURN(v.metadata, AppMetadata::FromJson(meta));
    v.created_at = st.ColumnText(2);
    v.spec = st.ColumnText(3);
    v.changes = st.ColumnText(4);
    v.actor = st.ColumnText(5);
    out.push_back(std::move(v));
  }
  BERTH_RETURN_IF_ERROR(st.status());
  return out;
}

constexpr const char* kVersionColumns = "version, metadata, created_at, spec, changes, actor";

}  // namespace

Result<std::vector<VersionRecord>> AppStore::Versions(const std::string& app_id) {
  auto lock = db_.Lock();
  auto st = db_.Prepare(std::string("SELECT ") + kVersionColumns +
                        " FROM app_versions WHERE app_id = ? ORDER BY version");
  st.Bind(1, app_id);
  return ReadVersions(st);
}

Result<VersionRecord> AppStore::Version(const std::string& app_id, int64_t version) {
  auto lock = db_.Lock();
  auto st = db_.Prepare(std::string("SELECT ") + kVersionColumns +
                        " FROM app_versions WHERE app_id = ? AND version = ?");
  st.Bind(1, app_id).Bind(2, version);
  BERTH_ASSIGN_OR_RETURN(auto rows, ReadVersions(st));
  if (rows.empty()) {
    return Status::NotFound("the app has no version " + std::to_string(version));
  }
  return rows.front();
}

Result<int64_t> AppStore::MaxVersion(const std::vector<std::string>& app_ids) {
  auto lock = db_.Lock();
  int64_t max = 0;
  for (const auto& id : app_ids) {
    auto st = db_.Prepare("SELECT COALESCE(MAX(version), 0) FROM app_versions WHERE app_id = ?");
    st.Bind(1, id);
    if (st.Step()) max = std::max(max, st.ColumnInt(0));
    BERTH_RETURN_IF_ERROR(st.status());
  }
  return max;
}

Result<int64_t> AppStore::PruneVersions(const std::string& app_id, int64_t keep,
                                        const std::vector<int64_t>& pinned) {
  auto lock = db_.Lock();
  BERTH_ASSIGN_OR_RETURN(auto versions, Versions(app_id));
  int64_t excess = static_cast<int64_t>(versions.size()) - keep;
  int64_t deleted = 0;
  for (const auto& v : versions) {  // oldest first
    if (excess <= 0) break;
    if (std::find(pinned.begin(), pinned.end(), v.version) != pinned.end()) continue;
    BERTH_RETURN_IF_ERROR(db_.Prepare("DELETE FROM app_versions WHERE app_id = ? AND version = ?")
                              .Bind(1, app_id)
                              .Bind(2, v.version)
                              .Run());
    BERTH_RETURN_IF_ERROR(db_.Prepare("DELETE FROM app_files WHERE app_id = ? AND version = ?")
                              .Bind(1, app_id)
                              .Bind(2, v.version)
                              .Run());
    --excess;
    ++deleted;
  }
  return deleted;
}

}  // namespace berth::store
