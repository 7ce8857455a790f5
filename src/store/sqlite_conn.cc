// The SQL layer over sqlite3: statements, the cache, schema words.
#include "store/sqlite_conn.h"

#include "store/page_cache.h"

namespace xt::store {

Result<bool> SqliteStmt::Step() {
  const int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(s_);
  if ((rc & 0xff) == SQLITE_CONSTRAINT) {
    return Status::Error("XT-STORE-003", "a record with this key already exists",
                         std::string(sqlite3_errmsg(db)) + " in: " + sqlite3_sql(s_));
  }
  return StoreError(std::string(sqlite3_errmsg(db)) + " in: " + sqlite3_sql(s_));
}

Result<std::unique_ptr<SqliteConn>> SqliteConn::Open(const std::string& path, int busy_timeout_ms, const char* vfs) {
  InstallPageCacheWrapper();  // before SQLite's first use; a no-op after
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, vfs);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : "out of memory";
    if (raw) sqlite3_close(raw);
    return Status::Error("XT-STORE-002", "the database file could not be opened", path + ": " + msg);
  }
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  sqlite3_extended_result_codes(raw, 1);
  return std::unique_ptr<SqliteConn>(new SqliteConn(raw));
}

SqliteConn::~SqliteConn() {
  cache_.clear();  // finalizes every statement before the connection closes
  sqlite3_close(db_);
}

Status SqliteConn::Exec(const char* text) {
  char* err = nullptr;
  if (sqlite3_exec(db_, text, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown";
    sqlite3_free(err);
    return StoreError(msg + " in: " + text);
  }
  return Status::Ok();
}

Status SqliteConn::ExecScript(std::string_view script) {
  // SQLite's words for the dialect's: INTEGER is 64-bit, an INTEGER
  // PRIMARY KEY is the rowid (ids in insertion order), WITHOUT ROWID keeps
  // a table in its key's order.
  static constexpr sql::SchemaWords kWords = {"INTEGER", "BLOB", "INTEGER PRIMARY KEY", "WITHOUT ROWID"};
  return Exec(sql::ExpandSchemaWords(script, kWords).c_str());
}

Result<bool> SqliteConn::HasColumn(std::string_view table, std::string_view column) {
  sqlite3_stmt* raw = nullptr;
  const std::string text = "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2";
  if (sqlite3_prepare_v2(db_, text.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return StoreError(std::string(sqlite3_errmsg(db_)) + " preparing: " + text);
  }
  SqliteStmt s(raw);
  s.Bind(1, table).Bind(2, column);
  return s.Step();
}

Result<sql::Stmt*> SqliteConn::Prepare(const char* text) {
  auto it = cache_.find(text);
  if (it != cache_.end()) return static_cast<sql::Stmt*>(it->second.get());
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, text, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    return StoreError(std::string(sqlite3_errmsg(db_)) + " preparing: " + text);
  }
  auto& slot = cache_[text];
  slot = std::make_unique<SqliteStmt>(stmt);
  return static_cast<sql::Stmt*>(slot.get());
}

}  // namespace xt::store
