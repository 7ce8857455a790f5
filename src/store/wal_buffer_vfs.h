// A SQLite VFS shim that coalesces writes to the write-ahead log.
//
// SQLite writes each WAL frame as two write() calls (a 24-byte header, then
// the page), so a group commit of a few hundred frames costs a few hundred
// system calls before its fsync. This shim gathers consecutive writes to a
// "-wal" file in memory and hands them to the real file in one write when
// SQLite syncs (which, with synchronous=FULL, it does at every commit before
// the commit becomes visible), reads, truncates, asks the size, or closes, or
// when 4 MiB are pending. Every other file, and every other call, goes
// straight to the VFS underneath (SQLite's default, or the base named in
// WalBufferVfsName). Nothing is acknowledged before the sync, so
// durability is unchanged: the crash test kills the process mid-commit,
// and the durability test (tests/durability_test.cc, on a base VFS that
// forgets what was not synced) cuts the power.
//
// Deferred syncs (DeferWalSyncs): while on for a connection's WAL, a sync
// SQLite asks for writes the pending bytes to the file (so that readers,
// who read frames from the file once the commit is visible, find them) but
// does not fsync; whoever turned it on must fsync the WAL file before it
// tells anyone the commit is durable. The store turns it on around its
// COMMITs only, and answers each group after its own fdatasync of the WAL
// (sqlite_store.cc, the syncer), so that the next group runs while the
// previous one is being synced. Checkpoints, on any connection, always
// sync for real: they must never copy a frame that is not yet durable.
#pragma once

struct sqlite3;

namespace xt::store {

// Registers the shim (once per base; thread-safe) and returns its VFS name.
// It sits on `base`, a registered VFS's name, or on SQLite's default (as
// it is at the first call) when null. The base must stay registered for
// the life of the process. Null when no VFS of that name is registered.
const char* WalBufferVfsName(const char* base = nullptr);

// Turns deferred syncs on or off for the WAL of `db`'s main database.
// False when that WAL is not open through this shim (the caller must then
// leave the syncing to SQLite). Call only from the thread that uses `db`.
bool DeferWalSyncs(sqlite3* db, bool on);

}  // namespace xt::store
