#include "server/server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <unistd.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "admin/protocol.h"
#include "app/app_service.h"
#include "app/container_app_registry.h"
#include "appspec/spec_library.h"
#include "base/command_runner.h"
#include "base/files.h"
#include "container/make_runtime.h"
#include "proxy/proxy_server.h"
#include "secrets/secret_providers.h"
#include "server/admin_api.h"
#include "server/admin_server.h"
#include "server/app_api.h"
#include "server/change_api.h"
#include "server/log_api.h"
#include "server/secret_api.h"
#include "server/spec_api.h"
#include "server/tls.h"
#include "store/database.h"
#include "store/migrations.h"

namespace berth::server {

struct Server::Impl {
  explicit Impl(Config c) : config(std::move(c)) {}

  Config config;
  int lock_fd = -1;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<secrets::SecretProviders> secrets;  // uses db
  proxy::Router router;
  std::unique_ptr<appspec::SpecLibrary> specs;
  std::unique_ptr<app::SpecResolver> resolver;
  RealCommandRunner runner;
  std::unique_ptr<app::ContainerAppRegistry> containers;
  std::unique_ptr<app::AppService> apps;
  std::unique_ptr<TlsContexts> tls;
  std::unique_ptr<proxy::ProxyServer> proxy;
  std::unique_ptr<AdminApi> api;
  std::unique_ptr<AdminServer> admin;
  std::shared_ptr<spdlog::logger> access_logger;
  int http_port = -1;
  int https_port = -1;
  bool running = false;

  Status TakeLock();
  void ReleaseLock();
  Status SetUpLogging();
  // The steps of Server::Start, in order.
  Status OpenStore();  // the database, migrated, and the secret providers
  Status MakeApps();   // specs, the container registry and the app service, loaded
  Status MakeProxy();  // the proxy with its listeners bound
  Status MakeAdmin();  // the admin API on its socket
  admin::ServerInfo Info() const;
};

namespace {

// Raises the soft open-file limit to the hard one (every proxied request holds two sockets,
// and the default soft limit is often 1024). Returns the limit now in force.
rlim_t RaiseFileLimit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
  if (rl.rlim_cur < rl.rlim_max) {
    rlimit raised = rl;
    raised.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) return raised.rlim_cur;
  }
  return rl.rlim_cur;
}

}  // namespace

Status Server::Impl::TakeLock() {
  std::string path = config.lock_path();
  lock_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = {0};
    ssize_t n = ::pread(lock_fd, buf, sizeof(buf) - 1, 0);
    std::string pid = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "?";
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    ::close(lock_fd);
    lock_fd = -1;
    return Status::AlreadyExists("another berth server (pid " + pid +
                                 ") is already running with home " + config.home);
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(lock_fd, 0) != 0 || ::pwrite(lock_fd, pid.data(), pid.size(), 0) < 0) {
    return Status::IOError("cannot write " + path);
  }
  return Status::Ok();
}

void Server::Impl::ReleaseLock() {
  if (lock_fd >= 0) {
    ::flock(lock_fd, LOCK_UN);
    ::close(lock_fd);
    lock_fd = -1;
  }
}

Status Server::Impl::SetUpLogging() {
  std::string dir = config.log_file.substr(0, config.log_file.rfind('/'));
  BERTH_RETURN_IF_ERROR(MakeDirs(dir, 0700));
  std::vector<spdlog::sink_ptr> sinks;
  try {
    sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(config.log_file));
  } catch (const spdlog::spdlog_ex& e) {
    return Status::IOError("cannot open log file " + config.log_file + ": " + e.what());
  }
  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  console->set_level(spdlog::level::warn);
  sinks.push_back(console);
  // Every line says which logger wrote it: [server] for startup and lifecycle, [access] for
  // requests. The pattern goes on the logger before sinks are shared: spdlog keeps one
  // formatter per sink, so a second logger's set_pattern would retag the first's lines.
  auto logger = std::make_shared<spdlog::logger>("server", sinks.begin(), sinks.end());
  logger->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%n] [%l] %v");
  auto level = spdlog::level::from_str(config.log_level);
  logger->set_level(level);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  if (config.access_log) {
    access_logger = std::make_shared<spdlog::logger>("access", sinks[0]);
    access_logger->flush_on(spdlog::level::warn);
  }
  return Status::Ok();
}

admin::ServerInfo Server::Impl::Info() const {
  return admin::ServerInfo{BERTH_VERSION, config.home, ::getpid(),
                           http_port,     https_port,  config.default_domain};
}

Server::Server(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Server::~Server() { Shutdown(); }

int Server::http_port() const { return impl_->http_port; }
int Server::https_port() const { return impl_->https_port; }

Status Server::Impl::OpenStore() {
  std::string db_dir = config.db_path.substr(0, config.db_path.rfind('/'));
  BERTH_RETURN_IF_ERROR(MakeDirs(db_dir, 0700));
  BERTH_ASSIGN_OR_RETURN(db, store::Database::Open(config.db_path));
  BERTH_RETURN_IF_ERROR(store::Migrate(*db));
  secrets::SecretProviders::Options secret_options;
  secret_options.providers = config.secrets;
  secret_options.default_provider = config.security.default_secrets_provider;
  secret_options.db = db.get();
  secret_options.key_file = config.home + "/config/secret.key";
  BERTH_ASSIGN_OR_RETURN(secrets, secrets::SecretProviders::Create(std::move(secret_options)));
  return Status::Ok();
}

Status Server::Impl::MakeApps() {
  const Config& c = config;
  specs = std::make_unique<appspec::SpecLibrary>(c.home + "/config/appspecs");
  resolver = std::make_unique<app::SpecResolver>(*specs, c.app_config);
  std::unique_ptr<container::ContainerRuntime> runtime;
  std::string disabled_reason;
  auto made = container::MakeRuntime(c.container_command, runner);
  if (made.ok()) {
    runtime = std::move(*made);
    spdlog::info("container engine: {}", runtime->Name());
  } else {
    disabled_reason = "containers are unavailable: " + made.status().message();
    spdlog::warn("{}", disabled_reason);
  }
  app::ContainerAppRegistry::Options registry_options{c.home};
  registry_options.secret = [secrets = secrets.get()](const std::vector<std::string>& args) {
    return secrets->FromTemplateArgs(args);
  };
  containers = std::make_unique<app::ContainerAppRegistry>(std::move(registry_options),
                                                           std::move(runtime), disabled_reason,
                                                           *resolver, RealClock::Instance());
  app::AppService::Options app_options;
  app_options.default_domain = c.default_domain;
  app_options.max_versions = c.max_app_versions;
  app_options.security = {c.security.allowed_mounts, c.security.allowed_container_args};
  app_options.source_limits.max_bytes = static_cast<size_t>(c.max_source_bytes);
  // Set once the listeners are bound, before the admin server takes requests.
  app_options.own_ports = [this] { return std::vector<int>{http_port, https_port}; };
  apps = std::make_unique<app::AppService>(std::move(app_options), *db, router, *resolver,
                                           containers.get());
  return apps->Load();
}

Status Server::Impl::MakeProxy() {
  const Config& c = config;
  proxy::ProxyOptions po;
  po.threads = c.worker_threads;
  po.max_header_bytes = static_cast<size_t>(c.proxy.max_header_bytes);
  po.client_header_timeout = std::chrono::seconds(c.proxy.client_header_timeout_secs);
  po.keep_alive_timeout = std::chrono::seconds(c.proxy.keep_alive_timeout_secs);
  po.body_timeout = std::chrono::seconds(c.proxy.body_timeout_secs);
  po.upstream_connect_timeout = std::chrono::seconds(c.proxy.upstream_connect_timeout_secs);
  po.upstream_timeout = std::chrono::seconds(c.proxy.upstream_timeout_secs);
  po.websocket_idle_timeout = std::chrono::seconds(c.proxy.websocket_idle_timeout_secs);
  po.upstream_pool_max_idle = static_cast<size_t>(c.proxy.upstream_pool_max_idle);
  po.upstream_pool_idle = std::chrono::seconds(c.proxy.upstream_pool_idle_secs);
  if (access_logger) {
    po.access_log = [logger = access_logger](const std::string& line) { logger->info(line); };
  }
  po.warn_log = [](const std::string& line) { spdlog::warn("{}", line); };
  proxy = std::make_unique<proxy::ProxyServer>(std::move(po), router);
  if (c.http.port >= 0) {
    BERTH_ASSIGN_OR_RETURN(http_port, proxy->Listen(c.http.host, c.http.port, nullptr));
  }
  if (c.https.port >= 0) {
    BERTH_ASSIGN_OR_RETURN(tls, TlsContexts::Load(c.cert_location));
    BERTH_ASSIGN_OR_RETURN(https_port,
                           proxy->Listen(c.https.host, c.https.port, tls->default_context()));
  }
  return Status::Ok();
}

Status Server::Impl::MakeAdmin() {
  api = std::make_unique<AdminApi>();
  api->On<admin::ServerInfoRequest>(
      [this](const admin::ServerInfoRequest&, const Caller&) -> Result<admin::ServerInfo> {
        return Info();
      });
  AddAppRoutes(*api, *apps);
  AddChangeRoutes(*api, *apps);
  AddSpecRoutes(*api, *specs);
  AddLogRoutes(*api, *apps, *containers);
  AddSecretRoutes(*api, *secrets);
  admin = std::make_unique<AdminServer>(
      [api = api.get()](const AdminRequest& r) { return api->Handle(r); });
  return admin->Listen(config.socket_path());
}

Status Server::Start() {
  Impl& im = *impl_;
  const Config& c = im.config;
  BERTH_RETURN_IF_ERROR(MakeDirs(c.home, 0700));
  BERTH_RETURN_IF_ERROR(MakeDirs(c.home + "/run", 0700));
  BERTH_RETURN_IF_ERROR(MakeDirs(c.home + "/data", 0755));  // the default allowed_mounts
  BERTH_RETURN_IF_ERROR(im.TakeLock());
#ifdef __GLIBC__
  // Big short-lived blocks (a route table's arrays, an app list's JSON) get their own
  // mappings, returned to the system when freed: glibc's default raises this threshold after
  // the first such free, and the blocks then grow the heap, and the RSS, for good.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  // Each thread that allocates would otherwise get an arena of its own (up to 8 per core),
  // each keeping its freed blocks: two arenas hold the same data in less RSS.
  mallopt(M_ARENA_MAX, 2);
#endif
  Status s = im.SetUpLogging();
  if (s.ok()) {
    spdlog::info("open-file limit: {}", static_cast<unsigned long long>(RaiseFileLimit()));
    s = im.OpenStore();
  }
  if (s.ok()) s = im.MakeApps();
  if (s.ok()) s = im.MakeProxy();
  if (s.ok()) s = im.MakeAdmin();
  if (!s.ok()) {
    im.admin.reset();
    im.proxy.reset();
    im.ReleaseLock();
    return s;
  }
  im.containers->Start();
  im.proxy->Start();
  im.admin->Start();
  im.running = true;
  // Tests and scripts read the bound ports here once the server accepts connections.
  Status written = WriteFileAtomic(c.home + "/run/server.json",
                                   admin::Dump(admin::ToJson(im.Info())) + "\n", 0600);
  if (!written.ok()) spdlog::warn("cannot write run/server.json: {}", written.message());
  spdlog::info("berth {} serving http port {} https port {}, admin socket {}", BERTH_VERSION,
               im.http_port, im.https_port, c.socket_path());
  return Status::Ok();
}

void Server::Shutdown() {
  Impl& im = *impl_;
  if (!im.running) return;
  im.running = false;
  spdlog::info("shutting down: waiting up to {}s for requests in flight",
               im.config.proxy.shutdown_grace_secs);
  im.admin->Stop();
  bool clean = im.proxy->Shutdown(std::chrono::seconds(im.config.proxy.shutdown_grace_secs));
  im.containers->Stop();
  if (!clean) spdlog::warn("shutdown grace period over: requests still in flight were cut");
  // Removals of deleted or replaced apps' containers finish now rather than at the next start.
  // A build or a start still under way after that is cancelled (its engine command killed, its
  // health wait ended), so every job thread is done before the proxy and the apps it calls
  // back into are destroyed.
  if (!im.containers->Drain(std::chrono::seconds(10))) {
    spdlog::warn(
        "container work still running after 10s (a build or a start): cancelling it; "
        "the next server start cleans up after it");
    im.runner.CancelAll();
    im.containers->Cancel();
    while (!im.containers->Drain(std::chrono::seconds(10))) {
      spdlog::warn("waiting for cancelled container work to end");
    }
  }
  ::unlink((im.config.home + "/run/server.json").c_str());
  spdlog::info("berth stopped");
  spdlog::default_logger()->flush();
  im.ReleaseLock();
}

void BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

int Server::WaitForShutdownSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  Shutdown();
  return 0;
}

int RunServer(const std::string& config_file) {
  BlockShutdownSignals();
  auto config = LoadConfig(DefaultHome(), config_file);
  if (!config.ok()) {
    std::fprintf(stderr, "error: %s\n", config.status().message().c_str());
    return 1;
  }
  Server server(std::move(*config));
  Status s = server.Start();
  if (!s.ok()) {
    std::fprintf(stderr, "error: %s\n", s.message().c_str());
    return 1;
  }
  std::printf("berth server started: http://127.0.0.1:%d https://localhost:%d (home %s)\n",
              server.http_port(), server.https_port(), DefaultHome().c_str());
  std::fflush(stdout);
  // Returns once every thread has ended; the server's destructor then frees the rest.
  return server.WaitForShutdownSignal();
}

}  // namespace berth::server
