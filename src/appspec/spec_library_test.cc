#include "appspec/spec_library.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "appspec/app_loader.h"
#include "appspec/params.h"

namespace berth::appspec {
namespace {

using nlohmann::json;

const std::vector<std::string> kTableSpecs = {
    "container",
    "go",
    "image",
    "proxy",
    "python-asgi",
    "python-fasthtml",
    "python-flask",
    "python-gradio",
    "python-streamlit",
    "python-streamlit-poetry",
    "python-wsgi",
};

TEST(SpecBundledTest, EverySpecOfTheTableIsBundled) {
  std::vector<std::string> names;
  for (const auto& [name, files] : BundledSpecs()) names.push_back(name);
  EXPECT_EQ(names, kTableSpecs);
  for (const auto& [name, files] : BundledSpecs()) {
    EXPECT_TRUE(files.count("params.star")) << name;
    EXPECT_TRUE(files.count("app.star")) << name;
    bool has_containerfile = files.count("Containerfile") != 0;
    EXPECT_EQ(has_containerfile, name != "container" && name != "image" && name != "proxy") << name;
  }
}

// Values for the required params of each spec.
std::map<std::string, std::string> Given(const std::string& spec) {
  if (spec == "image") return {{"image", "nginx"}, {"port", "80"}};
  if (spec == "proxy") return {{"url", "https://example.com"}};
  if (spec == "go") return {{"port", "8080"}};
  return {};
}

TEST(SpecBundledTest, EverySpecEvaluates) {
  for (const auto& [name, files] : BundledSpecs()) {
    Result<std::vector<ParamDecl>> decls = LoadParams(files);
    ASSERT_TRUE(decls.ok()) << name << ": " << decls.status().message();
    auto params = ResolveParams(*decls, Given(name));
    ASSERT_TRUE(params.ok()) << name << ": " << params.status().message();
    Result<AppDefinition> app = LoadApp(files, *params);
    ASSERT_TRUE(app.ok()) << name << ": " << app.status().message();
    ASSERT_EQ(app->routes.size(), 1u) << name;
    EXPECT_EQ(app->routes[0].path, "/") << name;
    if (name == "proxy") {
      EXPECT_FALSE(app->container.has_value());
      EXPECT_EQ(app->routes[0].url, "https://example.com");
    } else {
      ASSERT_TRUE(app->container.has_value()) << name;
      EXPECT_EQ(app->routes[0].url, kContainerUrl) << name;
    }
  }
}

TEST(SpecBundledTest, RequiredParams) {
  struct Case {
    std::string spec, missing;
  } cases[] = {{"image", "image"}, {"proxy", "url"}, {"go", "port"}};
  for (const Case& c : cases) {
    auto decls = LoadParams(BundledSpecs().at(c.spec));
    ASSERT_TRUE(decls.ok());
    std::map<std::string, std::string> given = Given(c.spec);
    given.erase(c.missing);
    auto r = ResolveParams(*decls, given);
    ASSERT_FALSE(r.ok()) << c.spec;
    EXPECT_EQ(r.status().message(),
              "param " + c.missing + " is a required param, a value has to be provided");
  }
  for (const char* spec :
       {"container", "python-wsgi", "python-asgi", "python-flask", "python-streamlit",
        "python-streamlit-poetry", "python-fasthtml", "python-gradio"}) {
    auto decls = LoadParams(BundledSpecs().at(spec));
    ASSERT_TRUE(decls.ok());
    EXPECT_TRUE(ResolveParams(*decls, {}).ok()) << spec << " should need no params";
  }
}

// Loads a bundled spec with the given params.
AppDefinition Load(const std::string& spec, std::map<std::string, std::string> given) {
  const FileSet& files = BundledSpecs().at(spec);
  auto decls = LoadParams(files);
  EXPECT_TRUE(decls.ok());
  auto params = ResolveParams(*decls, given);
  EXPECT_TRUE(params.ok()) << params.status().message();
  auto app = LoadApp(files, *params);
  EXPECT_TRUE(app.ok()) << app.status().message();
  return app.ok() ? *app : AppDefinition{};
}

TEST(SpecBundledTest, Details) {
  AppDefinition image = Load("image", {{"image", "nginx"}, {"port", "80"}});
  EXPECT_EQ(image.container->src, "image:nginx");
  EXPECT_EQ(image.container->port, 80);

  AppDefinition container = Load("container", {});
  EXPECT_EQ(container.container->src, "auto");
  EXPECT_EQ(container.container->port, 0);  // from EXPOSE
  EXPECT_EQ(Load("container", {{"port", "9000"}}).container->port, 9000);

  AppDefinition flask = Load("python-flask", {});
  EXPECT_EQ(flask.container->port, 5000);
  EXPECT_TRUE(flask.routes[0].strip_app);

  for (const char* spec : {"python-streamlit", "python-streamlit-poetry"}) {
    AppDefinition st = Load(spec, {});
    EXPECT_EQ(st.container->health, "/_stcore/health") << spec;
    EXPECT_FALSE(st.routes[0].strip_app) << spec;
  }
  // Gradio's root path does not move its routes: the proxy strips the prefix.
  EXPECT_TRUE(Load("python-gradio", {}).routes[0].strip_app);
  // gunicorn splits SCRIPT_NAME off the path itself.
  EXPECT_FALSE(Load("python-wsgi", {}).routes[0].strip_app);
  EXPECT_TRUE(Load("python-asgi", {}).routes[0].strip_app);
  EXPECT_TRUE(Load("python-fasthtml", {}).routes[0].strip_app);
  // Apps that build absolute URLs from the Host header see the client's.
  for (const char* spec : {"python-wsgi", "python-asgi", "python-fasthtml"}) {
    EXPECT_TRUE(Load(spec, {}).routes[0].preserve_host) << spec;
  }
  AppDefinition go = Load("go", {{"port", "8080"}});
  EXPECT_EQ(go.container->port, 8080);
  EXPECT_EQ(go.container->cargs, (std::map<std::string, std::string>{{"MAIN_PACKAGE", "."}}));
  EXPECT_EQ(Load("go", {{"port", "8080"}, {"MAIN_PACKAGE", "./cmd/x"}}).container->cargs,
            (std::map<std::string, std::string>{{"MAIN_PACKAGE", "./cmd/x"}}));
}

TEST(SpecBundledTest, ParamDefaults) {
  auto defaults = [](const std::string& spec) {
    std::map<std::string, json> out;
    auto decls = LoadParams(BundledSpecs().at(spec));
    EXPECT_TRUE(decls.ok());
    for (const ParamDecl& d : *decls) out[d.name] = d.default_value;
    return out;
  };
  EXPECT_EQ(defaults("python-flask")["port"], json(5000));
  EXPECT_EQ(defaults("python-wsgi")["APP_MODULE"], json("app:app"));
  EXPECT_EQ(defaults("python-asgi")["APP_MODULE"], json("app:app"));
  EXPECT_EQ(defaults("python-fasthtml")["APP_MODULE"], json("app:app"));
  EXPECT_EQ(defaults("python-streamlit")["app_file"], json("streamlit_app.py"));
  EXPECT_EQ(defaults("python-streamlit-poetry")["app_file"], json("streamlit_app.py"));
  EXPECT_EQ(defaults("python-gradio")["app_file"], json("run.py"));
  auto go = LoadParams(BundledSpecs().at("go"));
  ASSERT_TRUE(go.ok());
  ASSERT_EQ(go->size(), 3u);
  EXPECT_EQ((*go)[0].name, "port");
  EXPECT_TRUE((*go)[0].required);
  EXPECT_EQ((*go)[1].name, "MAIN_PACKAGE");
  EXPECT_EQ((*go)[1].default_value, json("."));
  EXPECT_FALSE((*go)[1].required);
  EXPECT_EQ((*go)[2].name, "APP_ARGS");
  EXPECT_FALSE((*go)[2].required);
}

TEST(SpecBundledTest, ContainerfilesUseTheRuntimeEnv) {
  const auto& specs = BundledSpecs();
  auto has = [&](const std::string& spec, const std::string& text) {
    return specs.at(spec).at("Containerfile").find(text) != std::string::npos;
  };
  for (const char* spec : {"python-wsgi", "python-asgi", "python-flask", "python-streamlit",
                           "python-streamlit-poetry", "python-fasthtml", "python-gradio"}) {
    EXPECT_TRUE(has(spec, "ARG PYTHON_VERSION=3.12.5-slim\nFROM python:${PYTHON_VERSION}")) << spec;
    EXPECT_TRUE(has(spec, "LABEL org.opencontainers.image.base.name=\"python:${PYTHON_VERSION}\""))
        << spec;
    EXPECT_TRUE(has(spec, "if [ -f requirements.txt ]; then pip install -r requirements.txt; fi"))
        << spec;
    EXPECT_TRUE(has(spec, "${PORT:-")) << spec;
    EXPECT_TRUE(has(spec, "USER 10001")) << spec;
  }
  EXPECT_TRUE(has("python-wsgi", "SCRIPT_NAME=${CL_APP_PATH}"));
  EXPECT_TRUE(has("python-asgi", "--root-path \"${CL_APP_PATH}\""));
  EXPECT_TRUE(has("python-streamlit", "--server.baseUrlPath \"${CL_APP_PATH}\""));
  EXPECT_TRUE(has("python-gradio", "GRADIO_ROOT_PATH=\"${CL_APP_PATH}\""));
  EXPECT_TRUE(has("python-flask", "python3 -c \"import flask\" 2>/dev/null || pip install flask"));
  EXPECT_TRUE(has("go", "FROM golang:1.19 AS builder"));
  EXPECT_TRUE(has("go", "ARG MAIN_PACKAGE=."));
  EXPECT_TRUE(has("go", "GOFLAGS=-mod=mod GOPROXY=off"));
  EXPECT_TRUE(has("go", "FROM debian:bookworm-slim"));
  EXPECT_TRUE(has("go", "${APP_ARGS}"));
}

TEST(SpecLibraryTest, BundledOnlyWithoutOverrideDir) {
  FakeFileSystem fs;
  SpecLibrary lib("/home/config/appspecs", &fs);
  EXPECT_EQ(lib.Names(), kTableSpecs);
  Result<FileSet> flask = lib.Get("python-flask");
  ASSERT_TRUE(flask.ok());
  EXPECT_EQ(*flask, BundledSpecs().at("python-flask"));
  EXPECT_TRUE(SpecLibrary("", &fs).Get("go").ok());
}

TEST(SpecLibraryTest, UnknownSpecListsTheKnownOnes) {
  FakeFileSystem fs;
  SpecLibrary lib("/appspecs", &fs);
  Result<FileSet> r = lib.Get("pyhton-flask");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(
      r.status().message(),
      "unknown spec \"pyhton-flask\" (did you mean \"python-flask\"?); known specs: container, go, "
      "image, proxy, python-asgi, python-fasthtml, python-flask, python-gradio, python-streamlit, "
      "python-streamlit-poetry, python-wsgi");
  EXPECT_FALSE(lib.Get("../etc").ok());
  EXPECT_FALSE(lib.Get("").ok());
}

TEST(SpecLibraryTest, OverrideFolderReplacesAndAdds) {
  FakeFileSystem fs;
  fs.AddFile("/appspecs/python-flask/app.star", "custom app");
  fs.AddFile("/appspecs/python-flask/params.star", "custom params");
  fs.AddFile("/appspecs/mine/app.star", "mine");
  fs.AddFile("/appspecs/mine/conf/extra.txt", "nested");
  fs.AddFile("/appspecs/README", "not a spec: a file");
  SpecLibrary lib("/appspecs", &fs);
  std::vector<std::string> names = lib.Names();
  EXPECT_NE(std::find(names.begin(), names.end(), "mine"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "README"), names.end());
  EXPECT_EQ(names.size(), kTableSpecs.size() + 1);

  Result<FileSet> flask = lib.Get("python-flask");
  ASSERT_TRUE(flask.ok());
  // The override replaces the bundled spec entirely (no bundled Containerfile left).
  EXPECT_EQ(*flask, (FileSet{{"app.star", "custom app"}, {"params.star", "custom params"}}));
  Result<FileSet> mine = lib.Get("mine");
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(*mine, (FileSet{{"app.star", "mine"}, {"conf/extra.txt", "nested"}}));
  EXPECT_EQ(*lib.Get("go"), BundledSpecs().at("go"));
}

TEST(SpecLibraryTest, RealFileSystem) {
  std::string dir = ::testing::TempDir() + "/berth_spec_library_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/web");
  { std::ofstream(dir + "/web/app.star") << "app = 1\n"; }
  SpecLibrary lib(dir);
  Result<FileSet> web = lib.Get("web");
  ASSERT_TRUE(web.ok()) << web.status().message();
  EXPECT_EQ(*web, (FileSet{{"app.star", "app = 1\n"}}));
  EXPECT_TRUE(lib.Get("image").ok());
  std::filesystem::remove_all(dir);
  EXPECT_TRUE(SpecLibrary(dir + "/missing").Get("image").ok());
}

}  // namespace
}  // namespace berth::appspec
