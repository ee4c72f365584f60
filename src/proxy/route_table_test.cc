#include "proxy/route_table.h"

#include <gtest/gtest.h>

#include <thread>

namespace berth::proxy {
namespace {

std::shared_ptr<RouteTable> Table() {
  std::vector<Route> routes;
  for (auto [id, domain, path] : std::vector<std::tuple<const char*, const char*, const char*>>{
           {"root", "localhost", "/"},
           {"app", "localhost", "/app"},
           {"deep", "localhost", "/a/b/c"},
           {"proxyapp", "proxyapp.localhost", "/"},
           {"only_sub", "sub.example.com", "/x"}}) {
    Route r;
    r.app_id = id;
    r.domain = domain;
    r.path = path;
    routes.push_back(r);
  }
  return std::make_shared<RouteTable>(std::move(routes), "localhost");
}

TEST(RouteTableTest, Table) {
  auto t = Table();
  struct Case {
    const char* host;
    const char* path;
    const char* want;  // app id or nullptr
  } cases[] = {
      {"localhost", "/", "root"},
      {"localhost:25222", "/app", "app"},
      {"LOCALHOST", "/app/x/y", "app"},
      {"localhost", "/application", "root"},
      {"localhost", "/app/", "app"},
      {"localhost", "/a/b/c/d", "deep"},
      {"localhost", "/a/b", "root"},
      {"proxyapp.localhost:25223", "/anything", "proxyapp"},
      {"unknown.host", "/app", "app"},
      {"127.0.0.1:25222", "/", "root"},
      {"sub.example.com", "/x/1", "only_sub"},
      {"sub.example.com", "/y", nullptr},
      {"localhost.", "/app", "app"},
  };
  for (const auto& c : cases) {
    const Route* r = t->Match(c.host, c.path);
    if (!c.want) {
      EXPECT_EQ(r, nullptr) << c.host << c.path;
    } else {
      ASSERT_NE(r, nullptr) << c.host << c.path;
      EXPECT_EQ(r->app_id, c.want) << c.host << c.path;
    }
  }
}

TEST(RouteTableTest, NormalizeHost) {
  EXPECT_EQ(NormalizeHost("Example.COM:8080"), "example.com");
  EXPECT_EQ(NormalizeHost("[::1]:80"), "::1");
  EXPECT_EQ(NormalizeHost("::1"), "::1");
}

TEST(RouterTest, PublishIsSeenByOtherThreads) {
  Router router;
  EXPECT_EQ(router.Current().size(), 0u);
  router.Publish(Table());
  EXPECT_EQ(router.Current().size(), 5u);
  size_t seen = 0;
  std::thread([&] { seen = router.Current().size(); }).join();
  EXPECT_EQ(seen, 5u);
  router.Publish(std::make_shared<RouteTable>(std::vector<Route>{}, "localhost"));
  std::thread([&] { seen = router.Current().size(); }).join();
  EXPECT_EQ(seen, 0u);
}

}  // namespace
}  // namespace berth::proxy
