// The insurance place's policy (参保地政策): deductibles, banded payment
// ratios, the funds that pay each band and their annual caps, the cut for an
// unfiled trip, and the rules that treat a trip as filed (视同备案).
// Everything carries effective dates; no value here is a literal in code.
//
// The band model (docs/settlement.md):
// - A claim's in-scope amount S (inscp_scp_amt) occupies an interval of a
//   "position" axis. With basis kClaim the interval is [0, S); with basis
//   kYear it is [Y, Y + S), Y being the person's year-to-date in-scope total
//   under `band_accum_key` (before this claim).
// - The first act_pay_dedc of that interval is the deductible; the rest is
//   payable. Each band [previous upper, upper) names a fund and a ratio per
//   person category; the payable part inside a band is paid at that ratio by
//   that fund, limited by what is left of the fund's annual cap.
// - When a fund's cap is reached inside a band, the rest of the band goes to
//   the fund's `overflow_to` layer at that layer's ratio (and its own cap);
//   with no overflow layer the rest is the person's.
// - For an unfiled trip that is not deemed filed, every ratio is cut by
//   `unfiled_cut_bp` (not below zero).
//
// A PolicyBook is built once and then only read: const methods are safe
// from any number of threads.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/date.h"
#include "core/money.h"
#include "core/status.h"

namespace xt::policy {

// Who the person is for the ratio tables, derived by CategoryOf.
enum class PersonCategory : uint8_t {
  kInService,        // employee in service (在职)
  kRetired,          // employee retired, under 70
  kRetired70,        // employee retired, 70 and over
  kResidentMinor,    // resident under 18 or a student
  kResidentAdult,    // resident 18-59
  kResidentElderly,  // resident 60 and over
};
inline constexpr size_t kCategoryCount = 6;
std::string_view CategoryName(PersonCategory c);  // "in_service", "retired", "retired_70",
                                                  // "resident_minor", "resident_adult", "resident_elderly"
std::optional<PersonCategory> CategoryFromName(std::string_view name);

// psn_type codes (data/README.md): 1101 employee in service, 1102 flexible
// employment (as in service), 1201 retired, 1300 retired cadre (as retired),
// 1401 resident minor, 1402 student, 1403 resident elderly, 1404 resident adult.
// Age on `on` refines it: retired 70+, residents by age when the type is 1404/1403.
std::optional<PersonCategory> CategoryOf(std::string_view psn_type, Date birth, Date on);

// A value per person category; nullopt where the policy gives none.
template <typename T>
using PerCategory = std::array<std::optional<T>, kCategoryCount>;

// The funds that can pay, with the interface's field and fund_pay_type code.
enum class FundKind : uint8_t {
  kPooled,             // hifp_pay: 310100 employee pooled fund, 390100 resident fund
  kLargeAmount,        // hifob_pay: 330100 employee large-amount subsidy (职工大额)
  kCriticalIllness,    // hifmi_pay: 390200 resident critical illness (居民大病)
  kCivilServant,       // cvlserv_pay: 320100
  kEnterprise,         // hifes_pay: 340100
  kMedicalAssistance,  // maf_pay: 610100
  kOther,              // oth_pay: 999999
};
inline constexpr size_t kFundKindCount = 7;
std::string_view FundKindName(FundKind f);  // "pooled", "large_amount", "critical_illness", ...
// The fund's name as a receipt prints it (the interface's fund_pay_type_name):
// "基本医疗保险统筹基金", ...
std::string_view FundKindTitle(FundKind f);
std::optional<FundKind> FundKindFromName(std::string_view name);

struct Band {
  Fen upper_fen = 0;  // exclusive upper bound on the position axis; INT64_MAX: open
  FundKind fund = FundKind::kPooled;
  PerCategory<BasisPoints> ratio_bp;
};

struct FundLayer {
  FundKind fund = FundKind::kPooled;
  std::string fund_pay_type;  // e.g. "310100"
  Fen annual_cap_fen = 0;
  // Accumulator shared by every policy that draws on the same cap, e.g.
  // "bj310.pooled.inpatient": year-to-date payments of this fund.
  std::string cap_key;
  std::optional<FundKind> overflow_to;      // the layer that takes over above the cap
  PerCategory<BasisPoints> overflow_ratio_bp;  // ratio used when this layer takes over
};

enum class DeductiblePeriod : uint8_t { kYear, kStay };

struct DeductibleRule {
  DeductiblePeriod period = DeductiblePeriod::kYear;
  PerCategory<Fen> first_fen;  // per year, or for the first stay of the year
  PerCategory<Fen> later_fen;  // per stay: for each later stay of the year
  // kYear: accumulator of the deductible used this year.
  // kStay: accumulator counting the stays settled this year.
  std::string accum_key;
};

enum class BandBasis : uint8_t { kClaim, kYear };

struct Policy {
  std::string id;              // stable, e.g. "110000-310-21-3-2019"
  std::string insuplc_admdvs;  // province ("110000") or city ("130500")
  std::string insutype;        // "310" | "390"
  std::string med_type;        // "11" | "21" | "14"
  int hosp_lv = 0;             // 1..3; 0 = any level
  Validity validity;
  DeductibleRule deductible;
  BandBasis band_basis = BandBasis::kClaim;
  std::string band_accum_key;  // for kYear: year-to-date in-scope total
  std::vector<Band> bands;     // ascending upper_fen; the last is usually open
  std::vector<FundLayer> funds;
  BasisPoints unfiled_cut_bp = 0;
  bool sample = true;   // false only for published figures
  std::string source;   // citation or "sample"
};

// 视同备案: insured persons of these provinces treated in any of them are
// treated as filed, for these visit types, in this period.
struct DeemedFiledRule {
  std::vector<std::string> provinces;  // "110000", "120000", "130000"
  std::vector<std::string> med_types;  // "11", "21"
  Validity validity;
  std::string source;
};

class PolicyBook {
 public:
  // Periods of policies with the same key must not overlap.
  Status Add(Policy policy);
  void AddDeemedFiled(DeemedFiledRule rule) { deemed_filed_.push_back(std::move(rule)); }

  // The policy in force on `on`: the most specific region first (the city
  // code of insuplc_admdvs, then its province), the exact level before
  // level 0. nullptr when none applies.
  const Policy* Find(std::string_view insuplc_admdvs, std::string_view insutype,
                     std::string_view med_type, int hosp_lv, Date on) const;

  // The 视同备案 rule covering this trip on `on`, or nullptr.
  const DeemedFiledRule* DeemedFiled(std::string_view insuplc_admdvs, std::string_view mdtrtarea_admvs,
                                     std::string_view med_type, Date on) const;

  const std::vector<Policy>& policies() const { return policies_; }
  const std::vector<DeemedFiledRule>& deemed_filed_rules() const { return deemed_filed_; }

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<Policy> policies_;
  std::vector<DeemedFiledRule> deemed_filed_;
  // Find's index: "insuplc_admdvs|insutype|med_type|hosp_lv" -> positions in
  // policies_ of that key's versions, ordered by validity.begin.
  std::unordered_map<std::string, std::vector<size_t>, StringHash, std::equal_to<>> index_;
};

// Parses the policy document (format in data/README.md) into `out`.
// Errors name the policy id and the field.
Status LoadPolicyJson(std::string_view json_text, PolicyBook* out);

}  // namespace xt::policy
