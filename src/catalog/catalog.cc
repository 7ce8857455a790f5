// The treatment place's catalogue in memory: items keyed by the 2-digit
// province prefix of the treatment region, then by code, then by date.
//
// Find is on the engine's hot path (once per fee line), so it takes string
// views all the way down: the province prefix and the code are looked up
// heterogeneously and nothing is allocated per lookup.
#include "catalog/catalog.h"

#include <algorithm>

namespace xt::catalog {

namespace {

// The 2-digit province prefix of a region code ("130503" -> "13"), or an
// empty view when the code does not start with two digits.
std::string_view PrefixOf(std::string_view admdvs) {
  if (admdvs.size() < 2 || admdvs[0] < '0' || admdvs[0] > '9' || admdvs[1] < '0' || admdvs[1] > '9') return {};
  return admdvs.substr(0, 2);
}

// Half-open periods [a.begin, a.end) and [b.begin, b.end) share a day.
constexpr size_t kCodeLengthMax = 50;  // the interface's med_list_codg

}  // namespace

std::string_view ItemKindName(ItemKind k) {
  switch (k) {
    case ItemKind::kDrug: return "drug";
    case ItemKind::kService: return "service";
    case ItemKind::kConsumable: return "consumable";
  }
  return "unknown";
}

std::string_view ChargeClassName(ChargeClass c) {
  switch (c) {
    case ChargeClass::kA: return "甲";
    case ChargeClass::kB: return "乙";
    case ChargeClass::kC: return "丙";
  }
  return "?";
}

std::string_view ChargeClassCode(ChargeClass c) {
  switch (c) {
    case ChargeClass::kA: return "01";
    case ChargeClass::kB: return "02";
    case ChargeClass::kC: return "03";
  }
  return "";
}

Status Catalog::Add(std::string_view treatment_province, ItemVersion item) {
  const std::string_view prefix = PrefixOf(treatment_province);
  const std::string where = std::string(treatment_province) + " item " + item.code;
  if (prefix.empty()) {
    return Status::Error("XT-DATA-003", "catalogue entry has an invalid treatment region",
                         "region '" + std::string(treatment_province) + "' item " + item.code);
  }
  if (item.code.empty() || item.code.size() > kCodeLengthMax) {
    return Status::Error("XT-DATA-003", "catalogue item code must be 1 to 50 characters", where);
  }
  if (item.validity.end && *item.validity.end <= item.validity.begin) {
    return Status::Error("XT-DATA-003", "catalogue item has an empty validity period",
                         where + " " + item.validity.ToString());
  }
  if (item.selfpay_prop_bp < 0 || item.selfpay_prop_bp > kWholeBp) {
    return Status::Error("XT-DATA-003", "catalogue item self-pay ratio must be within 0..100%", where);
  }
  if (item.price_cap_fen && *item.price_cap_fen < 0) {
    return Status::Error("XT-DATA-003", "catalogue item price cap must not be negative", where);
  }

  RegionItems& items = regions_[std::string(prefix)];
  auto it = items.find(std::string_view(item.code));
  if (it == items.end()) it = items.emplace(item.code, Versions{}).first;
  Versions& versions = it->second;
  for (const ItemVersion& v : versions) {
    if (v.validity.Overlaps(item.validity)) {
      return Status::Error("XT-DATA-004", "catalogue item versions overlap in time",
                           where + " " + item.validity.ToString() + " overlaps " +
                               v.validity.ToString());
    }
  }
  const auto pos = std::upper_bound(versions.begin(), versions.end(), item.validity.begin,
                                    [](Date d, const ItemVersion& v) { return d < v.validity.begin; });
  versions.insert(pos, std::move(item));
  ++item_count_;
  return Status::Ok();
}

const ItemVersion* Catalog::Find(std::string_view mdtrtarea_admvs, std::string_view code, Date on) const {
  const std::string_view prefix = PrefixOf(mdtrtarea_admvs);
  if (prefix.empty()) return nullptr;
  const auto region = regions_.find(prefix);
  if (region == regions_.end()) return nullptr;
  const auto item = region->second.find(code);
  if (item == region->second.end()) return nullptr;
  // Versions are few and sorted by begin; the newest one that began on or
  // before `on` is the only candidate (versions never overlap).
  const Versions& versions = item->second;
  for (size_t i = versions.size(); i-- > 0;) {
    if (versions[i].validity.begin <= on) return versions[i].validity.Contains(on) ? &versions[i] : nullptr;
  }
  return nullptr;
}

std::vector<std::string> Catalog::Regions() const {
  std::vector<std::string> out;
  out.reserve(regions_.size());
  for (const auto& [prefix, items] : regions_) out.push_back(prefix + "0000");
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<const ItemVersion*> Catalog::ItemsOf(std::string_view treatment_province) const {
  std::vector<const ItemVersion*> out;
  const std::string_view prefix = PrefixOf(treatment_province);
  if (prefix.empty()) return out;
  const auto region = regions_.find(prefix);
  if (region == regions_.end()) return out;
  for (const auto& [code, versions] : region->second) {
    for (const ItemVersion& v : versions) out.push_back(&v);
  }
  // Versions of one code are already in date order and stable_sort keeps it.
  std::stable_sort(out.begin(), out.end(),
                   [](const ItemVersion* a, const ItemVersion* b) { return a->code < b->code; });
  return out;
}

}  // namespace xt::catalog
