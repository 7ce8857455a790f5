// A thin wrapper over one sqlite3 connection with a cache of prepared
// statements. Not thread-safe: one connection belongs to one thread at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"

namespace xt::store {

// A prepared statement in use: bind, step, read columns; reset on release.
class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  ~Stmt() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Text is bound without a copy: the caller's string must stay alive until
  // the statement has run (every use here binds and runs in one call). A
  // temporary string is copied.
  Stmt& Bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  Stmt& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
  // Bytes, not text (a file's body); read back with Text().
  Stmt& BindBlob(int i, std::string_view v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  Stmt& Bind(int i, std::string&& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Stmt& BindNull(int i) {
    sqlite3_bind_null(s_, i);
    return *this;
  }
  Stmt& Bind(int i, const std::optional<int64_t>& v) { return v ? Bind(i, *v) : BindNull(i); }

  // SQLITE_ROW -> true, SQLITE_DONE -> false, else error.
  Result<bool> Step();
  Status Run();  // step to completion, expecting no rows

  int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  std::string Text(int col) const {
    const unsigned char* p = sqlite3_column_text(s_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(s_, col)) : std::string();
  }
  // The same into an existing string, reusing its capacity.
  void TextInto(int col, std::string* out) const {
    const unsigned char* p = sqlite3_column_text(s_, col);
    if (p) out->assign(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(s_, col)));
    else out->clear();
  }
  sqlite3_stmt* raw() { return s_; }

 private:
  sqlite3_stmt* s_;
};

class Db {
 public:
  // `vfs`: a registered VFS name, or nullptr for the default.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, int busy_timeout_ms, const char* vfs = nullptr);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Status Exec(const char* sql);
  // Exec of one statement through the prepared-statement cache: for the
  // transaction-control statements the writer runs thousands of times.
  Status ExecCached(const char* sql);
  // A statement prepared once per connection and reused; `sql` must be a
  // string literal (its address keys the cache).
  Result<sqlite3_stmt*> Prepare(const char* sql);
  sqlite3* raw() { return db_; }
  Status ErrorStatus(const char* what) const;

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

Status StoreError(std::string detail);

}  // namespace xt::store
