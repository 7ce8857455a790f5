// The SQLite backend: WAL mode, synchronous=FULL, one writer thread with
// group commit (each piece of work in its own savepoint), a syncer thread
// that, under a backlog, makes each group durable while the writer runs the
// next one, a small pool of reader connections. The schema is in docs/storage.md.
#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <map>
#include <tuple>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "store/sqlite_conn.h"
#include "store/store.h"
#include "store/wal_buffer_vfs.h"

namespace xt::store {

namespace {

// The VFS the store's connections open their files through (SqliteOptions::vfs).
const char* BaseVfs(const SqliteOptions& options) { return options.vfs.empty() ? nullptr : options.vfs.c_str(); }

// Every subsystem's tables (sql.h's dialect), created when missing on every
// opening, in this order.
const char* const kSchemas[] = {kTxnSchema,      kRegistrySchema, kSettlementsSchema, kLedgerSchema,  kMessagesSchema,
                                kAccessSchema,   kResultsSchema,  kClearingSchema,    kAccountsSchema};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, SqliteOptions options, std::unique_ptr<SqliteConn> writer, std::unique_ptr<SqliteConn> checkpointer)
      : path_(std::move(path)),
        options_(options),
        writer_db_(std::move(writer)),
        checkpoint_db_(std::move(checkpointer)) {
    // Checkpoints (copying the WAL back into the database file) run on their
    // own thread and connection, so the writer only ever appends to the WAL.
    sqlite3_wal_hook(writer_db_->raw(), &SqliteStore::OnWalCommit, this);
    // The syncer's own descriptor of the WAL (fsync applies to the file,
    // whichever descriptor asks), and the directory synced once so that the
    // WAL's name is durable too. Without it, SQLite syncs at each COMMIT.
    wal_fd_ = open((path_ + "-wal").c_str(), O_RDONLY | O_CLOEXEC);
    if (wal_fd_ >= 0 && !SyncDirectoryOf(path_)) {
      close(wal_fd_);
      wal_fd_ = -1;
    }
    syncer_thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "xt-syncer");
      SyncerLoop();
    });
    checkpoint_thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "xt-checkpoint");
      // Copying pages back can wait; the writer and request threads cannot.
      setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
      CheckpointLoop();
    });
    thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "xt-writer");
      // Every durable write waits for this one thread: ask the scheduler to
      // prefer it over request threads. Allowed to fail (unprivileged).
      setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), -10);
      WriterLoop();
    });
  }

  ~SqliteStore() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    thread_.join();
    {
      std::lock_guard<std::mutex> lock(sync_mu_);
      sync_stop_ = true;
    }
    sync_cv_.notify_all();
    syncer_thread_.join();  // answers every group still waiting for its sync
    if (wal_fd_ >= 0) close(wal_fd_);
    {
      std::lock_guard<std::mutex> lock(checkpoint_mu_);
      checkpoint_stop_ = true;
    }
    checkpoint_cv_.notify_all();
    checkpoint_thread_.join();
    // Fold the WAL back into the main file so a closed database is one file.
    // Should it fail, the WAL stays beside the file and SQLite replays it at
    // the next opening: nothing is lost, the database is only two files.
    (void)writer_db_->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }

  Status Write(std::function<Status(WriteTxn&)> work) override {
    std::promise<Status> done;
    std::future<Status> result = done.get_future();
    WriteAsync(std::move(work), [&done](Status st) { done.set_value(std::move(st)); });
    return result.get();
  }

  void WriteAsync(std::function<Status(WriteTxn&)> work, std::function<void(Status)> done) override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      space_cv_.wait(lock, [&] { return stopping_ || static_cast<int>(queue_.size()) < options_.queue_depth_max; });
      if (!stopping_) {
        queue_.push_back(Item{std::move(work), std::move(done)});
        done = nullptr;
      }
    }
    if (done) {
      done(Status::Error("XT-STORE-004", "the service is shutting down"));
      return;
    }
    queue_cv_.notify_one();
  }

  Status Read(std::function<Status(ReadTxn&)> work) override {
    XT_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConn> db, TakeReader());
    Status st = db->Run("BEGIN");
    if (st.ok()) {
      ReadTxn txn(*db);
      st = work(txn);
      // Ends the snapshot. A read changes nothing, so a failed COMMIT
      // loses nothing; the connection is not reused then (a transaction
      // could still be open on it).
      if (!db->Run("COMMIT").ok()) db.reset();
    }
    if (db) ReturnReader(std::move(db));
    return st;
  }

  WriterStats writer_stats() const override {
    int64_t waiting = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      waiting = static_cast<int64_t>(queue_.size());
    }
    std::lock_guard<std::mutex> lock(stats_mu_);
    WriterStats s = stats_;
    s.queue_depth = waiting;
    s.wal_restarts = wal_restarts_.load(std::memory_order_relaxed);
    s.wal_restarts_deferred = wal_restarts_deferred_.load(std::memory_order_relaxed);
    return s;
  }
  std::string backend_name() const override { return "sqlite"; }

 private:
  struct Item {
    std::function<Status(WriteTxn&)> work;
    std::function<void(Status)> done;  // once the group is durable, on the writer or syncer thread
  };
  // A committed group waiting for the syncer: each item's done and result.
  struct Committed {
    std::vector<std::function<void(Status)>> dones;
    std::vector<Status> results;
  };

  static bool SyncDirectoryOf(const std::string& path) {
    const size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = fsync(fd) == 0;
    close(fd);
    return ok;
  }

  // Makes committed groups durable and answers them: one fdatasync of the
  // WAL for every group committed before it began. The writer, meanwhile,
  // runs the next group; it never waits for the syncer, whose queue holds
  // at most the groups committed during one fdatasync. A failed fdatasync
  // leaves it unknown what the disk holds: those groups and every later
  // write are refused (XT-STORE-008) until the service is restarted and
  // SQLite recovers the WAL from the disk.
  void SyncerLoop() {
    for (;;) {
      std::vector<Committed> groups;
      {
        std::unique_lock<std::mutex> lock(sync_mu_);
        sync_cv_.wait(lock, [&] { return sync_stop_ || !sync_queue_.empty(); });
        if (sync_queue_.empty() && sync_stop_) return;
        groups.swap(sync_queue_);
        syncing_ = true;
      }
      const bool synced = SyncWal();
      {
        std::lock_guard<std::mutex> lock(sync_mu_);
        syncing_ = false;
      }
      for (Committed& g : groups) Answer(&g, synced);
    }
  }

  // One fdatasync of the WAL (on the syncer, or inline on the writer).
  bool SyncWal() {
    const auto t0 = std::chrono::steady_clock::now();
    const int rc = options_.sync_wal ? options_.sync_wal(wal_fd_) : (fdatasync(wal_fd_) == 0 ? 0 : errno);
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
    if (rc != 0) sync_failed_.store(true);
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.syncs++;
    stats_.sync_micros_total += micros;
    return rc == 0;
  }

  static void Answer(Committed* g, bool synced) {
    for (size_t i = 0; i < g->dones.size(); ++i) g->dones[i](synced ? std::move(g->results[i]) : SyncFailed());
  }

  static Status SyncFailed() {
    return Status::Error("XT-STORE-008", "the database could not be made durable",
                         "fdatasync of the WAL failed; writes are refused until the service is restarted");
  }

  Result<std::unique_ptr<SqliteConn>> TakeReader() {
    {
      std::lock_guard<std::mutex> lock(readers_mu_);
      if (!readers_.empty()) {
        auto db = std::move(readers_.back());
        readers_.pop_back();
        return db;
      }
    }
    XT_ASSIGN_OR_RETURN(auto db, SqliteConn::Open(path_, options_.busy_timeout_ms, BaseVfs(options_)));
    XT_RETURN_IF_ERROR(db->Exec("PRAGMA query_only = ON"));
    return db;
  }

  void ReturnReader(std::unique_ptr<SqliteConn> db) {
    std::lock_guard<std::mutex> lock(readers_mu_);
    if (static_cast<int>(readers_.size()) < options_.reader_connections_max) readers_.push_back(std::move(db));
  }

  // Called by SQLite on the writer thread after each commit.
  static int OnWalCommit(void* self, sqlite3*, const char*, int wal_pages) {
    auto* store = static_cast<SqliteStore*>(self);
    store->wal_pages_ = wal_pages;
    if (wal_pages >= store->options_.checkpoint_wal_pages) {
      std::lock_guard<std::mutex> lock(store->checkpoint_mu_);
      store->checkpoint_wanted_ = true;
      store->checkpoint_cv_.notify_one();
    }
    return SQLITE_OK;
  }

  // The WAL only starts again from its beginning once a checkpoint has
  // copied all of it and no reader needs it; under continuous writes the
  // passive checkpoints never get there and the file would keep growing.
  // Past the hard limit the writer itself, between groups, waits for a
  // RESTART checkpoint: a pause of the writes, and the WAL stays bounded.
  // Past wal_pages_max: a RESTART checkpoint, so that SQLite writes the WAL
  // from its start again (and, by journal_size_limit, cuts the file back to
  // the bound). It waits at most kRestartWaitMs for the readers still using
  // the WAL: the REST reads take milliseconds. A long read (a report over a
  // month) holds its snapshot for longer; the writer then goes on and tries
  // again kRestartRetryMs later, so that such a read costs the writes at
  // most a tenth of their time instead of a busy timeout per group.
  static constexpr int kRestartWaitMs = 100;
  static constexpr int kRestartRetryMs = 1000;
  void MaybeRestartWal() {
    if (wal_pages_ < options_.wal_pages_max) return;
    const auto now = std::chrono::steady_clock::now();
    if (now < restart_not_before_) return;
    sqlite3_busy_timeout(writer_db_->raw(), std::min(kRestartWaitMs, options_.busy_timeout_ms));
    const int rc = sqlite3_wal_checkpoint_v2(writer_db_->raw(), nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
    sqlite3_busy_timeout(writer_db_->raw(), options_.busy_timeout_ms);
    if (rc == SQLITE_OK) {
      wal_pages_ = 0;
      wal_restarts_.fetch_add(1, std::memory_order_relaxed);
    } else if (std::chrono::steady_clock::now() - now >= std::chrono::milliseconds(kRestartWaitMs / 2)) {
      // SQLITE_BUSY after waiting: a reader still uses the WAL. Nothing is
      // lost by going on: the WAL only grows meanwhile.
      restart_not_before_ = now + std::chrono::milliseconds(kRestartRetryMs);
      wal_restarts_deferred_.fetch_add(1, std::memory_order_relaxed);
    }
    // SQLITE_BUSY at once: the checkpoint thread's passive checkpoint holds
    // the checkpoint lock (SQLite does not wait for it). Tried again after
    // the next group.
  }

  void CheckpointLoop() {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(checkpoint_mu_);
        checkpoint_cv_.wait(lock, [&] { return checkpoint_stop_ || checkpoint_wanted_; });
        if (checkpoint_stop_) return;
        checkpoint_wanted_ = false;
      }
      // PASSIVE: copies what no reader still needs, never blocks the writer.
      sqlite3_wal_checkpoint_v2(checkpoint_db_->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
  }

  void WriterLoop() {
    std::vector<Item> batch;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty() && stopping_) return;
        while (!queue_.empty() && static_cast<int>(batch.size()) < options_.batch_size_max) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      space_cv_.notify_all();
      RunBatch(&batch);
      MaybeRestartWal();
      batch.clear();
    }
  }

  static int64_t ThreadCpuMicros() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
  }

  // Index of the first bound >= value; bounds.size() when above them all.
  template <size_t N>
  static size_t BucketOf(const std::array<int64_t, N>& bounds, int64_t value) {
    size_t i = 0;
    while (i < N && value > bounds[i]) ++i;
    return i;
  }

  // One group: BEGIN; each item in a savepoint; the sequences and audit
  // records flushed; COMMIT; then answer all, once durable (here, or by the
  // syncer under a backlog). Long because its steps share the group's
  // results and timings; each step is commented where it happens.
  void RunBatch(std::vector<Item>* batch) {
    const auto started = std::chrono::steady_clock::now();
    const int64_t cpu_started = ThreadCpuMicros();
    std::vector<Status> results(batch->size());
    if (sync_failed_.load()) {
      for (auto& item : *batch) item.done(SyncFailed());
      return;
    }
    Status begin = writer_db_->Run("BEGIN IMMEDIATE");
    if (!begin.ok()) {
      for (auto& item : *batch) item.done(begin);
      return;
    }
    WriteTxn txn(*writer_db_, writer_state_);
    int64_t failed = 0;
    // A piece of work whose undo failed may have left changes behind: the
    // whole group is then rolled back and refused, never committed with them.
    Status undo_failed;
    for (size_t i = 0; i < batch->size(); ++i) {
      const size_t audit_mark = txn.audit_mark();
      Status st = writer_db_->Run("SAVEPOINT item");
      if (st.ok()) {
        try {
          st = (*batch)[i].work(txn);
        } catch (const std::exception& e) {
          st = Status::Error("XT-INT-001", "internal error", std::string("exception in write: ") + e.what());
        }
        if (st.ok()) {
          st = writer_db_->Run("RELEASE item");
        } else {
          Status undo = writer_db_->Run("ROLLBACK TO item");
          if (undo.ok()) undo = writer_db_->Run("RELEASE item");
          if (!undo.ok() && undo_failed.ok()) undo_failed = undo;
          txn.TruncateAudit(audit_mark);
          ++failed;
        }
      }
      results[i] = std::move(st);
    }
    const auto t0 = std::chrono::steady_clock::now();
    Status commit = undo_failed;
    if (commit.ok()) commit = txn.FlushGroup();
    // The COMMIT writes the group's frames to the WAL file, and the syncer
    // makes them durable (wal_buffer_vfs.h, DeferWalSyncs); without a WAL
    // descriptor of our own, SQLite syncs in the COMMIT as usual.
    const bool deferred = commit.ok() && wal_fd_ >= 0 && DeferWalSyncs(writer_db_->raw(), true);
    if (commit.ok()) commit = writer_db_->Run("COMMIT");
    if (deferred) DeferWalSyncs(writer_db_->raw(), false);
    txn.EndGroup(commit.ok());
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
    if (!commit.ok()) {
      // The group's error is what every piece of work is answered with; a
      // failed ROLLBACK adds nothing to it (SQLite rolls back a transaction
      // it could not commit on the next BEGIN's failure, which refuses the
      // next group the same way).
      (void)writer_db_->Run("ROLLBACK");
      for (auto& r : results) r = commit;
    }
    {
      std::lock_guard<std::mutex> lock(stats_mu_);
      stats_.batches++;
      stats_.items += static_cast<int64_t>(batch->size());
      stats_.items_failed += failed;
      stats_.commit_micros_total += micros;
      stats_.busy_micros_total +=
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
      stats_.cpu_micros_total += ThreadCpuMicros() - cpu_started;
      stats_.batch_size_max_seen = std::max<int64_t>(stats_.batch_size_max_seen, batch->size());
      stats_.batch_size_counts[BucketOf(kBatchSizeBounds, static_cast<int64_t>(batch->size()))]++;
      stats_.commit_micros_counts[BucketOf(kCommitMicrosBounds, micros)]++;
    }
    if (!deferred || !commit.ok()) {
      for (size_t i = 0; i < batch->size(); ++i) (*batch)[i].done(std::move(results[i]));
      return;
    }
    Committed group;
    group.dones.reserve(batch->size());
    for (auto& item : *batch) group.dones.push_back(std::move(item.done));
    group.results = std::move(results);
    // With a backlog, the syncer syncs while this thread runs the next
    // group. Without one, overlapping buys nothing and costs latency (a
    // thread hand-over, and smaller groups whose fdatasyncs meet the next
    // group's writes): sync here, as SQLite would have.
    size_t waiting = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      waiting = queue_.size();
    }
    bool handed_over = false;
    {
      std::lock_guard<std::mutex> lock(sync_mu_);
      if (waiting >= static_cast<size_t>(options_.overlap_backlog_min) || syncing_ || !sync_queue_.empty()) {
        sync_queue_.push_back(std::move(group));
        handed_over = true;
      }
    }
    if (handed_over) {
      sync_cv_.notify_one();
      return;
    }
    Answer(&group, SyncWal());
  }

  const std::string path_;
  const SqliteOptions options_;
  std::unique_ptr<SqliteConn> writer_db_;
  WriterState writer_state_;  // used by the writer thread only

  mutable std::mutex mu_;
  std::condition_variable queue_cv_;
  std::condition_variable space_cv_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::thread thread_;

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<SqliteConn>> readers_;

  int wal_fd_ = -1;  // the syncer's descriptor of the WAL; -1: SQLite syncs
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::vector<Committed> sync_queue_;
  bool sync_stop_ = false;
  bool syncing_ = false;  // the syncer is in an fdatasync (then groups queue behind it)
  std::atomic<bool> sync_failed_{false};
  std::thread syncer_thread_;

  int wal_pages_ = 0;                                // writer thread only
  std::atomic<int64_t> wal_restarts_{0};
  std::atomic<int64_t> wal_restarts_deferred_{0};
  std::chrono::steady_clock::time_point restart_not_before_{};  // writer thread only
  std::unique_ptr<SqliteConn> checkpoint_db_;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_wanted_ = false;
  bool checkpoint_stop_ = false;
  std::thread checkpoint_thread_;

  mutable std::mutex stats_mu_;
  WriterStats stats_;
};

// Creates what is missing and brings tables made by an earlier version up
// to this one, inside the opening transaction. "schema_version" in meta is
// the version of the settlements' tables, the only ones with steps so far;
// a subsystem whose tables change later keeps its own key beside it.
Status CreateSchema(SqliteConn* db, const std::string& path) {
  for (const char* schema : kSchemas) XT_RETURN_IF_ERROR(db->ExecScript(schema));
  WriterState state;
  WriteTxn txn(*db, state);
  XT_ASSIGN_OR_RETURN(auto stored, txn.GetMeta("schema_version"));
  if (!stored) return txn.PutMeta("schema_version", std::to_string(kSettlementsVersion));
  const int version = std::atoi(stored->c_str());
  if (version == kSettlementsVersion) return Status::Ok();
  Status st = MigrateSettlements(*db, version);
  if (!st.ok()) return Status::Error(st.code(), st.message(), path + ": " + st.detail());
  return txn.PutMeta("schema_version", std::to_string(kSettlementsVersion));
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const SqliteOptions& options) {
  if (options.batch_size_max < 1 || options.queue_depth_max < 1 || options.checkpoint_wal_pages < 1 ||
      options.wal_pages_max < options.checkpoint_wal_pages || options.overlap_backlog_min < 0) {
    return Status::Error("XT-STORE-005", "invalid storage options",
                         "batch_size_max, queue_depth_max, checkpoint_wal_pages must be >= 1, "
                         "wal_pages_max >= checkpoint_wal_pages and overlap_backlog_min >= 0");
  }
  // The writer's WAL writes are coalesced (wal_buffer_vfs.h).
  const char* writer_vfs = WalBufferVfsName(BaseVfs(options));
  if (!writer_vfs) {
    return Status::Error("XT-STORE-005", "invalid storage options", "no SQLite VFS named " + options.vfs);
  }
  XT_ASSIGN_OR_RETURN(auto db, SqliteConn::Open(path, options.busy_timeout_ms, writer_vfs));
  // 2 KiB pages (docs/storage.md says why not 1 KiB or SQLite's 4 KiB).
  // Only a new database takes it: an existing one keeps the page size it
  // was made with.
  XT_RETURN_IF_ERROR(db->Exec("PRAGMA page_size = 2048"));
  XT_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode = WAL"));
  XT_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous = FULL"));
  XT_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys = ON"));
  XT_RETURN_IF_ERROR(db->Exec("PRAGMA cache_size = -65536"));
  // The journal mode must really be WAL: a file system without shared
  // memory would silently keep the rollback journal.
  {
    XT_ASSIGN_OR_RETURN(auto mode, db->One<std::string>(
                                       "PRAGMA journal_mode", [](sql::Stmt&) {},
                                       [](const sql::Stmt& s) { return s.Text(0); }));
    if (mode != "wal") {
      return Status::Error("XT-STORE-002", "the database could not be put in WAL mode", path);
    }
  }
  XT_RETURN_IF_ERROR(db->Exec("BEGIN IMMEDIATE"));
  if (Status st = CreateSchema(db.get(), path); !st.ok()) {
    // Nothing of this opening stays; the error says why it failed, not
    // whether the rollback did (a failed one leaves nothing written either,
    // as the connection closes without committing).
    (void)db->Exec("ROLLBACK");
    return st;
  }
  XT_RETURN_IF_ERROR(db->Exec("COMMIT"));
  // The writer never checkpoints itself; the checkpoint thread does.
  XT_RETURN_IF_ERROR(db->Exec("PRAGMA wal_autocheckpoint = 0"));
  // When the WAL starts again from its beginning, SQLite cuts the file back
  // to the bound (wal_pages_max pages) instead of keeping its high-water size.
  {
    XT_ASSIGN_OR_RETURN(int64_t page_size, db->Count("PRAGMA page_size"));
    if (page_size == 0) page_size = 2048;
    const std::string limit = "PRAGMA journal_size_limit = " + std::to_string(options.wal_pages_max * page_size);
    XT_RETURN_IF_ERROR(db->Exec(limit.c_str()));
  }
  XT_ASSIGN_OR_RETURN(auto checkpointer, SqliteConn::Open(path, options.busy_timeout_ms, BaseVfs(options)));
  // sqlite3_wal_checkpoint_v2 does nothing on a connection that has never
  // read the database (SQLite 3.40 opens a connection's WAL on its first
  // read), and the WAL would then grow until the store is closed: read once.
  XT_RETURN_IF_ERROR(checkpointer->Exec("SELECT count(*) FROM sqlite_master"));
  return std::unique_ptr<Store>(new SqliteStore(path, options, std::move(db), std::move(checkpointer)));
}

}  // namespace xt::store
