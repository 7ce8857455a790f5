// What every subcommand shares: how a failure is printed (and the exit
// status it gives), and opening a database that must already exist.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "service/refdata.h"
#include "store/store.h"

namespace xt::cli {

// Prints "xietong: CODE: message" (and the detail) on stderr; returns 1.
int Fail(const Status& s);

struct OpenedDatabase {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<service::RefData> ref;
};

// Opens `db` and reads its reference data. When it is missing or empty and
// `create` is set, it is made from `data_dir` (default: the project's data/)
// first, with a progress bar on stderr when `progress_bar`; otherwise that is
// XT-CLI-001.
Result<OpenedDatabase> OpenDatabase(const std::string& db, bool create, const std::string& data_dir,
                                    bool progress_bar);

// Opens `db`, which must exist and have been initialised (XT-CLI-001).
Result<std::unique_ptr<store::Store>> OpenExistingStore(const std::string& db);

}  // namespace xt::cli
