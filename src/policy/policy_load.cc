// Reads the policy document (data/policies.json; format in data/README.md)
// into a PolicyBook. The JSON mirrors the structs of policy.h one to one;
// a per-category map may use the key "*" for every category it does not name.
//
// Strict: every field present with the right type, codes of the right shape,
// ratios within 0..10000, amounts non-negative, bands ascending, every fund a
// band or an overflow names listed in "funds", every category of the
// insurance type given a deductible and a ratio, and policies that share a
// cap or deductible accumulator agreeing on what it is. The whole document is
// checked before anything is added, so a refused document leaves `out` as it
// was (unless `out` already held policies that clash with it).
//
// Stable error codes: XT-DATA-001 malformed JSON, XT-DATA-002 missing or
// wrongly typed field, XT-DATA-003 invalid value, XT-DATA-004 duplicate,
// XT-DATA-005 unknown reference.
#include <limits>
#include <map>

#include "core/interface_codes.h"
#include "core/json_record.h"
#include "policy/policy.h"

namespace xt::policy {

namespace {

constexpr size_t kPoliciesMax = 100'000;
constexpr size_t kBandsMax = 32;
constexpr size_t kKeyBytesMax = 64;      // ids and accumulator keys
constexpr size_t kSourceBytesMax = 1000;
constexpr Fen kOpenUpperFen = std::numeric_limits<Fen>::max();

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Ids and accumulator keys: 1..64 of [A-Za-z0-9._-].
bool IsKey(std::string_view s) {
  if (s.empty() || s.size() > kKeyBytesMax) return false;
  for (char c : s) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsProvince(std::string_view s) { return s.size() == 6 && AllDigits(s) && s.substr(2) == "0000"; }

// A per-category map {"in_service": v, ..., "*": v}. Values must be integers
// within [lo, hi]. "*" fills every category the map does not name.
template <typename T>
Status ReadPerCategory(const Record& r, std::string_view key, int64_t lo, int64_t hi, PerCategory<T>* out) {
  const Json* v = nullptr;
  XT_RETURN_IF_ERROR(r.Get(key, &v));
  if (!v->is_object()) return WrongType(r.name(), key, "an object keyed by person category");
  out->fill(std::nullopt);
  std::optional<T> star;
  for (const auto& [name, value] : v->items()) {
    const std::string field = std::string(key) + "." + name;
    if (!value.is_number_integer() || (value.is_number_unsigned() && value.template get<uint64_t>() > INT64_MAX)) {
      return WrongType(r.name(), field, "an integer");
    }
    const int64_t n = value.template get<int64_t>();
    if (n < lo || n > hi) {
      return InvalidValue(r.name(), field, "must be within " + std::to_string(lo) + ".." + std::to_string(hi));
    }
    if (name == "*") {
      star = static_cast<T>(n);
      continue;
    }
    const auto cat = CategoryFromName(name);
    if (!cat) {
      return InvalidValue(r.name(), key, "names an unknown person category \"" + name + "\"");
    }
    (*out)[static_cast<size_t>(*cat)] = static_cast<T>(n);
  }
  if (star) {
    for (auto& slot : *out) {
      if (!slot) slot = star;
    }
  }
  return Status::Ok();
}

template <typename T>
bool IsEmpty(const PerCategory<T>& m) {
  for (const auto& v : m) {
    if (v) return false;
  }
  return true;
}

// The categories a policy of this insurance type must give figures for.
std::vector<PersonCategory> CategoriesOf(std::string_view insutype) {
  if (insutype == code::kInsutypeEmployeeBasic) return {PersonCategory::kInService, PersonCategory::kRetired, PersonCategory::kRetired70};
  return {PersonCategory::kResidentMinor, PersonCategory::kResidentAdult, PersonCategory::kResidentElderly};
}

template <typename T>
Status RequireCategories(const std::string& record, std::string_view field, const PerCategory<T>& m,
                         const std::vector<PersonCategory>& needed) {
  for (PersonCategory c : needed) {
    if (!m[static_cast<size_t>(c)]) {
      return InvalidValue(record, field, "gives no value for " + std::string(CategoryName(c)));
    }
  }
  return Status::Ok();
}

// The fund_pay_type codes each fund may carry (policy.h, FundKind).
bool PayTypeFits(FundKind f, std::string_view code) {
  switch (f) {
    case FundKind::kPooled: return code == "310100" || code == "390100";
    case FundKind::kLargeAmount: return code == "330100";
    case FundKind::kCriticalIllness: return code == "390200";
    case FundKind::kCivilServant: return code == "320100";
    case FundKind::kEnterprise: return code == "340100";
    case FundKind::kMedicalAssistance: return code == "610100";
    case FundKind::kOther: return code == "999999";
  }
  return false;
}

Status ReadFundName(const Record& r, std::string_view key, const std::string& text, FundKind* out) {
  const auto f = FundKindFromName(text);
  if (!f) return InvalidValue(r.name(), key, "names an unknown fund \"" + text + "\"");
  *out = *f;
  return Status::Ok();
}

Status ReadDeductible(const Record& parent, const Json& j, const std::vector<PersonCategory>& needed,
                      DeductibleRule* out) {
  const Record r(j, parent.name() + " deductible");
  XT_RETURN_IF_ERROR(r.CheckObject({"period", "accum_key", "first_fen", "later_fen"}));
  std::string period;
  XT_RETURN_IF_ERROR(r.String("period", &period));
  if (period == "year") {
    out->period = DeductiblePeriod::kYear;
  } else if (period == "stay") {
    out->period = DeductiblePeriod::kStay;
  } else {
    return InvalidValue(r.name(), "period", "must be year or stay");
  }
  XT_RETURN_IF_ERROR(r.String("accum_key", &out->accum_key));
  if (!IsKey(out->accum_key)) return InvalidValue(r.name(), "accum_key", "must be 1..64 of [A-Za-z0-9._-]");
  constexpr int64_t kFenMax = int64_t{1} << 40;  // far above any deductible, far below overflow
  XT_RETURN_IF_ERROR(ReadPerCategory(r, "first_fen", 0, kFenMax, &out->first_fen));
  XT_RETURN_IF_ERROR(ReadPerCategory(r, "later_fen", 0, kFenMax, &out->later_fen));
  XT_RETURN_IF_ERROR(RequireCategories(r.name(), "first_fen", out->first_fen, needed));
  if (out->period == DeductiblePeriod::kStay) {
    XT_RETURN_IF_ERROR(RequireCategories(r.name(), "later_fen", out->later_fen, needed));
  } else if (!IsEmpty(out->later_fen)) {
    return InvalidValue(r.name(), "later_fen", "must be {} when the period is year");
  }
  return Status::Ok();
}

Status ReadBand(const Record& parent, const Json& j, size_t index, const std::vector<PersonCategory>& needed,
                Band* out, bool* open) {
  const Record r(j, parent.name() + " band #" + std::to_string(index + 1));
  XT_RETURN_IF_ERROR(r.CheckObject({"upper_fen", "fund", "ratio_bp"}));
  std::optional<int64_t> upper;
  XT_RETURN_IF_ERROR(r.OptionalInt("upper_fen", &upper));
  *open = !upper;
  if (upper && (*upper <= 0 || *upper == kOpenUpperFen)) {
    return InvalidValue(r.name(), "upper_fen", "must be positive (null for an open band)");
  }
  out->upper_fen = upper.value_or(kOpenUpperFen);
  std::string fund;
  XT_RETURN_IF_ERROR(r.String("fund", &fund));
  XT_RETURN_IF_ERROR(ReadFundName(r, "fund", fund, &out->fund));
  XT_RETURN_IF_ERROR(ReadPerCategory(r, "ratio_bp", 0, kWholeBp, &out->ratio_bp));
  return RequireCategories(r.name(), "ratio_bp", out->ratio_bp, needed);
}

Status ReadFund(const Record& parent, const Json& j, size_t index, const std::vector<PersonCategory>& needed,
                FundLayer* out) {
  std::string name = parent.name() + " fund #" + std::to_string(index + 1);
  if (j.is_object()) {
    const auto f = j.find("fund");
    if (f != j.end() && f->is_string()) name = parent.name() + " fund " + f->get<std::string>();
  }
  const Record r(j, name);
  XT_RETURN_IF_ERROR(
      r.CheckObject({"fund", "fund_pay_type", "annual_cap_fen", "cap_key", "overflow_to", "overflow_ratio_bp"}));
  std::string fund;
  XT_RETURN_IF_ERROR(r.String("fund", &fund));
  XT_RETURN_IF_ERROR(ReadFundName(r, "fund", fund, &out->fund));
  XT_RETURN_IF_ERROR(r.String("fund_pay_type", &out->fund_pay_type));
  if (out->fund_pay_type.size() != 6 || !AllDigits(out->fund_pay_type) ||
      !PayTypeFits(out->fund, out->fund_pay_type)) {
    return InvalidValue(r.name(), "fund_pay_type", "\"" + out->fund_pay_type + "\" is not a code of fund " + fund);
  }
  int64_t cap = 0;
  XT_RETURN_IF_ERROR(r.Int("annual_cap_fen", &cap));
  if (cap < 0) return InvalidValue(r.name(), "annual_cap_fen", "must not be negative");
  out->annual_cap_fen = cap;
  XT_RETURN_IF_ERROR(r.String("cap_key", &out->cap_key));
  if (!IsKey(out->cap_key)) return InvalidValue(r.name(), "cap_key", "must be 1..64 of [A-Za-z0-9._-]");
  const Json* overflow = nullptr;
  XT_RETURN_IF_ERROR(r.Get("overflow_to", &overflow));
  out->overflow_to.reset();
  if (!overflow->is_null()) {
    if (!overflow->is_string()) return WrongType(r.name(), "overflow_to", "a fund name or null");
    FundKind to{};
    XT_RETURN_IF_ERROR(ReadFundName(r, "overflow_to", overflow->get<std::string>(), &to));
    if (to == out->fund) return InvalidValue(r.name(), "overflow_to", "must name another fund");
    out->overflow_to = to;
  }
  XT_RETURN_IF_ERROR(ReadPerCategory(r, "overflow_ratio_bp", 0, kWholeBp, &out->overflow_ratio_bp));
  // The ratio at which the overflow layer pays: needed exactly when there is one.
  if (out->overflow_to) {
    XT_RETURN_IF_ERROR(RequireCategories(r.name(), "overflow_ratio_bp", out->overflow_ratio_bp, needed));
  } else if (!IsEmpty(out->overflow_ratio_bp)) {
    return InvalidValue(r.name(), "overflow_ratio_bp", "must be {} when overflow_to is null");
  }
  return Status::Ok();
}

// One policy document, field by field, each refused with its own message
// (docs/settlement.md lists the fields): long because a policy has that
// many fields, each checked where it is read.
Status ReadPolicy(const Json& j, size_t index, Policy* p) {
  std::string name = "policy #" + std::to_string(index + 1);
  if (j.is_object()) {
    const auto id = j.find("id");
    if (id != j.end() && id->is_string()) name = "policy " + id->get<std::string>();
  }
  const Record r(j, name);
  XT_RETURN_IF_ERROR(r.CheckObject({"id", "insuplc_admdvs", "insutype", "med_type", "hosp_lv", "begin", "end",
                                    "sample", "source", "deductible", "band_basis", "band_accum_key", "bands",
                                    "funds", "unfiled_cut_bp"}));
  XT_RETURN_IF_ERROR(r.String("id", &p->id));
  if (!IsKey(p->id)) return InvalidValue(name, "id", "must be 1..64 of [A-Za-z0-9._-]");
  XT_RETURN_IF_ERROR(r.String("insuplc_admdvs", &p->insuplc_admdvs));
  if (p->insuplc_admdvs.size() != 6 || !AllDigits(p->insuplc_admdvs)) {
    return InvalidValue(name, "insuplc_admdvs", "must be a region code of 6 digits");
  }
  XT_RETURN_IF_ERROR(r.String("insutype", &p->insutype));
  if (p->insutype != code::kInsutypeEmployeeBasic && p->insutype != code::kInsutypeResidentBasic) return InvalidValue(name, "insutype", "must be 310 or 390");
  XT_RETURN_IF_ERROR(r.String("med_type", &p->med_type));
  if (p->med_type.size() != 2 || !AllDigits(p->med_type)) {
    return InvalidValue(name, "med_type", "must be a 2-digit visit type code");
  }
  int64_t lv = 0;
  XT_RETURN_IF_ERROR(r.Int("hosp_lv", &lv));
  if (lv < 0 || lv > 3) return InvalidValue(name, "hosp_lv", "must be 0 (any), 1, 2 or 3");
  p->hosp_lv = static_cast<int>(lv);
  XT_RETURN_IF_ERROR(r.Period(&p->validity));
  XT_RETURN_IF_ERROR(r.Bool("sample", &p->sample));
  XT_RETURN_IF_ERROR(r.String("source", &p->source));
  if (p->source.empty() || p->source.size() > kSourceBytesMax) {
    return InvalidValue(name, "source", "must be 1 to 1000 bytes (\"sample\" when nothing is published)");
  }

  const std::vector<PersonCategory> needed = CategoriesOf(p->insutype);
  const Json* deductible = nullptr;
  XT_RETURN_IF_ERROR(r.Get("deductible", &deductible));
  XT_RETURN_IF_ERROR(ReadDeductible(r, *deductible, needed, &p->deductible));

  std::string basis;
  XT_RETURN_IF_ERROR(r.String("band_basis", &basis));
  if (basis == "claim") {
    p->band_basis = BandBasis::kClaim;
  } else if (basis == "year") {
    p->band_basis = BandBasis::kYear;
  } else {
    return InvalidValue(name, "band_basis", "must be claim or year");
  }
  XT_RETURN_IF_ERROR(r.String("band_accum_key", &p->band_accum_key));
  if (p->band_basis == BandBasis::kYear && !IsKey(p->band_accum_key)) {
    return InvalidValue(name, "band_accum_key", "must be 1..64 of [A-Za-z0-9._-] when band_basis is year");
  }
  if (p->band_basis == BandBasis::kClaim && !p->band_accum_key.empty()) {
    return InvalidValue(name, "band_accum_key", "must be \"\" when band_basis is claim");
  }

  const Json* bands = nullptr;
  XT_RETURN_IF_ERROR(r.Get("bands", &bands));
  if (!bands->is_array()) return WrongType(name, "bands", "an array");
  if (bands->empty() || bands->size() > kBandsMax) return InvalidValue(name, "bands", "must hold 1 to 32 bands");
  p->bands.clear();
  for (size_t i = 0; i < bands->size(); ++i) {
    Band band;
    bool open = false;
    XT_RETURN_IF_ERROR(ReadBand(r, (*bands)[i], i, needed, &band, &open));
    if (!p->bands.empty() && (p->bands.back().upper_fen == kOpenUpperFen || band.upper_fen <= p->bands.back().upper_fen)) {
      return InvalidValue(name + " band #" + std::to_string(i + 1), "upper_fen",
                          "must be above the previous band's (only the last band may be open)");
    }
    p->bands.push_back(band);
  }

  const Json* funds = nullptr;
  XT_RETURN_IF_ERROR(r.Get("funds", &funds));
  if (!funds->is_array()) return WrongType(name, "funds", "an array");
  if (funds->empty() || funds->size() > kFundKindCount) return InvalidValue(name, "funds", "must hold 1 to 7 funds");
  p->funds.clear();
  for (size_t i = 0; i < funds->size(); ++i) {
    FundLayer layer;
    XT_RETURN_IF_ERROR(ReadFund(r, (*funds)[i], i, needed, &layer));
    for (const FundLayer& other : p->funds) {
      if (other.fund == layer.fund) {
        return Status::Error("XT-DATA-004", name + ": fund " + std::string(FundKindName(layer.fund)) + " is listed twice");
      }
      if (other.cap_key == layer.cap_key) {
        return Status::Error("XT-DATA-004", name + ": two funds share cap_key " + layer.cap_key);
      }
    }
    p->funds.push_back(std::move(layer));
  }
  // Every fund a band or an overflow names must have its layer.
  auto listed = [&](FundKind f) {
    for (const FundLayer& l : p->funds) {
      if (l.fund == f) return true;
    }
    return false;
  };
  for (size_t i = 0; i < p->bands.size(); ++i) {
    if (!listed(p->bands[i].fund)) {
      return Status::Error("XT-DATA-005", name + " band #" + std::to_string(i + 1) + ": fund " +
                                              std::string(FundKindName(p->bands[i].fund)) + " is not in \"funds\"");
    }
  }
  for (const FundLayer& l : p->funds) {
    if (l.overflow_to && !listed(*l.overflow_to)) {
      return Status::Error("XT-DATA-005", name + " fund " + std::string(FundKindName(l.fund)) + ": overflow_to " +
                                              std::string(FundKindName(*l.overflow_to)) + " is not in \"funds\"");
    }
  }
  // Overflow chains must end (a -> b -> a never does).
  for (const FundLayer& start : p->funds) {
    const FundLayer* cur = &start;
    for (size_t steps = 0; cur->overflow_to; ++steps) {
      if (steps > p->funds.size()) {
        return InvalidValue(name + " fund " + std::string(FundKindName(start.fund)), "overflow_to", "forms a loop");
      }
      const FundKind next = *cur->overflow_to;
      for (const FundLayer& l : p->funds) {
        if (l.fund == next) cur = &l;
      }
    }
  }

  int64_t cut = 0;
  XT_RETURN_IF_ERROR(r.Int("unfiled_cut_bp", &cut));
  if (cut < 0 || cut > kWholeBp) return InvalidValue(name, "unfiled_cut_bp", "must be within 0..10000");
  p->unfiled_cut_bp = static_cast<BasisPoints>(cut);
  return Status::Ok();
}

Status ReadDeemedFiled(const Json& j, size_t index, DeemedFiledRule* out) {
  const Record r(j, "deemed_filed #" + std::to_string(index + 1));
  XT_RETURN_IF_ERROR(r.CheckObject({"provinces", "med_types", "begin", "end", "source"}));
  auto read_codes = [&](std::string_view key, auto valid, std::string_view what,
                        std::vector<std::string>* codes) -> Status {
    const Json* v = nullptr;
    XT_RETURN_IF_ERROR(r.Get(key, &v));
    if (!v->is_array()) return WrongType(r.name(), key, "an array of strings");
    if (v->empty()) return InvalidValue(r.name(), key, "must not be empty");
    codes->clear();
    for (const Json& c : *v) {
      if (!c.is_string()) return WrongType(r.name(), key, "an array of strings");
      const std::string code = c.get<std::string>();
      if (!valid(code)) return InvalidValue(r.name(), key, "holds \"" + code + "\", not " + std::string(what));
      for (const std::string& seen : *codes) {
        if (seen == code) return Status::Error("XT-DATA-004", r.name() + ": \"" + code + "\" is listed twice");
      }
      codes->push_back(code);
    }
    return Status::Ok();
  };
  XT_RETURN_IF_ERROR(read_codes("provinces", IsProvince, "a province code", &out->provinces));
  XT_RETURN_IF_ERROR(read_codes(
      "med_types", [](std::string_view s) { return s.size() == 2 && AllDigits(s); }, "a 2-digit visit type",
      &out->med_types));
  XT_RETURN_IF_ERROR(r.Period(&out->validity));
  XT_RETURN_IF_ERROR(r.String("source", &out->source));
  if (out->source.empty() || out->source.size() > kSourceBytesMax) {
    return InvalidValue(r.name(), "source", "must be 1 to 1000 bytes");
  }
  return Status::Ok();
}

// Policies that name the same cap_key draw on one accumulator, so they must
// agree on the fund, its code and its cap; likewise a deductible accumulator
// means one thing (a year's deductible used, or stays counted).
Status CheckSharedKeys(const std::vector<Policy>& policies) {
  std::map<std::string, std::pair<const Policy*, const FundLayer*>, std::less<>> caps;
  std::map<std::string, const Policy*, std::less<>> deductibles;
  for (const Policy& p : policies) {
    for (const FundLayer& f : p.funds) {
      const auto [it, fresh] = caps.emplace(f.cap_key, std::make_pair(&p, &f));
      if (fresh) continue;
      const FundLayer& g = *it->second.second;
      if (g.fund != f.fund || g.fund_pay_type != f.fund_pay_type || g.annual_cap_fen != f.annual_cap_fen) {
        return InvalidValue("policy " + p.id + " fund " + std::string(FundKindName(f.fund)), "cap_key",
                            "\"" + f.cap_key + "\" is shared with policy " + it->second.first->id +
                                " but the fund, fund_pay_type or annual_cap_fen differ");
      }
    }
    const auto [it, fresh] = deductibles.emplace(p.deductible.accum_key, &p);
    if (!fresh && it->second->deductible.period != p.deductible.period) {
      return InvalidValue("policy " + p.id + " deductible", "accum_key",
                          "\"" + p.deductible.accum_key + "\" is shared with policy " + it->second->id +
                              " but the period differs");
    }
  }
  return Status::Ok();
}

}  // namespace

Status LoadPolicyJson(std::string_view json_text, PolicyBook* out) {
  Json doc;
  XT_RETURN_IF_ERROR(ParseDocument(json_text, "the policy document", &doc));
  const Record top(doc, "the policy document");
  XT_RETURN_IF_ERROR(top.CheckObject({"policies", "deemed_filed"}));
  const Json* policies = nullptr;
  const Json* deemed = nullptr;
  XT_RETURN_IF_ERROR(top.Get("policies", &policies));
  XT_RETURN_IF_ERROR(top.Get("deemed_filed", &deemed));
  if (!policies->is_array()) return WrongType(top.name(), "policies", "an array");
  if (!deemed->is_array()) return WrongType(top.name(), "deemed_filed", "an array");
  if (policies->size() > kPoliciesMax) return InvalidValue(top.name(), "policies", "holds more than 100,000 policies");

  std::vector<Policy> read;
  read.reserve(policies->size());
  std::map<std::string, size_t, std::less<>> by_id;
  // "region|insutype|med_type|level" -> the versions read so far.
  std::map<std::string, std::vector<size_t>, std::less<>> by_key;
  for (size_t i = 0; i < policies->size(); ++i) {
    Policy p;
    XT_RETURN_IF_ERROR(ReadPolicy((*policies)[i], i, &p));
    if (!by_id.emplace(p.id, i).second) {
      return Status::Error("XT-DATA-004", "policy " + p.id + ": the id is used twice");
    }
    std::vector<size_t>& versions =
        by_key[p.insuplc_admdvs + "|" + p.insutype + "|" + p.med_type + "|" + std::to_string(p.hosp_lv)];
    for (size_t other : versions) {
      if (read[other].validity.Overlaps(p.validity)) {
        return Status::Error("XT-DATA-004", "policy " + p.id + ": in force on the same days as policy " +
                                                read[other].id + " for the same region, insutype, med_type and level");
      }
    }
    versions.push_back(read.size());
    read.push_back(std::move(p));
  }
  XT_RETURN_IF_ERROR(CheckSharedKeys(read));

  std::vector<DeemedFiledRule> rules;
  for (size_t i = 0; i < deemed->size(); ++i) {
    DeemedFiledRule rule;
    XT_RETURN_IF_ERROR(ReadDeemedFiled((*deemed)[i], i, &rule));
    rules.push_back(std::move(rule));
  }

  for (Policy& p : read) XT_RETURN_IF_ERROR(out->Add(std::move(p)));
  for (DeemedFiledRule& rule : rules) out->AddDeemedFiled(std::move(rule));
  return Status::Ok();
}

}  // namespace xt::policy
