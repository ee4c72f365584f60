#include "app/app_policy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace berth::app {
namespace {

SecurityPolicy Policy() {
  return SecurityPolicy{{"/srv/berth/data"}, DefaultAllowedContainerArgs()};
}

ContainerSetup WithVolumes(std::vector<std::string> volumes) {
  ContainerSetup s;
  s.volumes = std::move(volumes);
  return s;
}

TEST(AppPolicyTest, NamedVolumesAndSafeOptionsNeedNothing) {
  store::AppRecord r;
  ContainerSetup s = WithVolumes({"/data", "cache:/cache", "db:/var/lib/db:Z"});
  s.copts = {{"memory", "256m"}, {"cpus", "1"}, {"--pids-limit", "100"}, {"init", std::nullopt}};
  EXPECT_TRUE(CheckContainerPolicy(r, s, Policy()).ok());
  EXPECT_TRUE(PermissionsAsked(r, s).empty());
}

TEST(AppPolicyTest, HostMountsOutsideTheAllowedFoldersAreRefusedEvenApproved) {
  store::AppRecord r;
  r.metadata.approved = true;
  for (const char* v :
       {"/etc:/hostetc", "/:/host", "/srv/berth/database:/d", "/var/run/docker.sock:/s"}) {
    Status s = CheckContainerPolicy(r, WithVolumes({v}), Policy());
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << v;
    EXPECT_NE(s.message().find("security.allowed_mounts"), std::string::npos) << s.message();
  }
  Status dots = CheckContainerPolicy(r, WithVolumes({"/srv/berth/data/../../../etc:/x"}), Policy());
  EXPECT_EQ(dots.code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(CheckContainerPolicy(r, WithVolumes({"/srv/berth/data/app1:/data"}), Policy()).ok());
  EXPECT_TRUE(CheckContainerPolicy(r, WithVolumes({"/srv/berth/data:/data:ro"}), Policy()).ok());
}

TEST(AppPolicyTest, ASymlinkCannotLeadOutOfAnAllowedFolder) {
  std::string root = ::testing::TempDir() + "policy_" + std::to_string(::getpid());
  std::filesystem::create_directories(root + "/data");
  std::filesystem::remove(root + "/data/escape");
  std::filesystem::create_directory_symlink("/etc", root + "/data/escape");
  store::AppRecord r;
  r.metadata.approved = true;
  SecurityPolicy p{{root + "/data"}, {}};
  Status s = CheckContainerPolicy(r, WithVolumes({root + "/data/escape:/x"}), p);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.message();
  EXPECT_NE(s.message().find("/etc"), std::string::npos) << s.message();
  std::filesystem::remove_all(root);
}

TEST(AppPolicyTest, AMountTheAppAsksForNeedsApprovalOneFromTheCliDoesNot) {
  store::AppRecord r;
  ContainerSetup s = WithVolumes({"/srv/berth/data/x:/x"});
  Status held = CheckContainerPolicy(r, s, Policy());
  EXPECT_EQ(held.code(), Status::Code::kPermissionDenied);
  EXPECT_NE(held.message().find("bind-mount host path /srv/berth/data/x at /x"), std::string::npos)
      << held.message();
  EXPECT_NE(held.message().find("--approve"), std::string::npos) << held.message();
  r.metadata.approved = true;
  EXPECT_TRUE(CheckContainerPolicy(r, s, Policy()).ok());

  store::AppRecord cli;
  cli.metadata.cvols = {"/srv/berth/data/x:/x"};
  EXPECT_TRUE(CheckContainerPolicy(cli, s, Policy()).ok());
  EXPECT_TRUE(PermissionsAsked(cli, s).empty());
}

TEST(AppPolicyTest, SecretsTheSourceReadsNeedApprovalThoseTheUserGivesDoNot) {
  ContainerSetup s;
  s.secrets_allowed = {{"regex:DB_.*"}};
  s.params = {{"DB", "{{secret \"DB_PASS\"}}"}, {"MODE", "prod"}};
  s.cargs = {{"TOKEN", "{{secret \"DB_TOKEN\"}}"}};
  s.volumes = {"cl_secret:conf.tmpl:/conf", "/data"};
  store::AppRecord r;
  auto asked = PermissionsAsked(r, s);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0],
            "read secrets (allowed: [regex:DB_.*]) through param DB, build arg TOKEN, template "
            "conf.tmpl");
  EXPECT_EQ(CheckContainerPolicy(r, s, Policy()).code(), Status::Code::kPermissionDenied);
  r.metadata.approved = true;
  EXPECT_TRUE(CheckContainerPolicy(r, s, Policy()).ok());

  store::AppRecord cli;
  cli.metadata.params = {{"DB", "{{secret \"DB_PASS\"}}"}};
  cli.metadata.cargs = {{"TOKEN", "{{secret \"DB_TOKEN\"}}"}};
  cli.metadata.cvols = {"cl_secret:conf.tmpl:/conf"};
  EXPECT_TRUE(PermissionsAsked(cli, s).empty());
}

TEST(AppPolicyTest, DangerousOptionsAreRefusedUnlessListed) {
  store::AppRecord r;
  r.metadata.approved = true;
  for (const char* opt : {"privileged", "cap-add", "pid", "network", "volume", "device",
                          "security-opt", "entrypoint", "--privileged"}) {
    ContainerSetup s;
    s.copts = {{opt, "x"}};
    Status st = CheckContainerPolicy(r, s, Policy());
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << opt;
    EXPECT_NE(st.message().find("security.allowed_container_args"), std::string::npos);
  }
  ContainerSetup s;
  s.copts = {{"cap-add", "NET_ADMIN"}};
  SecurityPolicy p = Policy();
  p.allowed_container_args.push_back("cap-add");
  EXPECT_TRUE(CheckContainerPolicy(r, s, p).ok());
}

}  // namespace
}  // namespace berth::app
