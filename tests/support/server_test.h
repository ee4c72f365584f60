// The fixture of the end-to-end tests that drive a real `berth server` and a real container
// engine: starts the server, talks to it (CLI, HTTP through its proxy), lists the engine's
// containers, and leaves nothing behind (apps, containers, volumes) whatever the test did.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/harness.h"

namespace berth::testing {

// Whether `engine` ("podman" or "docker") answers and has every image of `images` (made by
// scripts/test-env.sh); `why` says what is missing when not.
bool EngineHasImages(const std::string& engine, const std::vector<std::string>& images,
                     std::string* why);

class ServerTest : public ::testing::Test {
 protected:
  // Starts a server whose berth.toml ends with `extra_toml`, with `env` (KEY=VALUE) added to
  // its environment; a failure fails the test.
  void StartServer(const std::string& extra_toml = "", std::vector<std::string> env = {});
  // Deletes every app with its volumes, stops the server, then removes whatever containers
  // and volumes of its home are left (podman and docker), even after a failure half-way.
  void TearDown() override;

  CommandResult Cli(const std::vector<std::string>& args) const { return server_->Cli(args); }

  // GET `path` through the server's HTTP listener with Host `host` (curl -s plus `extra`):
  // the body, then a newline and the status code. A first request may build an image: it
  // may take up to 280 s.
  CommandResult Request(const std::string& host, const std::string& path,
                        const std::vector<std::string>& extra = {}) const;
  // The status code of a Request result ("000" when there was no answer), and its body.
  static std::string Code(const CommandResult& r);
  static std::string Body(const CommandResult& r);
  // The body of GET `path` (trimmed), a space and the status code: "hello 200".
  std::string Get(const std::string& path, const std::string& host = "localhost") const;

  // Names of the containers (any state) of app `app_id`.
  static std::vector<std::string> Containers(const std::string& app_id,
                                             const std::string& engine = "podman");

  std::unique_ptr<BerthServer> server_;
};

}  // namespace berth::testing

// Skips the test (or, with BERTH_REQUIRE_ENGINES naming the engine, fails it) unless `engine`
// has the images listed after it.
#define REQUIRE_ENGINE_IMAGES(engine, ...)                                  \
  do {                                                                      \
    std::string why_;                                                       \
    if (!::berth::testing::EngineHasImages(engine, {__VA_ARGS__}, &why_)) { \
      SKIP_OR_FAIL_ENGINE(engine, why_);                                    \
    }                                                                       \
  } while (0)
