// The policy book in memory, the person categories and the fund names.
//
// Add checks each policy's shape once (ratios within 0..100%, bands
// ascending, every band's fund present with an acyclic overflow chain), so the
// engine can rely on it without re-checking per claim. Find is on the hot
// path (once per claim): it builds its keys in a stack buffer and looks them
// up heterogeneously, so it allocates nothing.
#include "policy/policy.h"

#include <algorithm>
#include <cstring>

namespace xt::policy {

namespace {

bool TwoDigitPrefix(std::string_view admdvs) {
  return admdvs.size() >= 2 && admdvs[0] >= '0' && admdvs[0] <= '9' && admdvs[1] >= '0' && admdvs[1] <= '9';
}

bool SameProvince(std::string_view a, std::string_view b) {
  return TwoDigitPrefix(a) && TwoDigitPrefix(b) && a[0] == b[0] && a[1] == b[1];
}

// Writes "admdvs|insutype|med_type|lv" into buf; returns its length, or 0 when
// it does not fit (then no policy can match: Add refuses such long fields).
constexpr size_t kKeyLengthMax = 64;
size_t WriteKey(char* buf, std::string_view admdvs, std::string_view insutype, std::string_view med_type,
                int hosp_lv) {
  const size_t n = admdvs.size() + insutype.size() + med_type.size() + 4;
  if (n > kKeyLengthMax || hosp_lv < 0 || hosp_lv > 9) return 0;
  char* p = buf;
  std::memcpy(p, admdvs.data(), admdvs.size());
  p += admdvs.size();
  *p++ = '|';
  std::memcpy(p, insutype.data(), insutype.size());
  p += insutype.size();
  *p++ = '|';
  std::memcpy(p, med_type.data(), med_type.size());
  p += med_type.size();
  *p++ = '|';
  *p++ = static_cast<char>('0' + hosp_lv);
  return n;
}

bool RatioOk(const PerCategory<BasisPoints>& r) {
  for (const auto& v : r) {
    if (v && (*v < 0 || *v > kWholeBp)) return false;
  }
  return true;
}

bool FenOk(const PerCategory<Fen>& f) {
  for (const auto& v : f) {
    if (v && *v < 0) return false;
  }
  return true;
}

// Codes as the loaders use them (docs/errors.md): XT-DATA-003 an invalid
// value, XT-DATA-004 a duplicate, XT-DATA-005 a reference to nothing.
constexpr const char* kInvalidValue = "XT-DATA-003";
constexpr const char* kDuplicate = "XT-DATA-004";
constexpr const char* kUnknownReference = "XT-DATA-005";

Status Invalid(const Policy& p, const char* code, std::string message) {
  return Status::Error(code, "policy " + p.id + ": " + message, "policy " + p.id);
}

// The shape checks the engine relies on.
Status CheckShape(const Policy& p) {
  if (p.id.empty()) return Invalid(p, kInvalidValue, "has no id");
  if (!TwoDigitPrefix(p.insuplc_admdvs)) return Invalid(p, kInvalidValue, "has an invalid insurance region");
  if (p.insutype.empty() || p.med_type.empty()) return Invalid(p, kInvalidValue, "needs insutype and med_type");
  if (p.hosp_lv < 0 || p.hosp_lv > 3) return Invalid(p, kInvalidValue, "hosp_lv must be 0..3");
  char key[kKeyLengthMax];
  if (WriteKey(key, p.insuplc_admdvs, p.insutype, p.med_type, p.hosp_lv) == 0) {
    return Invalid(p, kInvalidValue, "region, insutype or med_type too long");
  }
  if (p.validity.end && *p.validity.end <= p.validity.begin) {
    return Invalid(p, kInvalidValue, "has an empty validity period");
  }
  if (p.deductible.accum_key.empty()) return Invalid(p, kInvalidValue, "deductible needs an accumulator key");
  if (!FenOk(p.deductible.first_fen) || !FenOk(p.deductible.later_fen)) {
    return Invalid(p, kInvalidValue, "deductible must not be negative");
  }
  if (p.band_basis == BandBasis::kYear && p.band_accum_key.empty()) {
    return Invalid(p, kInvalidValue, "year-basis bands need band_accum_key");
  }
  if (p.unfiled_cut_bp < 0 || p.unfiled_cut_bp > kWholeBp) {
    return Invalid(p, kInvalidValue, "unfiled cut must be 0..100%");
  }
  if (p.bands.empty()) return Invalid(p, kInvalidValue, "has no bands");
  Fen previous_upper = 0;
  for (const Band& b : p.bands) {
    if (b.upper_fen <= previous_upper) {
      return Invalid(p, kInvalidValue, "band upper bounds must be positive and ascending");
    }
    if (!RatioOk(b.ratio_bp)) return Invalid(p, kInvalidValue, "band ratio must be 0..100%");
    previous_upper = b.upper_fen;
  }
  std::array<int, kFundKindCount> layer_of;
  layer_of.fill(-1);
  for (size_t i = 0; i < p.funds.size(); ++i) {
    const FundLayer& f = p.funds[i];
    const size_t k = static_cast<size_t>(f.fund);
    if (k >= kFundKindCount) return Invalid(p, kInvalidValue, "unknown fund");
    if (layer_of[k] >= 0) return Invalid(p, kDuplicate, "names fund " + std::string(FundKindName(f.fund)) + " twice");
    layer_of[k] = static_cast<int>(i);
    if (f.annual_cap_fen < 0) return Invalid(p, kInvalidValue, "annual cap must not be negative");
    if (f.cap_key.empty()) {
      return Invalid(p, kInvalidValue, "fund " + std::string(FundKindName(f.fund)) + " needs a cap_key");
    }
    if (!RatioOk(f.overflow_ratio_bp)) return Invalid(p, kInvalidValue, "overflow ratio must be 0..100%");
    for (size_t j = 0; j < i; ++j) {
      if (p.funds[j].cap_key == f.cap_key) return Invalid(p, kDuplicate, "two funds share cap_key " + f.cap_key);
    }
  }
  for (const Band& b : p.bands) {
    if (layer_of[static_cast<size_t>(b.fund)] < 0) {
      return Invalid(p, kUnknownReference,
                     "band paid by " + std::string(FundKindName(b.fund)) + ", which has no fund layer");
    }
  }
  for (const FundLayer& f : p.funds) {
    // Follow the overflow chain: every step must name a layer, and it must end.
    const FundLayer* cur = &f;
    for (size_t steps = 0; cur->overflow_to; ++steps) {
      const int next = layer_of[static_cast<size_t>(*cur->overflow_to)];
      if (next < 0) return Invalid(p, kUnknownReference, "overflow to a fund that has no layer");
      if (steps >= kFundKindCount) return Invalid(p, kInvalidValue, "overflow chain loops");
      cur = &p.funds[static_cast<size_t>(next)];
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view CategoryName(PersonCategory c) {
  switch (c) {
    case PersonCategory::kInService: return "in_service";
    case PersonCategory::kRetired: return "retired";
    case PersonCategory::kRetired70: return "retired_70";
    case PersonCategory::kResidentMinor: return "resident_minor";
    case PersonCategory::kResidentAdult: return "resident_adult";
    case PersonCategory::kResidentElderly: return "resident_elderly";
  }
  return "unknown";
}

std::optional<PersonCategory> CategoryFromName(std::string_view name) {
  for (size_t i = 0; i < kCategoryCount; ++i) {
    const auto c = static_cast<PersonCategory>(i);
    if (CategoryName(c) == name) return c;
  }
  return std::nullopt;
}

std::optional<PersonCategory> CategoryOf(std::string_view psn_type, Date birth, Date on) {
  // A birth after the claim date is bad data, not a category.
  if (birth > on) return std::nullopt;
  const int age = AgeOn(birth, on);
  if (psn_type == "1101" || psn_type == "1102") return PersonCategory::kInService;
  if (psn_type == "1201" || psn_type == "1300") {
    return age >= 70 ? PersonCategory::kRetired70 : PersonCategory::kRetired;
  }
  if (psn_type == "1401" || psn_type == "1402") return PersonCategory::kResidentMinor;
  if (psn_type == "1403" || psn_type == "1404") {
    if (age < 18) return PersonCategory::kResidentMinor;
    if (age >= 60) return PersonCategory::kResidentElderly;
    return PersonCategory::kResidentAdult;
  }
  return std::nullopt;
}

std::string_view FundKindName(FundKind f) {
  switch (f) {
    case FundKind::kPooled: return "pooled";
    case FundKind::kLargeAmount: return "large_amount";
    case FundKind::kCriticalIllness: return "critical_illness";
    case FundKind::kCivilServant: return "civil_servant";
    case FundKind::kEnterprise: return "enterprise";
    case FundKind::kMedicalAssistance: return "medical_assistance";
    case FundKind::kOther: return "other";
  }
  return "unknown";
}

std::string_view FundKindTitle(FundKind f) {
  switch (f) {
    case FundKind::kPooled: return "基本医疗保险统筹基金";
    case FundKind::kLargeAmount: return "大额医疗费用补助";
    case FundKind::kCriticalIllness: return "城乡居民大病医疗保险";
    case FundKind::kCivilServant: return "公务员医疗补助";
    case FundKind::kEnterprise: return "企业补充医疗保险";
    case FundKind::kMedicalAssistance: return "医疗救助基金";
    case FundKind::kOther: return "其他基金";
  }
  return "";
}

std::optional<FundKind> FundKindFromName(std::string_view name) {
  for (size_t i = 0; i < kFundKindCount; ++i) {
    const auto f = static_cast<FundKind>(i);
    if (FundKindName(f) == name) return f;
  }
  return std::nullopt;
}

Status PolicyBook::Add(Policy policy) {
  if (Status s = CheckShape(policy); !s.ok()) return s;
  for (const Policy& p : policies_) {
    if (p.id == policy.id) return Invalid(policy, kDuplicate, "id is used twice");
  }
  char buf[kKeyLengthMax];
  const size_t n = WriteKey(buf, policy.insuplc_admdvs, policy.insutype, policy.med_type, policy.hosp_lv);
  const std::string key(buf, n);
  std::vector<size_t>& versions = index_[key];
  for (size_t i : versions) {
    const Policy& other = policies_[i];
    if (other.validity.Overlaps(policy.validity)) {
      return Status::Error(kDuplicate, "policy " + policy.id + " overlaps policy " + other.id + " in time",
                           key + " " + policy.validity.ToString() + " vs " +
                               other.validity.ToString());
    }
  }
  const size_t pos = policies_.size();
  policies_.push_back(std::move(policy));
  versions.push_back(pos);
  std::sort(versions.begin(), versions.end(), [this](size_t a, size_t b) {
    return policies_[a].validity.begin < policies_[b].validity.begin;
  });
  return Status::Ok();
}

const Policy* PolicyBook::Find(std::string_view insuplc_admdvs, std::string_view insutype,
                               std::string_view med_type, int hosp_lv, Date on) const {
  if (!TwoDigitPrefix(insuplc_admdvs)) return nullptr;
  // Regions from the most specific: the code as given, its city (for a
  // district code), its province.
  char city[6] = {};
  char province[6] = {'0', '0', '0', '0', '0', '0'};
  std::string_view regions[3];
  size_t region_count = 0;
  regions[region_count++] = insuplc_admdvs;
  if (insuplc_admdvs.size() == 6) {
    std::memcpy(city, insuplc_admdvs.data(), 4);
    city[4] = city[5] = '0';
    const std::string_view city_code(city, 6);
    if (city_code != insuplc_admdvs) regions[region_count++] = city_code;
  }
  province[0] = insuplc_admdvs[0];
  province[1] = insuplc_admdvs[1];
  const std::string_view province_code(province, 6);
  if (province_code != regions[region_count - 1] && province_code != insuplc_admdvs) {
    regions[region_count++] = province_code;
  }

  char buf[kKeyLengthMax];
  for (size_t r = 0; r < region_count; ++r) {
    const int levels[2] = {hosp_lv, 0};
    for (int l = 0; l < (hosp_lv == 0 ? 1 : 2); ++l) {
      const size_t n = WriteKey(buf, regions[r], insutype, med_type, levels[l]);
      if (n == 0) continue;
      const auto it = index_.find(std::string_view(buf, n));
      if (it == index_.end()) continue;
      for (size_t i : it->second) {
        if (policies_[i].validity.Contains(on)) return &policies_[i];
      }
    }
  }
  return nullptr;
}

const DeemedFiledRule* PolicyBook::DeemedFiled(std::string_view insuplc_admdvs, std::string_view mdtrtarea_admvs,
                                               std::string_view med_type, Date on) const {
  for (const DeemedFiledRule& rule : deemed_filed_) {
    if (!rule.validity.Contains(on)) continue;
    bool insured_in = false, treated_in = false, type_in = false;
    for (const std::string& p : rule.provinces) {
      insured_in = insured_in || SameProvince(p, insuplc_admdvs);
      treated_in = treated_in || SameProvince(p, mdtrtarea_admvs);
    }
    for (const std::string& m : rule.med_types) type_in = type_in || m == med_type;
    if (insured_in && treated_in && type_in) return &rule;
  }
  return nullptr;
}

}  // namespace xt::policy
