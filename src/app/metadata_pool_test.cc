#include "app/metadata_pool.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace berth::app {
namespace {

store::AppMetadata WithParam(const std::string& name, const std::string& value) {
  store::AppMetadata m;
  m.params[name] = value;
  return m;
}

TEST(MetadataPoolTest, EqualMetadataIsSharedAndDistinctIsNot) {
  MetadataPool pool;
  auto a = pool.Intern(WithParam("url", "http://x:1"));
  auto b = pool.Intern(WithParam("url", "http://x:1"));
  auto c = pool.Intern(WithParam("url", "http://x:2"));
  EXPECT_EQ(a.get(), b.get());
  EXPECT_NE(a.get(), c.get());
  EXPECT_EQ(a->params.at("url"), "http://x:1");
  EXPECT_EQ(c->params.at("url"), "http://x:2");
  EXPECT_EQ(pool.size(), 2u);
}

TEST(MetadataPoolTest, EveryFieldCounts) {
  MetadataPool pool;
  store::AppMetadata base = WithParam("A", "1");
  std::vector<store::AppMetadata> variants(8, base);
  variants[1].cargs["A"] = "1";
  variants[2].copts["A"] = std::nullopt;
  variants[3].copts["A"] = "";
  variants[4].cvols.push_back("A");
  variants[5].conf["A"] = "1";
  variants[6].branch = "A";
  variants[7].approved = true;
  std::vector<std::shared_ptr<const store::AppMetadata>> held;
  for (const auto& v : variants) held.push_back(pool.Intern(v));
  for (size_t i = 0; i < held.size(); ++i) {
    EXPECT_EQ(*held[i], variants[i]);
    for (size_t j = 0; j < i; ++j) EXPECT_NE(held[i].get(), held[j].get()) << i << " " << j;
  }
  EXPECT_EQ(pool.size(), variants.size());
  EXPECT_EQ(pool.Intern(variants[3]).get(), held[3].get());
}

TEST(MetadataPoolTest, ForgetsMetadataNoOneHolds) {
  MetadataPool pool;
  auto a = pool.Intern(WithParam("url", "http://x:1"));
  auto b = a;
  a.reset();
  EXPECT_EQ(pool.size(), 1u);
  b.reset();
  EXPECT_EQ(pool.size(), 0u);
  auto again = pool.Intern(WithParam("url", "http://x:1"));
  EXPECT_EQ(again->params.at("url"), "http://x:1");
  EXPECT_EQ(pool.size(), 1u);
}

TEST(MetadataPoolTest, MetadataMayOutliveThePool) {
  std::shared_ptr<const store::AppMetadata> kept;
  {
    MetadataPool pool;
    kept = pool.Intern(WithParam("url", "http://x:1"));
  }
  EXPECT_EQ(kept->params.at("url"), "http://x:1");
  kept.reset();  // no pool to leave: must not crash (ASan checks the access)
}

TEST(MetadataPoolTest, ThreadsInterningAndDroppingTheSameMetadata) {
  MetadataPool pool;
  auto work = [&pool] {
    for (int i = 0; i < 20000; ++i) {
      auto m = pool.Intern(WithParam("url", "http://x:" + std::to_string(i % 3)));
      EXPECT_EQ(m->params.at("url"), "http://x:" + std::to_string(i % 3));
    }
  };
  std::thread t1(work), t2(work);
  t1.join();
  t2.join();
  EXPECT_EQ(pool.size(), 0u);
}

TEST(MetadataPoolTest, HashOfEqualMetadataIsEqual) {
  EXPECT_EQ(HashOf(WithParam("a", "b")), HashOf(WithParam("a", "b")));
  EXPECT_NE(HashOf(WithParam("a", "b")), HashOf(WithParam("ab", "")));
}

}  // namespace
}  // namespace berth::app
