// The VFS that forgets what was not synced (see sync_tracking_vfs.h).
#include "sync_tracking_vfs.h"

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <vector>

#include "store/page_cache.h"

namespace xt::testing {
namespace {

// A write (data at offset) or a truncate (to offset), made since the last sync.
struct Op {
  bool truncate = false;
  sqlite3_int64 offset = 0;
  std::string data;
};

struct FileState {
  bool main_db = false;
  int handles = 0;       // open through the VFS now
  bool deleted = false;  // by xDelete, since it was last opened
  bool durable = false;  // a crash leaves the file (with `image`); else it leaves none
  std::string image;     // the content as of the last sync
  std::deque<Op> ops;    // since then, in order; ops.front() is number `applied`
  uint64_t applied = 0;  // ops applied to the image so far (a sync's mark counts the same way)
  uint64_t born = 0;     // `applied` when it was last deleted: a sync marked no later covers nothing since
  SyncTrackingVfs::Counts counts;  // but unsynced_bytes, counted from ops when asked
};

void Apply(const Op& op, std::string* image) {
  if (op.truncate) {
    image->resize(static_cast<size_t>(op.offset));
    return;
  }
  const size_t end = static_cast<size_t>(op.offset) + op.data.size();
  if (image->size() < end) image->resize(end);  // a write past the end: the gap reads zeros
  std::memcpy(image->data() + op.offset, op.data.data(), op.data.size());
}

// The process-wide state behind the VFS.
struct Tracker {
  sqlite3_vfs* real = nullptr;
  sqlite3_vfs vfs{};
  sqlite3_io_methods methods{};
  std::atomic<bool> crashed{false};
  std::mutex mu;
  std::map<std::string, std::unique_ptr<FileState>> files;  // by full path, as SQLite names them

  // Under mu.
  void SyncUpTo(FileState* s, uint64_t mark) {
    s->counts.syncs++;
    if (s->deleted || (mark <= s->born && !s->durable)) return;  // nothing of this file written before it
    while (s->applied < mark && !s->ops.empty()) {
      Apply(s->ops.front(), &s->image);
      s->ops.pop_front();
      s->applied++;
    }
    s->durable = true;
  }
  uint64_t MarkOf(const FileState& s) const { return s.applied + s.ops.size(); }

  std::string FullPath(const std::string& path) {
    std::vector<char> out(static_cast<size_t>(real->mxPathname) + 1);
    if (real->xFullPathname(real, path.c_str(), static_cast<int>(out.size()), out.data()) != SQLITE_OK) return path;
    return out.data();
  }
};

Tracker& T() {
  static Tracker* t = new Tracker;  // never destroyed: SQLite holds its VFS
  return *t;
}

// Our file object: the header, the file's state, then the real file.
struct TrackedFile {
  sqlite3_file base;
  sqlite3_file* real;
  FileState* state;
};

TrackedFile* Tf(sqlite3_file* f) { return reinterpret_cast<TrackedFile*>(f); }
sqlite3_file* R(sqlite3_file* f) { return Tf(f)->real; }

int Close(sqlite3_file* file) {
  {
    std::lock_guard<std::mutex> lock(T().mu);
    Tf(file)->state->handles--;
  }
  return R(file)->pMethods->xClose(R(file));
}
int Read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  return R(file)->pMethods->xRead(R(file), out, amount, offset);
}

// The real write first, then its record: a sync whose mark counts this
// write began after the bytes were in the file.
int Write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  if (T().crashed.load()) return SQLITE_IOERR_WRITE;
  const int rc = R(file)->pMethods->xWrite(R(file), data, amount, offset);
  if (rc != SQLITE_OK) return rc;
  std::lock_guard<std::mutex> lock(T().mu);
  FileState* s = Tf(file)->state;
  s->ops.push_back(Op{false, offset, std::string(static_cast<const char*>(data), static_cast<size_t>(amount))});
  if (offset == 0) s->counts.writes_at_start++;
  return SQLITE_OK;
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  if (T().crashed.load()) return SQLITE_IOERR_TRUNCATE;
  const int rc = R(file)->pMethods->xTruncate(R(file), size);
  if (rc != SQLITE_OK) return rc;
  std::lock_guard<std::mutex> lock(T().mu);
  Tf(file)->state->ops.push_back(Op{true, size, {}});
  return SQLITE_OK;
}

// What was written before the sync began is durable once it returns, unless
// the crash came first.
int Sync(sqlite3_file* file, int flags) {
  Tracker& t = T();
  uint64_t mark = 0;
  {
    std::lock_guard<std::mutex> lock(t.mu);
    if (t.crashed.load()) return SQLITE_IOERR_FSYNC;
    mark = t.MarkOf(*Tf(file)->state);
  }
  const int rc = R(file)->pMethods->xSync(R(file), flags);
  if (rc != SQLITE_OK) return rc;
  std::lock_guard<std::mutex> lock(t.mu);
  if (t.crashed.load()) return SQLITE_IOERR_FSYNC;
  t.SyncUpTo(Tf(file)->state, mark);
  return SQLITE_OK;
}

int FileSize(sqlite3_file* f, sqlite3_int64* size) { return R(f)->pMethods->xFileSize(R(f), size); }
int Lock(sqlite3_file* f, int l) { return R(f)->pMethods->xLock(R(f), l); }
int Unlock(sqlite3_file* f, int l) { return R(f)->pMethods->xUnlock(R(f), l); }
int CheckReservedLock(sqlite3_file* f, int* out) { return R(f)->pMethods->xCheckReservedLock(R(f), out); }
int FileControl(sqlite3_file* f, int op, void* arg) { return R(f)->pMethods->xFileControl(R(f), op, arg); }
int SectorSize(sqlite3_file* f) { return R(f)->pMethods->xSectorSize(R(f)); }
int DeviceCharacteristics(sqlite3_file* f) { return R(f)->pMethods->xDeviceCharacteristics(R(f)); }
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return R(f)->pMethods->xShmMap(R(f), region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) { return R(f)->pMethods->xShmLock(R(f), offset, n, flags); }
void ShmBarrier(sqlite3_file* f) { R(f)->pMethods->xShmBarrier(R(f)); }
int ShmUnmap(sqlite3_file* f, int del) { return R(f)->pMethods->xShmUnmap(R(f), del); }
int Fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return R(f)->pMethods->xFetch(R(f), offset, amount, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) { return R(f)->pMethods->xUnfetch(R(f), offset, p); }

constexpr int kTracked = SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_WAL;

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  Tracker& t = T();
  if (!name || !(flags & kTracked) || (flags & SQLITE_OPEN_DELETEONCLOSE)) {
    // A temporary file: the real VFS opens it in place (our object is larger).
    return t.real->xOpen(t.real, name, file, flags, out_flags);
  }
  if (t.crashed.load()) return SQLITE_CANTOPEN;
  TrackedFile* f = Tf(file);
  f->base.pMethods = nullptr;
  f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + sizeof(TrackedFile));
  {
    // The first time we see the file: what is there counts as durable.
    std::lock_guard<std::mutex> lock(t.mu);
    std::unique_ptr<FileState>& s = t.files[name];
    if (!s) {
      s = std::make_unique<FileState>();
      s->main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
      std::ifstream in(name, std::ios::binary);
      if (in) {
        s->durable = true;
        s->image.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      }
    }
    s->deleted = false;
    f->state = s.get();
  }
  const int rc = t.real->xOpen(t.real, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  if (f->real->pMethods->iVersion < t.methods.iVersion) {  // we forward the shared-memory and mmap calls
    f->real->pMethods->xClose(f->real);
    return SQLITE_CANTOPEN;
  }
  f->base.pMethods = &t.methods;
  std::lock_guard<std::mutex> lock(t.mu);
  f->state->handles++;
  return SQLITE_OK;
}

int Delete(sqlite3_vfs*, const char* name, int sync_dir) {
  Tracker& t = T();
  if (t.crashed.load()) return SQLITE_IOERR_DELETE;
  const int rc = t.real->xDelete(t.real, name, sync_dir);
  if (rc != SQLITE_OK && rc != SQLITE_IOERR_DELETE_NOENT) return rc;
  std::lock_guard<std::mutex> lock(t.mu);
  auto it = t.files.find(name);
  if (it != t.files.end()) {
    FileState& s = *it->second;
    s.durable = false;
    s.deleted = true;
    s.image.clear();
    s.applied += s.ops.size();  // a mark taken before the deletion applies nothing after it
    s.ops.clear();
    s.born = s.applied;
  }
  return rc;
}

int Access(sqlite3_vfs*, const char* name, int flags, int* out) { return T().real->xAccess(T().real, name, flags, out); }
int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return T().real->xFullPathname(T().real, name, n, out);
}
void* DlOpen(sqlite3_vfs*, const char* name) { return T().real->xDlOpen(T().real, name); }
void DlError(sqlite3_vfs*, int n, char* out) { T().real->xDlError(T().real, n, out); }
void (*DlSym(sqlite3_vfs*, void* h, const char* sym))(void) { return T().real->xDlSym(T().real, h, sym); }
void DlClose(sqlite3_vfs*, void* h) { T().real->xDlClose(T().real, h); }
int Randomness(sqlite3_vfs*, int n, char* out) { return T().real->xRandomness(T().real, n, out); }
int Sleep(sqlite3_vfs*, int us) { return T().real->xSleep(T().real, us); }
int CurrentTime(sqlite3_vfs*, double* out) { return T().real->xCurrentTime(T().real, out); }
int GetLastError(sqlite3_vfs*, int n, char* out) { return T().real->xGetLastError(T().real, n, out); }
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) { return T().real->xCurrentTimeInt64(T().real, out); }

void Register() {
  Tracker& t = T();
  // sqlite3_vfs_find initialises SQLite: the store's page cache goes in first.
  store::InstallPageCacheWrapper();
  t.real = sqlite3_vfs_find(nullptr);
  t.methods = sqlite3_io_methods{3,        Close,      Read,       Write,  Truncate,   Sync,
                                 FileSize, Lock,       Unlock,     CheckReservedLock, FileControl,
                                 SectorSize, DeviceCharacteristics, ShmMap, ShmLock, ShmBarrier,
                                 ShmUnmap, Fetch,      Unfetch};
  sqlite3_vfs& v = t.vfs;
  v.iVersion = 2;
  v.szOsFile = static_cast<int>(sizeof(TrackedFile)) + t.real->szOsFile;
  v.mxPathname = t.real->mxPathname;
  v.zName = SyncTrackingVfs::Name();
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
}

}  // namespace

SyncTrackingVfs& SyncTrackingVfs::Get() {
  static SyncTrackingVfs* instance = [] {
    Register();
    return new SyncTrackingVfs;
  }();
  return *instance;
}

const char* SyncTrackingVfs::Name() { return "xt-sync-tracking"; }

std::function<int(int fd)> SyncTrackingVfs::SyncWalHook(const std::string& db_path) {
  return [this, wal = T().FullPath(db_path + "-wal")](int fd) {
    const std::optional<uint64_t> mark = BeginSync(wal);
    if (!mark) return EIO;
    if (fdatasync(fd) != 0) return errno;
    return EndSync(wal, *mark) ? 0 : EIO;
  };
}

std::optional<uint64_t> SyncTrackingVfs::BeginSync(const std::string& path) {
  Tracker& t = T();
  const std::string full = t.FullPath(path);
  std::lock_guard<std::mutex> lock(t.mu);
  auto it = t.files.find(full);
  if (it != t.files.end() && it->second->handles == 0) it = t.files.end();
  if (t.crashed.load() || it == t.files.end()) return std::nullopt;
  return t.MarkOf(*it->second);
}

bool SyncTrackingVfs::EndSync(const std::string& path, uint64_t mark) {
  Tracker& t = T();
  const std::string full = t.FullPath(path);
  std::lock_guard<std::mutex> lock(t.mu);
  auto it = t.files.find(full);
  if (t.crashed.load() || it == t.files.end()) return false;
  t.SyncUpTo(it->second.get(), mark);
  return true;
}

void SyncTrackingVfs::Crash() {
  std::lock_guard<std::mutex> lock(T().mu);  // after any sync being recorded
  T().crashed.store(true);
}

bool SyncTrackingVfs::crashed() const { return T().crashed.load(); }

SyncTrackingVfs::Counts SyncTrackingVfs::CountsOf(const std::string& path) {
  Tracker& t = T();
  const std::string full = t.FullPath(path);
  std::lock_guard<std::mutex> lock(t.mu);
  auto it = t.files.find(full);
  if (it == t.files.end()) return {};
  Counts c = it->second->counts;
  for (const Op& op : it->second->ops) c.unsynced_bytes += static_cast<int64_t>(op.data.size());
  return c;
}

std::string SyncTrackingVfs::Restore() {
  Tracker& t = T();
  std::lock_guard<std::mutex> lock(t.mu);
  std::ostringstream log;
  for (const auto& [path, s] : t.files) {
    if (s->handles > 0) return "not restored: " + path + " is still open";
  }
  for (const auto& [path, s] : t.files) {
    int64_t dropped = 0;
    for (const Op& op : s->ops) dropped += static_cast<int64_t>(op.data.size());
    log << std::filesystem::path(path).filename().string() << ": ";
    if (s->durable) {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(s->image.data(), static_cast<std::streamsize>(s->image.size()));
      out.close();
      if (!out) return "not restored: " + path + " could not be written";
      log << s->image.size() << " bytes as last synced";
    } else {
      std::filesystem::remove(path);
      log << (s->deleted ? "deleted" : "never synced, removed");
    }
    log << ", " << s->ops.size() << " writes after (" << dropped << " bytes) dropped\n";
    if (s->main_db) std::filesystem::remove(path + "-shm");
  }
  t.files.clear();
  t.crashed.store(false);
  return log.str();
}

}  // namespace xt::testing
