// The page-cache wrapper under page splits that renumber pages: the data
// stays whole and the scratch key is really the one SQLite uses.
#include "store/page_cache.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <random>
#include <string>

#include "store/sqlite_conn.h"

namespace xt::store {
namespace {

std::string TempDb(const char* name) {
  auto dir = std::filesystem::temp_directory_path() / ("xt-page-cache-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return path.string();
}

std::string One(SqliteConn& db, const char* text) {
  auto value = db.One<std::string>(text, [](sql::Stmt&) {}, [](const sql::Stmt& s) { return s.Text(0); });
  EXPECT_TRUE(value.ok() && value->has_value()) << text;
  return value.ok() ? value->value_or("") : "";
}

TEST(PageCache, RandomInsertsThroughSplitsKeepTheDatabaseWhole) {
  if (!InstallPageCacheWrapper()) GTEST_SKIP() << "SQLite was initialised earlier in this process";
  const std::string path = TempDb("splits.db");
  auto opened = SqliteConn::Open(path, 1000);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  SqliteConn& db = **opened;
  ASSERT_TRUE(db.Exec("PRAGMA page_size = 2048").ok());
  ASSERT_TRUE(db.Exec("PRAGMA journal_mode = WAL").ok());
  ASSERT_TRUE(db.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT NOT NULL); CREATE INDEX t_k ON t(k)").ok());
  const int64_t moves_before = PageCacheScratchMoves();
  // Keys in random order split index pages in the middle, where the new
  // pages are renumbered through the scratch key; some groups roll back.
  std::mt19937_64 rng(7);
  constexpr int kGroups = 200;
  constexpr int kRowsPerGroup = 100;
  int kept = 0;
  for (int g = 0; g < kGroups; ++g) {
    ASSERT_TRUE(db.Run("BEGIN IMMEDIATE").ok());
    for (int i = 0; i < kRowsPerGroup; ++i) {
      const std::string key = "key-" + std::to_string(rng()) + std::string(40, 'x');
      ASSERT_TRUE(db.Exec("INSERT INTO t(k) VALUES(?)", [&](sql::Stmt& s) { s.Bind(1, key); }).ok());
    }
    const bool keep = g % 10 != 3;
    ASSERT_TRUE(db.Run(keep ? "COMMIT" : "ROLLBACK").ok());
    kept += keep ? kRowsPerGroup : 0;
  }
  EXPECT_GT(PageCacheScratchMoves(), moves_before)
      << "this SQLite no longer renumbers split pages through the scratch key: the wrapper has nothing to do";
  EXPECT_EQ(One(db, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(One(db, "SELECT count(*) FROM t"), std::to_string(kept));
  EXPECT_EQ(One(db, "SELECT count(*) FROM t INDEXED BY t_k WHERE k >= ''"), std::to_string(kept));
  // A second connection reads the same through its own cache.
  auto other = SqliteConn::Open(path, 1000);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(One(**other, "SELECT count(*) FROM t INDEXED BY t_k WHERE k >= ''"), std::to_string(kept));
}

}  // namespace
}  // namespace xt::store
