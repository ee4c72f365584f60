// The bundled spec library end to end: every spec of the product document's table loads, and the
// container specs build and serve real apps through a real berth server driving real podman,
// from the local base images of scripts/test-env.sh (no registry is needed).
//
// Streamlit, Gradio and FastHTML cannot be installed here. Their specs are built with
// `--carg PYTHON_VERSION=3.12.5-standin`, an image whose stand-ins (tests/images/standin) mimic
// the real tools' command line, environment variables and URL layout but serve a JSON echo: the
// tests check each spec's plumbing (port, bind address, base path, health path, whether the
// prefix reaches the app), not the frameworks themselves.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>

#include "base/files.h"
#include "base/strings.h"
#include "support/harness.h"
#include "support/server_test.h"

namespace berth::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

// The local images the specs build from (scripts/test-env.sh makes them).
const char* const kImages[] = {
    "docker.io/library/busybox:latest", "docker.io/library/python:3.12.5-slim",
    "docker.io/library/python:3.11.1",  "docker.io/library/python:3.12.5-standin",
    "docker.io/library/golang:1.19",    "docker.io/library/debian:bookworm-slim",
};

// Skips (or, with BERTH_REQUIRE_ENGINES naming the engine, fails) when podman or the test
// images are missing.
#define REQUIRE_ENGINE(engine)                                                       \
  do {                                                                               \
    std::string why_;                                                                \
    if (!EngineHasImages(engine, {std::begin(kImages), std::end(kImages)}, &why_)) { \
      SKIP_OR_FAIL_ENGINE(engine, why_);                                             \
    }                                                                                \
  } while (0)

// Lines of a command's output, without empty ones.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& line : Split(text, '\n')) {
    if (!Trim(line).empty()) out.push_back(std::string(Trim(line)));
  }
  return out;
}

// An HTTP response as curl saw it.
struct Response {
  int code = 0;                                // 0 when curl failed
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string error;  // curl's complaint when it failed

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  json Json() const { return json::parse(body, nullptr, false); }
};

// GET `url` ("http://host:port/path" or https) with the host resolved to 127.0.0.1, so that
// curl sends the Host header a browser would. Redirects are not followed.
Response Fetch(const std::string& url, const std::vector<std::string>& extra = {}) {
  size_t start = url.find("://") + 3;
  std::string authority = url.substr(start, url.find('/', start) - start);
  // The first request of an app builds its image: allow for a slow, busy machine.
  std::vector<std::string> args = {
      "curl", "-s", "--max-time", "300", "-k", "-D", "-", "--resolve", authority + ":127.0.0.1"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(url);
  auto r = RunCommand(args, {}, seconds(310));
  Response resp;
  if (r.exit_code != 0) {
    resp.error = "curl exit " + std::to_string(r.exit_code) + ": " + r.err;
    return resp;
  }
  size_t end = r.out.find("\r\n\r\n");
  std::string head = r.out.substr(0, end);
  resp.body = end == std::string::npos ? "" : r.out.substr(end + 4);
  auto lines = Split(head, '\n');
  if (lines.empty() || lines[0].size() < 12) {
    resp.error = "no status line: " + r.out;
    return resp;
  }
  resp.code = std::atoi(lines[0].substr(9, 3).c_str());
  for (size_t i = 1; i < lines.size(); ++i) {
    size_t colon = lines[i].find(':');
    if (colon == std::string::npos) continue;
    resp.headers[ToLower(lines[i].substr(0, colon))] =
        std::string(Trim(std::string_view(lines[i]).substr(colon + 1)));
  }
  return resp;
}

std::ostream& operator<<(std::ostream& os, const Response& r) {
  os << r.code << " " << r.error << "\n";
  for (const auto& [k, v] : r.headers) os << k << ": " << v << "\n";
  return os << "\n" << r.body;
}

class SpecE2E : public ::testing::Test {
 protected:
  void StartServer(const std::string& home = "") {
    server_ = std::make_unique<BerthServer>("", home);
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  void TearDown() override {
    if (!server_) return;
    // Delete every app: its containers and images go with it, in the background.
    server_->Cli({"app", "delete", "all"});
    if (RunCommand({"podman", "--version"}).exit_code != 0) {
      server_->Stop(SIGTERM);
      return;  // no engine: no containers
    }
    auto gone = [&](const char* what) {
      auto ids = Leftovers(what);
      return ids && ids->empty();
    };
    auto deadline = std::chrono::steady_clock::now() + seconds(60);
    while (!(gone("ps") && gone("images")) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    server_->Stop(SIGTERM);
    // Nothing of this home may be left behind; remove it anyway so a failure costs no disk.
    auto containers = Leftovers("ps").value_or(std::vector<std::string>{});
    auto images = Leftovers("images").value_or(std::vector<std::string>{});
    EXPECT_TRUE(containers.empty()) << "containers left: " << Join(containers, " ");
    EXPECT_TRUE(images.empty())
        << "images left:\n"
        << RunCommand({"podman", "images", "-a", "--filter", "label=berth.home=" + server_->home(),
                       "--format",
                       "{{.ID}} {{.Repository}}:{{.Tag}} app={{index .Labels \"berth.app.id\"}} "
                       "dangling={{.Dangling}} created={{.Created}}"})
               .out
        << "server log:\n"
        << server_->log();
    for (const auto& id : containers) RunCommand({"podman", "rm", "-f", id});
    for (const auto& id : images) RunCommand({"podman", "rmi", "-f", id});
  }

  // The ids of this home's containers (`what` = "ps") or images ("images", intermediate ones
  // included: they carry the build's labels); nullopt when podman did not answer (listing can
  // fail while another command removes images).
  std::optional<std::vector<std::string>> Leftovers(const std::string& what) const {
    auto r = RunCommand({"podman", what, "-aq", "--filter", "label=berth.home=" + server_->home()});
    if (r.exit_code != 0) return std::nullopt;
    return Lines(r.out);
  }

  // Writes an app folder and returns its path.
  std::string AppDir(const std::map<std::string, std::string>& files) {
    return WriteAppDir(files, 0644);
  }

  CommandResult Create(const std::vector<std::string>& args) { return server_->CreateApp(args); }
  std::string AppId(const std::string& path) { return server_->AppId(path); }

  // The one container of an app (any state), by name.
  std::string Container(const std::string& path) {
    auto r = RunCommand({"podman", "ps", "-a", "--format", "{{.Names}}", "--filter",
                         "label=berth.app.id=" + AppId(path)});
    auto names = Lines(r.out);
    return names.size() == 1 ? names[0] : "";
  }

  // The image the app's container runs.
  std::string Image(const std::string& path) {
    auto r = RunCommand({"podman", "ps", "-a", "--format", "{{.Image}}", "--filter",
                         "label=berth.app.id=" + AppId(path)});
    auto names = Lines(r.out);
    return names.size() == 1 ? names[0] : "";
  }

  std::string ImageLabel(const std::string& image, const std::string& label) {
    auto r = RunCommand(
        {"podman", "image", "inspect", "--format", "{{index .Labels \"" + label + "\"}}", image});
    return std::string(Trim(r.out));
  }

  // Sends the first requests of several apps at once, so their images build and their
  // containers start in parallel (each request is held until its app is healthy); expects 200s.
  void WarmUp(const std::vector<std::string>& urls) {
    std::vector<std::string> args = {"curl",       "-s",  "--parallel", "--parallel-immediate",
                                     "--max-time", "300", "-w",         "%{http_code}\n"};
    std::set<std::string> resolved;
    for (const auto& url : urls) {
      size_t start = url.find("://") + 3;
      std::string authority = url.substr(start, url.find('/', start) - start);
      if (resolved.insert(authority).second) {
        args.insert(args.end(), {"--resolve", authority + ":127.0.0.1"});
      }
      args.insert(args.end(), {"-o", "/dev/null", url});
    }
    auto r = RunCommand(args, {}, seconds(310));
    EXPECT_EQ(r.out, Join(std::vector<std::string>(urls.size(), "200"), "\n") + "\n") << r.err;
  }

  // Whether `base` (by its image ID) is among the images `image` was built on.
  bool BuiltOn(const std::string& image, const std::string& base) {
    auto id = RunCommand({"podman", "image", "inspect", "--format", "{{.ID}}", base});
    auto history = RunCommand({"podman", "history", "--no-trunc", "--format", "{{.ID}}", image});
    auto ids = Lines(history.out);
    EXPECT_FALSE(Trim(id.out).empty()) << id.err;
    return std::find(ids.begin(), ids.end(), std::string(Trim(id.out))) != ids.end();
  }

  // The container port Berth published ("5000/tcp -> 127.0.0.1:41234" -> "5000/tcp").
  std::string PublishedPort(const std::string& path) {
    auto r = RunCommand({"podman", "port", Container(path)});
    std::string out(Trim(r.out));
    return out.substr(0, out.find(' '));
  }

  // The request lines ("GET /x HTTP/1.1") in the container's log, oldest first.
  std::vector<std::string> LoggedRequests(const std::string& path) {
    auto logs = server_->Cli({"app", "logs", "--lines", "1000", path});
    std::vector<std::string> out;
    for (const auto& line : Lines(logs.out)) {
      size_t q = line.find("\"GET ");
      if (q == std::string::npos) continue;
      size_t end = line.find('"', q + 1);
      out.push_back(line.substr(q + 1, end - q - 1));
    }
    return out;
  }

  std::string Http(const std::string& host) const {
    return "http://" + host + ":" + std::to_string(server_->http_port());
  }
  std::string Https(const std::string& host) const {
    return "https://" + host + ":" + std::to_string(server_->https_port());
  }

  std::unique_ptr<BerthServer> server_;
};

const char* kFlaskApp = R"(import os
from flask import Flask, request

app = Flask(__name__)


@app.route("/")
def index():
    return "hello from flask, PORT=%s CL_APP_PATH=[%s] path=%s" % (
        os.environ.get("PORT"), os.environ.get("CL_APP_PATH"), request.path)
)";

// 1. The spec list matches the product document's table: names, required params, optional
// params and their defaults.
TEST_F(SpecE2E, EveryBundledSpecLoadsWithTheDocumentedParams) {
  StartServer();
  auto r = server_->Cli({"spec", "list", "-f", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  struct Params {
    std::vector<std::string> required;
    std::map<std::string, json> optional;  // name -> default (null: none)
  };
  const std::map<std::string, Params> table = {
      {"container", {{}, {{"port", nullptr}}}},
      {"image", {{"image", "port"}, {}}},
      {"proxy", {{"url"}, {}}},
      {"python-wsgi", {{}, {{"APP_MODULE", "app:app"}}}},
      {"python-asgi", {{}, {{"APP_MODULE", "app:app"}}}},
      {"python-flask", {{}, {{"port", 5000}}}},
      {"python-streamlit", {{}, {{"app_file", "streamlit_app.py"}}}},
      {"python-streamlit-poetry", {{}, {{"app_file", "streamlit_app.py"}}}},
      {"python-fasthtml", {{}, {{"APP_MODULE", "app:app"}}}},
      {"python-gradio", {{}, {{"app_file", "run.py"}}}},
      {"go", {{"port"}, {{"MAIN_PACKAGE", "."}, {"APP_ARGS", nullptr}}}},
  };
  std::map<std::string, Params> listed;
  for (const auto& spec : json::parse(r.out)) {
    EXPECT_EQ(spec.value("error", ""), "") << spec.dump();
    Params& p = listed[spec["name"].get<std::string>()];
    for (const auto& param : spec["params"]) {
      std::string name = param["name"];
      if (param["required"].get<bool>()) {
        p.required.push_back(name);
      } else {
        p.optional[name] = param["default"];
      }
      if (name == "port") {
        EXPECT_EQ(param["type"], "INT") << spec["name"];
      }
    }
  }
  EXPECT_EQ(listed.size(), table.size());
  for (const auto& [name, want] : table) {
    ASSERT_TRUE(listed.count(name)) << name;
    EXPECT_EQ(listed[name].required, want.required) << name;
    EXPECT_EQ(json(listed[name].optional), json(want.optional)) << name;
  }

  // The table form says the same.
  r = server_->Cli({"spec", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> rows;
  for (const auto& line : Lines(r.out)) {
    std::string row;  // runs of spaces collapsed
    for (char c : line) {
      if (!(c == ' ' && !row.empty() && row.back() == ' ')) row += c;
    }
    rows.push_back(row);
  }
  ASSERT_EQ(rows.size(), 12u) << r.out;
  EXPECT_EQ(rows[0], "SPEC REQUIRED PARAMS OPTIONAL PARAMS");
  for (const char* row :
       {"container - port", "go port MAIN_PACKAGE=., APP_ARGS", "image image, port -",
        "proxy url -", "python-flask - port=5000", "python-gradio - app_file=run.py",
        "python-streamlit - app_file=streamlit_app.py", "python-wsgi - APP_MODULE=app:app"}) {
    EXPECT_NE(std::find(rows.begin(), rows.end(), row), rows.end()) << row << "\n" << r.out;
  }

  // spec show prints the spec's files, exactly as they are in appspecs/.
  r = server_->Cli({"spec", "show", "python-flask"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string dir = std::string(BERTH_SOURCE_DIR) + "/appspecs/python-flask/";
  EXPECT_EQ(r.out, "==> Containerfile <==\n" + *ReadFile(dir + "Containerfile") +
                       "\n==> app.star <==\n" + *ReadFile(dir + "app.star") +
                       "\n==> params.star <==\n" + *ReadFile(dir + "params.star"));
  r = server_->Cli({"spec", "show", "python-flsk"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("did you mean \"python-flask\""), std::string::npos) << r.err;
}

// 2. A Flask app at a domain root, on the default port 5000, from the default base image.
TEST_F(SpecE2E, FlaskAppAtDomainRoot) {
  REQUIRE_ENGINE("podman");
  StartServer();
  auto c =
      Create({"--spec", "python-flask", AppDir({{"app.py", kFlaskApp}}), "flaskapp.localhost:/"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  Response r = Fetch(Http("flaskapp.localhost") + "/");
  ASSERT_EQ(r.code, 200) << r;
  EXPECT_EQ(r.body, "hello from flask, PORT=5000 CL_APP_PATH=[] path=/");
  EXPECT_TRUE(r.Header("server").starts_with("Werkzeug/")) << r;
  EXPECT_EQ(PublishedPort("flaskapp.localhost:/"), "5000/tcp");
  EXPECT_EQ(ImageLabel(Image("flaskapp.localhost:/"), "org.opencontainers.image.base.name"),
            "python:3.12.5-slim");
  r = Fetch(Https("flaskapp.localhost") + "/");
  EXPECT_EQ(r.code, 200) << r;
}

// 3. Path routing with frameworks that build links and redirects: gunicorn (SCRIPT_NAME, the
// prefix kept) and uvicorn (--root-path, the prefix stripped). Links and Location headers carry
// the app path and the client's host and scheme, and following them goes through Berth.
const char* kWsgiApp = R"(from flask import Flask, redirect, request, url_for

app = Flask(__name__)


@app.route("/")
def index():
    return '<a href="%s">hello</a>' % url_for("hello")


@app.route("/hello")
def hello():
    return "hello from wsgi: SCRIPT_NAME=%s PATH_INFO=%s" % (
        request.environ["SCRIPT_NAME"], request.environ["PATH_INFO"])


@app.route("/go")
def go():
    return redirect(url_for("hello"))
)";

const char* kAsgiApp = R"(from starlette.applications import Starlette
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from starlette.routing import Route


async def index(request):
    return HTMLResponse('<a href="%s">hello</a>' % request.url_for("hello"))


async def hello(request):
    return PlainTextResponse("hello from asgi: root_path=%s path=%s" % (
        request.scope["root_path"], request.scope["path"]))


async def go(request):
    return RedirectResponse(request.url_for("hello"))


app = Starlette(routes=[Route("/", index), Route("/hello", hello, name="hello"), Route("/go", go)])
)";

TEST_F(SpecE2E, WsgiAndAsgiAppsUnderAPathBuildLinksAndRedirectsWithThePrefix) {
  REQUIRE_ENGINE("podman");
  StartServer();
  ASSERT_EQ(
      Create({"--spec", "python-wsgi", AppDir({{"app.py", kWsgiApp}}), "/wsgi_app"}).exit_code, 0);
  ASSERT_EQ(
      Create({"--spec", "python-asgi", AppDir({{"app.py", kAsgiApp}}), "/asgi_app"}).exit_code, 0);
  const std::string http = Http("localhost"), https = Https("localhost");
  WarmUp({http + "/wsgi_app/", http + "/asgi_app/"});

  // WSGI: Flask's url_for and redirect are relative and carry SCRIPT_NAME.
  Response r = Fetch(http + "/wsgi_app/");
  ASSERT_EQ(r.code, 200) << r;
  EXPECT_EQ(r.body, "<a href=\"/wsgi_app/hello\">hello</a>");
  r = Fetch(http + "/wsgi_app/go");
  EXPECT_EQ(r.code, 302) << r;
  ASSERT_EQ(r.Header("location"), "/wsgi_app/hello") << r;
  r = Fetch(http + r.Header("location"));
  EXPECT_EQ(r.code, 200) << r;
  EXPECT_EQ(r.body, "hello from wsgi: SCRIPT_NAME=/wsgi_app PATH_INFO=/hello");
  // Werkzeug redirects the bare app path to "/wsgi_app/" with an absolute URL: it names the
  // host and scheme the client used (the Host header is kept, X-Forwarded-Proto trusted).
  r = Fetch(http + "/wsgi_app");
  EXPECT_EQ(r.code, 308) << r;
  EXPECT_EQ(r.Header("location"), http + "/wsgi_app/") << r;
  EXPECT_EQ(Fetch(r.Header("location")).code, 200);
  r = Fetch(https + "/wsgi_app");
  EXPECT_EQ(r.code, 308) << r;
  EXPECT_EQ(r.Header("location"), https + "/wsgi_app/") << r;
  EXPECT_EQ(Fetch(r.Header("location")).code, 200);

  // ASGI: Starlette's request.url_for is absolute: prefix, host and scheme must all be right.
  r = Fetch(http + "/asgi_app/");
  ASSERT_EQ(r.code, 200) << r;
  EXPECT_EQ(r.body, "<a href=\"" + http + "/asgi_app/hello\">hello</a>");
  r = Fetch(http + "/asgi_app/go");
  EXPECT_EQ(r.code, 307) << r;
  ASSERT_EQ(r.Header("location"), http + "/asgi_app/hello") << r;
  r = Fetch(r.Header("location"));
  EXPECT_EQ(r.code, 200) << r;
  EXPECT_EQ(r.body, "hello from asgi: root_path=/asgi_app path=/hello");
  r = Fetch(https + "/asgi_app/go");
  EXPECT_EQ(r.code, 307) << r;
  ASSERT_EQ(r.Header("location"), https + "/asgi_app/hello") << r;
  EXPECT_EQ(Fetch(r.Header("location")).code, 200);
}

// 4. --carg PYTHON_VERSION picks the base image. python:3.11.1 and python:3.12.5-slim are one
// image under two tags here, so the engine cannot say which tag a build used (buildah even
// records the other tag as the base name). The python specs label their images with the tag
// the build arg selected (org.opencontainers.image.base.name); FlaskAppAtDomainRoot sees the
// default there. The image's history holds the base image's ID (the same for both tags), and
// the stand-in test shows the same build arg really moves FROM to another image.
TEST_F(SpecE2E, PythonVersionBuildArgSelectsTheBaseImage) {
  REQUIRE_ENGINE("podman");
  StartServer();
  auto c = Create({"--spec", "python-flask", "--carg", "PYTHON_VERSION=3.11.1",
                   AppDir({{"app.py", kFlaskApp}}), "/py311"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  Response r = Fetch(Http("localhost") + "/py311/");
  ASSERT_EQ(r.code, 200) << r;
  EXPECT_EQ(r.body, "hello from flask, PORT=5000 CL_APP_PATH=[/py311] path=/");
  std::string image = Image("/py311");
  EXPECT_EQ(ImageLabel(image, "org.opencontainers.image.base.name"), "python:3.11.1");
  // Built on that image: it is in the image's history.
  EXPECT_TRUE(BuiltOn(image, "docker.io/library/python:3.11.1"));
}

// 5. A Go module without dependencies, built offline in golang:1.19 and run from
// debian:bookworm-slim; it listens where APP_ARGS says (its own default, 127.0.0.1, would never
// become healthy).
TEST_F(SpecE2E, GoAppWithPortAndAppArgs) {
  REQUIRE_ENGINE("podman");
  StartServer();
  std::string dir =
      AppDir({{"go.mod", "module example.com/berthgo\n\ngo 1.19\n"}, {"main.go", R"(package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	greeting := flag.String("greeting", "hello", "greeting")
	flag.Parse()
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s from go on %s (PORT=%s) path %s\n", *greeting, *addr, os.Getenv("PORT"), r.URL.Path)
	})
	log.Printf("listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, nil))
}
)"}});
  auto c = Create({"--spec", "go", "--param", "port=8080", "--param",
                   "APP_ARGS=-addr 0.0.0.0:8080 -greeting hi-from-args", dir, "/goapp"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  Response r = Fetch(Http("localhost") + "/goapp/x");
  ASSERT_EQ(r.code, 200) << r;
  EXPECT_EQ(r.body, "hi-from-args from go on 0.0.0.0:8080 (PORT=8080) path /x\n");
  EXPECT_EQ(PublishedPort("/goapp"), "8080/tcp");
  auto annotations = RunCommand({"podman", "image", "inspect", "--format",
                                 "{{index .Annotations \"org.opencontainers.image.base.name\"}}",
                                 Image("/goapp")});
  EXPECT_EQ(Trim(annotations.out), "docker.io/library/debian:bookworm-slim");
  // Deleting the app leaves no image of the build behind (not the builder stage's either).
  std::string id = AppId("/goapp");
  ASSERT_EQ(server_->Cli({"app", "delete", "/goapp"}).exit_code, 0);
  EXPECT_TRUE(WaitFor(
      [&] {
        auto imgs = RunCommand({"podman", "images", "-aq", "--filter", "label=berth.app.id=" + id});
        return imgs.exit_code == 0 && Lines(imgs.out).empty();
      },
      seconds(60)));
}

// 6. The specs of the frameworks that are not installable here, against the stand-ins.
TEST_F(SpecE2E, StreamlitGradioAndFastHtmlSpecsAgainstStandIns) {
  REQUIRE_ENGINE("podman");
  StartServer();
  const std::string standin = "PYTHON_VERSION=3.12.5-standin";
  auto c = Create({"--spec", "python-streamlit", "--carg", standin,
                   AppDir({{"streamlit_app.py", "import streamlit as st\nst.write('hi')\n"}}),
                   "/streamlit_app"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  c = Create({"--spec", "python-streamlit-poetry", "--carg", standin, "--param",
              "app_file=dashboard.py",
              AppDir({{"dashboard.py", "import streamlit as st\nst.title('dash')\n"}}),
              "poetry.localhost:/"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  c = Create({"--spec", "python-gradio", "--carg", standin,
              AppDir({{"run.py",
                       "import gradio as gr\n\nwith gr.Blocks() as demo:\n    gr.Markdown('hi')\n\n"
                       "demo.launch()\n"}}),
              "/gradio_app"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  c = Create({"--spec", "python-fasthtml", "--carg", standin, "--param", "APP_MODULE=main:app",
              AppDir({{"main.py",
                       "from fasthtml.common import *\n\napp, rt = fast_app()\n\n\n@rt('/')\n"
                       "def get(request):\n    return Titled('FastHTML on Berth', "
                       "P('root_path=' + request.scope['root_path']), P('path=' + "
                       "request.scope['path']))\n\n\nserve()\n"}}),
              "/fasthtml_app"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const std::string http = Http("localhost");
  WarmUp({http + "/streamlit_app/", Http("poetry.localhost") + "/", http + "/gradio_app/",
          http + "/fasthtml_app/"});

  // Streamlit serves below --server.baseUrlPath: Berth keeps the prefix, probes
  // <prefix>/_stcore/health, and the app listens on 0.0.0.0:8501.
  Response r = Fetch(http + "/streamlit_app/page?x=1");
  ASSERT_EQ(r.code, 200) << r;
  json j = r.Json();
  EXPECT_EQ(j["tool"], "streamlit");
  EXPECT_EQ(j["path"], "/streamlit_app/page?x=1");
  EXPECT_EQ(j["base_path"], "/streamlit_app");
  EXPECT_EQ(j["script"], "streamlit_app.py");
  EXPECT_EQ(j["options"]["server.port"], "8501");
  EXPECT_EQ(j["options"]["server.address"], "0.0.0.0");
  EXPECT_EQ(j["options"]["server.baseUrlPath"], "/streamlit_app");
  EXPECT_EQ(j["options"]["server.headless"], "true");
  EXPECT_EQ(PublishedPort("/streamlit_app"), "8501/tcp");
  EXPECT_EQ(ImageLabel(Image("/streamlit_app"), "org.opencontainers.image.base.name"),
            "python:3.12.5-standin");
  EXPECT_TRUE(BuiltOn(Image("/streamlit_app"), "docker.io/library/python:3.12.5-standin"));
  r = Fetch(http + "/streamlit_app/_stcore/health");
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(r.body, "ok");
  auto requests = LoggedRequests("/streamlit_app");
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests[0], "GET /streamlit_app/_stcore/health HTTP/1.1") << "the health probe";

  // At a domain root there is no base path; app_file picks the script.
  r = Fetch(Http("poetry.localhost") + "/");
  ASSERT_EQ(r.code, 200) << r;
  j = r.Json();
  EXPECT_EQ(j["tool"], "streamlit");
  EXPECT_EQ(j["path"], "/");
  EXPECT_EQ(j["base_path"], "");
  EXPECT_EQ(j["script"], "dashboard.py");
  requests = LoggedRequests("poetry.localhost:/");
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests[0], "GET /_stcore/health HTTP/1.1");

  // Gradio's routes stay at "/" whatever its root path: Berth strips the prefix and passes the
  // app path in GRADIO_ROOT_PATH; it must listen on 0.0.0.0 (its default is 127.0.0.1).
  r = Fetch(http + "/gradio_app/config");
  ASSERT_EQ(r.code, 200) << r;
  j = r.Json();
  EXPECT_EQ(j["tool"], "gradio");
  EXPECT_EQ(j["path"], "/config");
  EXPECT_EQ(j["base_path"], "/gradio_app");
  EXPECT_EQ(j["host"], "0.0.0.0");
  EXPECT_EQ(j["port"], 7860);
  EXPECT_EQ(j["script"], "run.py");
  EXPECT_EQ(j["headers"]["X-Forwarded-Prefix"], "/gradio_app");
  requests = LoggedRequests("/gradio_app");
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests[0], "GET / HTTP/1.1") << "the health probe";

  // FastHTML runs under uvicorn with APP_MODULE and --root-path; the prefix is stripped.
  r = Fetch(http + "/fasthtml_app/");
  ASSERT_EQ(r.code, 200) << r;
  EXPECT_NE(r.body.find("<h1>FastHTML on Berth</h1>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<p>root_path=/fasthtml_app</p><p>path=/</p>"), std::string::npos)
      << r.body;
  EXPECT_EQ(PublishedPort("/fasthtml_app"), "8000/tcp");
}

// 7. Errors in a spec file name the file, line and column, then show the line and a caret; the
// app is not created.
TEST_F(SpecE2E, BrokenSpecFilesGiveCaretErrorsAndCreateNothing) {
  StartServer();
  std::string flask_star =
      *ReadFile(std::string(BERTH_SOURCE_DIR) + "/appspecs/python-flask/app.star");
  ASSERT_NE(flask_star.find("port=param.port"), std::string::npos);
  struct Case {
    std::string file, content, at;  // `at`: the text the caret points at
  };
  std::string typo = flask_star;
  typo.replace(typo.find("port=param.port"), 4, "prot");
  const Case cases[] = {
      {"app.star", typo, "prot=param.port"},
      {"app.star", "load(\"proxy.in\", \"proxy\")\napp = ace.app(\"x\" routes=[])\n", "routes=[])"},
      {"params.star", "param(\"port\", type=INT, default=5000,, description=\"x\")\n",
       ", description"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.file + ":\n" + tc.content);
    std::string dir = AppDir({{"app.py", kFlaskApp}, {tc.file, tc.content}});
    auto c = Create({"--spec", "python-flask", dir, "/broken"});
    EXPECT_EQ(c.exit_code, 1);
    auto lines = Split(c.err, '\n');
    ASSERT_GE(lines.size(), 4u) << c.err;
    EXPECT_EQ(lines.back(), "") << "ends with a newline";
    // error: FILE:L:C: message
    ASSERT_TRUE(lines[0].starts_with("error: " + tc.file + ":")) << c.err;
    int line = 0, col = 0;
    ASSERT_EQ(std::sscanf(lines[0].c_str() + 8 + tc.file.size(), "%d:%d:", &line, &col), 2)
        << c.err;
    auto source = Split(tc.content, '\n');
    ASSERT_GE(line, 1);
    ASSERT_LE(line, static_cast<int>(source.size()));
    EXPECT_EQ(lines[1], source[line - 1]) << c.err;
    EXPECT_EQ(lines[2], std::string(col - 1, ' ') + "^") << c.err;
    EXPECT_EQ(source[line - 1].substr(col - 1, tc.at.size()), tc.at) << c.err;
    EXPECT_EQ(lines.size(), 4u) << c.err;
  }
  auto list = server_->Cli({"app", "list", "-i", "-f", "json"});
  EXPECT_EQ(list.out, "[]\n");
  // Other errors stay on one line.
  auto c = Create(
      {"--spec", "python-flask", "--param", "port=x", AppDir({{"app.py", kFlaskApp}}), "/broken"});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_TRUE(c.err.starts_with("error: ")) << c.err;
  EXPECT_EQ(std::count(c.err.begin(), c.err.end(), '\n'), 1) << c.err;
}

// 8. A spec folder in $BERTH_HOME/config/appspecs replaces the bundled spec of that name (here
// with its own health path and an extra param) or adds a new one.
TEST_F(SpecE2E, OverrideSpecInHomeReplacesTheBundledOne) {
  REQUIRE_ENGINE("podman");
  std::string home = MakeTempDir("berth-e2e");
  std::string bundled = std::string(BERTH_SOURCE_DIR) + "/appspecs/python-flask/";
  std::string flask = home + "/config/appspecs/python-flask/";
  WriteTestFile(flask + "Containerfile", *ReadFile(bundled + "Containerfile"));
  std::string app_star = *ReadFile(bundled + "app.star");
  ASSERT_NE(app_star.find("port=param.port)"), std::string::npos);
  app_star.replace(app_star.find("port=param.port)"), 16, "port=param.port, health=\"/healthz\")");
  WriteTestFile(flask + "app.star", app_star);
  WriteTestFile(flask + "params.star",
                *ReadFile(bundled + "params.star") +
                    "param(\"GREETING\", default=\"from the override\", description=\"x\")\n");
  std::string extra = home + "/config/appspecs/my-proxy/";
  WriteTestFile(extra + "params.star", "param(\"target\", description=\"where to\")\n");
  WriteTestFile(extra + "app.star",
                "load(\"proxy.in\", \"proxy\")\n"
                "app = ace.app(\"Mine\", routes=[ace.proxy(\"/\", proxy.config(param.target))])\n");
  StartServer(home);

  auto r = server_->Cli({"spec", "list", "-f", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, json> specs;
  for (const auto& s : json::parse(r.out)) specs[s["name"].get<std::string>()] = s;
  EXPECT_EQ(specs.size(), 12u);
  ASSERT_TRUE(specs.count("my-proxy"));
  EXPECT_EQ(specs["my-proxy"]["params"][0]["name"], "target");
  ASSERT_EQ(specs["python-flask"]["params"].size(), 2u) << specs["python-flask"].dump();
  EXPECT_EQ(specs["python-flask"]["params"][1]["name"], "GREETING");
  r = server_->Cli({"spec", "show", "python-flask"});
  EXPECT_NE(r.out.find("health=\"/healthz\""), std::string::npos) << r.out;

  // An app of the overridden spec: the extra param reaches it and the health probe asks
  // /healthz, which the bundled spec never does.
  std::string dir = AppDir({{"app.py", R"(import os
from flask import Flask

app = Flask(__name__)
probes = []


@app.route("/healthz")
def healthz():
    probes.append(1)
    return "ok"


@app.route("/")
def index():
    return "%s, health probes: %d" % (os.environ["GREETING"], len(probes))
)"}});
  auto c = Create({"--spec", "python-flask", dir, "custom.localhost:/"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  Response resp = Fetch(Http("custom.localhost") + "/");
  ASSERT_EQ(resp.code, 200) << resp;
  EXPECT_TRUE(resp.body.starts_with("from the override, health probes: ")) << resp.body;
  EXPECT_NE(resp.body, "from the override, health probes: 0");
}

}  // namespace
}  // namespace berth::testing
