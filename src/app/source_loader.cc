#include "app/source_loader.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <functional>

#include "base/files.h"
#include "base/process.h"
#include "base/strings.h"

namespace berth::app {

bool IsGitSource(const std::string& source) {
  if (source.starts_with("http://") || source.starts_with("https://") ||
      source.starts_with("git@") || source.starts_with("file://") || source.starts_with("ssh://")) {
    return true;
  }
  // "github.com/owner/repo": a first segment that looks like a host name.
  size_t slash = source.find('/');
  if (slash == std::string::npos || slash == 0) return false;
  std::string host = source.substr(0, slash);
  return host.find('.') != std::string::npos && host != "." && host != ".." && !PathExists(source);
}

GitSource SplitGitSource(const std::string& source) {
  std::string s = source;
  std::string scheme;
  size_t sep = s.find("://");
  if (sep != std::string::npos) {
    scheme = s.substr(0, sep + 3);
    s = s.substr(sep + 3);
  }
  std::vector<std::string> parts = Split(s, '/');
  // A ".git" segment ends the repository.
  for (size_t i = 0; i < parts.size(); ++i) {
    if (EndsWith(parts[i], ".git")) {
      std::vector<std::string> repo(parts.begin(), parts.begin() + i + 1);
      std::vector<std::string> sub(parts.begin() + i + 1, parts.end());
      return {scheme + Join(repo, "/"), Join(sub, "/")};
    }
  }
  // Hosted forges: host/owner/repo is the repository.
  if (parts.size() > 3 && (parts[0] == "github.com" || parts[0] == "gitlab.com" ||
                           parts[0] == "bitbucket.org" || parts[0] == "codeberg.org")) {
    std::vector<std::string> repo(parts.begin(), parts.begin() + 3);
    std::vector<std::string> sub(parts.begin() + 3, parts.end());
    return {(scheme.empty() ? "https://" : scheme) + Join(repo, "/"), Join(sub, "/")};
  }
  if (scheme.empty() && !source.starts_with("git@")) scheme = "https://";
  return {scheme + s, ""};
}

Result<store::SourceFiles> ReadFolder(const std::string& dir, const SourceLimits& limits) {
  if (!IsDirectory(dir)) return Status::InvalidArgument("source " + dir + " is not a folder");
  store::SourceFiles out;
  size_t total = 0;
  std::function<Status(const std::string&, const std::string&)> walk =
      [&](const std::string& abs, const std::string& rel) -> Status {
    DIR* d = opendir(abs.c_str());
    if (!d) return Status::IOError("cannot read " + abs + ": " + std::strerror(errno));
    std::vector<std::string> names;
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == ".." || name == ".git") continue;
      names.push_back(name);
    }
    closedir(d);
    for (const auto& name : names) {
      std::string a = abs + "/" + name;
      std::string r = rel.empty() ? name : rel + "/" + name;
      struct stat st;
      if (::lstat(a.c_str(), &st) != 0) continue;
      if (S_ISLNK(st.st_mode)) {
        // Symlinks within the source are read as the files they point to.
        if (::stat(a.c_str(), &st) != 0) continue;
        char* real = realpath(a.c_str(), nullptr);
        char* root = realpath(dir.c_str(), nullptr);
        bool inside = real && root && std::string(real).starts_with(std::string(root) + "/");
        free(real);
        free(root);
        if (!inside) continue;
      }
      if (S_ISDIR(st.st_mode)) {
        BERTH_RETURN_IF_ERROR(walk(a, r));
      } else if (S_ISREG(st.st_mode)) {
        if (out.size() >= limits.max_files) {
          return Status::InvalidArgument("source " + dir + " has more than " +
                                         std::to_string(limits.max_files) + " files");
        }
        total += static_cast<size_t>(st.st_size);
        if (total > limits.max_bytes) {
          return Status::InvalidArgument(
              "source " + dir + " is larger than system.max_source_bytes (" +
              (limits.max_bytes >= (1u << 20) ? std::to_string(limits.max_bytes >> 20) + " MiB"
                                              : std::to_string(limits.max_bytes) + " bytes") +
              ")");
        }
        BERTH_ASSIGN_OR_RETURN(out[r],
                               store::DiskSourceFile(a, static_cast<int>(st.st_mode & 0777)));
      }
    }
    return Status::Ok();
  };
  BERTH_RETURN_IF_ERROR(walk(dir, ""));
  return out;
}

Result<LoadedSource> LoadSource(const std::string& source, const std::string& branch,
                                const std::string& commit, const SourceLimits& limits) {
  LoadedSource loaded;
  if (source.empty() || source == "-") return loaded;
  if (!IsGitSource(source)) {
    if (!PathExists(source)) return Status::InvalidArgument("source " + source + " does not exist");
    BERTH_ASSIGN_OR_RETURN(loaded.files, ReadFolder(source, limits));
    return loaded;
  }
  GitSource git = SplitGitSource(source);
  char tmpl[] = "/tmp/berth-git-XXXXXX";
  if (!mkdtemp(tmpl)) return Status::IOError("cannot create a temporary folder");
  std::string dir = tmpl;
  // The clone's files are read from it until they are stored: it goes with the last holder.
  loaded.hold = std::shared_ptr<void>(nullptr, [dir](void*) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);  // a temporary clone: nothing to do if it fails
  });
  ProcessOptions clone;
  clone.env = {"GIT_TERMINAL_PROMPT=0"};
  clone.timeout = std::chrono::minutes(5);
  if (commit.empty()) {
    clone.argv = {
        "git", "clone",  "--quiet",    "--depth", "1", "--branch", branch.empty() ? "main" : branch,
        "--",  git.repo, dir + "/repo"};
  } else {
    clone.argv = {"git", "clone", "--quiet", "--", git.repo, dir + "/repo"};
  }
  auto r = RunProcess(clone);
  if (!r.ok() || r->exit_code != 0) {
    std::string why = r.ok() ? std::string(Trim(LastLines(r->err, 2))) : r.status().message();
    return Status::InvalidArgument("cannot clone " + git.repo + ": " + why);
  }
  if (!commit.empty()) {
    auto co = RunProcess({.argv = {"git", "-C", dir + "/repo", "checkout", "--quiet", commit}});
    if (!co.ok() || co->exit_code != 0) {
      return Status::InvalidArgument("cannot check out commit " + commit + " of " + git.repo);
    }
  }
  auto rev = RunProcess({.argv = {"git", "-C", dir + "/repo", "rev-parse", "HEAD"}});
  if (rev.ok() && rev->exit_code == 0) loaded.head = std::string(Trim(rev->out));
  std::string root = dir + "/repo" + (git.subdir.empty() ? "" : "/" + git.subdir);
  auto files = ReadFolder(root, limits);
  if (!files.ok()) {
    if (!IsDirectory(root)) {
      return Status::InvalidArgument("folder " + git.subdir + " does not exist in " + git.repo);
    }
    return files.status();
  }
  loaded.files = std::move(*files);
  return loaded;
}

}  // namespace berth::app
