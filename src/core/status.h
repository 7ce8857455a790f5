// Status and Result<T>: expected failures as values.
//
// A failure carries a stable code (for programs, e.g. "XT-SETL-002"), a
// message safe to show the client, and optional internal detail kept for the
// log only. Codes are listed in docs/errors.md; never reuse or renumber one.
//
// Both are [[nodiscard]]: a Status is handled (passed up, logged, asserted)
// or dropped with `(void)` and a comment that says why dropping is right.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace xt {

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  static Status Ok() { return Status(); }
  static Status Error(std::string code, std::string message, std::string detail = {}) {
    Status s;
    s.code_ = std::move(code);
    s.message_ = std::move(message);
    s.detail_ = std::move(detail);
    return s;
  }

  bool ok() const { return code_.empty(); }
  const std::string& code() const { return code_; }
  // Client-facing text: plain, no internal names or paths.
  const std::string& message() const { return message_; }
  // Internal text for the log; may be empty.
  const std::string& detail() const { return detail_; }
  std::string ToString() const {
    if (ok()) return "ok";
    std::string s = code_ + ": " + message_;
    if (!detail_.empty()) s += " (" + detail_ + ")";
    return s;
  }

 private:
  std::string code_;
  std::string message_;
  std::string detail_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) { assert(!status_.ok()); }  // NOLINT

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

// Always-on check for invariants that protect money: a violation is a
// programmer error, and carrying on could move money wrongly, so we stop.
[[noreturn]] void InvariantFailed(const char* expr, const char* file, int line, const std::string& why);
#define XT_INVARIANT(expr, why) \
  do { if (!(expr)) ::xt::InvariantFailed(#expr, __FILE__, __LINE__, (why)); } while (0)

// Early return of an error Status from a function returning Status or Result.
#define XT_RETURN_IF_ERROR(expr)                 \
  do {                                           \
    ::xt::Status xt_status_ = (expr);            \
    if (!xt_status_.ok()) return xt_status_;     \
  } while (0)
#define XT_CONCAT_INNER(a, b) a##b
#define XT_CONCAT(a, b) XT_CONCAT_INNER(a, b)
// `XT_ASSIGN_OR_RETURN(auto x, F());` declares x from a Result or returns its error.
#define XT_ASSIGN_OR_RETURN(decl, expr) XT_ASSIGN_OR_RETURN_IMPL(XT_CONCAT(xt_result_, __LINE__), decl, expr)
#define XT_ASSIGN_OR_RETURN_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  decl = std::move(tmp).value()

}  // namespace xt
