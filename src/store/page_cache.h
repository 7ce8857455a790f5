// A thin wrapper around SQLite's own page cache (pcache1) that keeps one
// page number out of it: the one SQLite 3.40's B-tree uses as a scratch key.
//
// After a page split, balance_nonroot renumbers the new sibling pages into
// ascending order, moving one of them through the number of the page that
// holds the locking byte (1 GiB / page size + 1: 524,289 for 2 KiB pages),
// which is never a real page. pcache1 remembers the highest key it has held
// until the next truncation; the pager truncates the cache above the
// database's size at the end of every write transaction, and with a
// remembered key that far above the file's end pcache1 walks its whole hash
// table, every cached page, at each COMMIT. On the writer that walk was a
// sixth of its CPU under whole flows (about 50 us per flow with a 64 MiB
// cache; docs/benchmarks.md). The wrapper hands that scratch number to
// pcache1 as key 0, which no page ever has, so the truncation after COMMIT
// looks only at the few keys above the file's end. Pages, their contents and
// what SQLite sees are unchanged: only the key pcache1 files one page under,
// for the three calls of one renumbering, differs.
#pragma once

#include <cstdint>

namespace xt::store {

// Installs the wrapper once per process (thread-safe). It must run before
// SQLite is first initialised, so Db::Open calls it before opening any
// connection. Returns whether the wrapper is in place: false when SQLite was
// initialised before (another part of the process opened a connection
// first), which leaves SQLite's cache as it is: correct, only slower.
bool InstallPageCacheWrapper();

// How many times a page was moved to the scratch key (and so kept out of
// pcache1's highest key) since the process started.
int64_t PageCacheScratchMoves();

}  // namespace xt::store
