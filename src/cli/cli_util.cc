#include "cli/cli_util.h"

#include <cstdio>
#include <filesystem>

#include "service/refdata.h"

namespace xt::cli {

int Fail(const Status& s) {
  std::fprintf(stderr, "xietong: %s: %s\n", s.code().c_str(), s.message().c_str());
  if (!s.detail().empty()) std::fprintf(stderr, "  detail: %s\n", s.detail().c_str());
  return 1;
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
