#include "app/app_path.h"

#include <idn2.h>

#include <algorithm>
#include <cctype>

#include "base/strings.h"

namespace berth::app {

namespace {

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// The ASCII form of an internationalized domain ("bücher.example" -> "xn--bcher-kva.example"),
// as browsers send it in the Host header: IDNA2008 with UTS #46 mapping (case folding, NFC).
Result<std::string> AsciiDomain(const std::string& domain, std::string_view original) {
  if (IsAscii(domain)) return domain;
  char* ascii = nullptr;
  int rc = idn2_to_ascii_8z(domain.c_str(), &ascii, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  if (rc != IDN2_OK) {
    return Status::InvalidArgument("invalid internationalized domain \"" + domain +
                                   "\" in app path \"" + std::string(original) +
                                   "\": " + idn2_strerror(rc));
  }
  std::string out = ToLower(ascii);
  idn2_free(ascii);
  return out;
}

Status ValidateDomain(const std::string& domain, std::string_view original) {
  if (domain.size() > 253) return Status::InvalidArgument("domain is too long: " + domain);
  for (const auto& label : Split(domain, '.')) {
    if (label.empty() || label.size() > 63) {
      return Status::InvalidArgument("invalid domain \"" + domain + "\" in app path \"" +
                                     std::string(original) + "\"");
    }
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
        return Status::InvalidArgument("invalid character '" + std::string(1, c) +
                                       "' in domain of app path \"" + std::string(original) +
                                       "\"");
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return Status::InvalidArgument("invalid domain \"" + domain + "\" in app path \"" +
                                     std::string(original) + "\"");
    }
  }
  return Status::Ok();
}

bool IsPathChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
         c == '~' || c == '@' || c == '+';
}

Result<std::string> NormalizePath(std::string_view path, std::string_view original,
                                  bool allow_reserved) {
  if (path.empty()) return std::string("/");
  if (path.front() != '/') {
    return Status::InvalidArgument("app path \"" + std::string(original) +
                                   "\" must start with /");
  }
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path == "/") return std::string("/");
  std::vector<std::string> segments = Split(path.substr(1), '/');
  for (const auto& seg : segments) {
    if (seg.empty() || seg == "." || seg == "..") {
      return Status::InvalidArgument("app path \"" + std::string(original) +
                                     "\" has an empty, \".\" or \"..\" segment");
    }
    for (char c : seg) {
      if (static_cast<unsigned char>(c) >= 0x80) {
        return Status::InvalidArgument(
            "app path \"" + std::string(original) +
            "\" has a non-ASCII character: path segments take letters, digits and -_.~@+");
      }
      if (!IsPathChar(c)) {
        return Status::InvalidArgument("invalid character '" + std::string(1, c) +
                                       "' in app path \"" + std::string(original) + "\"");
      }
    }
    if (!allow_reserved && seg.find("_cl_") != std::string::npos) {
      return Status::InvalidArgument("app path \"" + std::string(original) +
                                     "\": path segments containing _cl_ are reserved");
    }
  }
  return "/" + Join(segments, "/");
}

Result<AppPath> Parse(std::string_view text, std::string_view default_domain,
                      bool allow_reserved) {
  std::string_view trimmed = Trim(text);
  if (trimmed.empty()) return Status::InvalidArgument("app path is empty");
  AppPath out;
  std::string_view path = trimmed;
  size_t colon = trimmed.find(':');
  if (colon != std::string_view::npos) {
    std::string domain = ToLower(trimmed.substr(0, colon));
    path = trimmed.substr(colon + 1);
    if (domain.empty()) {
      domain = std::string(default_domain);
    } else if (domain.back() == '.') {
      domain += std::string(default_domain);
    }
    BERTH_ASSIGN_OR_RETURN(domain, AsciiDomain(domain, text));
    BERTH_RETURN_IF_ERROR(ValidateDomain(domain, text));
    out.domain = std::move(domain);
  } else {
    out.domain = std::string(default_domain);
    if (path.front() != '/') {
      return Status::InvalidArgument("app path \"" + std::string(text) +
                                     "\" must be [domain:]/path, e.g. /myapp or example.com:/");
    }
  }
  BERTH_ASSIGN_OR_RETURN(out.path, NormalizePath(path, text, allow_reserved));
  return out;
}

}  // namespace

AppPath AppPath::Stage() const {
  AppPath stage = *this;
  stage.path = (path == "/" ? "/" : path) + std::string(kStageSuffix);
  return stage;
}

bool AppPath::Contains(const AppPath& other) const {
  return domain == other.domain && PathHasPrefix(other.path, path);
}

Result<AppPath> ParseAppPath(std::string_view text, std::string_view default_domain) {
  return Parse(text, default_domain, /*allow_reserved=*/false);
}

Result<AppPath> ParseStoredAppPath(std::string_view text) {
  if (text.find(':') == std::string_view::npos) {
    return Status::InvalidArgument("stored app path lacks a domain: " + std::string(text));
  }
  return Parse(text, "", /*allow_reserved=*/true);
}

bool PathHasPrefix(std::string_view path, std::string_view app_path) {
  if (app_path == "/") return true;
  if (!path.starts_with(app_path)) return false;
  return path.size() == app_path.size() || path[app_path.size()] == '/';
}

}  // namespace berth::app
