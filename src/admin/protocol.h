// The admin protocol: every request the CLI sends the server over the admin socket and every
// answer, as types both sides share. Neither side writes JSON or matches display text by hand.
//
// Transport: HTTP/1.1 over the unix socket SocketPath(home) (mode 0600: only its owner may
// call). Every operation is `POST <Request::kPath>` with the request as a JSON body; the answer
// is the Response as JSON (2xx), or an error body {"error": {"code", "message"}} whose status
// comes from HttpStatusFor(). Streaming operations (AppLogsRequest) answer chunked plain text.
//
// Adding an operation: a Request struct with kPath, a Response type and Fields(); the server
// registers a handler for it (server/admin_api.h) and the CLI calls Client().Call(request).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/json_fields.h"
#include "base/status.h"

namespace berth::admin {

// The admin socket of a Berth home folder.
std::string SocketPath(const std::string& home);

// ---- Errors.

// The HTTP status an error of this code is answered with (ok: 200).
int HttpStatusFor(Status::Code code);
// {"error": {"code": "<Status::CodeName>", "message": "..."}}.
nlohmann::json ErrorJson(const Status& status);
// The Status an error answer carries; a body that is not an error body becomes an Internal
// error quoting the HTTP status.
Status StatusFromError(int http_status, std::string_view body);

// ---- Server.

struct ServerInfo {
  std::string version;
  std::string home;
  int64_t pid = 0;
  int64_t http_port = -1;   // -1: disabled
  int64_t https_port = -1;  // -1: disabled
  std::string default_domain;
  template <typename V>
  void Fields(V& v) {
    v("version", version);
    v("home", home);
    v("pid", pid);
    v("http_port", http_port);
    v("https_port", https_port);
    v("default_domain", default_domain);
  }
  // The URL of an app path ("domain:/path"): https when it is enabled, else http.
  std::string AppUrl(const std::string& app_path) const;
};

struct ServerInfoRequest {
  static constexpr const char* kPath = "/api/v1/server";
  using Response = ServerInfo;
  template <typename V>
  void Fields(V&) {}
};

// ---- Apps.

// What a user sets on an app besides its source and spec, as given on the command line.
struct AppSettings {
  std::map<std::string, std::string> params;
  std::map<std::string, std::string> cargs;                 // build args
  std::map<std::string, std::optional<std::string>> copts;  // container options: k or k=v
  std::vector<std::string> cvols;                           // container volumes
  std::map<std::string, std::string> conf;                  // per-app config
  template <typename V>
  void Fields(V& v) {
    v("params", params);
    v("cargs", cargs);
    v("copts", copts);
    v("cvols", cvols);
    v("conf", conf);
  }
};

// One app as the server reports it.
struct AppInfo {
  std::string id;
  std::string path;     // "domain:/path"
  std::string main_id;  // a stage app's prod app, "" otherwise
  bool is_stage = false;
  bool dev = false;
  bool stage_ahead = false;  // prod: its stage app has a newer version
  std::string type;          // display: PROD, PROD* (stage_ahead), STG, DEV
  int64_t version = 0;
  std::string spec;
  std::string source;
  std::string state;  // "ready"; container apps: stopped, building, starting, running, failed
  std::string error;  // the last error, "" for none
  int64_t retry_in_secs = 0;   // failed: seconds until a request may start it again (backoff)
  bool build_held = false;     // failed: its build is not retried until a change or a restart
  int64_t start_attempts = 0;  // container starts begun since the server loaded the app
  std::vector<std::string> permissions;  // what needs --approve, one line each (granted)
  // The STATE column: "failed (retrying in 12s): <reason>", "running", ...
  std::string StateLine() const;
  template <typename V>
  void Fields(V& v) {
    v("id", id);
    v("path", path);
    v("main_id", main_id);
    v("is_stage", is_stage);
    v("dev", dev);
    v("stage_ahead", stage_ahead);
    v("type", type);
    v("version", version);
    v("spec", spec);
    v("source", source);
    v("state", state);
    v("error", error);
    v("retry_in_secs", retry_in_secs);
    v("build_held", build_held);
    v("start_attempts", start_attempts);
    v("permissions", permissions);
  }
};

struct AppsResponse {
  std::vector<AppInfo> apps;
  bool dry_run = false;  // nothing was changed
  template <typename V>
  void Fields(V& v) {
    v("apps", apps);
    v("dry_run", dry_run);
  }
};

struct CreateAppRequest {
  static constexpr const char* kPath = "/api/v1/apps/create";
  using Response = AppsResponse;
  std::string path;          // [domain:]/path
  std::string source = "-";  // "-", an absolute folder, or a git URL
  std::string spec;
  AppSettings settings;
  std::string branch = "main";
  std::string commit;
  bool approve = false;
  bool dev = false;
  bool dry_run = false;
  template <typename V>
  void Fields(V& v) {
    v("path", path);
    v("source", source);
    v("spec", spec);
    v("settings", settings);
    v("branch", branch);
    v("commit", commit);
    v("approve", approve);
    v("dev", dev);
    v("dry_run", dry_run);
  }
};

struct ListAppsRequest {
  static constexpr const char* kPath = "/api/v1/apps/list";
  using Response = AppsResponse;
  std::string glob = "all";
  bool internal = false;  // include stage apps
  template <typename V>
  void Fields(V& v) {
    v("glob", glob);
    v("internal", internal);
  }
};

struct DeleteAppsResponse {
  std::vector<AppInfo> apps;
  // The deleted apps' engine volumes: removed after their containers when volumes_removed,
  // else kept.
  std::vector<std::string> volumes;
  bool volumes_removed = false;
  std::string engine;  // the container engine's command, for the hint on kept volumes
  template <typename V>
  void Fields(V& v) {
    v("apps", apps);
    v("volumes", volumes);
    v("volumes_removed", volumes_removed);
    v("engine", engine);
  }
};

struct DeleteAppsRequest {
  static constexpr const char* kPath = "/api/v1/apps/delete";
  using Response = DeleteAppsResponse;
  std::string glob;
  bool volumes = false;  // remove the apps' engine volumes too
  template <typename V>
  void Fields(V& v) {
    v("glob", glob);
    v("volumes", volumes);
  }
};

// One volume of one app.
struct VolumeInfo {
  std::string app_id;
  std::string path;         // the app's domain:/path (a stage app's own path)
  std::string type;         // the app's type: PROD, PROD*, STG, DEV
  std::string destination;  // in the container; "" for an engine volume of the app that its
                            // current version does not mount
  std::string kind;         // "volume", "bind" or "cl_secret"
  std::string source;       // the engine volume name, the host path, or the template file
  std::string options;
  bool exists = false;  // volume: the engine has it now
  template <typename V>
  void Fields(V& v) {
    v("app_id", app_id);
    v("path", path);
    v("type", type);
    v("destination", destination);
    v("kind", kind);
    v("source", source);
    v("options", options);
    v("exists", exists);
  }
};

struct VolumesResponse {
  std::vector<VolumeInfo> volumes;
  template <typename V>
  void Fields(V& v) {
    v("volumes", volumes);
  }
};

// The volumes of the matching apps and their stage twins.
struct ListVolumesRequest {
  static constexpr const char* kPath = "/api/v1/volumes/list";
  using Response = VolumesResponse;
  std::string glob = "all";
  template <typename V>
  void Fields(V& v) {
    v("glob", glob);
  }
};

// Forgets the start failures of the matching apps (and their stage twins) and stops their
// running containers: the next request starts each afresh, a failed build is built again.
struct RestartAppsRequest {
  static constexpr const char* kPath = "/api/v1/apps/restart";
  using Response = AppsResponse;
  std::string glob;
  template <typename V>
  void Fields(V& v) {
    v("glob", glob);
  }
};

// Streams the container's output as plain text.
struct AppLogsRequest {
  static constexpr const char* kPath = "/api/v1/apps/logs";
  std::string path;
  int64_t lines = 100;
  bool follow = false;
  template <typename V>
  void Fields(V& v) {
    v("path", path);
    v("lines", lines);
    v("follow", follow);
  }
};

// ---- Staged changes, promotion, versions, audit.

// What a change did (or would do, in a dry run) to one app.
struct AppChange {
  std::string path;  // domain:/path of the app that changed (the stage path for staged changes)
  std::string id;
  std::string operation;  // "param update", "promote", "version switch", ...
  int64_t from_version = 0;
  int64_t to_version = 0;
  std::string changes;  // "" when nothing changed
  std::string note;     // "unchanged", "dry run", "idle: the next request starts it", ...
  template <typename V>
  void Fields(V& v) {
    v("path", path);
    v("id", id);
    v("operation", operation);
    v("from_version", from_version);
    v("to_version", to_version);
    v("changes", changes);
    v("note", note);
  }
};

struct ChangesResponse {
  std::vector<AppChange> changes;
  bool dry_run = false;
  template <typename V>
  void Fields(V& v) {
    v("changes", changes);
    v("dry_run", dry_run);
  }
};

// Sets (or with value "-", deletes) a param of the stage apps of the matching apps.
struct UpdateParamRequest {
  static constexpr const char* kPath = "/api/v1/params/update";
  using Response = ChangesResponse;
  std::string glob;
  std::string name;
  std::string value;
  bool promote = false;
  bool dry_run = false;
  template <typename V>
  void Fields(V& v) {
    v("glob", glob);
    v("name", name);
    v("value", value);
    v("promote", promote);
    v("dry_run", dry_run);
  }
};

struct ParamsResponse {
  std::string path;
  std::map<std::string, std::string> params;  // as written: secret templates unresolved
  template <typename V>
  void Fields(V& v) {
    v("path", path);
    v("params", params);
  }
};

struct ListParamsRequest {
  static constexpr const char* kPath = "/api/v1/params/list";
  using Response = ParamsResponse;
  std::string path;
  template <typename V>
  void Fields(V& v) {
    v("path", path);
  }
};

// kind: spec, carg/container-arg, copt/container-option, cvol/container-volume(s),
// conf/app-config (and param: name, value).
struct UpdateMetadataRequest {
  static constexpr const char* kPath = "/api/v1/apps/update-metadata";
  using Response = ChangesResponse;
  std::string glob;
  std::string kind;
  std::vector<std::string> values;
  bool promote = false;
  bool dry_run = false;
  template <typename V>
  void Fields(V& v) {
    v("glob", glob);
    v("kind", kind);
    v("values", values);
    v("promote", promote);
    v("dry_run", dry_run);
  }
};

struct PromoteAppsRequest {
  static constexpr const char* kPath = "/api/v1/apps/promote";
  using Response = ChangesResponse;
  std::string glob;
  bool dry_run = false;
  template <typename V>
  void Fields(V& v) {
    v("glob", glob);
    v("dry_run", dry_run);
  }
};

struct ReloadAppsRequest {
  static constexpr const char* kPath = "/api/v1/apps/reload";
  using Response = ChangesResponse;
  std::string glob;
  std::string branch;  // "" keeps the app's
  std::string commit;  // "" takes the branch's newest
  bool force_reload = false;
  bool promote = false;
  bool approve = false;
  bool dry_run = false;
  template <typename V>
  void Fields(V& v) {
    v("glob", glob);
    v("branch", branch);
    v("commit", commit);
    v("force_reload", force_reload);
    v("promote", promote);
    v("approve", approve);
    v("dry_run", dry_run);
  }
};

struct ApproveAppsRequest {
  static constexpr const char* kPath = "/api/v1/apps/approve";
  using Response = ChangesResponse;
  std::string glob;
  bool promote = false;
  bool dry_run = false;
  template <typename V>
  void Fields(V& v) {
    v("glob", glob);
    v("promote", promote);
    v("dry_run", dry_run);
  }
};

struct VersionInfo {
  int64_t version = 0;
  bool current = false;
  std::string created_at;
  std::string spec;
  std::string changes;
  std::string actor;
  template <typename V>
  void Fields(V& v) {
    v("version", version);
    v("current", current);
    v("created_at", created_at);
    v("spec", spec);
    v("changes", changes);
    v("actor", actor);
  }
};

struct VersionsResponse {
  std::string path;
  int64_t current = 0;
  std::vector<VersionInfo> versions;  // oldest first
  template <typename V>
  void Fields(V& v) {
    v("path", path);
    v("current", current);
    v("versions", versions);
  }
};

struct ListVersionsRequest {
  static constexpr const char* kPath = "/api/v1/versions/list";
  using Response = VersionsResponse;
  std::string path;
  template <typename V>
  void Fields(V& v) {
    v("path", path);
  }
};

struct VersionFile {
  std::string path;
  int64_t size = 0;
  int64_t mode = 0;
  std::string sha256;
  template <typename V>
  void Fields(V& v) {
    v("path", path);
    v("size", size);
    v("mode", mode);
    v("sha256", sha256);
  }
};

struct VersionFilesResponse {
  int64_t version = 0;
  std::vector<VersionFile> files;
  template <typename V>
  void Fields(V& v) {
    v("version", version);
    v("files", files);
  }
};

struct VersionFilesRequest {
  static constexpr const char* kPath = "/api/v1/versions/files";
  using Response = VersionFilesResponse;
  std::string path;
  int64_t version = 0;  // 0: the current one
  template <typename V>
  void Fields(V& v) {
    v("path", path);
    v("version", version);
  }
};

// to: a version number, "previous", "next", or "revert".
struct SwitchVersionRequest {
  static constexpr const char* kPath = "/api/v1/versions/switch";
  using Response = ChangesResponse;
  std::string path;
  std::string to;
  bool dry_run = false;
  template <typename V>
  void Fields(V& v) {
    v("path", path);
    v("to", to);
    v("dry_run", dry_run);
  }
};

struct AuditInfo {
  std::string at;
  std::string actor;
  std::string path;
  std::string operation;
  std::string detail;
  template <typename V>
  void Fields(V& v) {
    v("at", at);
    v("actor", actor);
    v("path", path);
    v("operation", operation);
    v("detail", detail);
  }
};

struct AuditResponse {
  std::vector<AuditInfo> entries;  // newest first
  template <typename V>
  void Fields(V& v) {
    v("entries", entries);
  }
};

struct AuditRequest {
  static constexpr const char* kPath = "/api/v1/apps/audit";
  using Response = AuditResponse;
  std::string glob = "all";
  int64_t limit = 50;
  template <typename V>
  void Fields(V& v) {
    v("glob", glob);
    v("limit", limit);
  }
};

// ---- App specs.

struct SpecParam {
  std::string name;
  std::string type;              // STRING, INT, BOOLEAN, LIST, DICT
  nlohmann::json default_value;  // null: none
  bool required = false;
  std::string description;
  template <typename V>
  void Fields(V& v) {
    v("name", name);
    v("type", type);
    v("default", default_value);
    v("required", required);
    v("description", description);
  }
};

struct SpecInfo {
  std::string name;
  std::vector<SpecParam> params;
  bool container = false;  // the spec runs a container
  std::string error;       // params.star does not load
  template <typename V>
  void Fields(V& v) {
    v("name", name);
    v("params", params);
    v("container", container);
    v("error", error);
  }
};

struct SpecsResponse {
  std::vector<SpecInfo> specs;
  template <typename V>
  void Fields(V& v) {
    v("specs", specs);
  }
};

struct ListSpecsRequest {
  static constexpr const char* kPath = "/api/v1/specs/list";
  using Response = SpecsResponse;
  template <typename V>
  void Fields(V&) {}
};

struct SpecFiles {
  std::string name;
  std::map<std::string, std::string> files;
  template <typename V>
  void Fields(V& v) {
    v("name", name);
    v("files", files);
  }
};

struct ShowSpecRequest {
  static constexpr const char* kPath = "/api/v1/specs/show";
  using Response = SpecFiles;
  std::string name;
  template <typename V>
  void Fields(V& v) {
    v("name", name);
  }
};

}  // namespace berth::admin

// ---- Secrets: the values of the built-in store's db* providers (secrets/secret_store.h).
// Values travel only in CreateSecretRequest and ShowSecretRequest's answer, over the admin
// socket (owner-only); every other answer and every error names secrets, never values.

namespace berth::admin {

struct SecretInfo {
  std::string provider;
  std::string name;
  std::string created_at;  // RFC 3339, UTC
  std::string updated_at;
  template <typename V>
  void Fields(V& v) {
    v("provider", provider);
    v("name", name);
    v("created_at", created_at);
    v("updated_at", updated_at);
  }
};

struct SecretsResponse {
  std::vector<SecretInfo> secrets;
  bool created = false;  // CreateSecretRequest: a new secret (false: a value replaced)
  int64_t rekeyed = 0;   // RekeySecretsRequest: values re-encrypted
  template <typename V>
  void Fields(V& v) {
    v("secrets", secrets);
    v("created", created);
    v("rekeyed", rekeyed);
  }
};

// Creates a secret, or replaces its value. `provider` must be a db* provider.
struct CreateSecretRequest {
  static constexpr const char* kPath = "/api/v1/secrets/create";
  using Response = SecretsResponse;
  std::string provider;
  std::string name;
  std::string value;
  template <typename V>
  void Fields(V& v) {
    v("provider", provider);
    v("name", name);
    v("value", value);
  }
};

// Names and dates of the stored secrets ("" = every db* provider).
struct ListSecretsRequest {
  static constexpr const char* kPath = "/api/v1/secrets/list";
  using Response = SecretsResponse;
  std::string provider;
  template <typename V>
  void Fields(V& v) {
    v("provider", provider);
  }
};

struct SecretValue {
  std::string provider;
  std::string name;
  std::string value;
  template <typename V>
  void Fields(V& v) {
    v("provider", provider);
    v("name", name);
    v("value", value);
  }
};

struct ShowSecretRequest {
  static constexpr const char* kPath = "/api/v1/secrets/show";
  using Response = SecretValue;
  std::string provider;
  std::string name;
  template <typename V>
  void Fields(V& v) {
    v("provider", provider);
    v("name", name);
  }
};

struct DeleteSecretRequest {
  static constexpr const char* kPath = "/api/v1/secrets/delete";
  using Response = SecretsResponse;
  std::string provider;
  std::string name;
  template <typename V>
  void Fields(V& v) {
    v("provider", provider);
    v("name", name);
  }
};

// A new key for the built-in store; every value is re-encrypted with it.
struct RekeySecretsRequest {
  static constexpr const char* kPath = "/api/v1/secrets/rekey";
  using Response = SecretsResponse;
  template <typename V>
  void Fields(V&) {}
};

}  // namespace berth::admin
