#include "app/spec_resolver.h"

#include <gtest/gtest.h>

#include "appspec/file_system.h"

namespace berth::app {
namespace {

// An empty override folder that counts how often it is looked at.
class CountingFileSystem : public appspec::FileSystem {
 public:
  Result<std::vector<std::string>> ListDir(const std::string& dir) const override {
    return Status::NotFound(dir);
  }
  bool IsDir(const std::string&) const override {
    ++looks;
    return false;
  }
  Result<std::string> ReadFile(const std::string& path) const override {
    return Status::NotFound(path);
  }
  mutable int looks = 0;
};

store::AppRecord ProxyApp(const std::string& id, const std::string& url) {
  store::AppRecord r;
  r.id = id;
  r.domain = "localhost";
  r.path = "/" + id;
  r.source = "-";
  r.spec = "proxy";
  r.metadata.params = {{"url", url}};
  return r;
}

TEST(SpecResolverTest, AMemoLooksAtEachSpecOnceForManyApps) {
  CountingFileSystem fs;
  appspec::SpecLibrary library("/specs", &fs);
  SpecResolver resolver(library, {});
  SpecResolver::SpecMemo memo;
  for (int i = 0; i < 5; ++i) {
    std::string url = "http://127.0.0.1:" + std::to_string(9000 + i);
    auto r = resolver.Resolve(ProxyApp("a" + std::to_string(i), url), {}, &memo);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->upstream_url, url);  // each app still resolved with its own params
  }
  EXPECT_EQ(fs.looks, 1);
  // Without a memo the override folder is looked at each time: a spec added there is seen.
  ASSERT_TRUE(resolver.Resolve(ProxyApp("b", "http://127.0.0.1:1"), {}).ok());
  ASSERT_TRUE(resolver.Resolve(ProxyApp("c", "http://127.0.0.1:1"), {}).ok());
  EXPECT_EQ(fs.looks, 3);
}

TEST(SpecResolverTest, AMemoKeepsAnUnknownSpecsError) {
  CountingFileSystem fs;
  appspec::SpecLibrary library("/specs", &fs);
  SpecResolver resolver(library, {});
  SpecResolver::SpecMemo memo;
  store::AppRecord r = ProxyApp("a", "http://127.0.0.1:1");
  r.spec = "proxyy";
  auto first = resolver.Resolve(r, {}, &memo);
  auto second = resolver.Resolve(r, {}, &memo);
  ASSERT_FALSE(first.ok());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(first.status().message(), second.status().message());
  EXPECT_NE(first.status().message().find("unknown spec \"proxyy\" (did you mean \"proxy\"?)"),
            std::string::npos)
      << first.status().message();
}

}  // namespace
}  // namespace berth::app
