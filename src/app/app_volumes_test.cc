#include "app/app_volumes.h"

#include <gtest/gtest.h>

namespace berth::app {
namespace {

using List = std::vector<std::string>;

struct MergeCase {
  const char* name;
  List file, cvols, app_star;
  List want;
};

TEST(MergeVolumes, Table) {
  const MergeCase cases[] = {
      {"nothing", {}, {}, {}, {}},
      {"order: file, cvols, app.star", {"/data"}, {"c:/c"}, {"s:/s"}, {"/data", "c:/c", "s:/s"}},
      {"cvols and app.star merge (cvols no longer replace)",
       {},
       {"logs:/logs"},
       {"cache:/cache"},
       {"logs:/logs", "cache:/cache"}},
      {"exact duplicates dropped", {"/data"}, {"/data", "/data"}, {"/data"}, {"/data"}},
      {"later wins for one destination, in the earlier place",
       {"/data", "/tmp/x"},
       {"mine:/data"},
       {},
       {"mine:/data", "/tmp/x"}},
      {"app.star wins over cvols", {}, {"a:/data"}, {"b:/data:ro"}, {"b:/data:ro"}},
      {"bind mount replaces a volume", {"/data"}, {"/srv/d:/data"}, {}, {"/srv/d:/data"}},
      {"cl_secret suppresses a later plain entry",
       {},
       {"cl_secret:s.tmpl:/app/s.ini"},
       {"/app/s.ini", "x:/app/s.ini:ro"},
       {"cl_secret:s.tmpl:/app/s.ini"}},
      {"cl_secret replaces an earlier plain entry",
       {"/app/s.ini"},
       {},
       {"cl_secret:s.tmpl:/app/s.ini:ro"},
       {"cl_secret:s.tmpl:/app/s.ini:ro"}},
      {"later cl_secret wins over an earlier one",
       {},
       {"cl_secret:a.tmpl:/s"},
       {"cl_secret:b.tmpl:/s"},
       {"cl_secret:b.tmpl:/s"}},
      {"duplicate of a replaced entry comes back", {"/data"}, {"v:/data"}, {"/data"}, {"/data"}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(MergeVolumes(c.file, c.cvols, c.app_star), c.want) << c.name;
  }
}

TEST(VolumeDestination, EveryForm) {
  EXPECT_EQ(VolumeDestination("/data"), "/data");
  EXPECT_EQ(VolumeDestination("n:/data:ro"), "/data");
  EXPECT_EQ(VolumeDestination("/srv:/data"), "/data");
  EXPECT_EQ(VolumeDestination("cl_secret:t.tmpl:/s.ini:ro"), "/s.ini");
  EXPECT_EQ(VolumeDestination("cl_secret:t.tmpl"), "");
}

TEST(DescribeVolume, EveryKind) {
  auto d = DescribeVolume("app_prd_x", "/data");
  EXPECT_EQ(d.kind, "volume");
  EXPECT_EQ(d.source, "berth-app_prd_x-data");
  EXPECT_EQ(d.destination, "/data");
  d = DescribeVolume("app_stg_x", "cache:/c:ro");
  EXPECT_EQ(d.kind, "volume");
  EXPECT_EQ(d.source, "berth-app_stg_x-cache");
  EXPECT_EQ(d.options, "ro");
  d = DescribeVolume("app_prd_x", "/srv/shared:/shared");
  EXPECT_EQ(d.kind, "bind");
  EXPECT_EQ(d.source, "/srv/shared");
  d = DescribeVolume("app_prd_x", "cl_secret:s.tmpl:/app/s.ini");
  EXPECT_EQ(d.kind, "cl_secret");
  EXPECT_EQ(d.source, "s.tmpl");
  EXPECT_EQ(d.destination, "/app/s.ini");
  EXPECT_EQ(d.options, "ro");
  d = DescribeVolume("app_prd_x", "relative");
  EXPECT_EQ(d.source, "");
}

}  // namespace
}  // namespace berth::app
