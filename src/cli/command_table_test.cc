#include "cli/command_table.h"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

TEST(ErrorTextTest, OneLineUnlessASpecFileError) {
  EXPECT_EQ(ErrorText("param port is a required param"), "param port is a required param");
  EXPECT_EQ(ErrorText("image build failed: x\nbuild log (last lines):\nstep 1"),
            "image build failed: x build log (last lines): step 1");
  // A spec file's error keeps its source line and caret below the message.
  std::string caret =
      "app.star:6:55: container.config: unexpected keyword argument \"prot\"\n"
      "    container=container.config(container.AUTO, prot=8080),\n"
      "                                                      ^";
  EXPECT_EQ(ErrorText(caret), caret);
  std::string called = "params.star:1:1: boom\nx()\n^\n  called from params.star:3:1";
  EXPECT_EQ(ErrorText(called), called);
  // Not a file:line:col start.
  EXPECT_EQ(ErrorText("app.star: not found\nmore"), "app.star: not found more");
  EXPECT_EQ(ErrorText("see a.star:1:2: x\ny"), "see a.star:1:2: x y");
  EXPECT_EQ(ErrorText("a.star:1:x: x\ny"), "a.star:1:x: x y");
  EXPECT_EQ(ErrorText("a.star:1:2:x\ny"), "a.star:1:2:x y");
  EXPECT_EQ(ErrorText(""), "");
}

}  // namespace
}  // namespace berth::cli
