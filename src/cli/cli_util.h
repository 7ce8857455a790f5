// What every subcommand shares: how a failure is printed (and the exit
// status it gives), and opening a database that must already exist.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace xt::cli {

// Prints "xietong: CODE: message" (and the detail) on stderr; returns 1.
int Fail(const Status& s);

// Opens `db`, which must exist and have been initialised (XT-CLI-001).
Result<std::unique_ptr<store::Store>> OpenExistingStore(const std::string& db);

}  // namespace xt::cli
