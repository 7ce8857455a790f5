// Shared by the results tests: the real dataset (data/regions.json,
// institutions.json, recognition.json, catalog.json) loaded once, and small
// helpers to write results and times as a doctor would read them.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "catalog/catalog.h"
#include "registry/registry.h"
#include "results/book.h"
#include "results/results.h"

namespace xt::results::testing {

inline std::string ReadDataFile(const std::string& name) {
  std::ifstream in(std::string(XT_SOURCE_DIR) + "/data/" + name, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open data/" << name;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "2024-05-01 08:00:00" -> LocalSeconds; fails the test on a bad literal.
inline LocalSeconds T(const char* text) {
  const auto t = ParseLocalTime(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(0);
}

struct Dataset {
  registry::Registry registry;
  catalog::Catalog catalog;
  Book book;
};

// Loaded once per test binary; read-only afterwards.
inline const Dataset& Data() {
  static const Dataset* data = [] {
    auto* d = new Dataset;
    Status s = registry::LoadRegionsJson(ReadDataFile("regions.json"), &d->registry);
    if (s.ok()) s = registry::LoadInstitutionsJson(ReadDataFile("institutions.json"), &d->registry);
    if (s.ok()) s = catalog::LoadCatalogJson(ReadDataFile("catalog.json"), &d->catalog);
    if (s.ok()) s = LoadRecognitionJson(ReadDataFile("recognition.json"), d->registry, &d->book);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return d;
  }();
  return *data;
}

inline ItemId Item(const std::string& abbr) {
  const Book& book = Data().book;
  for (size_t i = 0; i < book.items().size(); ++i) {
    if (book.items()[i].abbr == abbr) return static_cast<ItemId>(i);
  }
  ADD_FAILURE() << "no item " << abbr;
  return kNoItem;
}

inline ResultHeader Header(const std::string& id, const std::string& inst, const std::string& abbr, LocalSeconds taken,
                           const std::string& psn_no = "1305000000000001") {
  ResultHeader h;
  h.result_id = id;
  h.psn_no = psn_no;
  h.fixmedins_code = inst;
  h.item_code = Data().book.item(Item(abbr)).code;
  h.taken_at = taken;
  h.reported_at = taken + 3 * 3600;
  return h;
}

inline ResultKey Key(const ResultHeader& h) {
  auto k = Intern(Data().book, h);
  EXPECT_TRUE(k.ok()) << k.status().ToString();
  return k.ok() ? *k : ResultKey{};
}

inline RegionId Region(const char* admdvs) { return Data().book.FindRegion(admdvs); }

}  // namespace xt::results::testing
