// The SQL layer (sql.h) over one sqlite3 connection: statements prepared
// once (SQLITE_PREPARE_PERSISTENT) and kept in a cache keyed by their
// text's address. The store's own SQLite-only work (pragmas, the WAL hook,
// checkpoints) uses raw() and Exec.
//
// Thread-safety: not thread-safe; one connection belongs to one thread at a time.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "store/sql.h"

namespace xt::store {

class SqliteStmt final : public sql::Stmt {
 public:
  explicit SqliteStmt(sqlite3_stmt* s) : s_(s) {}
  ~SqliteStmt() override { sqlite3_finalize(s_); }
  SqliteStmt(const SqliteStmt&) = delete;
  SqliteStmt& operator=(const SqliteStmt&) = delete;

  void BindInt(int i, int64_t v) override { sqlite3_bind_int64(s_, i, v); }
  void BindText(int i, std::string_view v) override {
    // A null data pointer (an empty view made from nothing) would bind NULL.
    sqlite3_bind_text(s_, i, v.data() ? v.data() : "", static_cast<int>(v.size()), SQLITE_STATIC);
  }
  void BindTextCopy(int i, std::string v) override {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void BindBytes(int i, std::string_view v) override {
    sqlite3_bind_blob(s_, i, v.data() ? v.data() : "", static_cast<int>(v.size()), SQLITE_STATIC);
  }
  void BindNull(int i) override { sqlite3_bind_null(s_, i); }
  Result<bool> Step() override;
  int64_t Int(int col) const override { return sqlite3_column_int64(s_, col); }
  bool IsNull(int col) const override { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  void TextInto(int col, std::string* out) const override {
    const unsigned char* p = sqlite3_column_text(s_, col);
    if (p) out->assign(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(s_, col)));
    else out->clear();
  }
  void Reset() override {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }

 private:
  sqlite3_stmt* s_;
};

class SqliteConn final : public sql::Conn {
 public:
  // `vfs`: a registered VFS name, or nullptr for the default.
  static Result<std::unique_ptr<SqliteConn>> Open(const std::string& path, int busy_timeout_ms,
                                                  const char* vfs = nullptr);
  ~SqliteConn() override;
  SqliteConn(const SqliteConn&) = delete;
  SqliteConn& operator=(const SqliteConn&) = delete;

  Result<sql::Stmt*> Prepare(const char* text) override;
  Status ExecScript(std::string_view script) override;
  Result<bool> HasColumn(std::string_view table, std::string_view column) override;
  const char* backend() const override { return "sqlite"; }

  using sql::Conn::Exec;
  // SQLite's own statements (pragmas), run as they are written.
  [[nodiscard]] Status Exec(const char* text);
  sqlite3* raw() { return db_; }

 private:
  explicit SqliteConn(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, std::unique_ptr<SqliteStmt>> cache_;
};

}  // namespace xt::store
