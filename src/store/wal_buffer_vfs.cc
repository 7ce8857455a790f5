// The WAL write-coalescing VFS shim (see wal_buffer_vfs.h).
#include "store/wal_buffer_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <map>
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

// One shim per base VFS it sits on (WalBufferVfsName): the base is the
// sqlite3_vfs's pAppData, and each shim has its own io methods, whose
// version follows its base's files.
struct Shim {
  sqlite3_vfs vfs;
  sqlite3_io_methods methods;
  std::string name;
};

sqlite3_vfs* Real(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }
Shim* ShimOf(sqlite3_vfs* vfs) { return reinterpret_cast<Shim*>(vfs); }  // vfs is Shim's first member

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

int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  sqlite3_vfs* real = Real(vfs);
  if (!(flags & SQLITE_OPEN_WAL)) {
    // Not a WAL file: the real VFS opens it in place (our object is larger).
    return real->xOpen(real, name, file, flags, out_flags);
  }
  BufferedFile* f = Buf(file);
  f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + sizeof(BufferedFile));
  f->pending = nullptr;
  f->base.pMethods = nullptr;
  const int rc = real->xOpen(real, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  f->pending = new (std::nothrow) std::string();
  if (!f->pending) {
    f->real->pMethods->xClose(f->real);
    return SQLITE_NOMEM;
  }
  f->pending_offset = 0;
  f->defer_sync = false;
  Shim* shim = ShimOf(vfs);
  shim->methods.iVersion = f->real->pMethods->iVersion;
  f->base.pMethods = &shim->methods;
  return SQLITE_OK;
}

// Everything else of the VFS is the real one's.
int Delete(sqlite3_vfs* v, const char* name, int sync_dir) { return Real(v)->xDelete(Real(v), name, sync_dir); }
int Access(sqlite3_vfs* v, const char* name, int flags, int* out) { return Real(v)->xAccess(Real(v), name, flags, out); }
int FullPathname(sqlite3_vfs* v, const char* name, int n, char* out) {
  return Real(v)->xFullPathname(Real(v), name, n, out);
}
void* DlOpen(sqlite3_vfs* v, const char* name) { return Real(v)->xDlOpen(Real(v), name); }
void DlError(sqlite3_vfs* v, int n, char* out) { Real(v)->xDlError(Real(v), n, out); }
void (*DlSym(sqlite3_vfs* v, void* h, const char* sym))(void) { return Real(v)->xDlSym(Real(v), h, sym); }
void DlClose(sqlite3_vfs* v, void* h) { Real(v)->xDlClose(Real(v), h); }
int Randomness(sqlite3_vfs* v, int n, char* out) { return Real(v)->xRandomness(Real(v), n, out); }
int Sleep(sqlite3_vfs* v, int us) { return Real(v)->xSleep(Real(v), us); }
int CurrentTime(sqlite3_vfs* v, double* out) { return Real(v)->xCurrentTime(Real(v), out); }
int GetLastError(sqlite3_vfs* v, int n, char* out) { return Real(v)->xGetLastError(Real(v), n, out); }
int CurrentTimeInt64(sqlite3_vfs* v, sqlite3_int64* out) { return Real(v)->xCurrentTimeInt64(Real(v), out); }

// Registers a shim over `real` under `name`; never unregistered.
Shim* MakeShim(sqlite3_vfs* real, std::string name) {
  auto* shim = new Shim;
  shim->name = std::move(name);
  shim->methods = sqlite3_io_methods{3,        Close,      Read,       Write,  Truncate,   Sync,
                                     FileSize, Lock,       Unlock,     CheckReservedLock, FileControl,
                                     SectorSize, DeviceCharacteristics, ShmMap, ShmLock, ShmBarrier,
                                     ShmUnmap, Fetch,      Unfetch};
  sqlite3_vfs& v = shim->vfs;
  std::memset(&v, 0, sizeof v);
  v.iVersion = 2;
  v.szOsFile = static_cast<int>(sizeof(BufferedFile)) + real->szOsFile;
  v.mxPathname = real->mxPathname;
  v.zName = shim->name.c_str();
  v.pAppData = real;
  v.xOpen = Open;
  v.xDelete = Delete;
  v.xAccess = Access;
  v.xFullPathname = FullPathname;
  v.xDlOpen = DlOpen;
  v.xDlError = DlError;
  v.xDlSym = DlSym;
  v.xDlClose = DlClose;
  v.xRandomness = Randomness;
  v.xSleep = Sleep;
  v.xCurrentTime = CurrentTime;
  v.xGetLastError = GetLastError;
  v.xCurrentTimeInt64 = CurrentTimeInt64;
  sqlite3_vfs_register(&v, 0);
  return shim;
}

}  // namespace

bool DeferWalSyncs(sqlite3* db, bool on) {
  sqlite3_file* file = nullptr;
  // Every shim's files share our Close: that tells a BufferedFile.
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &file) != SQLITE_OK || !file ||
      !file->pMethods || file->pMethods->xClose != Close) {
    return false;
  }
  Buf(file)->defer_sync = on;
  return true;
}

const char* WalBufferVfsName(const char* base) {
  static std::once_flag once;
  static Shim* over_default = nullptr;
  std::call_once(once, [] {
    // sqlite3_vfs_find initialises SQLite: the page cache goes in first.
    InstallPageCacheWrapper();
    over_default = MakeShim(sqlite3_vfs_find(nullptr), "xt-walbuf");
  });
  if (!base) return over_default->name.c_str();
  static std::mutex mu;
  static std::map<std::string, Shim*> over_named;
  std::lock_guard<std::mutex> lock(mu);
  auto it = over_named.find(base);
  if (it != over_named.end()) return it->second->name.c_str();
  sqlite3_vfs* real = sqlite3_vfs_find(base);
  if (!real) return nullptr;
  Shim* shim = MakeShim(real, std::string("xt-walbuf+") + base);
  over_named.emplace(base, shim);
  return shim->name.c_str();
}

}  // namespace xt::store
