#include "app/container_plan.h"

#include <gtest/gtest.h>

namespace berth::app {
namespace {

store::AppRecord Record() {
  store::AppRecord r;
  r.id = "app_prd_abc";
  r.domain = "localhost";
  r.path = "/app";
  r.version = 3;
  return r;
}

ResolvedApp Resolved() {
  ResolvedApp a;
  a.files["Containerfile"] = {"FROM busybox\nEXPOSE 8080\n", 0644};
  a.files["app.sh"] = {"#!/bin/sh\n", 0755};
  ContainerSetup c;
  c.containerfile = "Containerfile";
  c.port = 8080;
  c.env = {{"PORT", "8080"}, {"CL_APP_PATH", "/app"}, {"A", "1"}};
  c.copts = {{"memory", "256m"}, {"init", std::nullopt}};
  c.cargs = {{"PYTHON_VERSION", "3.11.1"}};
  c.volumes = {"/data", "cache:/cache:ro", "/srv/shared:/shared"};
  a.container = c;
  return a;
}

TEST(ContainerPlanTest, NamesArgumentsAndLabels) {
  auto plan = MakeContainerPlan(Record(), Resolved(), "/home/b");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_TRUE(plan->build);
  EXPECT_TRUE(plan->image.starts_with("berth-app_prd_abc:"));
  EXPECT_EQ(plan->build_spec.build_args,
            (std::vector<std::pair<std::string, std::string>>{{"PYTHON_VERSION", "3.11.1"}}));
  EXPECT_TRUE(plan->run.name.starts_with("berth-app_prd_abc-"));
  EXPECT_EQ(plan->run.container_port, 8080);
  // Env and options in a deterministic (sorted) order.
  EXPECT_EQ(plan->run.env.front().first, "A");
  EXPECT_EQ(plan->run.options.front().first, "init");
  ASSERT_EQ(plan->run.volumes.size(), 3u);
  EXPECT_EQ(plan->run.volumes[0].source, "berth-app_prd_abc-data");
  EXPECT_EQ(plan->run.volumes[1].source, "berth-app_prd_abc-cache");
  EXPECT_EQ(plan->run.volumes[1].options, "ro");
  EXPECT_EQ(plan->run.volumes[2].source, "/srv/shared");
  EXPECT_EQ(plan->volumes_to_create,
            (std::vector<std::string>{"berth-app_prd_abc-data", "berth-app_prd_abc-cache"}));
  EXPECT_EQ(plan->run.labels.at(kLabelAppId), "app_prd_abc");
  EXPECT_EQ(plan->run.labels.at(kLabelVersion), "3");
  EXPECT_EQ(plan->run.labels.at(kLabelHome), "/home/b");
}

TEST(ContainerPlanTest, HashesFollowContent) {
  auto base = *MakeContainerPlan(Record(), Resolved(), "/h");
  // Same inputs, same names.
  auto again = *MakeContainerPlan(Record(), Resolved(), "/h");
  EXPECT_EQ(base.image, again.image);
  EXPECT_EQ(base.run.name, again.run.name);
  // A version bump alone changes neither.
  auto rec = Record();
  rec.version = 4;
  EXPECT_EQ(MakeContainerPlan(rec, Resolved(), "/h")->run.name, base.run.name);
  // A source change changes the image and so the container.
  auto src = Resolved();
  src.files["app.sh"].content = "#!/bin/sh\necho changed\n";
  auto changed = *MakeContainerPlan(Record(), src, "/h");
  EXPECT_NE(changed.image, base.image);
  EXPECT_NE(changed.run.name, base.run.name);
  // A mode change too.
  src = Resolved();
  src.files["app.sh"].mode = 0644;
  EXPECT_NE(MakeContainerPlan(Record(), src, "/h")->image, base.image);
  // A build arg changes the image.
  src = Resolved();
  src.container->cargs["PYTHON_VERSION"] = "3.12.5-slim";
  EXPECT_NE(MakeContainerPlan(Record(), src, "/h")->image, base.image);
  // An env change keeps the image but makes a new container.
  src = Resolved();
  src.container->env["A"] = "2";
  auto env_changed = *MakeContainerPlan(Record(), src, "/h");
  EXPECT_EQ(env_changed.image, base.image);
  EXPECT_NE(env_changed.run.name, base.run.name);
}

TEST(ContainerPlanTest, ImageSourceAndBadVolumes) {
  auto a = Resolved();
  a.container->build = false;
  a.container->image = "nginx";
  auto plan = MakeContainerPlan(Record(), a, "/h");
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(plan->build);
  EXPECT_EQ(plan->run.image, "nginx");
  a.container->volumes = {"relative"};
  EXPECT_FALSE(MakeContainerPlan(Record(), a, "/h").ok());
  a.container->volumes = {"cl_secret:secret.tmpl:/app/secret.ini"};
  EXPECT_NE(MakeContainerPlan(Record(), a, "/h").status().message().find(
                "the template file secret.tmpl is not in the app's source"),
            std::string::npos);
  a.container->volumes = {"cl_secret:secret.tmpl"};
  EXPECT_NE(MakeContainerPlan(Record(), a, "/h").status().message().find("must be cl_secret:"),
            std::string::npos);
}

TEST(ContainerPlanTest, TemplatesAndSecretFilesNeedRendering) {
  auto plain = *MakeContainerPlan(Record(), Resolved(), "/h");
  EXPECT_FALSE(plain.needs_render);
  EXPECT_EQ(plain.run.labels.at(kLabelPlan), plain.run.name);

  auto a = Resolved();
  a.container->env["DB_PASSWORD"] = "{{secret \"DB\"}}";
  EXPECT_TRUE(MakeContainerPlan(Record(), a, "/h")->needs_render);
  a = Resolved();
  a.container->cargs["TOKEN"] = "{{secret \"T\"}}";
  EXPECT_TRUE(MakeContainerPlan(Record(), a, "/h")->needs_render);
  // A value with only one of {{ and }} is no template.
  a = Resolved();
  a.container->env["X"] = "a{{b";
  EXPECT_FALSE(MakeContainerPlan(Record(), a, "/h")->needs_render);

  a = Resolved();
  a.files["secret.tmpl"] = {"k={{.params.A}}\n", 0644};
  a.container->volumes = {"/data", "cl_secret:secret.tmpl:/app/secret.ini"};
  auto plan = MakeContainerPlan(Record(), a, "/h");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_TRUE(plan->needs_render);
  ASSERT_EQ(plan->secret_files.size(), 1u);
  EXPECT_EQ(plan->secret_files[0].template_path, "secret.tmpl");
  EXPECT_EQ(plan->secret_files[0].target, "/app/secret.ini");
  EXPECT_EQ(plan->secret_files[0].options, "ro");
  EXPECT_EQ(plan->run.volumes.size(), 1u);  // the file is mounted when rendered
  a.container->volumes = {"cl_secret:secret.tmpl:/app/secret.ini:rw"};
  EXPECT_EQ(MakeContainerPlan(Record(), a, "/h")->secret_files[0].options, "rw");
}

}  // namespace
}  // namespace berth::app
