#include "service/person_cache.h"

#include <utility>
#include <vector>

namespace xt::service {

Result<registry::Person> PersonCache::Parse(const store::PersonRecord& rec) {
  if (auto hit = Find(rec.psn_no, rec.body_json)) return *hit;
  std::vector<registry::Person> one;
  XT_RETURN_IF_ERROR(registry::LoadPersonsJson("[" + rec.body_json + "]", registry_, &one));
  XT_INVARIANT(one.size() == 1, "one stored person document is one person");
  Put(rec.psn_no, rec.body_json, one[0]);
  return std::move(one[0]);
}

std::optional<registry::Person> PersonCache::Find(const std::string& psn_no, const std::string& body_json) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(psn_no);
  if (it == entries_.end() || it->second.body_json != body_json) return std::nullopt;
  return it->second.person;
}

void PersonCache::Put(const std::string& psn_no, const std::string& body_json, const registry::Person& person) {
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.size() >= kEntriesMax) entries_.clear();
  entries_.insert_or_assign(psn_no, Entry{body_json, person});
}

}  // namespace xt::service
