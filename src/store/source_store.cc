#include "store/source_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <vector>

#include "base/hash.h"

namespace berth::store {
namespace {

constexpr int64_t kChunk = 1 << 20;

// A file descriptor closed on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError("cannot " + what + " " + path + ": " + std::strerror(errno));
}

// Reads up to `n` bytes (fewer only at the end of the file).
Result<size_t> ReadFull(int fd, char* out, size_t n, const std::string& path) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, out + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Errno("read", path);
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  return got;
}

Status WriteFull(int fd, const char* data, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return Errno("write", path);
    data += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

// Streams the file at `path` (expected: `size` bytes with digest `sha`) to `sink` a chunk at a
// time; an error when the bytes are not the expected ones any more.
Status StreamDiskFile(const std::string& path, int64_t size, const std::string& sha,
                      const std::function<Status(int64_t offset, const char*, size_t)>& sink) {
  Fd in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) return Errno("open", path);
  std::vector<char> buf(kChunk);
  Sha256 h;
  int64_t offset = 0;
  for (;;) {
    BERTH_ASSIGN_OR_RETURN(size_t n, ReadFull(in.fd, buf.data(), buf.size(), path));
    if (n == 0) break;
    if (offset + static_cast<int64_t>(n) > size) break;  // grew: the digest check reports it
    h.Add(std::string_view(buf.data(), n));
    BERTH_RETURN_IF_ERROR(sink(offset, buf.data(), n));
    offset += static_cast<int64_t>(n);
  }
  if (offset != size || h.Hex() != sha) {
    return Status::FailedPrecondition("source file " + path +
                                      " changed while it was read; try again");
  }
  return Status::Ok();
}

// The rowid of the stored content `sha`, 0 when it is not stored.
int64_t ContentRow(Database& db, const std::string& sha) {
  auto st = db.Prepare("SELECT rowid FROM files WHERE sha256 = ?");
  st.Bind(1, sha);
  return st.Step() ? st.ColumnInt(0) : 0;
}

// Streams the stored content of `file` to `sink` a chunk at a time, each chunk read under the
// lock and given to `sink` without it. The content is found again for each chunk: a content
// is never changed, only deleted (by CollectGarbage, when no version uses it any more).
Status StreamStored(const SourceFile& file,
                    const std::function<Status(int64_t offset, const char*, size_t)>& sink) {
  if (!file.db) return Status::Internal("a stored source file without its database");
  Database& db = *file.db;
  std::vector<char> buf;
  int64_t size = 0;
  for (int64_t offset = 0; offset == 0 || offset < size;) {
    int n = 0;
    {
      auto lock = db.Lock();
      int64_t row = ContentRow(db, file.sha256);
      if (row == 0 && offset == 0) {
        return Status::NotFound("source content " + file.sha256 + " is not stored");
      }
      if (row == 0) {
        return Status::FailedPrecondition("source content " + file.sha256 +
                                          " was deleted while it was read");
      }
      BERTH_ASSIGN_OR_RETURN(Blob blob, db.OpenBlob("files", "content", row, /*write=*/false));
      size = blob.size();
      n = static_cast<int>(std::min<int64_t>(kChunk, size - offset));
      if (n <= 0) break;
      buf.resize(static_cast<size_t>(n));
      BERTH_RETURN_IF_ERROR(blob.Read(offset, buf.data(), n));
    }
    BERTH_RETURN_IF_ERROR(sink(offset, buf.data(), static_cast<size_t>(n)));
    offset += n;
  }
  return Status::Ok();
}

}  // namespace

Status StreamSourceFile(const SourceFile& file,
                        const std::function<Status(int64_t offset, const char*, size_t)>& sink) {
  switch (file.where) {
    case SourceFile::Where::kMemory:
      return file.content.empty() ? Status::Ok()
                                  : sink(0, file.content.data(), file.content.size());
    case SourceFile::Where::kDisk:
      if (file.db) {
        // Stored by now? Then the store's bytes, whatever became of the disk file.
        Status stored = StreamStored(file, sink);
        if (stored.code() != Status::Code::kNotFound) return stored;
      }
      return StreamDiskFile(file.disk_path, file.size, file.sha256, sink);
    case SourceFile::Where::kStore:
      return StreamStored(file, sink);
  }
  return Status::Internal("unknown source file kind");
}

std::string SourceFile::Digest() const {
  return where == Where::kMemory ? Sha256Hex(content) : sha256;
}

int64_t SourceFile::Size() const {
  return where == Where::kMemory ? static_cast<int64_t>(content.size()) : size;
}

Result<SourceFile> DiskSourceFile(const std::string& path, int mode) {
  Fd in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) return Errno("open", path);
  std::vector<char> buf(kChunk);
  Sha256 h;
  int64_t size = 0;
  for (;;) {
    BERTH_ASSIGN_OR_RETURN(size_t n, ReadFull(in.fd, buf.data(), buf.size(), path));
    if (n == 0) break;
    h.Add(std::string_view(buf.data(), n));
    size += static_cast<int64_t>(n);
  }
  SourceFile f;
  f.mode = mode;
  f.where = SourceFile::Where::kDisk;
  f.sha256 = h.Hex();
  f.size = size;
  f.disk_path = path;
  return f;
}

Result<std::string> ReadSourceFile(const SourceFile& file) {
  if (file.where == SourceFile::Where::kMemory) return file.content;
  std::string out;
  out.reserve(static_cast<size_t>(file.size));
  BERTH_RETURN_IF_ERROR(StreamSourceFile(file, [&](int64_t, const char* data, size_t n) {
    out.append(data, n);
    return Status::Ok();
  }));
  return out;
}

Status CopySourceFile(const SourceFile& file, const std::string& dest, int mode) {
  Fd out{::open(dest.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)};
  if (out.fd < 0) return Errno("create", dest);
  if (::fchmod(out.fd, static_cast<mode_t>(mode)) != 0) return Errno("chmod", dest);
  BERTH_RETURN_IF_ERROR(StreamSourceFile(
      file, [&](int64_t, const char* data, size_t n) { return WriteFull(out.fd, data, n, dest); }));
  if (::close(out.fd) != 0) {
    out.fd = -1;
    return Errno("write", dest);
  }
  out.fd = -1;
  return Status::Ok();
}

Status SourceStore::PutContent(const std::string& path, const SourceFile& file,
                               const std::string& sha) {
  if (ContentRow(db_, sha) != 0) return Status::Ok();  // stored once, however many use it
  if (const int64_t max = db_.MaxValueBytes(); file.size > max) {
    return Status::InvalidArgument("source file " + path + " is " + std::to_string(file.size) +
                                   " bytes: one file of a source can be at most " +
                                   std::to_string(max) + " bytes (the database's largest value)");
  }
  switch (file.where) {
    case SourceFile::Where::kMemory:
      return db_.Prepare("INSERT INTO files (sha256, content) VALUES (?, ?)")
          .Bind(1, sha)
          .BindBlob(2, file.content)
          .Run();
    case SourceFile::Where::kStore:
      return Status::NotFound("source file " + path + ": its content " + sha +
                              " is not stored any more");
    case SourceFile::Where::kDisk:
      break;
  }
  // Room for the bytes first, then filled in place a chunk at a time.
  BERTH_RETURN_IF_ERROR(db_.Prepare("INSERT INTO files (sha256, content) VALUES (?, ?)")
                            .Bind(1, sha)
                            .BindZeroBlob(2, file.size)
                            .Run());
  int64_t row = db_.LastInsertRowid();
  if (file.size == 0) return Status::Ok();
  BERTH_ASSIGN_OR_RETURN(Blob blob, db_.OpenBlob("files", "content", row, /*write=*/true));
  return StreamDiskFile(file.disk_path, file.size, file.sha256,
                        [&](int64_t offset, const char* data, size_t n) {
                          return blob.Write(offset, data, static_cast<int>(n));
                        });
}

void SourceStore::Attach(SourceFiles* files) {
  for (auto& [path, file] : *files) {
    if (file.where == SourceFile::Where::kDisk) file.db = &db_;
  }
}

Status SourceStore::Put(const std::string& app_id, int64_t version, const SourceFiles& files) {
  auto lock = db_.Lock();
  for (const auto& [path, file] : files) {
    std::string sha = file.Digest();
    BERTH_RETURN_IF_ERROR(PutContent(path, file, sha));
    BERTH_RETURN_IF_ERROR(
        db_.Prepare(
               "INSERT INTO app_files (app_id, version, path, sha256, mode) VALUES (?,?,?,?,?)")
            .Bind(1, app_id)
            .Bind(2, version)
            .Bind(3, path)
            .Bind(4, sha)
            .Bind(5, int64_t{file.mode})
            .Run());
  }
  return Status::Ok();
}

Result<SourceFiles> SourceStore::Get(const std::string& app_id, int64_t version) {
  auto lock = db_.Lock();
  // length() of a BLOB column reads its size from the row header, not its pages.
  auto st = db_.Prepare(
      "SELECT af.path, af.mode, af.sha256, length(f.content) FROM app_files af "
      "JOIN files f ON f.sha256 = af.sha256 WHERE af.app_id = ? AND af.version = ?");
  st.Bind(1, app_id).Bind(2, version);
  SourceFiles out;
  while (st.Step()) {
    SourceFile f;
    f.mode = static_cast<int>(st.ColumnInt(1));
    f.where = SourceFile::Where::kStore;
    f.sha256 = st.ColumnText(2);
    f.size = st.ColumnInt(3);
    f.db = &db_;
    out[st.ColumnText(0)] = std::move(f);
  }
  BERTH_RETURN_IF_ERROR(st.status());
  return out;
}

namespace {

Result<std::map<std::pair<std::string, int64_t>, std::string>> DigestsOf(Database& db,
                                                                         const std::string& sql) {
  auto lock = db.Lock();
  auto st = db.Prepare(sql);
  std::map<std::pair<std::string, int64_t>, std::string> out;
  while (st.Step()) {
    std::string& digest = out[{st.ColumnText(0), st.ColumnInt(1)}];
    digest +=
        st.ColumnText(2) + '\0' + std::to_string(st.ColumnInt(3)) + '\0' + st.ColumnText(4) + '\n';
  }
  BERTH_RETURN_IF_ERROR(st.status());
  for (auto& [key, digest] : out) digest = Sha256Hex(digest);
  return out;
}

}  // namespace

Result<std::map<std::pair<std::string, int64_t>, std::string>> SourceStore::Digests() {
  return DigestsOf(
      db_,
      "SELECT app_id, version, path, mode, sha256 FROM app_files ORDER BY app_id, version, path");
}

Result<std::map<std::pair<std::string, int64_t>, std::string>> SourceStore::CurrentDigests() {
  return DigestsOf(
      db_,
      "SELECT f.app_id, f.version, f.path, f.mode, f.sha256 FROM apps a JOIN app_files f"
      " ON f.app_id = a.id AND f.version = a.version ORDER BY f.app_id, f.path");
}

Status SourceStore::CollectGarbage() {
  auto lock = db_.Lock();
  BERTH_RETURN_IF_ERROR(
      db_.Exec("DELETE FROM files WHERE sha256 NOT IN (SELECT sha256 FROM app_files)"));
  if (db_.Changes() == 0) return Status::Ok();
  return db_.Reclaim();
}

}  // namespace berth::store
