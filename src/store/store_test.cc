// The SQLite store on a real file: group commit with savepoint isolation,
// reopening, and what a reader sees.
#include "store/store.h"

#include "store/page_cache.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <cerrno>
#include <unistd.h>
#include <vector>
#include <chrono>
#include <filesystem>
#include <thread>

namespace xt::store {
namespace {

std::string TempDb(const char* name) {
  auto dir = std::filesystem::temp_directory_path() / ("xt-store-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
  return path.string();
}

// A database file made with SQLite directly, as an older version (or
// SQLite's defaults) would have made it.
void MakeRawDb(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  const std::string error = sqlite3_errmsg(db);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << error;
}

Transfer T(const std::string& setl, const std::string& from, const std::string& to, Fen amount) {
  Transfer t;
  t.setl_id = setl;
  t.debit_account = from;
  t.credit_account = to;
  t.amount_fen = amount;
  t.memo = "test";
  return t;
}

// The wrapper must be in place before SQLite's first use, which opening a
// store is in a fresh process (each test runs in its own under ctest).
TEST(SqliteStore, OpensWithThePageCacheWrapperInPlace) {
  auto opened = OpenSqliteStore(TempDb("page-cache.db"), SqliteOptions{});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_TRUE(InstallPageCacheWrapper());
}

TEST(SqliteStore, FailedWorkIsRolledBackWithoutSinkingItsNeighbours) {
  const std::string path = TempDb("neighbours.db");
  SqliteOptions opts;
  opts.batch_size_max = 64;
  auto opened = OpenSqliteStore(path, opts);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  constexpr int kWrites = 400;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kWrites; i += 16) {
        Status st = store.Write([&](WriteTxn& txn) -> Status {
          XT_RETURN_IF_ERROR(txn.ledger().PostTransfers({T("S" + std::to_string(i), "fund:a", "inst:b", 100)}));
          XT_RETURN_IF_ERROR(txn.ledger().AddAccumulators("P1", 2026, {{"cap:x", 100}}));
          // Every third piece of work fails after writing: its writes must vanish.
          if (i % 3 == 0) return Status::Error("XT-TEST-001", "planned failure");
          return Status::Ok();
        });
        if (st.ok()) ok.fetch_add(1);
        else EXPECT_EQ(st.code(), "XT-TEST-001");
      }
    });
  }
  for (auto& th : threads) th.join();
  const int expected_ok = kWrites - (kWrites + 2) / 3;
  EXPECT_EQ(ok.load(), expected_ok);
  const WriterStats stats = store.writer_stats();
  EXPECT_EQ(stats.items, kWrites);
  EXPECT_LT(stats.batches, kWrites) << "concurrent work should share transactions";

  Status st = store.Read([&](ReadTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(auto acct, txn.ledger().GetAccount("inst:b"));
    EXPECT_TRUE(acct.has_value());
    EXPECT_EQ(acct->credits_fen, 100LL * expected_ok);
    XT_ASSIGN_OR_RETURN(auto fund, txn.ledger().GetAccount("fund:a"));
    EXPECT_TRUE(fund.has_value());
    if (fund) {
      EXPECT_EQ(fund->debits_fen, 100LL * expected_ok);
    }
    XT_ASSIGN_OR_RETURN(auto acc, txn.ledger().GetAccumulators("P1", 2026));
    EXPECT_EQ(acc.size(), 1u);
    EXPECT_EQ(acc[0].value, 100LL * expected_ok);
    int64_t transfers = 0;
    XT_RETURN_IF_ERROR(txn.ledger().ForEachTransfer([&](const Transfer& t) {
      EXPECT_NE(std::stoi(t.setl_id.substr(1)) % 3, 0) << "a failed write left a transfer";
      ++transfers;
      return true;
    }));
    EXPECT_EQ(transfers, expected_ok);
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST(SqliteStore, AttemptUndoesOnlyItsOwnChanges) {
  auto opened = OpenSqliteStore(TempDb("attempt.db"));
  ASSERT_TRUE(opened.ok());
  Store& store = **opened;
  Status st = store.Write([&](WriteTxn& txn) -> Status {
    XT_RETURN_IF_ERROR(txn.PutMeta("kept", "1"));
    Status inner = txn.Attempt([&]() -> Status {
      XT_RETURN_IF_ERROR(txn.PutMeta("undone", "1"));
      return Status::Error("XT-TEST-002", "inner failure");
    });
    EXPECT_EQ(inner.code(), "XT-TEST-002");
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(store.Read([&](ReadTxn& txn) -> Status {
                     XT_ASSIGN_OR_RETURN(auto kept, txn.GetMeta("kept"));
                     XT_ASSIGN_OR_RETURN(auto undone, txn.GetMeta("undone"));
                     EXPECT_TRUE(kept.has_value());
                     EXPECT_FALSE(undone.has_value());
                     return Status::Ok();
                   }).ok());
}

TEST(SqliteStore, AcknowledgedWritesSurviveReopenAndDuplicatesAreRefused) {
  const std::string path = TempDb("reopen.db");
  {
    auto opened = OpenSqliteStore(path);
    ASSERT_TRUE(opened.ok());
    MessageRow m{"M1", "2207", "H12010100001", "abc", 0, "{\"infcode\":0}", 1, ""};
    ASSERT_TRUE((*opened)->Write([&](WriteTxn& txn) { return txn.messages().PutMessage(m); }).ok());
    Status dup = (*opened)->Write([&](WriteTxn& txn) { return txn.messages().PutMessage(m); });
    EXPECT_EQ(dup.code(), "XT-STORE-003");
    auto seq = [&] {
      int64_t v = 0;
      EXPECT_TRUE((*opened)->Write([&](WriteTxn& txn) -> Status {
                             XT_ASSIGN_OR_RETURN(v, txn.NextSequence("setl"));
                             return Status::Ok();
                           }).ok());
      return v;
    };
    EXPECT_EQ(seq(), 1);
    EXPECT_EQ(seq(), 2);
  }
  auto reopened = OpenSqliteStore(path);
  ASSERT_TRUE(reopened.ok());
  ASSERT_TRUE((*reopened)->Read([&](ReadTxn& txn) -> Status {
                         XT_ASSIGN_OR_RETURN(auto m, txn.messages().FindMessage("M1"));
                         EXPECT_TRUE(m.has_value());
                         EXPECT_EQ(m->response, "{\"infcode\":0}");
                         return Status::Ok();
                       }).ok());
}

// Two stores on one file (a server and the command line beside it) append
// to the same audit chain in turn: each group chains to the head the other
// committed, not to the one it remembers.
TEST(SqliteStore, AuditRecordsOfTwoStoresOnOneFileFormOneChain) {
  const std::string path = TempDb("two-writers.db");
  auto server = OpenSqliteStore(path);
  ASSERT_TRUE(server.ok());
  auto command_line = OpenSqliteStore(path);
  ASSERT_TRUE(command_line.ok());
  auto append = [](Store& store, const std::string& action) {
    return store.Write([&](WriteTxn& txn) {
      return txn.AppendAudit(AuditRow{0, 1, "local", "local", action, "", "ok", "", "", ""});
    });
  };
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(append(**server, "server " + std::to_string(i)).ok()) << i;
    ASSERT_TRUE(append(**command_line, "command line " + std::to_string(i)).ok()) << i;
  }
  std::vector<AuditRow> rows;
  ASSERT_TRUE((*server)->Read([&](ReadTxn& txn) {
                        return txn.access().ForEachAudit(1, [&](const AuditRow& r) {
                          rows.push_back(r);
                          return true;
                        });
                      }).ok());
  ASSERT_EQ(rows.size(), 6u);
  std::string prev = kAuditGenesis;
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].seq, static_cast<int64_t>(i + 1));
    EXPECT_EQ(rows[i].prev_hash, prev) << i;
    EXPECT_EQ(rows[i].hash, AuditHash(prev, rows[i])) << i;
    prev = rows[i].hash;
  }
}

// The background checkpoint copies the WAL back into the database file
// while the store is open, so the WAL does not grow without bound.
TEST(SqliteStore, CheckpointsCopyTheWalBackWhileOpen) {
  const std::string path = TempDb("checkpoint.db");
  SqliteOptions opts;
  opts.checkpoint_wal_pages = 2000;  // 4 MiB
  auto opened = OpenSqliteStore(path, opts);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const std::string blob(100 << 10, 'x');
  for (int i = 0; i < 100; ++i) {  // about 10 MB: past the 2,000-page trigger
    ASSERT_TRUE((*opened)->Write([&](WriteTxn& txn) { return txn.PutMeta("blob" + std::to_string(i), blob); }).ok());
  }
  bool copied = false;
  for (int i = 0; i < 100 && !copied; ++i) {  // at most 5 s
    copied = std::filesystem::file_size(path) > (size_t{4} << 20);
    if (!copied) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(copied) << "the database file stayed at " << std::filesystem::file_size(path) << " bytes";
}

// The WAL file stays bounded while writes go on: passive checkpoints let
// SQLite reuse it from its start, and past wal_pages_max the writer forces
// that with a RESTART checkpoint.
TEST(SqliteStore, WalStaysBoundedUnderContinuousWrites) {
  const std::string path = TempDb("bounded.db");
  SqliteOptions opts;
  opts.checkpoint_wal_pages = 500;
  opts.wal_pages_max = 1000;  // 2 MiB
  auto opened = OpenSqliteStore(path, opts);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const std::string blob(20 << 10, 'y');
  for (int i = 0; i < 1000; ++i) {  // about 20 MB written, ten times the bound
    ASSERT_TRUE((*opened)->Write([&](WriteTxn& txn) { return txn.PutMeta("k" + std::to_string(i % 50), blob); }).ok());
  }
  // The bound plus at most one group's worth of pages and SQLite's headers.
  EXPECT_LT(std::filesystem::file_size(path + "-wal"), size_t{4} << 20);
}

// A long read (a report, a reconciliation) holds its snapshot while writes
// go on, so the WAL must grow past the bound meanwhile; once the read ends
// and the WAL starts again from its beginning, the file is cut back to the
// bound (journal_size_limit) instead of keeping its high-water size (the
// WAL file reached 1.79 GB against the 512 MiB bound in a long HTTP run).
TEST(SqliteStore, WalFileShrinksToTheBoundAfterALongRead) {
  const std::string path = TempDb("bounded-reader.db");
  SqliteOptions opts;
  opts.checkpoint_wal_pages = 500;
  opts.wal_pages_max = 1000;  // 2 MiB
  auto opened = OpenSqliteStore(path, opts);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  std::atomic<bool> reading{false}, release{false};
  std::thread reader([&] {
    Status st = store.Read([&](ReadTxn& txn) -> Status {
      XT_ASSIGN_OR_RETURN(auto v, txn.GetMeta("k1"));  // the snapshot starts here
      (void)v;
      reading = true;
      while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
  });
  while (!reading.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const std::string blob(20 << 10, 'y');
  // Each value differs from the one it replaces all along (SQLite does not
  // rewrite an overflow page whose bytes are unchanged).
  auto write = [&](int i) {
    std::string value = blob;
    for (size_t at = 0; at < value.size(); at += 1000) value[at] = char('a' + i % 26);
    return store.Write([&](WriteTxn& txn) { return txn.PutMeta("k" + std::to_string(i % 50), value); });
  };
  for (int i = 0; i < 400; ++i) ASSERT_TRUE(write(i).ok());
  const size_t during = std::filesystem::file_size(path + "-wal");
  const int64_t restarts_before = store.writer_stats().wal_restarts;
  EXPECT_GT(store.writer_stats().wal_restarts_deferred, 0);
  release = true;
  reader.join();
  // The writer tries again a second after a deferred restart: write on
  // until it has restarted (bounded: a few seconds at most).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (int i = 0; store.writer_stats().wal_restarts == restarts_before; ++i) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "no RESTART checkpoint after the read ended";
    ASSERT_TRUE(write(i).ok());
  }
  ASSERT_TRUE(write(0).ok());  // the first commit after the restart cuts the file
  EXPECT_GT(during, size_t{4} << 20) << "the long read did not hold the WAL back: the test shows nothing";
  // The bound plus at most one group's worth of pages and SQLite's headers.
  EXPECT_LT(std::filesystem::file_size(path + "-wal"), size_t{4} << 20);
}

TEST(SqliteStore, WriterStatsCountEveryGroupInOneBucket) {
  auto opened = OpenSqliteStore(TempDb("stats.db"));
  ASSERT_TRUE(opened.ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE((*opened)->Write([&](WriteTxn& txn) { return txn.PutMeta("k", std::to_string(i)); }).ok());
  }
  const WriterStats s = (*opened)->writer_stats();
  int64_t by_size = 0, by_time = 0;
  for (int64_t n : s.batch_size_counts) by_size += n;
  for (int64_t n : s.commit_micros_counts) by_time += n;
  EXPECT_GE(s.batches, 5);
  EXPECT_EQ(by_size, s.batches);
  EXPECT_EQ(by_time, s.batches);
  EXPECT_EQ(s.queue_depth, 0);
}

// Groups are answered only after an fdatasync of the WAL that began after
// their COMMIT: the writer's own (no backlog), or the syncer's, one covering
// every group committed before it began while the writer runs the next.
// Both ways are forced here (overlap_backlog_min 0: always the syncer).
class SyncedGroups : public ::testing::TestWithParam<int> {};

TEST_P(SyncedGroups, EveryAcknowledgedWriteWaitedForASyncOfTheWal) {
  std::atomic<int> syncs{0};
  std::atomic<int> synced_writes{0};  // writes whose work had run when the last finished sync began
  std::atomic<int> committed{0};
  SqliteOptions opts;
  opts.overlap_backlog_min = GetParam();
  opts.sync_wal = [&](int fd) {
    const int before = committed.load();
    syncs.fetch_add(1);
    const int rc = fdatasync(fd) == 0 ? 0 : errno;
    synced_writes.store(before);
    return rc;
  };
  auto opened = OpenSqliteStore(TempDb("syncer.db"), opts);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  const int kThreads = 16, kEach = 40;
  std::atomic<int> acknowledged_unsynced{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        int mine = 0;
        Status st = store.Write([&](WriteTxn& txn) {
          mine = committed.fetch_add(1) + 1;  // before its group's COMMIT
          return txn.PutMeta("t" + std::to_string(t) + "-" + std::to_string(i), "v");
        });
        ASSERT_TRUE(st.ok()) << st.ToString();
        // Syncs run one at a time, so synced_writes only grows.
        if (synced_writes.load() < mine) acknowledged_unsynced.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(acknowledged_unsynced.load(), 0);
  EXPECT_EQ(synced_writes.load(), kThreads * kEach);
  const WriterStats s = store.writer_stats();
  EXPECT_GE(s.syncs, 1);
  EXPECT_LE(s.syncs, s.batches);  // never more syncs than groups
  EXPECT_EQ(s.syncs, syncs.load());
}

// A failed fdatasync leaves what the disk holds unknown: the groups that
// waited for it are refused, and so is every write after, until a restart;
// what was acknowledged before is there after it.
TEST_P(SyncedGroups, AFailedSyncRefusesItsGroupsAndEveryLaterWrite) {
  const std::string path = TempDb("sync-fails.db");
  std::atomic<bool> fail{false};
  {
    SqliteOptions opts;
    opts.overlap_backlog_min = GetParam();
    opts.sync_wal = [&](int fd) { return fail.load() ? EIO : (fdatasync(fd) == 0 ? 0 : errno); };
    auto opened = OpenSqliteStore(path, opts);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ASSERT_TRUE((*opened)->Write([](WriteTxn& txn) { return txn.PutMeta("before", "1"); }).ok());
    fail.store(true);
    Status lost = (*opened)->Write([](WriteTxn& txn) { return txn.PutMeta("during", "1"); });
    EXPECT_EQ(lost.code(), "XT-STORE-008");
    fail.store(false);
    Status after = (*opened)->Write([](WriteTxn& txn) { return txn.PutMeta("after", "1"); });
    EXPECT_EQ(after.code(), "XT-STORE-008") << "writes stay refused until a restart";
    EXPECT_EQ(after.message(), "the database could not be made durable");
  }
  auto reopened = OpenSqliteStore(path);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  ASSERT_TRUE((*reopened)->Read([](ReadTxn& txn) -> Status {
                           XT_ASSIGN_OR_RETURN(auto before, txn.GetMeta("before"));
                           EXPECT_EQ(before, std::optional<std::string>("1"));
                           XT_ASSIGN_OR_RETURN(auto after, txn.GetMeta("after"));
                           EXPECT_FALSE(after.has_value()) << "refused, so never written";
                           return Status::Ok();
                         }).ok());
  EXPECT_TRUE((*reopened)->Write([](WriteTxn& txn) { return txn.PutMeta("restarted", "1"); }).ok());
}

INSTANTIATE_TEST_SUITE_P(WriterOrSyncer, SyncedGroups, ::testing::Values(0, 1000000),
                         [](const ::testing::TestParamInfo<int>& p) {
                           return p.param == 0 ? std::string("BySyncer") : std::string("ByWriter");
                         });

FeeLineRow Line(const std::string& sn, const std::string& msgid, const std::string& codg = "A01") {
  FeeLineRow f;
  f.mdtrt_id = "V1";
  f.feedetl_sn = sn;
  f.chrg_bchno = "1";
  f.med_list_codg = codg;
  f.medins_list_codg = "H-" + codg;
  f.amount_fen = -1250;
  f.cnt_e4 = -10000;
  f.pric_e6 = 12500000;
  f.fee_ocur_time = 1700000000;
  f.state = "active";
  f.msgid = msgid;
  return f;
}

// An upload's lines are one row (docs/storage.md): every field comes back
// as written, whatever bytes it holds; a feedetl_sn is never taken twice;
// cancelling one line leaves its neighbours of the same upload active.
TEST(SqliteStore, FeeLinesOfOneUploadAreKeptTogether) {
  auto opened = OpenSqliteStore(TempDb("fees.db"));
  ASSERT_TRUE(opened.ok());
  Store& store = **opened;
  const std::string odd = std::string("12:3\t\n\"x") + '\0' + "9";
  ASSERT_TRUE(store.Write([&](WriteTxn& txn) { return txn.settlements().InsertFeeLines({Line("2", "M1", odd), Line("1", "M1")}); }).ok());
  ASSERT_TRUE(store.Write([&](WriteTxn& txn) { return txn.settlements().InsertFeeLines({Line("10", "M2")}); }).ok());
  EXPECT_EQ(store.Write([&](WriteTxn& txn) { return txn.settlements().InsertFeeLines({Line("3", "M3"), Line("1", "M3")}); }).code(),
            "XT-STORE-003");
  EXPECT_EQ(store.Write([&](WriteTxn& txn) { return txn.settlements().InsertFeeLines({Line("4", "M4"), Line("4", "M4")}); }).code(),
            "XT-STORE-003");
  ASSERT_TRUE(store.Write([&](WriteTxn& txn) { return txn.settlements().SetFeeLineState("V1", "2", "cancelled"); }).ok());
  ASSERT_TRUE(store.Read([&](ReadTxn& txn) -> Status {
                     XT_ASSIGN_OR_RETURN(auto all, txn.settlements().FeeLinesOfVisit("V1"));
                     std::vector<std::string> sns;
                     for (const auto& l : all) sns.push_back(l.feedetl_sn + "/" + l.state);
                     // In upload order: uploads oldest first, each one's lines as sent.
                     EXPECT_EQ(sns, (std::vector<std::string>{"2/cancelled", "1/active", "10/active"}));
                     XT_ASSIGN_OR_RETURN(auto active, txn.settlements().ActiveFeeLines("V1"));
                     EXPECT_EQ(active.size(), 2u);
                     XT_ASSIGN_OR_RETURN(auto two, txn.settlements().FindFeeLine("V1", "2"));
                     EXPECT_TRUE(two.has_value());
                     if (two) {
                       EXPECT_EQ(two->med_list_codg, odd);
                       EXPECT_EQ(two->medins_list_codg, "H-" + odd);
                       EXPECT_EQ(two->amount_fen, -1250);
                       EXPECT_EQ(two->cnt_e4, -10000);
                       EXPECT_EQ(two->pric_e6, 12500000);
                       EXPECT_EQ(two->fee_ocur_time, 1700000000);
                       EXPECT_EQ(two->msgid, "M1");
                       EXPECT_EQ(two->mdtrt_id, "V1");
                     }
                     XT_ASSIGN_OR_RETURN(auto none, txn.settlements().FindFeeLine("V1", "3"));
                     EXPECT_FALSE(none.has_value());
                     return Status::Ok();
                   }).ok());
}

// A database of schema 1 (a row per fee line) is brought to the current
// schema when opened, its lines intact.
TEST(SqliteStore, UpgradesFeeLinesOfSchemaOne) {
  const std::string path = TempDb("upgrade.db");
  ASSERT_NO_FATAL_FAILURE(MakeRawDb(path,
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
        "INSERT INTO meta VALUES('schema_version', '1');"
        "CREATE TABLE fee_lines(mdtrt_id TEXT NOT NULL, feedetl_sn TEXT NOT NULL, chrg_bchno TEXT NOT NULL, "
        "med_list_codg TEXT NOT NULL, medins_list_codg TEXT NOT NULL, amount_fen INTEGER NOT NULL, "
        "cnt_e4 INTEGER NOT NULL, pric_e6 INTEGER NOT NULL, fee_ocur_time INTEGER NOT NULL, state TEXT NOT NULL, "
        "msgid TEXT NOT NULL, PRIMARY KEY(mdtrt_id, feedetl_sn)) WITHOUT ROWID;"
        "INSERT INTO fee_lines VALUES('V1','1','1','A01','H-A01',1250,10000,12500000,5,'active','M1');"
        "INSERT INTO fee_lines VALUES('V1','2','1','A02','H-A02',300,20000,1500000,5,'cancelled','M1');"
        "INSERT INTO fee_lines VALUES('V1','3','2','A03','H-A03',100,10000,1000000,6,'active','M2');"));
  auto opened = OpenSqliteStore(path);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ASSERT_TRUE((*opened)->Read([&](ReadTxn& txn) -> Status {
                         XT_ASSIGN_OR_RETURN(auto version, txn.GetMeta("schema_version"));
                         EXPECT_EQ(version.value_or(""), "4");
                         XT_ASSIGN_OR_RETURN(auto active, txn.settlements().ActiveFeeLines("V1"));
                         EXPECT_EQ(active.size(), 2u);
                         XT_ASSIGN_OR_RETURN(auto two, txn.settlements().FindFeeLine("V1", "2"));
                         EXPECT_EQ(two ? two->state + two->med_list_codg + two->msgid : "", "cancelledA02M1");
                         return Status::Ok();
                       }).ok());
}

int64_t PageSizeOf(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &s, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_step(s), SQLITE_ROW);
  const int64_t size = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return size;
}

// A new database gets 2 KiB pages; one made with another page size (1 KiB
// in the version before, 4 KiB by SQLite's default) keeps it, and is used
// as before.
TEST(SqliteStore, NewDatabasesHaveTwoKibPagesAndOldOnesKeepTheirs) {
  const std::string fresh = TempDb("fresh-pages.db");
  {
    auto opened = OpenSqliteStore(fresh);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  }
  EXPECT_EQ(PageSizeOf(fresh), 2048);
  for (int64_t size : {1024, 4096}) {
    const std::string name = "old-pages-" + std::to_string(size) + ".db";
    const std::string old = TempDb(name.c_str());
    ASSERT_NO_FATAL_FAILURE(
        MakeRawDb(old, "PRAGMA page_size = " + std::to_string(size) + "; PRAGMA journal_mode = WAL; CREATE TABLE x(y)"));
    {
      auto opened = OpenSqliteStore(old);
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      ASSERT_TRUE(
          (*opened)->Write([](WriteTxn& txn) { return txn.ledger().PostTransfers({T("S1", "fund:a", "inst:b", 100)}); }).ok());
    }
    EXPECT_EQ(PageSizeOf(old), size);
  }
}

// Schema 2 had no fee_uploads.answer: opening adds it, empty for the
// uploads already there, and new uploads keep theirs.
TEST(SqliteStore, UpgradesSchemaTwoWithAnEmptyAnswerPerUpload) {
  const std::string path = TempDb("upgrade2.db");
  ASSERT_NO_FATAL_FAILURE(MakeRawDb(path,
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
        "INSERT INTO meta VALUES('schema_version', '2');"
        "CREATE TABLE fee_uploads(id INTEGER PRIMARY KEY, mdtrt_id TEXT NOT NULL, msgid TEXT NOT NULL, "
        "lines TEXT NOT NULL);"
        "INSERT INTO fee_uploads(mdtrt_id, msgid, lines) VALUES('V1', 'M1', '');"));
  auto opened = OpenSqliteStore(path);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ASSERT_TRUE((*opened)->Write([](WriteTxn& txn) { return txn.settlements().InsertFeeLines({Line("1", "M2")}, "kept"); }).ok());
  ASSERT_TRUE((*opened)->Read([&](ReadTxn& txn) -> Status {
                         XT_ASSIGN_OR_RETURN(auto version, txn.GetMeta("schema_version"));
                         EXPECT_EQ(version.value_or(""), "4");
                         XT_ASSIGN_OR_RETURN(auto old, txn.settlements().FeeUploadAnswer("V1", "M1"));
                         EXPECT_EQ(old.value_or("missing"), "");
                         XT_ASSIGN_OR_RETURN(auto kept, txn.settlements().FeeUploadAnswer("V1", "M2"));
                         EXPECT_EQ(kept.value_or("missing"), "kept");
                         XT_ASSIGN_OR_RETURN(auto none, txn.settlements().FeeUploadAnswer("V1", "M3"));
                         EXPECT_FALSE(none.has_value());
                         return Status::Ok();
                       }).ok());
}

// Schema 3's visits had no cvlserv_flag, mdtrt_cert_type or diseinfo:
// opening adds them, with their defaults for the visits already there.
TEST(SqliteStore, UpgradesSchemaThreeVisitsWithTheirNewColumns) {
  const std::string path = TempDb("upgrade3.db");
  ASSERT_NO_FATAL_FAILURE(MakeRawDb(path,
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
        "INSERT INTO meta VALUES('schema_version', '3');"
        "CREATE TABLE visits(mdtrt_id TEXT PRIMARY KEY, psn_no TEXT NOT NULL, psn_name TEXT NOT NULL, "
        "certno TEXT NOT NULL, insutype TEXT NOT NULL, med_type TEXT NOT NULL, fixmedins_code TEXT NOT NULL, "
        "insuplc_admdvs TEXT NOT NULL, mdtrtarea_admvs TEXT NOT NULL, hosp_lv INTEGER NOT NULL, "
        "psn_type TEXT NOT NULL, birth INTEGER NOT NULL, filed INTEGER NOT NULL, begntime INTEGER NOT NULL, "
        "endtime INTEGER, state TEXT NOT NULL, ipt_otp_no TEXT NOT NULL, msgid TEXT NOT NULL) WITHOUT ROWID;"
        "INSERT INTO visits VALUES('V1','P1','N','C','310','11','H1','130500','120000',3,'1101',0,1,5,NULL,"
        "'registered','MZ1','M1');"));
  auto opened = OpenSqliteStore(path);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ASSERT_TRUE((*opened)->Read([&](ReadTxn& txn) -> Status {
                         XT_ASSIGN_OR_RETURN(auto version, txn.GetMeta("schema_version"));
                         EXPECT_EQ(version.value_or(""), "4");
                         XT_ASSIGN_OR_RETURN(auto v, txn.settlements().FindVisit("V1"));
                         EXPECT_TRUE(v.has_value());
                         if (v) {
                           EXPECT_EQ(v->ipt_otp_no, "MZ1");
                           EXPECT_FALSE(v->cvlserv_flag);
                           EXPECT_EQ(v->mdtrt_cert_type, "");
                           EXPECT_EQ(v->diseinfo_json, "");
                         }
                         XT_ASSIGN_OR_RETURN(auto again, txn.settlements().FindOpenVisitByNumber("P1", "H1", "MZ1", "registered"));
                         EXPECT_TRUE(again.has_value()) << "found through the new index";
                         return Status::Ok();
                       }).ok());
}

TEST(SqliteStore, RefusesInvalidOptionsAndUnopenablePaths) {
  SqliteOptions bad;
  bad.batch_size_max = 0;
  EXPECT_EQ(OpenSqliteStore(TempDb("bad.db"), bad).status().code(), "XT-STORE-005");
  EXPECT_EQ(OpenSqliteStore("/nonexistent-dir/x/y.db").status().code(), "XT-STORE-002");
  // A file layer (SqliteOptions::vfs) that is not registered: refused
  // before any file is made.
  SqliteOptions no_vfs;
  no_vfs.vfs = "no-such-vfs";
  const std::string path = TempDb("no-vfs.db");
  EXPECT_EQ(OpenSqliteStore(path, no_vfs).status().code(), "XT-STORE-005");
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace xt::store
