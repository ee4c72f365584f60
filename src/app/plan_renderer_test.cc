#include "app/plan_renderer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "base/files.h"

namespace berth::app {
namespace {

struct Case {
  std::vector<std::vector<std::string>> allowed;
  std::vector<std::string> args;
  bool want;
};

TEST(SecretAllowedTest, Table) {
  const Case cases[] = {
      {{{"regex:.*"}}, {"DB"}, true},
      {{{"regex:.*"}}, {"vault", "DB"}, true},  // the provider is not matched
      {{{"DB"}}, {"DB"}, true},
      {{{"DB"}}, {"DBX"}, false},
      {{{"regex:DB_.*"}}, {"DB_PASS"}, true},
      {{{"regex:DB_.*"}}, {"X_DB_PASS"}, false},  // the whole key
      {{{"a", "b"}}, {"prop", "a", "b"}, true},   // two keys, two patterns
      {{{"a", "b"}}, {"prop", "a"}, false},
      {{{"regex:.*"}}, {"prop", "a", "b"}, true},  // the last pattern covers the rest
      {{{"a"}}, {"prop", "a", "b"}, false},
      {{{"regex:("}}, {"DB"}, false},  // a bad pattern allows nothing
      {{}, {"DB"}, false},
      {{{"X"}, {"DB"}}, {"DB"}, true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(SecretAllowed(c.allowed, c.args), c.want) << c.args.back();
  }
}

class PlanRendererTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-render-XXXXXX";
    root_ = mkdtemp(tmpl);
    secrets_ = {{"DB", "p&s<w>\"o'rd"}, {"TOKEN", "t0k"}};
    deps_.files_root = root_ + "/secrets";
    deps_.secret = [this](const std::vector<std::string>& args) -> Result<std::string> {
      ++lookups_;
      const std::string& key = args.back();
      auto it = secrets_.find(key);
      if (it == secrets_.end()) {
        return Status::NotFound("secret " + key + " not found in provider env");
      }
      return it->second;
    };
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  ContainerPlan Plan() {
    ContainerPlan p;
    p.app_id = "app_prd_x";
    p.build = true;
    p.image_inputs = "digest";
    p.build_args = {{"V", "1"}};
    p.image = ImageName(p.app_id, p.image_inputs, p.build_args);
    p.build_spec.image = p.image;
    p.build_spec.build_args = {{"V", "1"}};
    p.container_port = 8080;
    p.app_path = "/x";
    p.run.image = p.image;
    p.run.container_port = 8080;
    p.run.env = {{"DB_PASSWORD", "{{secret \"DB\"}}"}, {"MODE", "prod"}, {"PORT", "8080"}};
    p.params = {{"DB_PASSWORD", "{{secret \"DB\"}}"}, {"MODE", "prod"}};
    p.secrets_allowed = {{"regex:.*"}};
    p.needs_render = true;
    p.run.name = ContainerName(p.app_id, p.run, {});
    return p;
  }

  std::string root_;
  std::map<std::string, std::string> secrets_;
  RenderDeps deps_;
  int lookups_ = 0;
  store::SourceFiles files_;
};

TEST_F(PlanRendererTest, PlainPlanComesBackAsItIs) {
  ContainerPlan p = Plan();
  p.needs_render = false;
  auto out = RenderPlan(p, files_, deps_);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->run.name, p.run.name);
  EXPECT_EQ(lookups_, 0);
}

TEST_F(PlanRendererTest, EnvSecretsAreResolvedHiddenAndNamed) {
  ContainerPlan p = Plan();
  auto out = RenderPlan(p, files_, deps_);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_FALSE(out->needs_render);
  EXPECT_EQ(out->run.env[0].second, "p&s<w>\"o'rd");  // not escaped
  EXPECT_EQ(out->run.env[1].second, "prod");
  EXPECT_EQ(out->run.hidden_env, (std::set<std::string>{"DB_PASSWORD"}));
  EXPECT_NE(out->run.name, p.run.name);
  EXPECT_EQ(out->image, p.image);  // no build arg changed

  // The same secret: the same container. A rotated one: a new container.
  auto again = RenderPlan(p, files_, deps_);
  EXPECT_EQ(again->run.name, out->run.name);
  secrets_["DB"] = "rotated";
  auto rotated = RenderPlan(p, files_, deps_);
  EXPECT_NE(rotated->run.name, out->run.name);
}

TEST_F(PlanRendererTest, BuildArgSecretsNameTheImage) {
  ContainerPlan p = Plan();
  p.build_args["TOKEN"] = "{{secret \"env\" \"TOKEN\"}}";
  auto out = RenderPlan(p, files_, deps_);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_NE(out->image, p.image);
  EXPECT_EQ(out->run.image, out->image);
  EXPECT_EQ(out->build_spec.image, out->image);
  EXPECT_EQ(out->build_spec.hidden_build_args, (std::set<std::string>{"TOKEN"}));
  bool found = false;
  for (const auto& [k, v] : out->build_spec.build_args)
    found = found || (k == "TOKEN" && v == "t0k");
  EXPECT_TRUE(found);
  secrets_["TOKEN"] = "new";
  EXPECT_NE(RenderPlan(p, files_, deps_)->image, out->image);
}

TEST_F(PlanRendererTest, ErrorsNameTheKeyNeverTheValue) {
  ContainerPlan p = Plan();
  p.run.env[1].second = "{{secret \"MISSING\"}}";
  auto out = RenderPlan(p, files_, deps_);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("param MODE"), std::string::npos) << out.status().message();
  EXPECT_NE(out.status().message().find("secret MISSING not found in provider env"),
            std::string::npos);
  EXPECT_EQ(out.status().message().find("p&s"), std::string::npos);

  p = Plan();
  p.secrets_allowed = {{"regex:APP_.*"}};
  lookups_ = 0;
  out = RenderPlan(p, files_, deps_);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("may not read secret DB"), std::string::npos)
      << out.status().message();
  EXPECT_NE(out.status().message().find("[regex:APP_.*]"), std::string::npos);
  EXPECT_EQ(lookups_, 0);

  p = Plan();
  p.run.env[1].second = "{{secret_from \"DB\"}}";
  out = RenderPlan(p, files_, deps_);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("needs a provider"), std::string::npos);

  // A template error has the caret and the line.
  p = Plan();
  p.run.env[1].second = "{{secrte \"DB\"}}";
  out = RenderPlan(p, files_, deps_);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("param MODE:1:"), std::string::npos)
      << out.status().message();
  EXPECT_NE(out.status().message().find("^"), std::string::npos);
}

TEST_F(PlanRendererTest, OneLookupPerSecret) {
  ContainerPlan p = Plan();
  p.run.env.push_back({"DB_AGAIN", "x{{secret \"DB\"}}"});
  ASSERT_TRUE(RenderPlan(p, files_, deps_).ok());
  EXPECT_EQ(lookups_, 1);
}

TEST_F(PlanRendererTest, SecretFilesAreRenderedPrivatelyAndMounted) {
  ContainerPlan p = Plan();
  files_["secrets.toml"] = {
      "[DEFAULT]\n{{range $k, $v := .params}}{{$k}} = {{$v}}\n{{end}}path = {{.app.path}}\n"
      "port = {{.app.port}}\ntoken = {{secret \"TOKEN\"}}\n",
      0644};
  p.secret_files = {{"secrets.toml", "/app/.streamlit/secrets.toml", "ro"}};
  auto out = RenderPlan(p, files_, deps_);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->run.volumes.size(), 1u);
  const auto& m = out->run.volumes[0];
  EXPECT_EQ(m.target, "/app/.streamlit/secrets.toml");
  EXPECT_EQ(m.options, "ro");
  EXPECT_TRUE(m.source.starts_with(SecretFilesDir(deps_.files_root, out->run.name) + "/"));
  auto text = ReadFile(m.source);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text,
            "[DEFAULT]\nDB_PASSWORD = p&s<w>\"o'rd\nMODE = prod\npath = /x\nport = 8080\n"
            "token = t0k\n");
  struct stat st {};
  ASSERT_EQ(::stat(m.source.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // A changed secret in the file: a new container (and a new folder).
  secrets_["TOKEN"] = "other";
  auto changed = RenderPlan(p, files_, deps_);
  ASSERT_TRUE(changed.ok());
  EXPECT_NE(changed->run.name, out->run.name);
  EXPECT_NE(changed->run.volumes[0].source, m.source);

  // A template error names the file and the line.
  files_["secrets.toml"].content = "a\n{{if}}\n";
  auto bad = RenderPlan(p, files_, deps_);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("secrets.toml:2:"), std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace berth::app
