#include "proxy/route_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
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

std::shared_ptr<const Route> MakeRoute(const std::string& id, const std::string& domain,
                                       const std::string& path) {
  auto r = std::make_shared<Route>();
  r->app_id = id;
  r->domain = domain;
  r->path = path;
  return r;
}

TEST(RouteTableTest, SharesRoutesWithTheTableItWasBuiltFrom) {
  std::vector<std::shared_ptr<const Route>> routes = {MakeRoute("root", "localhost", "/"),
                                                      MakeRoute("app", "localhost", "/app")};
  RouteTable first(routes, "localhost");
  routes.pop_back();
  RouteTable second(routes, "localhost");
  EXPECT_EQ(second.size(), 1u);
  EXPECT_EQ(second.Match("localhost", "/"), first.Match("localhost", "/"));
  EXPECT_EQ(second.Match("localhost", "/app")->app_id, "root");
}

// Patch() gives the table that building afresh from the same routes gives, over many random
// changes (removals, additions, replacements, new and emptied domains), while the tables it
// was patched from keep answering as they did.
TEST(RouteTableTest, PatchedTablesMatchTablesBuiltAfresh) {
  std::mt19937 rng(7);
  std::map<std::string, std::shared_ptr<const Route>> live;  // by app id
  auto all = [&] {
    std::vector<std::shared_ptr<const Route>> v;
    for (const auto& [id, r] : live) v.push_back(r);
    return v;
  };
  std::shared_ptr<const RouteTable> table = std::make_shared<RouteTable>(all(), "localhost");
  std::shared_ptr<const RouteTable> first_patched;
  int next = 0;
  for (int step = 0; step < 400; ++step) {
    std::vector<std::shared_ptr<const Route>> removed, added;
    int changes = 1 + static_cast<int>(rng() % 3);
    for (int c = 0; c < changes; ++c) {
      bool remove = !live.empty() && rng() % 3 == 0;
      if (remove) {
        auto it = std::next(live.begin(), static_cast<long>(rng() % live.size()));
        if (std::find(added.begin(), added.end(), it->second) != added.end()) continue;
        removed.push_back(it->second);
        if (rng() % 2) {  // replaced: same app, another route
          auto r = MakeRoute(it->first, it->second->domain, it->second->path + "x");
          added.push_back(r);
          it->second = r;
        } else {
          live.erase(it);
        }
      } else {
        std::string id = "app" + std::to_string(next++);
        std::string domain = "d" + std::to_string(rng() % 5) + ".test";
        std::string path = "/" + id;
        if (rng() % 4 == 0) path += "/sub" + std::to_string(rng() % 3);
        auto r = MakeRoute(id, domain, path);
        added.push_back(r);
        live[id] = r;
      }
    }
    table = RouteTable::Patch(table, "localhost", removed, added);
    if (!first_patched && step == 3) first_patched = table;
    RouteTable fresh(all(), "localhost");
    ASSERT_EQ(table->size(), fresh.size()) << "step " << step;
    for (const auto& [id, r] : live) {
      const Route* got = table->Match(r->domain, r->path + "/more");
      ASSERT_NE(got, nullptr) << id;
      EXPECT_EQ(got, fresh.Match(r->domain, r->path + "/more")) << id;
      EXPECT_EQ(got, r.get()) << id;
    }
    for (int d = 0; d < 6; ++d) {  // domains that emptied fall back to the default, like fresh
      std::string host = "d" + std::to_string(d) + ".test";
      EXPECT_EQ(table->Match(host, "/nothing"), fresh.Match(host, "/nothing")) << host;
    }
  }
  ASSERT_NE(first_patched, nullptr);
  EXPECT_GT(first_patched->size(), 0u);  // still readable after hundreds of later patches
}

TEST(RouteTableTest, PatchTakesTheDefaultDomain) {
  auto a = MakeRoute("a", "example.com", "/a");
  auto t = RouteTable::Patch(std::make_shared<RouteTable>(std::vector<Route>{}, "localhost"),
                             "example.com", {}, {a});
  EXPECT_EQ(t->Match("other.test", "/a"), a.get());
  EXPECT_EQ(RouteTable::Patch(nullptr, "example.com", {}, {a})->Match("x.test", "/a"), a.get());
}

// Thousands of routes over many chunks: the index grows while routes are added, shrinks when
// most are removed, and after every batch of changes answers as a table built afresh does;
// a table patched long ago still answers as it did when it was made.
TEST(RouteTableTest, ManyPatchesAcrossChunksGrowAndShrink) {
  std::mt19937 rng(11);
  std::map<std::string, std::shared_ptr<const Route>> live;
  auto all = [&] {
    std::vector<std::shared_ptr<const Route>> v;
    for (const auto& [id, r] : live) v.push_back(r);
    return v;
  };
  auto check = [&](const RouteTable& t, const std::string& where) {
    RouteTable fresh(all(), "localhost");
    ASSERT_EQ(t.size(), fresh.size()) << where;
    for (const auto& [id, r] : live) {
      ASSERT_EQ(t.Match(r->domain, r->path), r.get()) << where << " " << id;
      ASSERT_EQ(t.Match(r->domain, r->path + "x"), fresh.Match(r->domain, r->path + "x"))
          << where << " " << id;
    }
  };
  std::shared_ptr<const RouteTable> table;
  std::shared_ptr<const RouteTable> old;
  std::map<std::string, std::shared_ptr<const Route>> old_live;
  int next = 0;
  // Up to 6000 routes one change at a time (each app: a route and its stage twin's), then
  // replace a third, then remove all but 50.
  for (int i = 0; i < 3000; ++i) {
    std::string id = "a" + std::to_string(next++);
    auto prod = MakeRoute(id, i % 10 ? "localhost" : "d" + std::to_string(i) + ".test", "/" + id);
    auto stage = MakeRoute(id + "s", "localhost", "/" + id + "_stage");
    live[id] = prod;
    live[id + "s"] = stage;
    table = RouteTable::Patch(table, "localhost", {}, {prod, stage});
    if (i == 1000) {
      old = table;
      old_live = live;
    }
    if (i % 500 == 0) check(*table, "add " + std::to_string(i));
  }
  check(*table, "after adds");
  for (int i = 0; i < 2000; ++i) {
    auto it = std::next(live.begin(), static_cast<long>(rng() % live.size()));
    auto replacement = MakeRoute(it->first, it->second->domain, it->second->path);
    table = RouteTable::Patch(table, "localhost", {it->second}, {replacement});
    it->second = replacement;
  }
  check(*table, "after replacements");
  while (live.size() > 50) {
    std::vector<std::shared_ptr<const Route>> removed;
    for (int k = 0; k < 7 && live.size() > 50; ++k) {
      auto it = std::next(live.begin(), static_cast<long>(rng() % live.size()));
      removed.push_back(it->second);
      live.erase(it);
    }
    table = RouteTable::Patch(table, "localhost", removed, {});
  }
  check(*table, "after removals");
  // The table kept from step 1000 saw none of the later changes.
  ASSERT_EQ(old->size(), old_live.size());
  for (const auto& [id, r] : old_live) ASSERT_EQ(old->Match(r->domain, r->path), r.get()) << id;
}

TEST(RouteTableTest, ARemovedRouteIsFreedWithTheLastTableHoldingIt) {
  auto a = MakeRoute("a", "localhost", "/a");
  auto b = MakeRoute("b", "localhost", "/b");
  std::weak_ptr<const Route> weak_a = a;
  auto first = RouteTable::Patch(nullptr, "localhost", {}, {a, b});
  auto second = RouteTable::Patch(first, "localhost", {a}, {});
  a.reset();
  EXPECT_FALSE(weak_a.expired());  // `first` still serves it
  EXPECT_EQ(second->Match("localhost", "/a"), nullptr);
  first.reset();
  EXPECT_TRUE(weak_a.expired());
  EXPECT_EQ(second->Match("localhost", "/b/c"), b.get());
}

TEST(RouteTableTest, RemovingAReplacedDuplicateKeepsItsReplacement) {
  auto a = MakeRoute("a", "localhost", "/x");
  auto b = MakeRoute("b", "localhost", "/x");
  auto t = RouteTable::Patch(nullptr, "localhost", {}, {a});
  t = RouteTable::Patch(t, "localhost", {}, {b});
  EXPECT_EQ(t->Match("localhost", "/x"), b.get());
  t = RouteTable::Patch(t, "localhost", {a}, {});
  EXPECT_EQ(t->Match("localhost", "/x"), b.get());
  EXPECT_EQ(t->size(), 1u);
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
