// A power cut, not a kill -9: what was acknowledged must have been synced.
//
// kill -9 (crash_test.cc) keeps the kernel's page cache, so a write the
// store forgot to fsync still reaches the disk and no test of that kind can
// see a missing fsync. Here the store's files go through a VFS that keeps
// each file as its last sync left it (sync_tracking_vfs.h). Part-way
// through a stream of writes the machine "stops": every later write and
// sync fails, the store is closed, each file is put back as of its last
// sync (what was written after is gone) and the database is opened as
// after a reboot. Every write acknowledged before the crash must be there,
// whole, and the database must verify.
//
// The store makes a group durable in one of two ways (store.h,
// overlap_backlog_min): the writer fdatasyncs the WAL itself, or hands the
// fdatasync to the syncer thread and runs the next group meanwhile; the
// WAL shim's deferred syncs (wal_buffer_vfs.h) then write the frames
// without syncing them, and only the store's own fdatasync, reported to the
// VFS through SqliteOptions::sync_wal, makes them count. Each way is run,
// and the mix of both, with the crash at two moments: just as the N-th
// answer is given (an answer given before its sync would be lost), and in
// the first fdatasync after it, before it reaches the disk (groups
// committed, readable by other connections, not answered: they may go, the
// answered ones may not). Checkpoints, with their own syncs, usually run
// during the writes (small thresholds), and the WAL starts over.
//
// And the test can fail: a store that answers without an fdatasync of the
// WAL loses acknowledged writes here.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "service/verify.h"
#include "sync_tracking_vfs.h"
#include "test_env.h"

namespace xt::testing {
namespace {

using json = nlohmann::json;

enum class CrashAt {
  kAnswer,  // in the callback of the N-th acknowledgement, before it is passed on
  // In the first fdatasync of the WAL asked after the N-th acknowledgement
  // that has frames to make durable (a checkpoint may have synced them
  // first), before it runs.
  kSync,
};

struct Case {
  const char* name;
  int overlap_backlog_min;  // 0: the syncer syncs every group; huge: the writer does
  CrashAt at;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }
std::string CaseName(const ::testing::TestParamInfo<Case>& info) { return info.param.name; }

constexpr int kByWriter = 1000000;

// The crash, armed once N acknowledgements have been counted. The store's
// fdatasync of the WAL goes through `Sync`: reported to the VFS, or (for
// the store that cheats) not done at all.
class Crasher {
 public:
  Crasher(const std::string& db_path, CrashAt at, int after, bool sync_for_real)
      : vfs_(SyncTrackingVfs::Get()), db_(db_path), wal_(db_path + "-wal"), at_(at), after_(after),
        synced_(sync_for_real ? vfs_.SyncWalHook(db_path) : [](int) { return 0; }) {}

  // Counts an acknowledgement given by the store (true when it came before
  // the crash: it must survive).
  bool Acknowledged() {
    std::lock_guard<std::mutex> lock(mu_);
    if (vfs_.crashed()) return false;
    if (++acknowledged_ == after_ && at_ == CrashAt::kAnswer) CrashNow();
    return true;
  }

  // SqliteOptions::sync_wal.
  std::function<int(int)> Sync() {
    return [this](int fd) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (at_ == CrashAt::kSync && acknowledged_ >= after_ && !vfs_.crashed() &&
            vfs_.CountsOf(wal_).unsynced_bytes > 0) {
          CrashNow();
        }
      }
      return synced_(fd);  // EIO once crashed
    };
  }

  bool crashed() const { return vfs_.crashed(); }
  // The WAL and the database file as the crash found them (unsynced_bytes:
  // what it drops). Read once the store is closed.
  const SyncTrackingVfs::Counts& wal_at_crash() const { return wal_at_crash_; }
  const SyncTrackingVfs::Counts& db_at_crash() const { return db_at_crash_; }

 private:
  void CrashNow() {
    vfs_.Crash();
    wal_at_crash_ = vfs_.CountsOf(wal_);
    db_at_crash_ = vfs_.CountsOf(db_);
  }

  SyncTrackingVfs& vfs_;
  const std::string db_;
  const std::string wal_;
  const CrashAt at_;
  const int after_;
  const std::function<int(int)> synced_;
  std::mutex mu_;
  int acknowledged_ = 0;
  SyncTrackingVfs::Counts wal_at_crash_;
  SyncTrackingVfs::Counts db_at_crash_;
};

// The options of a store on the tracking VFS: a checkpoint every 64 WAL
// pages and a WAL restart past 256, so that a short run usually copies
// frames back into the database file and starts the WAL over before the
// crash (the checkpoint thread's timing decides; the log says).
store::SqliteOptions TrackedOptions(const Case& c, Crasher* crasher) {
  store::SqliteOptions opts;
  opts.vfs = SyncTrackingVfs::Name();
  opts.overlap_backlog_min = c.overlap_backlog_min;
  opts.sync_wal = crasher->Sync();
  opts.checkpoint_wal_pages = 64;
  opts.wal_pages_max = 256;
  return opts;
}

// ---- Store writes

constexpr int kWrites = 2000;
constexpr int kInFlight = 64;  // a backlog (groups of up to 64), for the syncer to overlap with

std::string Payload(int i) { return "write " + std::to_string(i) + std::string(100 + i % 200, 'x'); }

store::Transfer TransferOf(int i) {
  store::Transfer t;
  t.debit_account = "fund:durability";
  t.credit_account = "inst:" + std::to_string(i % 8);
  t.amount_fen = i + 1;
  t.memo = "write " + std::to_string(i);
  return t;
}

struct Outcome {
  std::vector<char> acknowledged;  // by write number: answered ok before the crash
  SyncTrackingVfs::Counts wal, db;  // as the crash found them
  std::string restored;             // what the VFS put back, file by file
};

// kWrites pieces of work through a store on the tracking VFS, kInFlight at
// most waiting, each a meta key and a transfer; the crash as the case says,
// after `crash_after` acknowledgements; the store closed, its files as of
// their last syncs.
Outcome WriteAndCrash(const std::string& path, const Case& c, int crash_after, bool sync_for_real) {
  Outcome out;
  out.acknowledged.assign(kWrites, 0);
  Crasher crasher(path, c.at, crash_after, sync_for_real);
  store::SqliteOptions opts = TrackedOptions(c, &crasher);
  if (!sync_for_real) {
    // Passive checkpoints sync the WAL for real and would make some of the
    // unsynced writes durable by chance: none run then.
    opts.checkpoint_wal_pages = opts.wal_pages_max = 1 << 20;
  }
  {
    // The callbacks, which may run until the store is closed, use these.
    std::mutex mu;
    std::condition_variable cv;
    int in_flight = 0;
    auto opened = store::OpenSqliteStore(path, opts);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    if (!opened.ok()) return out;
    store::Store& store = **opened;
    for (int i = 0; i < kWrites && !crasher.crashed(); ++i) {
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return in_flight < kInFlight; });
        ++in_flight;
      }
      store.WriteAsync(
          [i](store::WriteTxn& txn) -> Status {
            XT_RETURN_IF_ERROR(txn.PutMeta("w" + std::to_string(i), Payload(i)));
            return txn.ledger().PostTransfers({TransferOf(i)});
          },
          // On the writer or the syncer thread, once the group is durable.
          [&, i](Status st) {
            if (st.ok() && crasher.Acknowledged()) out.acknowledged[static_cast<size_t>(i)] = 1;
            std::lock_guard<std::mutex> lock(mu);
            --in_flight;
            cv.notify_all();
          });
    }
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return in_flight == 0 || crasher.crashed(); });
  }  // closing answers what is still queued (refused: the disk is gone)
  out.wal = crasher.wal_at_crash();
  out.db = crasher.db_at_crash();
  out.restored = SyncTrackingVfs::Get().Restore();
  return out;
}

// What survived: the writes whose meta key is there, each checked whole
// (its transfer moved the accounts); the database intact.
struct Survivors {
  std::vector<char> present;
  std::vector<std::string> problems;
};

Survivors Reopen(const std::string& path) {
  Survivors out;
  out.present.assign(kWrites, 0);
  auto opened = store::OpenSqliteStore(path);
  if (!opened.ok()) {
    out.problems.push_back("the database does not open: " + opened.status().ToString());
    return out;
  }
  Fen expected_credits = 0;
  std::map<std::string, Fen> credits;
  Fen debits = 0;
  Status st = (*opened)->Read([&](store::ReadTxn& txn) -> Status {
    for (int i = 0; i < kWrites; ++i) {
      XT_ASSIGN_OR_RETURN(auto v, txn.GetMeta("w" + std::to_string(i)));
      if (!v) continue;
      if (*v != Payload(i)) out.problems.push_back("write " + std::to_string(i) + " came back changed");
      out.present[static_cast<size_t>(i)] = 1;
      expected_credits += i + 1;
    }
    for (int k = 0; k < 8; ++k) {
      XT_ASSIGN_OR_RETURN(auto a, txn.ledger().GetAccount("inst:" + std::to_string(k)));
      if (a) credits[a->account] = a->credits_fen;
    }
    XT_ASSIGN_OR_RETURN(auto fund, txn.ledger().GetAccount("fund:durability"));
    if (fund) debits = fund->debits_fen;
    return Status::Ok();
  });
  if (!st.ok()) out.problems.push_back("the database does not read: " + st.ToString());
  Fen credited = 0;
  for (const auto& [account, fen] : credits) credited += fen;
  // A write is all there or not at all: its transfer with its key.
  if (credited != expected_credits || debits != expected_credits) {
    out.problems.push_back("the accounts hold " + std::to_string(credited) + " credited and " +
                           std::to_string(debits) + " debited, the writes there " + std::to_string(expected_credits));
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, nullptr);
    if (sqlite3_step(s) != SQLITE_ROW || std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 0))) != "ok") {
      out.problems.push_back(std::string("integrity_check: ") + sqlite3_errmsg(db));
    }
    sqlite3_finalize(s);
  } else {
    out.problems.push_back("integrity_check could not open the file");
  }
  sqlite3_close(db);
  return out;
}

class StoreWritesAtACrash : public ::testing::TestWithParam<Case> {};

// Every write answered before the crash is there after it, whole, and the
// database is intact; what was committed and not answered may be gone.
// Three crashes, each on a fresh database, at points drawn anew.
TEST_P(StoreWritesAtACrash, EveryAcknowledgedWriteSurvivesACrashThatForgetsUnsyncedBytes) {
  const Case& c = GetParam();
  std::mt19937 rng(static_cast<unsigned>(::getpid()));
  for (int round = 0; round < 3; ++round) {
    const std::string path =
        FreshDbPath(std::string("durable-writes-") + c.name + "-" + std::to_string(round) + ".db");
    const int crash_after = kWrites / 10 + static_cast<int>(rng() % (kWrites * 7 / 10));
    SCOPED_TRACE("crash after " + std::to_string(crash_after) + " acknowledgements");

    const Outcome o = WriteAndCrash(path, c, crash_after, /*sync_for_real=*/true);
    ASSERT_EQ(o.restored.find("not restored"), std::string::npos) << o.restored;
    std::cout << o.restored;
    int acknowledged = 0;
    for (char a : o.acknowledged) acknowledged += a;
    if (c.at == CrashAt::kAnswer) {
      ASSERT_EQ(acknowledged, crash_after) << "nothing is acknowledged after the crash";
    } else {
      ASSERT_GE(acknowledged, crash_after);
    }
    ASSERT_LT(acknowledged, kWrites) << "the crash must come part-way";

    const Survivors s = Reopen(path);
    for (const auto& p : s.problems) ADD_FAILURE() << p;
    int lost = 0, present = 0;
    for (int i = 0; i < kWrites; ++i) {
      lost += o.acknowledged[static_cast<size_t>(i)] && !s.present[static_cast<size_t>(i)];
      present += s.present[static_cast<size_t>(i)];
    }
    EXPECT_EQ(lost, 0) << "acknowledged writes lost in the crash";
    std::cout << acknowledged << " acknowledged, " << present << " there after the crash; before it "
              << o.wal.syncs << " syncs of the WAL, " << o.db.syncs << " of the database, the WAL started "
              << o.wal.writes_at_start << " times; " << o.wal.unsynced_bytes << " WAL bytes unsynced at the crash\n";
  }
}

// Both: overlap_backlog_min as by default (32), so the syncer takes the
// groups committed with 32 or more waiting and the writer the others.
INSTANTIATE_TEST_SUITE_P(
    Syncs, StoreWritesAtACrash,
    ::testing::Values(Case{"ByWriter_AtAnswer", kByWriter, CrashAt::kAnswer},
                      Case{"ByWriter_InSync", kByWriter, CrashAt::kSync},
                      Case{"BySyncer_AtAnswer", 0, CrashAt::kAnswer},
                      Case{"BySyncer_InSync", 0, CrashAt::kSync},
                      Case{"Both_AtAnswer", 32, CrashAt::kAnswer},
                      Case{"Both_InSync", 32, CrashAt::kSync}),
    CaseName);

// The test can fail: a store whose WAL "fdatasync" does nothing answers
// every write as before, and a crash that keeps only synced bytes loses
// what it answered.
TEST(DurabilityTest, AStoreThatAnswersWithoutSyncingIsCaught) {
  const std::string path = FreshDbPath("durable-writes-unsynced.db");
  const Case c{"unsynced", 0, CrashAt::kAnswer};
  const Outcome o = WriteAndCrash(path, c, kWrites / 2, /*sync_for_real=*/false);
  ASSERT_EQ(o.restored.find("not restored"), std::string::npos) << o.restored;
  int acknowledged = 0;
  for (char a : o.acknowledged) acknowledged += a;
  ASSERT_EQ(acknowledged, kWrites / 2) << "the store answers as before";
  const Survivors s = Reopen(path);
  for (const auto& p : s.problems) ADD_FAILURE() << p;
  int lost = 0;
  for (int i = 0; i < kWrites; ++i) lost += o.acknowledged[static_cast<size_t>(i)] && !s.present[static_cast<size_t>(i)];
  EXPECT_GT(lost, 0) << "acknowledging without an fdatasync went unnoticed";
  std::cout << lost << " of " << kWrites / 2 << " acknowledged writes lost without their fdatasync\n";
}

// ---- Settlements

struct Prepared {
  std::string request;  // the 2207 envelope
  std::string mdtrt_id;
};

// Visits registered and their fee details uploaded through the processor
// (on a plain store: the file is closed afterwards, durable as it stands).
std::vector<Prepared> PrepareVisits(Env& env, int n) {
  std::vector<Prepared> visits;
  auto loaded = service::LoadPersonsFile(DataDir(), env.ref->registry);
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  if (!loaded.ok()) return visits;
  const std::vector<registry::Person>& persons = *loaded;
  const auto& insts = env.ref->registry.institutions();
  const Date today = DateOf(env.clock.NowLocal());
  for (int i = 0; i < n; ++i) {
    const auto& inst = insts[static_cast<size_t>(i) % insts.size()];
    const registry::Person& p = persons[static_cast<size_t>(i * 37) % persons.size()];
    const registry::Enrollment* e = nullptr;
    for (const auto& en : p.enrollments) if (en.psn_insu_stas == "1" && en.validity.Contains(today)) e = &en;
    if (!e) continue;
    const catalog::ItemVersion* item = nullptr;
    for (const auto* it : env.ref->catalog.ItemsOf(inst.admdvs.substr(0, 2) + "0000")) {
      if (it->validity.Contains(today)) { item = it; break; }
    }
    EXPECT_NE(item, nullptr);
    if (!item) return visits;
    auto client = env.Client(inst);
    service::FlowDriver drv(env.processor.get(), &client);
    service::Visit v{p.psn_no, e->insutype, e->insuplc_admdvs, false, ""};
    auto r = drv.Open(&v, "2026-11-20 09:00:00");
    EXPECT_EQ(r.infcode, 0) << r.response;
    service::FlowLine line{"1", item->code, 10000 * (1 + i % 4), 12340000 + 10000 * (i % 50)};
    EXPECT_EQ(drv.Upload(v, {line}, "2026-11-20 09:05:00").infcode, 0);
    json in = {{"data", {{"psn_no", v.psn_no}, {"mdtrt_id", v.mdtrt_id},
                         {"medfee_sumamt", service::FlowDriver::LineAmountFen(line) / 100.0},
                         {"acct_used_flag", "1"}, {"insutype", v.insutype}}}};
    visits.push_back({client.Envelope("2207", in.dump(), v.insuplc_admdvs), v.mdtrt_id});
  }
  return visits;
}

class SettlementsAtACrash : public ::testing::TestWithParam<Case> {};

// Settlements from 32 threads: every one answered before the crash is
// there after it, once, with the ledger and accumulators that verify; sent
// again, each answered one gets its first answer back byte for byte and
// the others settle now, each visit once.
TEST_P(SettlementsAtACrash, EveryAcknowledgedSettlementSurvivesACrashThatForgetsUnsyncedBytes) {
  const Case& c = GetParam();
  constexpr int kVisits = 500;
  constexpr int kThreads = 32;
  std::vector<Prepared> visits;
  std::string path;
  {
    Env env(std::string("durable-settle-") + c.name + ".db", "2026-11-20 10:00:00");
    path = env.path;
    visits = PrepareVisits(env, kVisits);
  }
  ASSERT_GT(visits.size(), 300u);
  std::mt19937 rng(static_cast<unsigned>(::getpid()));
  const int crash_after = 100 + static_cast<int>(rng() % 150);
  SCOPED_TRACE("crash after " + std::to_string(crash_after) + " acknowledgements");

  std::vector<std::string> acknowledged;  // the answers given before the crash
  Crasher crasher(path, c.at, crash_after, /*sync_for_real=*/true);
  {
    auto opened = store::OpenSqliteStore(path, TrackedOptions(c, &crasher));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    auto ref = service::LoadRefData(**opened);
    ASSERT_TRUE(ref.ok()) << ref.status().ToString();
    FixedClock clock(*ParseLocalTime("2026-11-20 10:00:00"));
    service::Processor proc(opened->get(), ref->get(), &clock);
    std::mutex mu;
    std::atomic<size_t> next{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        for (size_t i; (i = next.fetch_add(1)) < visits.size() && !crasher.crashed();) {
          const std::string resp = proc.Call(visits[i].request);
          if (json::parse(resp)["infcode"] != 0) continue;  // refused: the crash came first
          std::lock_guard<std::mutex> lock(mu);
          if (crasher.Acknowledged()) acknowledged.push_back(resp);
        }
      });
    }
    for (auto& th : threads) th.join();
  }
  const int64_t dropped = crasher.wal_at_crash().unsynced_bytes;  // WAL bytes written, not synced
  const std::string restored = SyncTrackingVfs::Get().Restore();
  ASSERT_EQ(restored.find("not restored"), std::string::npos) << restored;
  std::cout << restored;
  ASSERT_GE(acknowledged.size(), static_cast<size_t>(crash_after)) << "the crash must come part-way";
  ASSERT_LT(acknowledged.size(), visits.size()) << "the crash came too late to test anything";

  // verify on the database as the crash left it.
  auto opened = store::OpenSqliteStore(path);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  store::Store& store = **opened;
  {
    auto rep = service::Verify(store, nullptr);
    ASSERT_TRUE(rep.ok()) << rep.status().ToString();
    for (const auto& p : rep->problems) ADD_FAILURE() << "after the crash: " << p;
  }
  std::map<std::string, std::string> first_answer;  // msgid -> response
  int lost = 0;
  for (const auto& line : acknowledged) {
    const json r = json::parse(line);
    const std::string setl_id = r["output"]["setlinfo"]["setl_id"];
    const std::string mdtrt_id = r["output"]["setlinfo"]["mdtrt_id"];
    first_answer[r["output"]["setlinfo"]["medins_setl_id"]] = line;
    ASSERT_TRUE(store.Read([&](store::ReadTxn& txn) -> Status {
                       XT_ASSIGN_OR_RETURN(auto s, txn.settlements().FindSettlement(setl_id));
                       if (!s) ++lost;
                       XT_ASSIGN_OR_RETURN(auto live, txn.settlements().ActiveSettlementOfVisit(mdtrt_id));
                       if (live) {
                         EXPECT_EQ(live->setl_id, setl_id) << "exactly one settlement per visit";
                       }
                       return Status::Ok();
                     }).ok());
  }
  EXPECT_EQ(lost, 0) << "acknowledged settlements lost in the crash";
  int64_t after_crash = 0;
  ASSERT_TRUE(store.Read([&](store::ReadTxn& txn) -> Status {
                     XT_ASSIGN_OR_RETURN(after_crash, txn.settlements().CountSettlements());
                     return Status::Ok();
                   }).ok());
  std::cout << acknowledged.size() << " settlements acknowledged, " << after_crash << " there after the crash, "
            << dropped << " WAL bytes unsynced at the crash\n";

  // Every request again.
  auto ref = service::LoadRefData(store);
  ASSERT_TRUE(ref.ok());
  FixedClock later(*ParseLocalTime("2026-11-20 11:00:00"));
  service::Processor proc(&store, ref->get(), &later);
  int replayed = 0, answered_otherwise = 0;
  for (const auto& v : visits) {
    const std::string resp = proc.Call(v.request);
    ASSERT_EQ(json::parse(resp)["infcode"], 0) << resp;
    auto it = first_answer.find(json::parse(v.request)["msgid"]);
    if (it != first_answer.end()) {
      ++replayed;
      if (resp != it->second && answered_otherwise++ == 0) {
        ADD_FAILURE() << "an acknowledged settlement answers otherwise than it first did:\n"
                      << it->second << "\nnow:\n" << resp;
      }
    }
  }
  EXPECT_EQ(replayed, static_cast<int>(acknowledged.size()));
  EXPECT_EQ(answered_otherwise, 0) << "acknowledged settlements not answered as they first were";
  int64_t settlements = 0;
  ASSERT_TRUE(store.Read([&](store::ReadTxn& txn) -> Status {
                     XT_ASSIGN_OR_RETURN(settlements, txn.settlements().CountSettlements());
                     return Status::Ok();
                   }).ok());
  EXPECT_EQ(settlements, static_cast<int64_t>(visits.size())) << "each visit settled exactly once";
  auto rep = service::Verify(store, nullptr);
  ASSERT_TRUE(rep.ok());
  for (const auto& p : rep->problems) ADD_FAILURE() << p;
}

INSTANTIATE_TEST_SUITE_P(
    Syncs, SettlementsAtACrash,
    ::testing::Values(Case{"ByWriter_AtAnswer", kByWriter, CrashAt::kAnswer},
                      Case{"ByWriter_InSync", kByWriter, CrashAt::kSync},
                      Case{"BySyncer_AtAnswer", 0, CrashAt::kAnswer},
                      Case{"BySyncer_InSync", 0, CrashAt::kSync}),
    CaseName);

}  // namespace
}  // namespace xt::testing
