// A SQLite VFS for tests that knows what a crash of the machine would leave
// of each file: the file as it was when it was last synced.
//
// It sits on SQLite's default VFS and lets every call through to the real
// file, so the database works as usual. Besides, for each database, WAL and
// rollback journal opened through it, it keeps in memory the file's content
// as of its last sync (xSync), and every write and truncate made since, in
// order. A sync made outside SQLite, as the store makes the WAL durable with
// its own fdatasync (SqliteOptions::sync_wal, wal_buffer_vfs.h), counts
// once it is reported with BeginSync before the fdatasync and EndSync after
// it: exactly the writes made before the fdatasync began become durable.
// Writes SQLite was told are synced but were not (the WAL shim's deferred
// syncs) count for nothing until such a report.
//
// Crash() is the power cut: from then on every write, truncate, sync and
// delete through the VFS fails (SQLITE_IOERR) without reaching the file,
// and so does the outside sync. Once whatever used the files is closed,
// Restore() writes each file back as its last sync left it: what was
// written after is gone, a file created and never synced is deleted, and
// each database's -shm (never required to be durable) is removed. The
// database can then be opened as after a reboot.
//
// The model, where it has to choose: a file that already exists when it is
// first opened through the VFS counts as durable as it stands (the test
// made it before and closed it); a file created and then synced counts as
// existing (its directory entry durable: SQLite and the store sync the
// directory, and the model does not track directories); a deletion is
// durable at once. Reads always see the real file, unsynced bytes too, as a
// running process does through the page cache. That is the page cache kill
// -9 keeps and a power cut does not: a missing fsync shows here.
//
// Thread-safe. One instance per process, registered once and never
// unregistered (the store's WAL shim keeps a pointer to its base VFS).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace xt::testing {

class SyncTrackingVfs {
 public:
  // The instance, registered with SQLite under Name() on first use.
  static SyncTrackingVfs& Get();
  static const char* Name();

  // The fdatasync of a store's WAL for SqliteOptions::sync_wal, reported to
  // this VFS: what the WAL of `db_path` holds when the fdatasync begins
  // becomes durable once it succeeds. EIO once crashed, or when that WAL
  // is not a file open through this VFS.
  std::function<int(int fd)> SyncWalHook(const std::string& db_path);

  // A sync of `path` made outside SQLite. BeginSync, just before it, notes
  // what has been written so far (nothing when the file is not open
  // through this VFS, or after the crash); EndSync, once it succeeded,
  // makes that durable, and is false after the crash.
  std::optional<uint64_t> BeginSync(const std::string& path);
  bool EndSync(const std::string& path, uint64_t mark);

  // The power cut (see above); crashed() tells whether it came.
  void Crash();
  bool crashed() const;

  // After the crash, with no file open through the VFS: every file as its
  // last sync left it (see above). Then forgets them and lifts the crash,
  // for the next test. Returns what it did, file by file, for the log; a
  // line starting "not restored:" when a file is still open or could not
  // be written.
  std::string Restore();

  // What happened to `path` since it was first opened through the VFS (or
  // the last Restore), for a test to tell what its run went through.
  struct Counts {
    int64_t syncs = 0;           // by SQLite or reported (EndSync)
    int64_t writes_at_start = 0; // writes at offset 0: a WAL's header, each time it starts from its beginning
    int64_t unsynced_bytes = 0;  // written since the last sync: what a crash now would drop
  };
  Counts CountsOf(const std::string& path);

 private:
  SyncTrackingVfs() = default;
};

}  // namespace xt::testing
