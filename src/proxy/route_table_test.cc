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

TEST(RouteTableTest, ManyRoutesOnManyDomains) {
  std::vector<Route> routes;
  for (int i = 0; i < 3000; ++i) {
    Route r;
    r.app_id = "app" + std::to_string(i);
    r.domain = i % 3 == 0 ? "d" + std::to_string(i) + ".example.com" : "localhost";
    r.path = "/a" + std::to_string(i);
    routes.push_back(r);
  }
  RouteTable t(std::move(routes), "localhost");
  for (int i = 0; i < 3000; ++i) {
    std::string host = i % 3 == 0 ? "d" + std::to_string(i) + ".example.com" : "localhost";
    const Route* r = t.Match(host, "/a" + std::to_string(i) + "/x");
    ASSERT_NE(r, nullptr) << i;
    EXPECT_EQ(r->app_id, "app" + std::to_string(i));
    // Another app's path on this domain is not this app.
    EXPECT_EQ(t.Match(host, "/a" + std::to_string(i) + "0000"), nullptr) << i;
  }
  // A subdomain with apps does not fall back to the default domain.
  EXPECT_EQ(t.Match("d0.example.com", "/a1"), nullptr);
  EXPECT_EQ(t.Match("nowhere.example.com", "/a1")->app_id, "app1");
}

TEST(RouteTableTest, LaterDuplicateWins) {
  Route a, b;
  a.app_id = "first";
  b.app_id = "second";
  a.domain = b.domain = "localhost";
  a.path = b.path = "/x";
  RouteTable t(std::vector<Route>{a, b}, "localhost");
  EXPECT_EQ(t.Match("localhost", "/x")->app_id, "second");
}

TEST(RouteTableTest, SharesRoutesWithTheTableItWasBuiltFrom) {
  auto first = Table();
  std::vector<std::shared_ptr<const Route>> routes = first->routes();
  routes.pop_back();  // only_sub
  RouteTable second(routes, "localhost");
  EXPECT_EQ(second.size(), 4u);
  EXPECT_EQ(second.Match("localhost", "/app/1"), first->Match("localhost", "/app/1"));
  EXPECT_EQ(second.Match("sub.example.com", "/x/1")->app_id, "root");  // falls back now
  EXPECT_EQ(second.routes()[0].get(), first->routes()[0].get());
}

TEST(RouteTableTest, EmptyTableMatchesNothing) {
  RouteTable t(std::vector<Route>{}, "localhost");
  EXPECT_EQ(t.Match("localhost", "/"), nullptr);
  EXPECT_EQ(t.Match("", ""), nullptr);
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
