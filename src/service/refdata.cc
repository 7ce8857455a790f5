// Importing data/ into a database, and loading reference data back.
#include "service/refdata.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "clearing/prepaid_load.h"
#include "ledger/ledger.h"
#include "service/clearing_service.h"

namespace xt::service {

namespace {

// In loading order: recognition refers to the institutions.
const char* const kDocs[] = {"regions", "institutions", "catalog", "policies", "recognition"};
// Documents added after databases were first made: absent from an older one.
bool Optional(const std::string& name) { return name == "recognition"; }

Status ParseDoc(const std::string& name, const std::string& text, RefData* ref) {
  if (name == "recognition") return results::LoadRecognitionJson(text, ref->registry, &ref->recognition);
  if (name == "regions") return registry::LoadRegionsJson(text, &ref->registry);
  if (name == "institutions") return registry::LoadInstitutionsJson(text, &ref->registry);
  if (name == "catalog") return catalog::LoadCatalogJson(text, &ref->catalog);
  return policy::LoadPolicyJson(text, &ref->policies);
}

}  // namespace

Result<std::string> ReadDataFile(const std::string& data_dir, const std::string& name) {
  const std::filesystem::path path = std::filesystem::path(data_dir) / name;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error("XT-DATA-006", "a data file could not be read: " + name, path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<std::vector<registry::Person>> LoadPersonsFile(const std::string& data_dir, const registry::Registry& registry) {
  XT_ASSIGN_OR_RETURN(std::string text, ReadDataFile(data_dir, "persons.json"));
  std::vector<registry::Person> persons;
  XT_RETURN_IF_ERROR(registry::LoadPersonsJson(text, registry, &persons));
  return persons;
}

std::string DefaultDataDir() {
  if (const char* env = std::getenv("XIETONG_DATA"); env && *env) return env;
  if (std::filesystem::exists("data/policies.json")) return "data";
  return std::string(XT_SOURCE_DIR) + "/data";
}

Result<bool> IsInitialised(store::Store& store) {
  bool initialised = false;
  XT_RETURN_IF_ERROR(store.Read([&](store::ReadTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(auto v, txn.GetMeta("initialised_at"));
    initialised = v.has_value();
    return Status::Ok();
  }));
  return initialised;
}

Status InitDatabase(store::Store& store, const std::string& data_dir, const Clock& clock, const Progress& progress) {
  namespace fs = std::filesystem;
  RefData ref;
  std::vector<std::pair<std::string, std::string>> docs;
  for (const char* name : kDocs) {
    XT_ASSIGN_OR_RETURN(std::string text, ReadDataFile(data_dir, std::string(name) + ".json"));
    XT_RETURN_IF_ERROR(ParseDoc(name, text, &ref));
    docs.emplace_back(name, std::move(text));
  }
  // Prepaid-fund policies (clearing): optional, checked, kept as refdata.
  if (fs::exists(fs::path(data_dir) / "prepaid.json")) {
    XT_ASSIGN_OR_RETURN(std::string text, ReadDataFile(data_dir, "prepaid.json"));
    XT_RETURN_IF_ERROR(clearing::ParsePrepaidPolicies(text).status());
    docs.emplace_back(kPrepaidPoliciesDoc, std::move(text));
  }
  XT_ASSIGN_OR_RETURN(std::string persons_text, ReadDataFile(data_dir, "persons.json"));
  std::vector<registry::Person> persons;
  XT_RETURN_IF_ERROR(registry::LoadPersonsJson(persons_text, ref.registry, &persons));
  // Each person is stored as its own document, exactly as in the file.
  const nlohmann::json array = nlohmann::json::parse(persons_text);
  XT_INVARIANT(array.size() == persons.size(), "the loader read every person of the file");

  const LocalSeconds now = clock.NowLocal();
  const int64_t total = static_cast<int64_t>(persons.size());
  return store.Write([&](store::WriteTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(auto already, txn.GetMeta("initialised_at"));
    if (already) {
      return Status::Error("XT-DATA-007", "the database is already initialised", "initialised at " + *already);
    }
    for (const auto& [name, text] : docs) XT_RETURN_IF_ERROR(txn.registry().PutRefData(name, text));
    for (size_t i = 0; i < persons.size(); ++i) {
      const registry::Person& p = persons[i];
      XT_RETURN_IF_ERROR(txn.registry().InsertPerson({p.psn_no, p.certno, p.card_no, array[i].dump()}));
      Fen opening = 0;
      for (const auto& e : p.enrollments) opening += e.opening_acct_balance_fen;
      if (opening > 0) XT_RETURN_IF_ERROR(txn.ledger().PostTransfers({ledger::OpeningBalance(p.psn_no, opening, now)}));
      if (progress && (i % 100 == 99 || i + 1 == persons.size())) progress(static_cast<int64_t>(i + 1), total);
    }
    XT_RETURN_IF_ERROR(txn.PutMeta("dataset", "default"));
    return txn.PutMeta("initialised_at", FormatLocalTime(now));
  });
}

Result<std::unique_ptr<RefData>> LoadRefData(store::Store& store) {
  auto ref = std::make_unique<RefData>();
  XT_RETURN_IF_ERROR(store.Read([&](store::ReadTxn& txn) -> Status {
    for (const char* name : kDocs) {
      XT_ASSIGN_OR_RETURN(auto text, txn.registry().GetRefData(name));
      if (!text && Optional(name)) continue;
      if (!text) {
        return Status::Error("XT-DATA-008", "the database is not initialised: run `xietong init`",
                             std::string("missing reference document ") + name);
      }
      XT_RETURN_IF_ERROR(ParseDoc(name, *text, ref.get()));
    }
    return Status::Ok();
  }));
  return ref;
}

}  // namespace xt::service
