#include "app/source_loader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "base/files.h"
#include "base/process.h"
#include "store/migrations.h"

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
  EXPECT_EQ(files->at("Containerfile").where, store::SourceFile::Where::kDisk);
  EXPECT_EQ(*store::ReadSourceFile(files->at("Containerfile")), "FROM busybox\n");
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
  auto loaded = LoadSource("file://" + work + "/.git/app", "main", "");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->head.size(), 40u);
  ASSERT_EQ(loaded->files.size(), 1u);
  store::SourceFile file = loaded->files.at("Containerfile");
  EXPECT_EQ(*store::ReadSourceFile(file), "FROM busybox\n");
  loaded->hold.reset();  // the temporary clone goes with its last holder
  EXPECT_FALSE(PathExists(file.disk_path));
  auto bad = LoadSource("file://" + work + "/.git/app", "nosuchbranch", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("cannot clone"), std::string::npos);
}

// A source's bytes go from its folder through the store into a build context without
// change: a file of several 1 MiB chunks with every byte value, a small one and modes.
TEST(SourceLoaderTest, LargeFileRoundTripsThroughTheStoreIntoABuildContext) {
  char tmpl[] = "/tmp/berth-src-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string big;
  big.reserve((5u << 20) / 2 + 7);
  for (size_t i = 0; big.size() < (5u << 20) / 2 + 7; ++i) {
    big.push_back(static_cast<char>((i * 2654435761u) >> 13));
  }
  ASSERT_TRUE(MakeDirs(dir + "/src/data").ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/src/data/model.bin", big, 0600).ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/src/run.sh", "#!/bin/sh\n", 0755).ok());
  auto loaded = LoadSource(dir + "/src", "", "");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->files.size(), 2u);

  auto db = store::Database::Open(dir + "/berth.db");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(store::Migrate(**db).ok());
  ASSERT_TRUE((*db)->Exec("PRAGMA foreign_keys = OFF").ok());  // app_files rows without apps
  store::SourceStore sources(**db);
  ASSERT_TRUE((*db)->Transaction([&] { return sources.Put("app", 1, loaded->files); }).ok());
  ASSERT_TRUE(::unlink((dir + "/src/data/model.bin").c_str()) == 0) << "read from the store now";
  auto stored = sources.Get("app", 1);
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(MakeDirs(dir + "/context/data").ok());
  for (const auto& [path, file] : *stored) {
    ASSERT_TRUE(store::CopySourceFile(file, dir + "/context/" + path, file.mode).ok()) << path;
  }
  auto copied = ReadFile(dir + "/context/data/model.bin");
  ASSERT_TRUE(copied.ok());
  EXPECT_EQ(copied->size(), big.size());
  EXPECT_TRUE(*copied == big);
  struct stat st;
  ASSERT_EQ(::stat((dir + "/context/run.sh").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  ASSERT_EQ(::stat((dir + "/context/data/model.bin").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace berth::app
