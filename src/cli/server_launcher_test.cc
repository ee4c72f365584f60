#include "cli/server_launcher.h"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

TEST(ServerLauncherTest, TheServerBinaryIsBesideTheCommand) {
  EXPECT_EQ(ServerBinaryBeside("/usr/local/bin/berth"), "/usr/local/bin/berth-server");
  EXPECT_EQ(ServerBinaryBeside("/opt/berth/build/release/berth"),
            "/opt/berth/build/release/berth-server");
  EXPECT_EQ(ServerBinaryBeside("/berth"), "/berth-server");
}

}  // namespace
}  // namespace berth::cli
