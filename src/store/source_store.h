// SourceStore: an app version's source files in SQLite, content-addressed. A file's bytes are
// streamed (1 MiB at a time) between the disk and the database: a large source file is never
// whole in memory.
//
// Thread-safe: every call takes the Database's lock. The Database must outlive it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "base/status.h"
#include "store/database.h"

namespace berth::store {

// One source file: its mode, its digest and where its bytes are.
struct SourceFile {
  enum class Where {
    kMemory,  // in `content` (a spec's bundled files, tests)
    kDisk,    // in the file `disk_path` (a source folder just read, not stored yet)
    kStore,   // in the database `db`, table files, by `sha256`
  };
  std::string content;  // kMemory: the bytes
  int mode = 0644;      // permission bits; the executable bit matters in builds
  Where where = Where::kMemory;
  std::string sha256;      // kDisk, kStore: the bytes' lowercase hex SHA-256
  int64_t size = 0;        // kDisk, kStore: the byte count
  std::string disk_path;   // kDisk
  Database* db = nullptr;  // kStore; kDisk: read from there once stored (SourceStore::Attach)

  // The bytes' SHA-256 (computed for kMemory) and byte count, wherever they are.
  std::string Digest() const;
  int64_t Size() const;
  // Equal bytes (by digest) and mode.
  bool operator==(const SourceFile& other) const {
    return mode == other.mode && Digest() == other.Digest();
  }
};

// Relative '/'-separated path -> file.
using SourceFiles = std::map<std::string, SourceFile>;

// A kDisk file for `path`, hashed while read 1 MiB at a time.
Result<SourceFile> DiskSourceFile(const std::string& path, int mode);
// All of a file's bytes, for the small files a spec reads (app.star, a Containerfile, a
// template). A kDisk file read again must still have its digest.
Result<std::string> ReadSourceFile(const SourceFile& file);
// Writes the file's bytes to `dest` (created or truncated, with `mode`), 1 MiB at a time.
Status CopySourceFile(const SourceFile& file, const std::string& dest, int mode);
// Gives the file's bytes to `sink` in order, 1 MiB at a time. A stored file's chunks are read
// under the database's lock, one at a time, and `sink` runs without it: copying a large file
// into a build context does not hold up the store's other users.
Status StreamSourceFile(const SourceFile& file,
                        const std::function<Status(int64_t offset, const char*, size_t)>& sink);

class SourceStore {
 public:
  explicit SourceStore(Database& db) : db_(db) {}

  // Records `files` as the source of the app's version: each content not stored yet is
  // streamed into the database (a kDisk file that changed since it was hashed is an error).
  // Call inside a Database::Transaction together with the app rows, so both land or neither
  // does.
  Status Put(const std::string& app_id, int64_t version, const SourceFiles& files);
  // Lets the kDisk files among `files` be read from this store once Put has stored them, so
  // that what was loaded from a folder and stored is built from the store's bytes even when
  // the folder changes later.
  void Attach(SourceFiles* files);
  // The version's files as kStore files: paths, modes, digests and sizes, no bytes.
  Result<SourceFiles> Get(const std::string& app_id, int64_t version);
  // (app id, version) -> a digest of that version's source (its files' paths, modes and
  // contents' hashes), for every version that has files, in one query: versions with equal
  // digests have the same source. A version without files has no entry.
  Result<std::map<std::pair<std::string, int64_t>, std::string>> Digests();
  // The same for each app's current version only (the version in its apps row): what a
  // server start needs, whatever the number of older versions kept.
  Result<std::map<std::pair<std::string, int64_t>, std::string>> CurrentDigests();
  // Removes file contents no app version refers to any more, and gives the space back to the
  // file system (Database::Reclaim) when it removed any.
  Status CollectGarbage();

 private:
  Status PutContent(const std::string& path, const SourceFile& file, const std::string& sha);

  Database& db_;
};

}  // namespace berth::store
