#include "container/flavor.h"

#include <gtest/gtest.h>

namespace berth::container {
namespace {

TEST(FlavorTest, Names) {
  EXPECT_STREQ(FlavorName(Flavor::kPodman), "podman");
  EXPECT_STREQ(FlavorName(Flavor::kDocker), "docker");
}

TEST(FlavorTest, DetectsFromVersionOutput) {
  // Real output of the tools on the build machine.
  EXPECT_EQ(*DetectFlavor("podman version 4.3.1\n", "/usr/bin/podman"), Flavor::kPodman);
  EXPECT_EQ(*DetectFlavor("Docker version 28.2.2, build e6534b4\n", "/usr/local/bin/docker"),
            Flavor::kDocker);
  EXPECT_EQ(*DetectFlavor("Docker version 20.10.24+dfsg1, build 297e128\n", "/opt/engine"),
            Flavor::kDocker);
  // podman installed as "docker" (podman-docker) says podman.
  EXPECT_EQ(*DetectFlavor("podman version 4.3.1\n", "/usr/bin/docker"), Flavor::kPodman);
}

TEST(FlavorTest, FallsBackToTheBasename) {
  EXPECT_EQ(*DetectFlavor("", "/opt/bin/podman-remote"), Flavor::kPodman);
  EXPECT_EQ(*DetectFlavor("something 1.0", "/usr/local/bin/docker"), Flavor::kDocker);
  auto unknown = DetectFlavor("nerdctl version 1.7.0", "/usr/bin/nerdctl");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("/usr/bin/nerdctl"), std::string::npos);
}

}  // namespace
}  // namespace berth::container
