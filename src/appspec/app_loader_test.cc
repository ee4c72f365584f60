#include "appspec/app_loader.h"

#include <gtest/gtest.h>

#include "appspec/file_set.h"

namespace berth::appspec {
namespace {

using nlohmann::json;

constexpr const char* kHeader = "load('proxy.in', 'proxy')\nload('container.in', 'container')\n";

TEST(SpecAppTest, LoadsAFullDefinition) {
  FileSet files = {{"app.star", std::string(kHeader) + R"(
app = ace.app(param.name,
    routes=[
        ace.proxy("/", proxy.config(container.URL, strip_app=False, preserve_host=True)),
        ace.proxy("/ext", proxy.config("https://example.com")),
    ],
    container=container.config(container.AUTO, port=param.port, scheme="http", health="/healthz",
                               volumes=["data:/data", "/cache"], cargs={"V": "1", "N": 2, "B": True},
                               build_dir="web"),
    permissions=[ace.permission("proxy.in", "config", [container.URL])],
)
)"}};
  Result<AppDefinition> r = LoadApp(files, {{"name", "My App"}, {"port", 8080}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  const AppDefinition& app = *r;
  EXPECT_EQ(app.name, "My App");
  ASSERT_EQ(app.routes.size(), 2u);
  EXPECT_EQ(app.routes[0].path, "/");
  EXPECT_EQ(app.routes[0].url, "$container");
  EXPECT_FALSE(app.routes[0].strip_app);
  EXPECT_TRUE(app.routes[0].preserve_host);
  EXPECT_EQ(app.routes[1].path, "/ext");
  EXPECT_EQ(app.routes[1].url, "https://example.com");
  EXPECT_TRUE(app.routes[1].strip_app);
  EXPECT_FALSE(app.routes[1].preserve_host);
  ASSERT_TRUE(app.container.has_value());
  EXPECT_EQ(app.container->src, "auto");
  EXPECT_EQ(app.container->port, 8080);
  EXPECT_EQ(app.container->health, "/healthz");
  EXPECT_EQ(app.container->volumes, (std::vector<std::string>{"data:/data", "/cache"}));
  EXPECT_EQ(app.container->cargs,
            (std::map<std::string, std::string>{{"B", "true"}, {"N", "2"}, {"V", "1"}}));
  EXPECT_EQ(app.container->build_dir, "web");
  ASSERT_EQ(app.permissions.size(), 1u);
  EXPECT_EQ(app.permissions[0].plugin, "proxy.in");
  EXPECT_EQ(app.permissions[0].method, "config");
  EXPECT_EQ(app.permissions[0].args, (std::vector<std::string>{"$container"}));
}

TEST(SpecAppTest, DefaultsOfTheNatives) {
  FileSet files = {
      {"app.star", std::string(kHeader) +
                       "app = ace.app('a', routes=[ace.proxy('/', proxy.config(container.URL))],"
                       " container=container.config())"}};
  Result<AppDefinition> r = LoadApp(files, {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->routes[0].strip_app);
  EXPECT_FALSE(r->routes[0].preserve_host);
  EXPECT_EQ(r->container->src, "auto");
  EXPECT_EQ(r->container->port, 0);
  EXPECT_EQ(r->container->scheme, "http");
  EXPECT_EQ(r->container->health, "/");
  EXPECT_TRUE(r->permissions.empty());
}

TEST(SpecAppTest, LoadsHelperFilesAndParamValues) {
  FileSet files = {
      {"app.star", std::string(kHeader) + R"(
load("helpers.star", "route")
app = ace.app("x", routes=[route(p) for p in param.paths], permissions=[])
)"},
      {"helpers.star",
       "load('proxy.in', 'proxy')\ndef route(path):\n  return ace.proxy(path, "
       "proxy.config('http://up' + path))\n"},
  };
  Result<AppDefinition> r = LoadApp(files, {{"paths", json::array({"/a", "/b"})}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->routes.size(), 2u);
  EXPECT_EQ(r->routes[1].url, "http://up/b");
}

std::string FirstLine(const Status& s) { return s.message().substr(0, s.message().find('\n')); }

TEST(SpecAppTest, SecretsAllowListOfAPermission) {
  FileSet files = {{"app.star", std::string(kHeader) + R"(
app = ace.app("a", permissions=[
    ace.permission("container.in", "config", [container.AUTO],
                   secrets=[["regex:DB_.*"], ("p", "regex:k.*"), "ONE"]),
    ace.permission("proxy.in", "config"),
])
)"}};
  Result<AppDefinition> r = LoadApp(files, {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->permissions.size(), 2u);
  ASSERT_TRUE(r->permissions[0].secrets.has_value());
  EXPECT_EQ(*r->permissions[0].secrets,
            (std::vector<std::vector<std::string>>{{"regex:DB_.*"}, {"p", "regex:k.*"}, {"ONE"}}));
  EXPECT_FALSE(r->permissions[1].secrets.has_value());

  files["app.star"] = std::string(kHeader) +
                      "app = ace.app('a', permissions=[ace.permission('container.in', "
                      "'config', secrets=[1])])";
  r = LoadApp(files, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("secrets[0] must be strings or lists of strings, not int"),
            std::string::npos)
      << r.status().message();
}

TEST(SpecAppTest, Errors) {
  struct Case {
    std::string app_star;
    std::string want;  // the whole message, or its first line
  } cases[] = {
      {std::string(kHeader) +
           "app = ace.app('a',\n    container=container.config(container.AUTO, prot=8080),\n)",
       "app.star:4:48: unknown keyword argument \"prot\" (did you mean \"port\"?)\n"
       "    container=container.config(container.AUTO, prot=8080),\n"
       "                                               ^"},
      {std::string(kHeader) + "app = ace.app('a', container=container.config(port=param.prot))",
       "app.star:3:58: param has no .prot field or method (did you mean .port?)"},
      {std::string(kHeader) + "x = 1",
       "app.star: no global named \"app\"; app.star must assign app = ace.app(...)"},
      {std::string(kHeader) + "app = 1",
       "app.star: the global \"app\" must be the result of ace.app(...), not int"},
      {"load('proxy.in', 'prox')",
       "app.star:1:18: load: name prox not found in module \"proxy.in\" (did you mean proxy?)"},
      {"load('proxi.in', 'proxy')",
       "app.star:1:6: cannot load \"proxi.in\": no built-in module of that name (did you mean "
       "\"proxy.in\"?); "
       "known: container.in, proxy.in"},
      {"load('lib.star', 'x')",
       "app.star:1:6: cannot load \"lib.star\": no file of that name in the spec or the app "
       "source"},
      {std::string(kHeader) + "app = ace.app('a', container=container.config(port=70000))",
       "app.star:3:47: container.config: port must be in 0..65535, got 70000"},
      {std::string(kHeader) + "app = ace.app('a', routes=[proxy.config('x')])",
       "app.star:3:20: ace.app: routes[0] must be ace.proxy(...) routes, not proxy.config"},
      {std::string(kHeader) + "app = ace.app('a', routes=[ace.proxy('x', proxy.config('u'))])",
       "app.star:3:38: ace.proxy: path must start with /, got \"x\""},
      {std::string(kHeader) + "app = ace.ap('a')",
       "app.star:3:11: module has no .ap field or method (did you mean .app?)"},
      {std::string(kHeader) + "app = ace.app('a', container=container.config(container.AUTOO))",
       "app.star:3:57: module has no .AUTOO field or method (did you mean .AUTO?)"},
      {"app = ace.app('a'", "app.star:1:18: syntax error: expected ')', got newline"},
  };
  for (const Case& c : cases) {
    Result<AppDefinition> r = LoadApp({{"app.star", c.app_star}}, {{"port", 1}});
    ASSERT_FALSE(r.ok()) << c.app_star;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    if (c.want.find('\n') != std::string::npos) {
      EXPECT_EQ(r.status().message(), c.want);
    } else {
      EXPECT_EQ(FirstLine(r.status()), c.want) << r.status().message();
    }
  }
}

// Lists given to the natives are copied and frozen: changing them afterwards can't smuggle
// unchecked values into the definition.
TEST(SpecAppTest, ValuesCheckedByNativesCannotChangeLater) {
  FileSet files = {{"app.star", std::string(kHeader) + R"(
routes = []
cfg = container.config(volumes=[], cargs={})
app = ace.app("a", routes=routes, container=cfg)
routes.append(1)
)"}};
  Result<AppDefinition> r = LoadApp(files, {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->routes.empty());
  files["app.star"] =
      std::string(kHeader) + "cfg = container.config(cargs={})\ncfg.cargs['x'] = []\n";
  r = LoadApp(files, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("app.star:4:10: cannot insert into frozen hash table"),
            std::string::npos)
      << r.status().message();
  files["app.star"] =
      std::string(kHeader) + "cfg = container.config(volumes=[])\ncfg.volumes.append(1)\n";
  r = LoadApp(files, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot append to frozen list"), std::string::npos);
}

TEST(SpecAppTest, ErrorInALoadedFileNamesThatFile) {
  FileSet files = {{"app.star", "load('lib.star', 'x')\n"}, {"lib.star", "y = 1\nx = y + 'a'\n"}};
  Result<AppDefinition> r = LoadApp(files, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "lib.star:2:7: unknown binary op: int + string\n"
            "x = y + 'a'\n"
            "      ^");
}

TEST(SpecAppTest, MissingAppStar) {
  Result<AppDefinition> r = LoadApp({{"params.star", ""}}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "app.star: not found in the spec or the app source");
}

TEST(SpecAppTest, OverlayPrefersTheSource) {
  FileSet spec = {{"app.star", "spec"}, {"Containerfile", "FROM spec"}};
  FileSet source = {{"Containerfile", "FROM source"}, {"main.py", "print()"}};
  FileSet want = {{"app.star", "spec"}, {"Containerfile", "FROM source"}, {"main.py", "print()"}};
  EXPECT_EQ(Overlay(spec, source), want);
}

}  // namespace
}  // namespace berth::appspec
