#include "container/containerfile.h"

#include <gtest/gtest.h>

namespace berth::container {
namespace {

TEST(ContainerfileTest, ExposeVolumeArg) {
  auto info = ParseContainerfile(R"(# syntax
ARG PYTHON_VERSION=3.12.5-slim
FROM python:${PYTHON_VERSION}
ARG NOVALUE
ARG QUOTED="a b"
EXPOSE ${PORT}
expose 8080/tcp 9000
EXPOSE 70000
VOLUME ["/data", "/cache"]
VOLUME /logs \
       /more
RUN echo EXPOSE 1234
)");
  EXPECT_EQ(info.exposed_ports, (std::vector<int>{8080, 9000}));
  EXPECT_EQ(info.volumes, (std::vector<std::string>{"/data", "/cache", "/logs", "/more"}));
  EXPECT_EQ(info.args.at("PYTHON_VERSION"), "3.12.5-slim");
  EXPECT_EQ(info.args.at("NOVALUE"), "");
  EXPECT_EQ(info.args.at("QUOTED"), "a b");
}

TEST(ContainerfileTest, Empty) {
  auto info = ParseContainerfile("");
  EXPECT_TRUE(info.exposed_ports.empty());
  EXPECT_TRUE(info.volumes.empty());
}

}  // namespace
}  // namespace berth::container
