// The page-cache wrapper (see page_cache.h).
#include "store/page_cache.h"

#include <sqlite3.h>

#include <atomic>
#include <new>

namespace xt::store {

namespace {

// SQLite's PENDING_BYTE: the page holding it is never part of the database.
constexpr unsigned kPendingByte = 0x40000000;
// No page has number 0 (the pager refuses it before asking the cache), so
// key 0 is free to stand for the scratch number.
constexpr unsigned kFreeKey = 0;

sqlite3_pcache_methods2 g_default;  // pcache1's methods, set once before use
std::atomic<int64_t> g_scratch_moves{0};

// Our cache object: pcache1's cache and the scratch number for its page size.
struct Cache {
  sqlite3_pcache* inner;
  unsigned scratch_key;
};

Cache* Of(sqlite3_pcache* p) { return reinterpret_cast<Cache*>(p); }
unsigned KeyOf(const Cache* c, unsigned key) { return key == c->scratch_key ? kFreeKey : key; }

int Init(void*) { return g_default.xInit(g_default.pArg); }
void Shutdown(void*) {
  if (g_default.xShutdown) g_default.xShutdown(g_default.pArg);
}
sqlite3_pcache* Create(int page_size, int extra_size, int purgeable) {
  sqlite3_pcache* inner = g_default.xCreate(page_size, extra_size, purgeable);
  if (!inner) return nullptr;
  auto* c = new (std::nothrow) Cache{inner, kPendingByte / static_cast<unsigned>(page_size) + 1};
  if (!c) {
    g_default.xDestroy(inner);
    return nullptr;
  }
  return reinterpret_cast<sqlite3_pcache*>(c);
}
void CacheSize(sqlite3_pcache* p, int pages) { g_default.xCachesize(Of(p)->inner, pages); }
int PageCount(sqlite3_pcache* p) { return g_default.xPagecount(Of(p)->inner); }
sqlite3_pcache_page* Fetch(sqlite3_pcache* p, unsigned key, int create) {
  return g_default.xFetch(Of(p)->inner, KeyOf(Of(p), key), create);
}
void Unpin(sqlite3_pcache* p, sqlite3_pcache_page* page, int discard) { g_default.xUnpin(Of(p)->inner, page, discard); }
void Rekey(sqlite3_pcache* p, sqlite3_pcache_page* page, unsigned old_key, unsigned new_key) {
  Cache* c = Of(p);
  if (new_key == c->scratch_key) g_scratch_moves.fetch_add(1, std::memory_order_relaxed);
  g_default.xRekey(c->inner, page, KeyOf(c, old_key), KeyOf(c, new_key));
}
// Keys at or above `limit` go; key 0 (the scratch page) is in use only
// between the renumbering's three moves, never across a truncation.
void Truncate(sqlite3_pcache* p, unsigned limit) { g_default.xTruncate(Of(p)->inner, limit); }
void Destroy(sqlite3_pcache* p) {
  Cache* c = Of(p);
  g_default.xDestroy(c->inner);
  delete c;
}
void Shrink(sqlite3_pcache* p) {
  if (g_default.xShrink) g_default.xShrink(Of(p)->inner);
}

}  // namespace

bool InstallPageCacheWrapper() {
  static const bool installed = [] {
    // These calls fail with SQLITE_MISUSE once SQLite is initialised.
    // No memory statistics: with them on (Debian's default) every
    // allocation inside SQLite takes one global mutex, on every thread.
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &g_default) != SQLITE_OK || !g_default.xFetch) return false;
    static sqlite3_pcache_methods2 ours = {1,         nullptr, Init,  Shutdown, Create,  CacheSize, PageCount,
                                           Fetch,     Unpin,   Rekey, Truncate, Destroy, Shrink};
    return sqlite3_config(SQLITE_CONFIG_PCACHE2, &ours) == SQLITE_OK;
  }();
  return installed;
}

int64_t PageCacheScratchMoves() { return g_scratch_moves.load(std::memory_order_relaxed); }

}  // namespace xt::store
