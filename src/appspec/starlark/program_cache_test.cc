#include "appspec/starlark/program_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <vector>

#include "appspec/starlark/interpreter.h"

namespace berth::starlark {
namespace {

constexpr const char* kFile = "def double(x):\n  return 2 * x\nn = double(N)\n";

int64_t RunWith(ProgramCache* cache, int64_t n) {
  Interpreter interp({.programs = cache});
  Result<Value> m = interp.ExecFile("f.star", kFile, {{"N", Value::Int(n)}});
  EXPECT_TRUE(m.ok()) << m.status().message();
  return m.ok() ? m->struct_value()->Get("n")->int_value() : -1;
}

TEST(ProgramCacheTest, AFileIsParsedOncePerNameTextAndOptions) {
  ProgramCache cache;
  auto a = cache.Get({"f.star", kFile}, {});
  auto b = cache.Get({"f.star", kFile}, {});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->get(), b->get());
  // Another name (it is in the error messages), another text or other options: parsed anew.
  EXPECT_NE(cache.Get({"g.star", kFile}, {})->get(), a->get());
  EXPECT_NE(cache.Get({"f.star", std::string(kFile) + "m = 1\n"}, {})->get(), a->get());
  EXPECT_NE(cache.Get({"f.star", kFile}, {.allow_while = true})->get(), a->get());
  EXPECT_EQ(cache.size(), 4u);
}

TEST(ProgramCacheTest, SyntaxErrorsAreReportedEachTimeAndNotKept) {
  ProgramCache cache;
  for (int i = 0; i < 2; ++i) {
    auto p = cache.Get({"bad.star", "x = (1,\n"}, {});
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.status().message().find("bad.star:"), std::string::npos) << p.status().message();
  }
  EXPECT_EQ(cache.size(), 0u);
  // `while` parses only with the option, also through the cache.
  EXPECT_FALSE(cache.Get({"w.star", "def f():\n  while False:\n    pass\n"}, {}).ok());
  EXPECT_TRUE(
      cache.Get({"w.star", "def f():\n  while False:\n    pass\n"}, {.allow_while = true}).ok());
}

TEST(ProgramCacheTest, AFullCacheStartsOver) {
  ProgramCache cache(2);
  ASSERT_TRUE(cache.Get({"a.star", "a = 1"}, {}).ok());
  ASSERT_TRUE(cache.Get({"b.star", "b = 1"}, {}).ok());
  EXPECT_EQ(cache.size(), 2u);
  ASSERT_TRUE(cache.Get({"c.star", "c = 1"}, {}).ok());
  EXPECT_EQ(cache.size(), 1u);
}

TEST(ProgramCacheTest, InterpretersShareAProgramAndOutliveTheCache) {
  auto cache = std::make_unique<ProgramCache>();
  EXPECT_EQ(RunWith(cache.get(), 4), 8);
  // A function of the shared program, called after the interpreter that ran it first and the
  // cache itself are gone: each interpreter holds the programs it runs.
  Interpreter interp({.programs = cache.get()});
  Result<Value> m = interp.ExecFile("f.star", kFile, {{"N", Value::Int(1)}});
  ASSERT_TRUE(m.ok()) << m.status().message();
  cache.reset();
  Result<Value> r = interp.Call(*m->struct_value()->Get("double"), {Value::Int(21)});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->int_value(), 42);
}

TEST(ProgramCacheTest, InterpretersOnSeveralThreadsRunOneProgram) {
  ProgramCache cache;
  std::vector<std::thread> threads;
  std::vector<int64_t> sums(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) sums[t] += RunWith(&cache, i);
    });
  }
  for (auto& t : threads) t.join();
  for (int64_t sum : sums) EXPECT_EQ(sum, 2 * (199 * 200 / 2));
  EXPECT_EQ(cache.size(), 1u);
}

}  // namespace
}  // namespace berth::starlark
