#include "store/source_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <thread>
#include <utility>

#include "base/files.h"
#include "base/hash.h"
#include "store/app_store.h"
#include "store/migrations.h"

namespace berth::store {
namespace {

// The app /x and its stage twin, created in `apps` (so app_files rows may refer to them).
std::pair<AppRecord, AppRecord> CreateApp(AppStore& apps) {
  AppRecord prod;
  prod.id = "app_prd_x";
  prod.domain = "localhost";
  prod.path = "/x";
  prod.spec = "container";
  prod.source = "/src";
  AppRecord stage = prod;
  stage.id = "app_stg_x";
  stage.path = "/x_cl_stage";
  stage.is_stage = true;
  stage.main_id = prod.id;
  EXPECT_TRUE(apps.Create(prod, stage, nullptr).ok());
  return {prod, stage};
}

TEST(SourceStoreTest, PutGetAndGarbage) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(Migrate(**db).ok());
  AppStore apps(**db);
  SourceStore sources(**db);
  auto [prod, stage] = CreateApp(apps);
  SourceFiles files = {{"Containerfile", {"FROM busybox\n", 0644}},
                       {"bin/run.sh", {std::string("#!/bin/sh\n\0binary", 18), 0755}}};
  ASSERT_TRUE((*db)
                  ->Transaction([&] {
                    BERTH_RETURN_IF_ERROR(sources.Put(prod.id, 1, files));
                    return sources.Put(stage.id, 1, files);
                  })
                  .ok());
  auto got = sources.Get(stage.id, 1);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  const SourceFile& run = got->at("bin/run.sh");
  EXPECT_EQ(run.where, SourceFile::Where::kStore);
  EXPECT_EQ(run.size, 18);
  EXPECT_EQ(run.mode, 0755);
  EXPECT_EQ(run, files["bin/run.sh"]) << "equal digest and mode";
  auto bytes = ReadSourceFile(run);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(*bytes, files["bin/run.sh"].content);
  auto count = [&] {
    auto st = (*db)->Prepare("SELECT COUNT(*) FROM files");
    st.Step();
    return st.ColumnInt(0);
  };
  EXPECT_EQ(count(), 2) << "identical contents are stored once";
  ASSERT_TRUE(apps.Delete({prod.id, stage.id}).ok());
  ASSERT_TRUE(sources.CollectGarbage().ok());
  EXPECT_EQ(count(), 0);
}

TEST(SourceStoreTest, DigestsTellEqualSourcesApart) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(Migrate(**db).ok());
  SourceStore sources(**db);
  SourceFiles a = {{"app.py", {"print(1)\n", 0644}}, {"run.sh", {"#!/bin/sh\n", 0755}}};
  SourceFiles mode = a;
  mode["run.sh"].mode = 0644;
  SourceFiles content = a;
  content["app.py"].content = "print(2)\n";
  SourceFiles renamed = {{"main.py", a["app.py"]}, {"run.sh", a["run.sh"]}};
  ASSERT_TRUE((*db)->Exec("PRAGMA foreign_keys = OFF").ok());  // app_files rows without apps
  ASSERT_TRUE((*db)
                  ->Transaction([&] {
                    BERTH_RETURN_IF_ERROR(sources.Put("one", 1, a));
                    BERTH_RETURN_IF_ERROR(sources.Put("two", 3, a));
                    BERTH_RETURN_IF_ERROR(sources.Put("mode", 1, mode));
                    BERTH_RETURN_IF_ERROR(sources.Put("content", 1, content));
                    return sources.Put("renamed", 1, renamed);
                  })
                  .ok());
  auto d = sources.Digests();
  ASSERT_TRUE(d.ok()) << d.status().message();
  ASSERT_EQ(d->size(), 5u);
  EXPECT_EQ(d->at({"one", 1}), d->at({"two", 3}));
  EXPECT_NE(d->at({"one", 1}), d->at({"mode", 1}));
  EXPECT_NE(d->at({"one", 1}), d->at({"content", 1}));
  EXPECT_NE(d->at({"one", 1}), d->at({"renamed", 1}));
  EXPECT_FALSE(d->count({"one", 2})) << "a version without files has no digest";
}

// A temporary folder removed at the end of the test.
struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/berth-store-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string path;
};

// `n` bytes that differ from chunk to chunk and are not all alike, with a 0 byte and the
// seed in them.
std::string Bytes(size_t n, int seed) {
  std::string out(n, '\0');
  uint32_t x = 2463534242u + static_cast<uint32_t>(seed);
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    out[i] = static_cast<char>(x & 0xff);
  }
  return out;
}

int64_t FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

int64_t Count(Database& db, const std::string& table) {
  auto st = db.Prepare("SELECT COUNT(*) FROM " + table);
  st.Step();
  return st.ColumnInt(0);
}

TEST(SourceStoreTest, StreamsAMultiChunkFileFromDiskToStoreToDisk) {
  TempDir tmp;
  const std::string big = Bytes((3u << 20) + 5, 1);  // three 1 MiB chunks and a bit
  ASSERT_TRUE(WriteFileAtomic(tmp.path + "/big.bin", big, 0755).ok());
  auto disk = DiskSourceFile(tmp.path + "/big.bin", 0755);
  ASSERT_TRUE(disk.ok()) << disk.status().ToString();
  EXPECT_EQ(disk->where, SourceFile::Where::kDisk);
  EXPECT_EQ(disk->size, static_cast<int64_t>(big.size()));
  EXPECT_EQ(disk->sha256, Sha256Hex(big));

  auto db = Database::Open(tmp.path + "/berth.db");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE(Migrate(**db).ok());
  ASSERT_TRUE((*db)->Exec("PRAGMA foreign_keys = OFF").ok());  // app_files rows without apps
  SourceStore sources(**db);
  SourceFiles files = {{"data/big.bin", *disk}, {"small.txt", {"hello\n", 0644}}};
  ASSERT_TRUE((*db)->Transaction([&] { return sources.Put("one", 1, files); }).ok());

  auto got = sources.Get("one", 1);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 2u);
  const SourceFile& stored = got->at("data/big.bin");
  EXPECT_EQ(stored.where, SourceFile::Where::kStore);
  EXPECT_EQ(stored.size, static_cast<int64_t>(big.size()));
  EXPECT_EQ(stored.sha256, disk->sha256);
  EXPECT_EQ(stored.mode, 0755);
  ASSERT_TRUE(CopySourceFile(stored, tmp.path + "/out.bin", 0755).ok());
  auto copied = ReadFile(tmp.path + "/out.bin");
  ASSERT_TRUE(copied.ok());
  EXPECT_TRUE(*copied == big) << "the bytes round-trip exactly";
  struct stat st;
  ASSERT_EQ(::stat((tmp.path + "/out.bin").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  auto read = ReadSourceFile(got->at("small.txt"));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "hello\n");

  // Stored once however many versions use it: a second Put finds the digest and streams
  // nothing, even when the disk file is gone.
  ASSERT_TRUE(::unlink((tmp.path + "/big.bin").c_str()) == 0);
  ASSERT_TRUE((*db)->Transaction([&] { return sources.Put("two", 1, files); }).ok());
  EXPECT_EQ(Count(**db, "files"), 2);
  EXPECT_EQ(Count(**db, "app_files"), 4);
  // A stored file is put again by reference (an update that keeps the file).
  ASSERT_TRUE((*db)->Transaction([&] { return sources.Put("one", 2, *got); }).ok());
  EXPECT_EQ(Count(**db, "files"), 2);
}

TEST(SourceStoreTest, AFileChangedAfterItWasHashedIsNotStored) {
  TempDir tmp;
  ASSERT_TRUE(WriteFileAtomic(tmp.path + "/a.txt", Bytes(100, 2)).ok());
  auto disk = DiskSourceFile(tmp.path + "/a.txt", 0644);
  ASSERT_TRUE(disk.ok());
  ASSERT_TRUE(WriteFileAtomic(tmp.path + "/a.txt", Bytes(100, 3)).ok());
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(Migrate(**db).ok());
  ASSERT_TRUE((*db)->Exec("PRAGMA foreign_keys = OFF").ok());
  SourceStore sources(**db);
  Status s = (*db)->Transaction([&] { return sources.Put("one", 1, {{"a.txt", *disk}}); });
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("changed while it was read"), std::string::npos) << s.message();
  EXPECT_EQ(Count(**db, "files"), 0) << "the transaction rolled back";
  EXPECT_FALSE(ReadSourceFile(*disk).ok());
}

TEST(SourceStoreTest, AnAttachedDiskFileIsReadFromTheStoreOnceStored) {
  TempDir tmp;
  ASSERT_TRUE(WriteFileAtomic(tmp.path + "/a.txt", "first\n").ok());
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(Migrate(**db).ok());
  ASSERT_TRUE((*db)->Exec("PRAGMA foreign_keys = OFF").ok());
  SourceStore sources(**db);
  auto disk = DiskSourceFile(tmp.path + "/a.txt", 0644);
  ASSERT_TRUE(disk.ok());
  SourceFiles files = {{"a.txt", *disk}};
  sources.Attach(&files);
  EXPECT_EQ(*ReadSourceFile(files.at("a.txt")), "first\n") << "from the disk, not stored yet";
  ASSERT_TRUE((*db)->Transaction([&] { return sources.Put("one", 1, files); }).ok());
  ASSERT_TRUE(WriteFileAtomic(tmp.path + "/a.txt", "second\n").ok());
  auto read = ReadSourceFile(files.at("a.txt"));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, "first\n") << "the stored bytes, not the folder's new ones";
}

TEST(SourceStoreTest, GarbageCollectionGivesTheSpaceBack) {
  TempDir tmp;
  const std::string db_path = tmp.path + "/berth.db";
  auto db = Database::Open(db_path);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(Migrate(**db).ok());
  EXPECT_EQ((*db)->AutoVacuum(), 2) << "a new database vacuums incrementally";
  AppStore apps(**db);
  SourceStore sources(**db);
  auto [prod, stage] = CreateApp(apps);
  ASSERT_TRUE(WriteFileAtomic(tmp.path + "/big.bin", Bytes(8u << 20, 4)).ok());
  auto disk = DiskSourceFile(tmp.path + "/big.bin", 0644);
  ASSERT_TRUE(disk.ok());
  ASSERT_TRUE((*db)
                  ->Transaction([&] {
                    BERTH_RETURN_IF_ERROR(sources.Put(prod.id, 1, {{"big.bin", *disk}}));
                    return sources.Put(stage.id, 1, {{"big.bin", *disk}});
                  })
                  .ok());
  ASSERT_TRUE((*db)->Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  const int64_t full = FileSize(db_path);
  EXPECT_GT(full, 8 << 20);

  ASSERT_TRUE(apps.Delete({stage.id}).ok());  // the prod app still refers to the file
  ASSERT_TRUE(sources.CollectGarbage().ok());
  EXPECT_EQ(Count(**db, "files"), 1);
  EXPECT_GE(FileSize(db_path), full - (1 << 20));

  ASSERT_TRUE(apps.Delete({prod.id}).ok());
  ASSERT_TRUE(sources.CollectGarbage().ok());
  EXPECT_EQ(Count(**db, "files"), 0);
  EXPECT_LT(FileSize(db_path), 1 << 20) << "the file shrank";
  EXPECT_LT(FileSize(db_path + "-wal"), 1 << 20) << "the WAL was truncated";
}

TEST(SourceStoreTest, StoringALargeSourceLeavesNoLargeWal) {
  TempDir tmp;
  const std::string db_path = tmp.path + "/berth.db";
  auto db = Database::Open(db_path);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(Migrate(**db).ok());
  AppStore apps(**db);
  SourceStore sources(**db);
  auto [prod, stage] = CreateApp(apps);
  ASSERT_TRUE(WriteFileAtomic(tmp.path + "/big.bin", Bytes(24u << 20, 5)).ok());
  auto disk = DiskSourceFile(tmp.path + "/big.bin", 0644);
  ASSERT_TRUE(disk.ok());
  ASSERT_TRUE((*db)
                  ->Transaction([&] {
                    return sources.Put(prod.id, 1, {{"big.bin", *disk}});
                  })
                  .ok());
  // The commit wrote about 6,000 pages to the WAL; the commit hook checkpointed and truncated
  // it (SQLite's own auto-checkpoint would leave a 24 MB WAL file until the next write).
  EXPECT_GT(FileSize(db_path), 24 << 20);
  EXPECT_LT(FileSize(db_path + "-wal"), 1 << 20);
  auto got = sources.Get(prod.id, 1);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->at("big.bin").sha256, disk->sha256);
}

TEST(SourceStoreTest, AFileOverTheDatabasesLargestValueIsAClearErrorAndStoresNothing) {
  TempDir tmp;
  auto db = Database::Open(tmp.path + "/berth.db");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(Migrate(**db).ok());
  (*db)->LowerMaxValueBytes(1 << 20);  // stands in for SQLite's 1,000,000,000 bytes
  AppStore apps(**db);
  SourceStore sources(**db);
  auto [prod, stage] = CreateApp(apps);
  ASSERT_TRUE(WriteFileAtomic(tmp.path + "/big.bin", Bytes((1 << 20) + 1, 6)).ok());
  auto disk = DiskSourceFile(tmp.path + "/big.bin", 0644);
  ASSERT_TRUE(disk.ok());
  Status s = (*db)->Transaction([&] {
    return sources.Put(prod.id, 1, {{"small.txt", {"hi\n", 0644}}, {"big.bin", *disk}});
  });
  EXPECT_EQ(s.message(),
            "source file big.bin is 1048577 bytes: one file of a source can be at most 1048576 "
            "bytes (the database's largest value)");
  EXPECT_EQ(Count(**db, "files"), 0) << "the transaction rolled back";
}

TEST(SourceStoreTest, MigrateSwitchesAnOlderDatabaseToIncrementalVacuum) {
  TempDir tmp;
  const std::string db_path = tmp.path + "/berth.db";
  {
    auto db = Database::Open(db_path);
    ASSERT_TRUE(db.ok());
    // As a database made before auto_vacuum was set (VACUUM applies a new mode).
    ASSERT_TRUE((*db)->Exec("CREATE TABLE old (x); PRAGMA auto_vacuum = NONE; VACUUM").ok());
    EXPECT_EQ((*db)->AutoVacuum(), 0);
  }
  auto db = Database::Open(db_path);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ((*db)->AutoVacuum(), 0);
  ASSERT_TRUE(Migrate(**db).ok());
  EXPECT_EQ((*db)->AutoVacuum(), 2);
}

TEST(SourceStoreTest, CurrentDigestsHaveOnlyEachAppsCurrentVersion) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(Migrate(**db).ok());
  AppStore apps(**db);
  SourceStore sources(**db);
  auto [prod, stage] = CreateApp(apps);
  SourceFiles one = {{"app.py", {"print(1)\n", 0644}}};
  SourceFiles two = {{"app.py", {"print(2)\n", 0644}}};
  stage.version = 2;
  ASSERT_TRUE((*db)
                  ->Transaction([&] {
                    BERTH_RETURN_IF_ERROR(sources.Put(prod.id, 1, one));
                    BERTH_RETURN_IF_ERROR(sources.Put(stage.id, 1, one));
                    BERTH_RETURN_IF_ERROR(sources.Put(stage.id, 2, two));
                    return apps.Update(stage);
                  })
                  .ok());
  auto all = sources.Digests();
  auto current = sources.CurrentDigests();
  ASSERT_TRUE(all.ok() && current.ok());
  EXPECT_EQ(all->size(), 3u);
  ASSERT_EQ(current->size(), 2u);
  EXPECT_EQ(current->at({prod.id, 1}), all->at({prod.id, 1}));
  EXPECT_EQ(current->at({stage.id, 2}), all->at({stage.id, 2}));
  EXPECT_FALSE(current->count({stage.id, 1}));
}

// A stored file is read a chunk at a time under the store's lock, and given to the sink
// without it: another thread can use the store while a large file is copied out.
TEST(SourceStoreTest, StreamingAStoredFileDoesNotHoldTheStoreBetweenChunks) {
  TempDir tmp;
  const std::string big = Bytes((2u << 20) + 7, 3);
  auto db = Database::Open(tmp.path + "/berth.db");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE(Migrate(**db).ok());
  ASSERT_TRUE((*db)->Exec("PRAGMA foreign_keys = OFF").ok());
  SourceStore sources(**db);
  ASSERT_TRUE((*db)
                  ->Transaction([&] {
                    return sources.Put("one", 1, {{"big", {big, 0644}}});
                  })
                  .ok());
  auto got = sources.Get("one", 1);
  ASSERT_TRUE(got.ok()) << got.status().ToString();

  std::string copy;
  int chunks = 0;
  int free_in_sink = 0;
  Status streamed =
      StreamSourceFile(got->at("big"), [&](int64_t offset, const char* data, size_t n) {
        EXPECT_EQ(offset, static_cast<int64_t>(copy.size()));
        copy.append(data, n);
        ++chunks;
        std::thread other([&] {
          if ((*db)->TryLock().owns_lock()) ++free_in_sink;
        });
        other.join();
        return Status::Ok();
      });
  ASSERT_TRUE(streamed.ok()) << streamed.ToString();
  EXPECT_TRUE(copy == big);
  EXPECT_EQ(chunks, 3);
  EXPECT_EQ(free_in_sink, 3) << "the sink ran with the store locked";

  // Content deleted between two chunks is an error, not a short file.
  ASSERT_TRUE((*db)->Exec("DELETE FROM app_files").ok());
  copy.clear();
  streamed = StreamSourceFile(got->at("big"), [&](int64_t, const char* data, size_t n) {
    copy.append(data, n);
    return sources.CollectGarbage();
  });
  EXPECT_EQ(streamed.code(), Status::Code::kFailedPrecondition) << streamed.ToString();
  EXPECT_EQ(copy.size(), size_t{1} << 20);
}

}  // namespace
}  // namespace berth::store
