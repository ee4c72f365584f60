#include "base/status.h"

namespace berth {

namespace {
struct CodeEntry {
  Status::Code code;
  const char* name;
};
constexpr CodeEntry kCodes[] = {
    {Status::Code::kOk, "ok"},
    {Status::Code::kInvalidArgument, "invalid argument"},
    {Status::Code::kNotFound, "not found"},
    {Status::Code::kAlreadyExists, "already exists"},
    {Status::Code::kFailedPrecondition, "failed precondition"},
    {Status::Code::kPermissionDenied, "permission denied"},
    {Status::Code::kUnavailable, "unavailable"},
    {Status::Code::kDeadlineExceeded, "deadline exceeded"},
    {Status::Code::kIOError, "io error"},
    {Status::Code::kInternal, "internal"},
};
}  // namespace

const char* Status::CodeName(Code code) {
  for (const auto& e : kCodes) {
    if (e.code == code) return e.name;
  }
  return "internal";
}

Status::Code Status::CodeFromName(const std::string& name) {
  for (const auto& e : kCodes) {
    if (name == e.name) return e.code;
  }
  return Code::kInternal;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

Status Status::WithContext(const std::string& prefix) const {
  if (ok()) return *this;
  return Status(code_, prefix + ": " + message_);
}

}  // namespace berth
