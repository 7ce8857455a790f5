// Storage behind one interface: SQLite now (sqlite_store.cc), PostgreSQL later.
// This is the only folder that speaks SQL. Each subsystem's rows and
// statements are in files of their own (results_store.h, ledger_store.h ...),
// written once against the thin SQL layer of sql.h; the transactions that
// reach them are in txn.h. docs/storage.md has the tables.
//
// Writes go through Store::Write: the work runs on the single writer thread
// inside its own savepoint, within a transaction shared with whatever other
// work is queued at that moment (group commit). Write returns only once that
// transaction is durable (or failed): an answer given to a client after
// Write returns ok is never lost. Work that returns an error has its
// savepoint rolled back and does not affect its neighbours.
//
// Reads go through Store::Read: a consistent snapshot on a reader connection,
// concurrent with the writer.
//
// Thread-safety: Store is safe to call from any number of threads. A
// ReadTxn / WriteTxn (txn.h) is valid only inside the callback it was passed to.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/money.h"
#include "core/status.h"
#include "store/txn.h"

namespace xt::store {

// Fixed histogram bounds of the writer's statistics (exported by /metrics as
// Prometheus buckets): a value is counted in the first bucket whose bound it
// does not exceed, or in the last count when it exceeds them all.
inline constexpr std::array<int64_t, 10> kBatchSizeBounds = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
inline constexpr std::array<int64_t, 12> kCommitMicrosBounds = {100,  250,  500,   1000,  2000,  4000,
                                                                8000, 16000, 32000, 64000, 128000, 256000};

struct WriterStats {
  int64_t batches = 0;
  int64_t items = 0;
  int64_t items_failed = 0;
  int64_t commit_micros_total = 0;
  int64_t busy_micros_total = 0;      // wall time spent running batches
  int64_t cpu_micros_total = 0;       // the writer thread's CPU time
  int64_t wal_restarts = 0;           // times the writer waited for a RESTART checkpoint
  int64_t wal_restarts_deferred = 0;  // times a reader held the WAL and the writer went on
  int64_t syncs = 0;                  // fdatasyncs of the WAL by the syncer (each for one or more groups)
  int64_t sync_micros_total = 0;
  int64_t batch_size_max_seen = 0;
  // Groups by size, and COMMITs (with the sequence flush) by duration.
  std::array<int64_t, kBatchSizeBounds.size() + 1> batch_size_counts{};
  std::array<int64_t, kCommitMicrosBounds.size() + 1> commit_micros_counts{};
  int64_t queue_depth = 0;  // pieces of work waiting at the moment of the call
};

class Store {
 public:
  virtual ~Store() = default;

  // Runs `work` on the writer thread inside a savepoint of a group
  // transaction and waits until that transaction is durable. Returns the
  // work's own error (its changes rolled back), or a storage error
  // (XT-STORE-*) when the group could not commit.
  virtual Status Write(std::function<Status(WriteTxn&)> work) = 0;

  // The same without waiting, for an event-driven caller: `done` gets what
  // Write would have returned, once the group is durable (or has failed).
  // It runs on one of the store's threads (the writer's, or the one that
  // makes groups durable while the writer runs the next), so it must only
  // hand the result over (queue it, wake a loop). When the store is
  // stopping it runs at once, on the calling thread. The default runs Write
  // and then `done`, on the calling thread.
  virtual void WriteAsync(std::function<Status(WriteTxn&)> work, std::function<void(Status)> done) {
    done(Write(std::move(work)));
  }

  // Runs `work` on a consistent snapshot.
  virtual Status Read(std::function<Status(ReadTxn&)> work) = 0;

  virtual WriterStats writer_stats() const = 0;
  virtual std::string backend_name() const = 0;
};

struct SqliteOptions {
  // Group commit: at most this many pieces of work share one transaction.
  // 1 means one transaction (and one fsync) per piece of work.
  int batch_size_max = 512;
  // Callers block when this many pieces of work are waiting.
  int queue_depth_max = 8192;
  int reader_connections_max = 64;  // idle reader connections kept for reuse
  int busy_timeout_ms = 5000;
  // A passive checkpoint (on its own thread) each time the WAL passes this
  // many pages (2 KiB each in a database made now; a database keeps the
  // page size it was made with).
  int checkpoint_wal_pages = 65536;
  // Past this many WAL pages the writer waits, between groups, for a
  // RESTART checkpoint, so that the WAL stays bounded.
  int wal_pages_max = 262144;
  // A group commits with its fdatasync left to a syncer thread, so that the
  // next group runs meanwhile, when at least this many pieces of work are
  // waiting; with fewer, the writer syncs the group itself (a hand-over
  // would add latency and buy nothing). Either way a group is answered
  // only once it is durable.
  int overlap_backlog_min = 32;
  // How the WAL is made durable: 0, or the errno of a failure.
  // Null: fdatasync(fd). Tests set it to make a sync fail, or to see
  // which bytes a sync made durable.
  std::function<int(int fd)> sync_wal;
  // The registered SQLite VFS every connection of the store opens its
  // files through (the writer's through the WAL shim of wal_buffer_vfs.h,
  // stacked on it); empty: SQLite's default. It must stay registered for
  // the life of the process. Tests put a file layer of their own under the
  // store with it (tests/durability_test.cc: one that forgets, at a
  // simulated crash, every byte that was not synced).
  std::string vfs;
};

// Opens (creating if missing) a SQLite database in WAL mode with
// synchronous=FULL, creates the schema, and starts the writer thread.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const SqliteOptions& options = {});

}  // namespace xt::store
