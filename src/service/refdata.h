// Reference data of a running service: regions, institutions, the
// catalogues and the policies, loaded once from the database (where `init`
// put them from data/) and then only read. Thread-safe after loading.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/clock.h"
#include "core/status.h"
#include "policy/policy.h"
#include "registry/registry.h"
#include "results/book.h"
#include "store/store.h"

namespace xt::service {

struct RefData {
  registry::Registry registry;
  catalog::Catalog catalog;
  policy::PolicyBook policies;
  // Mutual recognition of results (data/recognition.json): items, listings,
  // qualifications, prices. Empty for a database initialised before it
  // existed (then nothing is recognised anywhere).
  results::Book recognition;
};

// The data/ folder: $XIETONG_DATA if set, else ./data if it holds
// policies.json, else the data/ of the source tree this binary was built from.
std::string DefaultDataDir();

using Progress = std::function<void(int64_t done, int64_t total)>;

// Loads and checks every file of `data_dir`, then writes the reference
// documents, the persons and their opening account balances into an empty
// database, in one transaction. Refuses a database that already holds data.
Status InitDatabase(store::Store& store, const std::string& data_dir, const Clock& clock, const Progress& progress);

// True when the database has been initialised.
Result<bool> IsInitialised(store::Store& store);

// The text of `name` (e.g. "persons.json") in `data_dir`; XT-DATA-006 when
// it cannot be read.
Result<std::string> ReadDataFile(const std::string& data_dir, const std::string& name);

// The persons of `data_dir`/persons.json, each checked against `registry`.
Result<std::vector<registry::Person>> LoadPersonsFile(const std::string& data_dir, const registry::Registry& registry);

// Reads the reference documents back from the database.
Result<std::unique_ptr<RefData>> LoadRefData(store::Store& store);

}  // namespace xt::service
