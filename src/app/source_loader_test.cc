#include "app/source_loader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/files.h"
#include "base/process.h"

namespace berth::app {
namespace {

TEST(SourceLoaderTest, GitSourceSplitting) {
  EXPECT_TRUE(IsGitSource("github.com/streamlit/streamlit-example"));
  EXPECT_TRUE(IsGitSource("https://github.com/AnswerDotAI/fasthtml/examples"));
  EXPECT_TRUE(IsGitSource("file:///srv/repo.git/sub"));
  EXPECT_FALSE(IsGitSource("./app"));
  EXPECT_FALSE(IsGitSource("/abs/app"));
  EXPECT_FALSE(IsGitSource("-"));

  auto g = SplitGitSource("github.com/golang/example/helloserver");
  EXPECT_EQ(g.repo, "https://github.com/golang/example");
  EXPECT_EQ(g.subdir, "helloserver");
  g = SplitGitSource("https://github.com/AnswerDotAI/fasthtml/examples");
  EXPECT_EQ(g.repo, "https://github.com/AnswerDotAI/fasthtml");
  EXPECT_EQ(g.subdir, "examples");
  g = SplitGitSource("file:///srv/repo.git/a/b");
  EXPECT_EQ(g.repo, "file:///srv/repo.git");
  EXPECT_EQ(g.subdir, "a/b");
  g = SplitGitSource("github.com/streamlit/streamlit-example");
  EXPECT_EQ(g.repo, "https://github.com/streamlit/streamlit-example");
  EXPECT_EQ(g.subdir, "");
}

TEST(SourceLoaderTest, ReadsFolderWithModesSkippingGit) {
  char tmpl[] = "/tmp/berth-src-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  ASSERT_TRUE(MakeDirs(dir + "/sub").ok());
  ASSERT_TRUE(MakeDirs(dir + "/.git").ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/Containerfile", "FROM busybox\n").ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/sub/run.sh", "#!/bin/sh\n", 0755).ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/.git/HEAD", "ref\n").ok());
  auto files = ReadFolder(dir);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ(files->at("Containerfile").content, "FROM busybox\n");
  EXPECT_EQ(files->at("sub/run.sh").mode, 0755);
  EXPECT_FALSE(ReadFolder(dir + "/missing").ok());
  auto limited = ReadFolder(dir, SourceLimits{1, 1 << 20});
  EXPECT_FALSE(limited.ok());
  auto too_big = ReadFolder(dir, SourceLimits{100, 20});
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.status().message(),
            "source " + dir + " is larger than system.max_source_bytes (20 bytes)");
  EXPECT_TRUE(ReadFolder(dir, SourceLimits{100, 30}).ok());
}

TEST(SourceLoaderTest, ClonesLocalGitRepository) {
  char tmpl[] = "/tmp/berth-git-test-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string work = dir + "/work";
  ASSERT_TRUE(MakeDirs(work + "/app").ok());
  ASSERT_TRUE(WriteFileAtomic(work + "/app/Containerfile", "FROM busybox\n").ok());
  auto git = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-C", work, "-c", "user.email=t@t", "-c", "user.name=t"});
    return RunProcess({.argv = args})->exit_code;
  };
  ASSERT_EQ(git({"init", "-q", "-b", "main"}), 0);
  ASSERT_EQ(git({"add", "."}), 0);
  ASSERT_EQ(git({"commit", "-q", "-m", "first"}), 0);
  auto files = LoadSource("file://" + work + "/.git/app", "main", "");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(files->size(), 1u);
  EXPECT_EQ(files->at("Containerfile").content, "FROM busybox\n");
  auto bad = LoadSource("file://" + work + "/.git/app", "nosuchbranch", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("cannot clone"), std::string::npos);
}

}  // namespace
}  // namespace berth::app
