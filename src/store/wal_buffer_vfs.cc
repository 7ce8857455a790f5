// The WAL write-coalescing VFS shim (see wal_buffer_vfs.h).
#include "store/wal_buffer_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>
#include <string>

#include "store/page_cache.h"

namespace xt::store {

namespace {

constexpr size_t kPendingBytesMax = 4 << 20;

// Our file object: the sqlite3_file header, our state, then the real file.
struct BufferedFile {
  sqlite3_file base;
  sqlite3_file* real;
  std::string* pending;       // bytes not yet written, starting at pending_offset
  sqlite3_int64 pending_offset;
  bool defer_sync;            // DeferWalSyncs: write out, but do not fsync
};

sqlite3_vfs* g_real = nullptr;
sqlite3_vfs g_vfs;
sqlite3_io_methods g_methods;

BufferedFile* Buf(sqlite3_file* f) { return reinterpret_cast<BufferedFile*>(f); }

// The unix VFS writes at most 128 KiB per call (it masks larger counts), so
// pending bytes go down in 64 KiB pieces: still one call per ~30 frames.
constexpr size_t kWriteChunk = 64 << 10;

int Flush(BufferedFile* f) {
  std::string& p = *f->pending;
  int rc = SQLITE_OK;
  for (size_t done = 0; done < p.size() && rc == SQLITE_OK; done += kWriteChunk) {
    const size_t n = std::min(kWriteChunk, p.size() - done);
    rc = f->real->pMethods->xWrite(f->real, p.data() + done, static_cast<int>(n),
                                   f->pending_offset + static_cast<sqlite3_int64>(done));
  }
  p.clear();
  return rc;
}

int Close(sqlite3_file* file) {
  BufferedFile* f = Buf(file);
  int rc = Flush(f);
  const int rc2 = f->real->pMethods->xClose(f->real);
  delete f->pending;
  f->pending = nullptr;
  return rc != SQLITE_OK ? rc : rc2;
}

int Read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  BufferedFile* f = Buf(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xRead(f->real, out, amount, offset);
}

int Write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  BufferedFile* f = Buf(file);
  std::string& p = *f->pending;
  if (!p.empty() && offset != f->pending_offset + static_cast<sqlite3_int64>(p.size())) {
    if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  }
  if (p.empty()) f->pending_offset = offset;
  p.append(static_cast<const char*>(data), static_cast<size_t>(amount));
  if (p.size() >= kPendingBytesMax) return Flush(f);
  return SQLITE_OK;
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  BufferedFile* f = Buf(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xTruncate(f->real, size);
}

int Sync(sqlite3_file* file, int flags) {
  BufferedFile* f = Buf(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  if (f->defer_sync) return SQLITE_OK;  // the store fsyncs before it answers
  return f->real->pMethods->xSync(f->real, flags);
}

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  BufferedFile* f = Buf(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFileSize(f->real, size);
}

int Lock(sqlite3_file* f, int l) { return Buf(f)->real->pMethods->xLock(Buf(f)->real, l); }
int Unlock(sqlite3_file* f, int l) { return Buf(f)->real->pMethods->xUnlock(Buf(f)->real, l); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Buf(f)->real->pMethods->xCheckReservedLock(Buf(f)->real, out);
}
int FileControl(sqlite3_file* file, int op, void* arg) {
  BufferedFile* f = Buf(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFileControl(f->real, op, arg);
}
int SectorSize(sqlite3_file* f) { return Buf(f)->real->pMethods->xSectorSize(Buf(f)->real); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Buf(f)->real->pMethods->xDeviceCharacteristics(Buf(f)->real);
}
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return Buf(f)->real->pMethods->xShmMap(Buf(f)->real, region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Buf(f)->real->pMethods->xShmLock(Buf(f)->real, offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Buf(f)->real->pMethods->xShmBarrier(Buf(f)->real); }
int ShmUnmap(sqlite3_file* f, int del) { return Buf(f)->real->pMethods->xShmUnmap(Buf(f)->real, del); }
int Fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  BufferedFile* f = Buf(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFetch(f->real, offset, amount, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  return Buf(f)->real->pMethods->xUnfetch(Buf(f)->real, offset, p);
}

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  if (!(flags & SQLITE_OPEN_WAL)) {
    // Not a WAL file: the real VFS opens it in place (our object is larger).
    return g_real->xOpen(g_real, name, file, flags, out_flags);
  }
  BufferedFile* f = Buf(file);
  f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + sizeof(BufferedFile));
  f->pending = nullptr;
  f->base.pMethods = nullptr;
  const int rc = g_real->xOpen(g_real, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  f->pending = new (std::nothrow) std::string();
  if (!f->pending) {
    f->real->pMethods->xClose(f->real);
    return SQLITE_NOMEM;
  }
  f->pending_offset = 0;
  f->defer_sync = false;
  g_methods.iVersion = f->real->pMethods->iVersion;
  f->base.pMethods = &g_methods;
  return SQLITE_OK;
}

// Everything else of the VFS is the real one's.
int Delete(sqlite3_vfs*, const char* name, int sync_dir) { return g_real->xDelete(g_real, name, sync_dir); }
int Access(sqlite3_vfs*, const char* name, int flags, int* out) { return g_real->xAccess(g_real, name, flags, out); }
int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) { return g_real->xFullPathname(g_real, name, n, out); }
void* DlOpen(sqlite3_vfs*, const char* name) { return g_real->xDlOpen(g_real, name); }
void DlError(sqlite3_vfs*, int n, char* out) { g_real->xDlError(g_real, n, out); }
void (*DlSym(sqlite3_vfs*, void* h, const char* sym))(void) { return g_real->xDlSym(g_real, h, sym); }
void DlClose(sqlite3_vfs*, void* h) { g_real->xDlClose(g_real, h); }
int Randomness(sqlite3_vfs*, int n, char* out) { return g_real->xRandomness(g_real, n, out); }
int Sleep(sqlite3_vfs*, int us) { return g_real->xSleep(g_real, us); }
int CurrentTime(sqlite3_vfs*, double* out) { return g_real->xCurrentTime(g_real, out); }
int GetLastError(sqlite3_vfs*, int n, char* out) { return g_real->xGetLastError(g_real, n, out); }
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) { return g_real->xCurrentTimeInt64(g_real, out); }

}  // namespace

bool DeferWalSyncs(sqlite3* db, bool on) {
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &file) != SQLITE_OK || !file ||
      file->pMethods != &g_methods) {
    return false;
  }
  Buf(file)->defer_sync = on;
  return true;
}

const char* WalBufferVfsName() {
  static std::once_flag once;
  std::call_once(once, [] {
    // sqlite3_vfs_find initialises SQLite: the page cache goes in first.
    InstallPageCacheWrapper();
    g_real = sqlite3_vfs_find(nullptr);
    g_methods = sqlite3_io_methods{3,        Close,      Read,       Write,  Truncate,   Sync,
                                   FileSize, Lock,       Unlock,     CheckReservedLock, FileControl,
                                   SectorSize, DeviceCharacteristics, ShmMap, ShmLock, ShmBarrier,
                                   ShmUnmap, Fetch,      Unfetch};
    std::memset(&g_vfs, 0, sizeof g_vfs);
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = static_cast<int>(sizeof(BufferedFile)) + g_real->szOsFile;
    g_vfs.mxPathname = g_real->mxPathname;
    g_vfs.zName = "xt-walbuf";
    g_vfs.xOpen = Open;
    g_vfs.xDelete = Delete;
    g_vfs.xAccess = Access;
    g_vfs.xFullPathname = FullPathname;
    g_vfs.xDlOpen = DlOpen;
    g_vfs.xDlError = DlError;
    g_vfs.xDlSym = DlSym;
    g_vfs.xDlClose = DlClose;
    g_vfs.xRandomness = Randomness;
    g_vfs.xSleep = Sleep;
    g_vfs.xCurrentTime = CurrentTime;
    g_vfs.xGetLastError = GetLastError;
    g_vfs.xCurrentTimeInt64 = CurrentTimeInt64;
    sqlite3_vfs_register(&g_vfs, 0);
  });
  return "xt-walbuf";
}

}  // namespace xt::store
