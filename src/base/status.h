// Status and Result<T>: how every fallible operation in Berth reports failure.
// No exceptions cross module boundaries in the core; a Status carries a code that the
// admin API maps to an HTTP status and a one-line message meant for the user.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace berth {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,    // the caller's input is wrong (400)
    kNotFound,           // the named thing does not exist (404)
    kAlreadyExists,      // creating something that exists (409)
    kFailedPrecondition, // state does not allow the operation (409)
    kPermissionDenied,   // the caller may not do this (403)
    kUnavailable,        // a dependency (server, runtime, upstream) is not reachable (503)
    kDeadlineExceeded,   // ran out of time (504)
    kIOError,            // file system or socket failure (500)
    kInternal,           // a bug or an unexpected failure (500)
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {Code::kAlreadyExists, std::move(msg)}; }
  static Status FailedPrecondition(std::string msg) {
    return {Code::kFailedPrecondition, std::move(msg)};
  }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status DeadlineExceeded(std::string msg) {
    return {Code::kDeadlineExceeded, std::move(msg)};
  }
  static Status PermissionDenied(std::string msg) {
    return {Code::kPermissionDenied, std::move(msg)};
  }
  static Status IOError(std::string msg) { return {Code::kIOError, std::move(msg)}; }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }
  // A status of a code known only at run time (e.g. decoded from the admin protocol).
  static Status FromCode(Code code, std::string msg) { return {code, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "not found: app /x does not exist"; "ok" for success.
  std::string ToString() const;
  static const char* CodeName(Code code);
  // The inverse of CodeName; unknown names map to kInternal.
  static Code CodeFromName(const std::string& name);

  // Returns a copy whose message is "<prefix>: <message>".
  Status WithContext(const std::string& prefix) const;

  // Drops an error on purpose; `why` says why that is right (it is read, not used).
  void IgnoreError(const char* why) const { (void)why; }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                 // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {           // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "a Result needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace berth

// Returns the Status of an expression from the enclosing function when it is not ok.
#define BERTH_RETURN_IF_ERROR(expr)            \
  do {                                         \
    ::berth::Status berth_status_ = (expr);    \
    if (!berth_status_.ok()) return berth_status_; \
  } while (0)

#define BERTH_CONCAT_INNER_(a, b) a##b
#define BERTH_CONCAT_(a, b) BERTH_CONCAT_INNER_(a, b)
// BERTH_ASSIGN_OR_RETURN(auto x, Fn()); declares x from Fn()'s value or returns its Status.
#define BERTH_ASSIGN_OR_RETURN(lhs, expr) \
  BERTH_ASSIGN_OR_RETURN_IMPL_(BERTH_CONCAT_(berth_result_, __LINE__), lhs, expr)
#define BERTH_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
