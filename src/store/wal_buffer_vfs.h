// A SQLite VFS shim that coalesces writes to the write-ahead log.
//
// SQLite writes each WAL frame as two write() calls (a 24-byte header, then
// the page), so a group commit of a few hundred frames costs a few hundred
// system calls before its fsync. This shim gathers consecutive writes to a
// "-wal" file in memory and hands them to the real file in one write when
// SQLite syncs (which, with synchronous=FULL, it does at every commit before
// the commit becomes visible), reads, truncates, asks the size, or closes, or
// when 4 MiB are pending. Every other file, and every other call, goes
// straight to the default VFS. Nothing is acknowledged before the sync, so
// durability is unchanged: the crash test kills the process mid-commit.
#pragma once

namespace xt::store {

// Registers the shim (once; thread-safe) and returns its VFS name.
const char* WalBufferVfsName();

}  // namespace xt::store
