// The recognition book in memory: items, regions and institutions interned
// to small integers; dated periods keyed by (owner, item) in flat maps whose
// lookups take integers and allocate nothing.
#include "results/book.h"

#include <algorithm>

namespace xt::results {

namespace {

bool IsProvinceCode(std::string_view s) {
  if (s.size() != 6) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return s.substr(2) == "0000" && s.substr(0, 2) != "00";
}

bool AnyContains(std::span<const Validity> periods, Date on) {
  for (const Validity& v : periods) {
    if (v.Contains(on)) return true;
  }
  return false;
}

}  // namespace

std::string_view ItemKindName(ItemKind k) { return k == ItemKind::kLab ? "lab" : "imaging"; }

std::string_view ModalityName(Modality m) {
  switch (m) {
    case Modality::kNone: return "";
    case Modality::kXRay: return "XR";
    case Modality::kCt: return "CT";
    case Modality::kMri: return "MR";
  }
  return "";
}

Status Book::AddItem(Item item) {
  if (items_.size() >= kItemsMax) return Status::Error("XT-DATA-003", "more than 10,000 recognised items");
  if (item.code.empty()) return Status::Error("XT-DATA-003", "a recognised item has an empty code");
  if (item_index_.count(item.code) != 0) {
    return Status::Error("XT-DATA-004", "recognised item " + item.code + " is listed twice");
  }
  if (item.versions.empty()) return Status::Error("XT-DATA-003", "recognised item " + item.code + " has no version");
  std::sort(item.versions.begin(), item.versions.end(),
            [](const ItemVersion& a, const ItemVersion& b) { return a.effective.begin < b.effective.begin; });
  for (size_t i = 1; i < item.versions.size(); ++i) {
    if (item.versions[i - 1].effective.Overlaps(item.versions[i].effective)) {
      return Status::Error("XT-DATA-004", "recognised item " + item.code + ": two versions are in force on one day");
    }
  }
  const ItemId id = static_cast<ItemId>(items_.size());
  item_index_.emplace(item.code, id);
  items_.push_back(std::move(item));
  return Status::Ok();
}

Status Book::AddPeriod(std::unordered_map<uint64_t, std::vector<Validity>>* map, uint64_t key, Validity period,
                       const std::string& what) {
  std::vector<Validity>& periods = (*map)[key];
  for (const Validity& other : periods) {
    if (other.Overlaps(period)) {
      return Status::Error("XT-DATA-004", what + ": periods " + other.ToString() + " and " +
                                              period.ToString() + " overlap");
    }
  }
  periods.push_back(period);
  std::sort(periods.begin(), periods.end(), [](const Validity& a, const Validity& b) { return a.begin < b.begin; });
  return Status::Ok();
}

Status Book::AddListing(std::string_view province, std::string_view item_code, Validity period) {
  if (!IsProvinceCode(province)) {
    return Status::Error("XT-DATA-003", "listing region " + std::string(province) + " is not a province code");
  }
  const ItemId item = FindItem(item_code);
  if (item == kNoItem) return Status::Error("XT-DATA-005", "listing names an unknown item " + std::string(item_code));
  RegionId region = kNoRegion;
  for (size_t i = 0; i < regions_.size(); ++i) {
    if (regions_[i] == province) region = static_cast<RegionId>(i);
  }
  if (region == kNoRegion) {
    if (regions_.size() >= kRegionsMax) return Status::Error("XT-DATA-003", "more than 64 listing regions");
    region = static_cast<RegionId>(regions_.size());
    regions_.emplace_back(province);
  }
  return AddPeriod(&listings_, Key(region, item), period,
                   "listing of " + std::string(item_code) + " in " + std::string(province));
}

Status Book::AddInstitutions(const registry::Registry& registry) {
  if (registry.institutions().size() > kInstitutionsMax) {
    return Status::Error("XT-DATA-003", "more than 1,000,000 institutions");
  }
  for (const registry::Institution& inst : registry.institutions()) {
    if (institution_index_.count(inst.fixmedins_code) != 0) continue;
    const InstitutionId id = static_cast<InstitutionId>(institutions_.size());
    institutions_.push_back({inst.fixmedins_code, inst.admdvs, FindRegion(inst.admdvs)});
    institution_index_.emplace(inst.fixmedins_code, id);
  }
  return Status::Ok();
}

Status Book::AddQualification(std::string_view fixmedins_code, std::string_view item_code, Validity period) {
  const InstitutionId inst = FindInstitution(fixmedins_code);
  if (inst == kNoInstitution) {
    return Status::Error("XT-DATA-005", "qualification names an unknown institution " + std::string(fixmedins_code));
  }
  const ItemId item = FindItem(item_code);
  if (item == kNoItem) {
    return Status::Error("XT-DATA-005", "qualification names an unknown item " + std::string(item_code));
  }
  return AddPeriod(&qualifications_, Key(inst, item), period,
                   "qualification of " + std::string(fixmedins_code) + " for " + std::string(item_code));
}

Status Book::AddPrice(std::string_view province, std::string_view item_code, Fen price_fen, Validity period) {
  const RegionId region = FindRegion(province);
  if (!IsProvinceCode(province) || region == kNoRegion) {
    return Status::Error("XT-DATA-005", "price names a region that lists no item: " + std::string(province));
  }
  const ItemId item = FindItem(item_code);
  if (item == kNoItem) return Status::Error("XT-DATA-005", "price names an unknown item " + std::string(item_code));
  if (price_fen < 0) return Status::Error("XT-DATA-003", "price of " + std::string(item_code) + " is negative");
  std::vector<PriceVersion>& versions = prices_[Key(region, item)];
  for (const PriceVersion& other : versions) {
    if (other.period.Overlaps(period)) {
      return Status::Error("XT-DATA-004", "price of " + std::string(item_code) + " in " + std::string(province) +
                                              ": two versions are in force on one day");
    }
  }
  versions.push_back({price_fen, period});
  return Status::Ok();
}

ItemId Book::FindItem(std::string_view code) const {
  // Heterogeneous lookup would need a transparent hash; codes are short, and
  // the hot path works on ItemId, so a temporary string here is acceptable.
  const auto it = item_index_.find(std::string(code));
  return it == item_index_.end() ? kNoItem : it->second;
}

RegionId Book::FindRegion(std::string_view admdvs) const {
  if (admdvs.size() < 2) return kNoRegion;
  for (size_t i = 0; i < regions_.size(); ++i) {
    if (regions_[i].compare(0, 2, admdvs.substr(0, 2)) == 0) return static_cast<RegionId>(i);
  }
  return kNoRegion;
}

InstitutionId Book::FindInstitution(std::string_view fixmedins_code) const {
  const auto it = institution_index_.find(std::string(fixmedins_code));
  return it == institution_index_.end() ? kNoInstitution : it->second;
}

const ItemVersion* Book::VersionOn(ItemId item, Date on) const {
  if (item >= items_.size()) return nullptr;
  for (const ItemVersion& v : items_[item].versions) {
    if (v.effective.Contains(on)) return &v;
  }
  return nullptr;
}

std::span<const Validity> Book::ListingPeriods(RegionId region, ItemId item) const {
  const auto it = listings_.find(Key(region, item));
  if (it == listings_.end()) return {};
  return it->second;
}

std::span<const Validity> Book::QualificationPeriods(InstitutionId institution, ItemId item) const {
  const auto it = qualifications_.find(Key(institution, item));
  if (it == qualifications_.end()) return {};
  return it->second;
}

bool Book::Listed(RegionId region, ItemId item, Date on) const {
  if (region == kNoRegion || item == kNoItem) return false;
  return AnyContains(ListingPeriods(region, item), on);
}

bool Book::Qualified(InstitutionId institution, ItemId item, Date on) const {
  if (institution == kNoInstitution || item == kNoItem) return false;
  return AnyContains(QualificationPeriods(institution, item), on);
}

Price Book::PriceOf(const catalog::Catalog* catalog, ItemId item, std::string_view admdvs, Date on) const {
  if (item >= items_.size()) return {};
  const Item& it = items_[item];
  if (catalog != nullptr && !it.catalog_code.empty()) {
    const catalog::ItemVersion* v = catalog->Find(admdvs, it.catalog_code, on);
    if (v != nullptr && v->price_cap_fen) return {*v->price_cap_fen, PriceSource::kCatalog};
  }
  const RegionId region = FindRegion(admdvs);
  if (region == kNoRegion) return {};
  const auto p = prices_.find(Key(region, item));
  if (p == prices_.end()) return {};
  for (const PriceVersion& v : p->second) {
    if (v.period.Contains(on)) return {v.price_fen, PriceSource::kRecognitionData};
  }
  return {};
}

}  // namespace xt::results
