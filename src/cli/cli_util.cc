#include "cli/cli_util.h"

#include <cstdio>
#include <filesystem>

#include "cli/progress.h"
#include "core/clock.h"

namespace xt::cli {

int Fail(const Status& s) {
  std::fprintf(stderr, "xietong: %s: %s\n", s.code().c_str(), s.message().c_str());
  if (!s.detail().empty()) std::fprintf(stderr, "  detail: %s\n", s.detail().c_str());
  return 1;
}

Result<OpenedDatabase> OpenDatabase(const std::string& db, bool create, const std::string& data_dir,
                                    bool progress_bar) {
  if (!create) {
    XT_ASSIGN_OR_RETURN(auto store, OpenExistingStore(db));
    XT_ASSIGN_OR_RETURN(auto ref, service::LoadRefData(*store));
    return OpenedDatabase{std::move(store), std::move(ref)};
  }
  OpenedDatabase o;
  XT_ASSIGN_OR_RETURN(o.store, store::OpenSqliteStore(db));
  XT_ASSIGN_OR_RETURN(bool initialised, service::IsInitialised(*o.store));
  if (!initialised) {
    ProgressBar bar(progress_bar);
    bar.Phase("loading default dataset");
    XT_RETURN_IF_ERROR(service::InitDatabase(*o.store, data_dir.empty() ? service::DefaultDataDir() : data_dir,
                                             SystemClock::Instance(),
                                             [&](int64_t d, int64_t t) { bar.Update(d, t); }));
  }
  XT_ASSIGN_OR_RETURN(o.ref, service::LoadRefData(*o.store));
  return o;
}

Result<std::unique_ptr<store::Store>> OpenExistingStore(const std::string& db) {
  if (!std::filesystem::exists(db)) {
    return Status::Error("XT-CLI-001", "no database at " + db + ": run `xietong init --db " + db + "` first");
  }
  XT_ASSIGN_OR_RETURN(auto store, store::OpenSqliteStore(db));
  XT_ASSIGN_OR_RETURN(bool initialised, service::IsInitialised(*store));
  if (!initialised) return Status::Error("XT-CLI-001", db + " is not initialised: run `xietong init` first");
  return store;
}

}  // namespace xt::cli
