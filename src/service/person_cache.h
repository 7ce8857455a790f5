// Persons as parsed from their stored documents, by psn_no. Parsing a
// person's document (registry::LoadPersonsJson) costs more than the rest of
// a 1101; the cache keeps what it gave. An entry is used only when the
// document read from the store is the same text, so a person whose document
// changed is parsed afresh. Bounded: emptied when full. Thread-safe.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/status.h"
#include "registry/registry.h"
#include "store/store.h"

namespace xt::service {

class PersonCache {
 public:
  // `registry` checks each document parsed; it must outlive the cache.
  explicit PersonCache(const registry::Registry& registry) : registry_(registry) {}

  // The person of a stored record: from the cache when its document is the
  // one cached, else parsed (and cached). Fails when the stored document is
  // not a valid person (a defect of what wrote it).
  Result<registry::Person> Parse(const store::PersonRecord& rec);

 private:
  static constexpr size_t kEntriesMax = 100000;
  struct Entry {
    std::string body_json;
    registry::Person person;
  };
  std::optional<registry::Person> Find(const std::string& psn_no, const std::string& body_json) const;
  void Put(const std::string& psn_no, const std::string& body_json, const registry::Person& person);

  const registry::Registry& registry_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
};

}  // namespace xt::service
