// sqlite3 connection and statement helpers.
#include "store/sqlite_db.h"

#include "store/page_cache.h"

namespace xt::store {

Status StoreError(std::string detail) {
  return Status::Error("XT-STORE-001", "the database could not complete the operation", std::move(detail));
}

Result<bool> Stmt::Step() {
  const int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(s_);
  if (rc == SQLITE_CONSTRAINT || (rc & 0xff) == SQLITE_CONSTRAINT) {
    return Status::Error("XT-STORE-003", "a record with this key already exists",
                         std::string(sqlite3_errmsg(db)) + " in: " + sqlite3_sql(s_));
  }
  return StoreError(std::string(sqlite3_errmsg(db)) + " in: " + sqlite3_sql(s_));
}

Status Stmt::Run() {
  auto r = Step();
  if (!r.ok()) return r.status();
  return Status::Ok();
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, int busy_timeout_ms, const char* vfs) {
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
  return std::unique_ptr<Db>(new Db(raw));
}

Db::~Db() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Status Db::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown";
    sqlite3_free(err);
    return StoreError(msg + " in: " + sql);
  }
  return Status::Ok();
}

Status Db::ExecCached(const char* sql) {
  XT_ASSIGN_OR_RETURN(sqlite3_stmt * raw, Prepare(sql));
  Stmt s(raw);
  return s.Run();
}

Result<sqlite3_stmt*> Db::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    return StoreError(std::string(sqlite3_errmsg(db_)) + " preparing: " + sql);
  }
  cache_.emplace(sql, stmt);
  return stmt;
}

Status Db::ErrorStatus(const char* what) const { return StoreError(std::string(what) + ": " + sqlite3_errmsg(db_)); }

}  // namespace xt::store
