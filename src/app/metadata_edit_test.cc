#include "app/metadata_edit.h"

#include <gtest/gtest.h>

namespace berth::app {
namespace {

store::AppRecord Record() {
  store::AppRecord r;
  r.spec = "python-asgi";
  r.metadata.params = {{"APP_MODULE", "main:app"}};
  r.metadata.cargs = {{"PYTHON_VERSION", "3.12.5-slim"}};
  r.metadata.copts = {{"memory", "256m"}};
  r.metadata.cvols = {"/data"};
  return r;
}

TEST(MetadataEditTest, KindsTakeLongNamesAndSuggestTheClosest) {
  EXPECT_EQ(*ParseMetadataKind("container-arg"), MetadataKind::kCarg);
  EXPECT_EQ(*ParseMetadataKind("container-volumes"), MetadataKind::kCvol);
  EXPECT_EQ(*ParseMetadataKind("app-config"), MetadataKind::kConf);
  auto bad = ParseMetadataKind("copy");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("did you mean copt"), std::string::npos)
      << bad.status().message();
}

TEST(MetadataEditTest, SetsAndDeletesKeys) {
  store::AppRecord r = Record();
  ASSERT_TRUE(ApplyMetadataEdit(MetadataKind::kCarg, {"PYTHON_VERSION=-", "X=1"}, &r).ok());
  EXPECT_EQ(r.metadata.cargs, (std::map<std::string, std::string>{{"X", "1"}}));
  ASSERT_TRUE(ApplyMetadataEdit(MetadataKind::kCopt, {"init", "memory=-", "cpus=1"}, &r).ok());
  EXPECT_FALSE(r.metadata.copts.at("init").has_value());
  EXPECT_EQ(r.metadata.copts.at("cpus"), "1");
  EXPECT_FALSE(r.metadata.copts.count("memory"));
  ASSERT_TRUE(
      ApplyMetadataEdit(MetadataKind::kConf, {"container.health_url=\"/up\""}, &r).ok());
  EXPECT_EQ(r.metadata.conf.at("container.health_url"), "/up");
  ASSERT_TRUE(ApplyMetadataEdit(MetadataKind::kParam, {"APP_MODULE", "-"}, &r).ok());
  EXPECT_TRUE(r.metadata.params.empty());
  EXPECT_EQ(ApplyMetadataEdit(MetadataKind::kParam, {"APP_MODULE", "-"}, &r).code(),
            Status::Code::kNotFound);
  EXPECT_FALSE(ApplyMetadataEdit(MetadataKind::kCarg, {"novalue"}, &r).ok());
  EXPECT_FALSE(ApplyMetadataEdit(MetadataKind::kConf, {"=1"}, &r).ok());
}

TEST(MetadataEditTest, CvolReplacesTheWholeList) {
  store::AppRecord r = Record();
  ASSERT_TRUE(ApplyMetadataEdit(MetadataKind::kCvol, {"/a", "b:/b"}, &r).ok());
  EXPECT_EQ(r.metadata.cvols, (std::vector<std::string>{"/a", "b:/b"}));
  ASSERT_TRUE(ApplyMetadataEdit(MetadataKind::kCvol, {"-"}, &r).ok());
  EXPECT_TRUE(r.metadata.cvols.empty());
}

TEST(MetadataEditTest, DescribesWhatChanged) {
  store::AppRecord before = Record();
  store::AppRecord after = before;
  EXPECT_EQ(DescribeChanges(before, after), "");
  after.metadata.params["APP_MODULE"] = "other:app";
  after.metadata.copts.erase("memory");
  after.metadata.cvols = {"/x"};
  EXPECT_EQ(DescribeChanges(before, after),
            "param APP_MODULE=other:app; copt memory deleted; cvol [/x]");
}

}  // namespace
}  // namespace berth::app
