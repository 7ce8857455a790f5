// Behaviour of the adjudication engine, case by case: a claim in, the whole
// breakdown out, every figure worked by hand in the case's comment.
//
// The fixture is the seed's scenario: a Xingtai (130500) employee treated in a
// Tianjin (120000) hospital, plus a Hebei outpatient policy (found through the
// province fallback) and a Beijing outpatient policy with year-basis bands.
// All figures below are test data, not published policy.
#include "settle/engine.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace xt::settle {
namespace {

using catalog::ChargeClass;
using catalog::ItemKind;
using catalog::ItemVersion;
using policy::FundKind;
using policy::PersonCategory;

constexpr size_t kInService = static_cast<size_t>(PersonCategory::kInService);
constexpr size_t kRetired = static_cast<size_t>(PersonCategory::kRetired);
constexpr size_t kRetired70 = static_cast<size_t>(PersonCategory::kRetired70);

Date D(int y, int m, int d) { return Date::FromCivil(y, m, d); }

template <typename T>
policy::PerCategory<T> Employee(T in_service, T retired, T retired_70) {
  policy::PerCategory<T> v;
  v[kInService] = in_service;
  v[kRetired] = retired;
  v[kRetired70] = retired_70;
  return v;
}

ItemVersion Item(std::string code, ChargeClass cls, std::optional<Fen> cap_fen = std::nullopt,
                 BasisPoints selfpay_bp = 0) {
  ItemVersion v;
  v.code = std::move(code);
  v.name = v.code;
  v.kind = ItemKind::kDrug;
  v.charge_class = cls;
  v.price_cap_fen = cap_fen;
  v.selfpay_prop_bp = selfpay_bp;
  v.validity = Validity{D(2020, 1, 1), std::nullopt};
  return v;
}

// Tianjin's catalogue (the treatment place), and one item in Hebei's.
catalog::Catalog MakeCatalog() {
  catalog::Catalog c;
  EXPECT_TRUE(c.Add("120000", Item("XA-JIA", ChargeClass::kA)).ok());
  EXPECT_TRUE(c.Add("120000", Item("XB-YI", ChargeClass::kB, std::nullopt, 1000)).ok());  // 乙, 10% upfront
  EXPECT_TRUE(c.Add("120000", Item("XC-BING", ChargeClass::kC)).ok());
  EXPECT_TRUE(c.Add("120000", Item("XS-CAP", ChargeClass::kA, 5000)).ok());        // 甲, cap 50.00 a unit
  EXPECT_TRUE(c.Add("120000", Item("XB-CAP", ChargeClass::kB, 10000, 500)).ok());  // 乙, cap 100.00, 5%
  EXPECT_TRUE(c.Add("130000", Item("XA-JIA", ChargeClass::kA)).ok());
  return c;
}

policy::PolicyBook MakePolicies() {
  policy::PolicyBook book;

  // P1: Xingtai employee inpatient. Per-stay deductible 1000.00 / later
  // 500.00 (retired 900.00 / 450.00); bands 0-30000 at 85/90/92%, above at
  // 90/95/96%; pooled cap 100000.00, then the large-amount fund at 80/85/85%
  // (cap 300000.00). Unfiled: 10 points off.
  policy::Policy p1;
  p1.id = "130500-310-21-0-2020";
  p1.insuplc_admdvs = "130500";
  p1.insutype = "310";
  p1.med_type = "21";
  p1.hosp_lv = 0;
  p1.validity = Validity{D(2020, 1, 1), std::nullopt};
  p1.deductible.period = policy::DeductiblePeriod::kStay;
  p1.deductible.first_fen = Employee<Fen>(100000, 90000, 90000);
  p1.deductible.later_fen = Employee<Fen>(50000, 45000, 45000);
  p1.deductible.accum_key = "130500.310.ip";
  p1.band_basis = policy::BandBasis::kClaim;
  p1.bands = {{3000000, FundKind::kPooled, Employee<BasisPoints>(8500, 9000, 9200)},
              {INT64_MAX, FundKind::kPooled, Employee<BasisPoints>(9000, 9500, 9600)}};
  policy::FundLayer pooled{FundKind::kPooled, "310100", 10000000, "130500.310.pooled", FundKind::kLargeAmount,
                           Employee<BasisPoints>(8000, 8500, 8500)};
  policy::FundLayer large{FundKind::kLargeAmount, "330100", 30000000, "130500.330.large", std::nullopt, {}};
  p1.funds = {pooled, large};
  p1.unfiled_cut_bp = 1000;
  EXPECT_TRUE(book.Add(p1).ok());

  // P2: Hebei (province-wide) employee outpatient. Year deductible 800.00 /
  // 700.00 / 650.00; 75/80/85% up to 5500.00, 55/60/65% above; pooled cap
  // 9000.00 with no layer above it.
  policy::Policy p2;
  p2.id = "130000-310-11-0-2020";
  p2.insuplc_admdvs = "130000";
  p2.insutype = "310";
  p2.med_type = "11";
  p2.validity = Validity{D(2020, 1, 1), std::nullopt};
  p2.deductible.period = policy::DeductiblePeriod::kYear;
  p2.deductible.first_fen = Employee<Fen>(80000, 70000, 65000);
  p2.deductible.accum_key = "130000.310.op";
  p2.bands = {{550000, FundKind::kPooled, Employee<BasisPoints>(7500, 8000, 8500)},
              {INT64_MAX, FundKind::kPooled, Employee<BasisPoints>(5500, 6000, 6500)}};
  p2.funds = {{FundKind::kPooled, "310100", 900000, "130000.310.op.pooled", std::nullopt, {}}};
  p2.unfiled_cut_bp = 1000;
  EXPECT_TRUE(book.Add(p2).ok());

  // P4: Beijing employee outpatient, bands on the year's running in-scope
  // total: 70/85/90% up to 20000.00, 60/80/80% above; year deductible 1800.00
  // / 1300.00; pooled cap 20000.00.
  policy::Policy p4;
  p4.id = "110000-310-11-0-2020";
  p4.insuplc_admdvs = "110000";
  p4.insutype = "310";
  p4.med_type = "11";
  p4.validity = Validity{D(2020, 1, 1), std::nullopt};
  p4.deductible.period = policy::DeductiblePeriod::kYear;
  p4.deductible.first_fen = Employee<Fen>(180000, 130000, 130000);
  p4.deductible.accum_key = "110000.310.op";
  p4.band_basis = policy::BandBasis::kYear;
  p4.band_accum_key = "110000.310.op";
  p4.bands = {{2000000, FundKind::kPooled, Employee<BasisPoints>(7000, 8500, 9000)},
              {INT64_MAX, FundKind::kPooled, Employee<BasisPoints>(6000, 8000, 8000)}};
  p4.funds = {{FundKind::kPooled, "310100", 2000000, "110000.310.op.pooled", std::nullopt, {}}};
  EXPECT_TRUE(book.Add(p4).ok());

  // 视同备案 inside the three regions from 2023-04-01, inpatient and ordinary outpatient.
  book.AddDeemedFiled({{"110000", "120000", "130000"}, {"11", "21"}, Validity{D(2023, 4, 1), std::nullopt}, "test"});
  return book;
}

ClaimLine L(std::string sn, std::string code, Fen amount_fen, int64_t cnt_e4 = 10000) {
  return ClaimLine{std::move(sn), std::move(code), amount_fen, cnt_e4, std::nullopt};
}

// The seed's scenario: a Xingtai employee in service, filed, in a Tianjin
// level-3 hospital on 2023-06-01, inpatient.
Claim BaseClaim(std::vector<ClaimLine> lines) {
  Claim c;
  c.insutype = "310";
  c.med_type = "21";
  c.insuplc_admdvs = "130500";
  c.mdtrtarea_admvs = "120000";
  c.hosp_lv = 3;
  c.date = D(2023, 6, 1);
  c.psn_type = "1101";
  c.birth = D(1980, 5, 20);
  c.filed = true;
  c.lines = std::move(lines);
  return c;
}

struct ExpLine {
  bool listed = true;
  ChargeClass cls = ChargeClass::kA;
  Fen fulamt = 0, overlmt = 0, preselfpay = 0, inscp = 0;
  bool lmt_used = false;
};

struct ExpFund {
  FundKind fund;
  Fen cap_left;
  Fen pay;
};

// Every figure of the breakdown; an omitted one is expected to be 0.
struct Expected {
  std::string policy_id;
  PersonCategory category = PersonCategory::kInService;
  bool filed_effective = true;
  BasisPoints unfiled_cut_bp = 0;
  Fen medfee = 0, fulamt = 0, overlmt = 0, preselfpay = 0, inscp = 0, dedc = 0;
  Fen hifp = 0, cvlserv = 0, hifes = 0, hifmi = 0, hifob = 0, maf = 0, oth = 0, fund_sum = 0;
  Fen psn_part = 0, acct = 0, cash = 0, balc = 0;
  BasisPoints pool_prop = 0;
  std::vector<ExpLine> lines;
  std::vector<ExpFund> funds;
  Accumulators deltas;
};

struct Case {
  std::string name;
  Claim claim;
  Accumulators ytd;
  Expected want;
};

// P1's two fund rows when nothing was paid before this year.
std::vector<ExpFund> P1Funds(Fen pooled_pay, Fen large_pay = 0, Fen pooled_left = 10000000,
                             Fen large_left = 30000000) {
  return {{FundKind::kPooled, pooled_left, pooled_pay}, {FundKind::kLargeAmount, large_left, large_pay}};
}

std::vector<Case> Cases() {
  std::vector<Case> cases;

  // 1. The three classes and an unlisted item. First stay: deductible 1000.00.
  //   XA-JIA 甲 2000.00 -> inscp 2000.00
  //   XB-YI  乙 1000.00 -> preselfpay 1000.00 x 10% = 100.00, inscp 900.00
  //   XC-BING 丙 300.00 -> fulamt 300.00;  NOT-LISTED 50.00 -> fulamt 50.00
  //   medfee 3350.00; inscp 2900.00; payable 2900.00 - 1000.00 = 1900.00 at 85%
  //   = 1615.00; person 3350.00 - 1615.00 = 1735.00, all cash (no account).
  cases.push_back({"ThreeClassesAndUnlisted",
                   BaseClaim({L("1", "XA-JIA", 200000), L("2", "XB-YI", 100000, 20000), L("3", "XC-BING", 30000),
                              L("4", "NOT-LISTED", 5000)}),
                   {},
                   {.policy_id = "130500-310-21-0-2020",
                    .medfee = 335000, .fulamt = 35000, .preselfpay = 10000, .inscp = 290000, .dedc = 100000,
                    .hifp = 161500, .fund_sum = 161500, .psn_part = 173500, .cash = 173500, .pool_prop = 8500,
                    .lines = {{.inscp = 200000},
                              {.cls = ChargeClass::kB, .preselfpay = 10000, .inscp = 90000},
                              {.cls = ChargeClass::kC, .fulamt = 30000},
                              {.listed = false, .cls = ChargeClass::kC, .fulamt = 5000}},
                    .funds = P1Funds(161500),
                    .deltas = {{"stay:130500.310.ip", 1}, {"cap:130500.310.pooled", 161500}}}});

  // 2. Over the price cap. Second stay (deductible 500.00, larger than the claim).
  //   XS-CAP 3 units 180.00, cap 50.00 x 3 = 150.00 -> overlmt 30.00, inscp 150.00
  //   XB-CAP 1.5 units 160.00, cap 100.00 x 1.5 = 150.00 -> overlmt 10.00;
  //          preselfpay 150.00 x 5% = 7.50; inscp 142.50
  //   XS-CAP 0.3333 units 20.00, cap 50.00 x 0.3333 = 16.665 -> 16.67 (half away
  //          from zero) -> overlmt 3.33, inscp 16.67
  //   medfee 360.00 = overlmt 43.33 + preselfpay 7.50 + inscp 309.17;
  //   deductible min(309.17, 500.00) = 309.17: nothing payable, so no fund
  //   pays at any ratio (pool_prop_selfpay 0); person 360.00.
  cases.push_back({"OverPriceCap",
                   BaseClaim({L("1", "XS-CAP", 18000, 30000), L("2", "XB-CAP", 16000, 15000),
                              L("3", "XS-CAP", 2000, 3333)}),
                   {{"stay:130500.310.ip", 1}},
                   {.policy_id = "130500-310-21-0-2020",
                    .medfee = 36000, .overlmt = 4333, .preselfpay = 750, .inscp = 30917, .dedc = 30917,
                    .psn_part = 36000, .cash = 36000, .pool_prop = 0,
                    .lines = {{.overlmt = 3000, .inscp = 15000, .lmt_used = true},
                              {.cls = ChargeClass::kB, .overlmt = 1000, .preselfpay = 750, .inscp = 14250,
                               .lmt_used = true},
                              {.overlmt = 333, .inscp = 1667, .lmt_used = true}},
                    .funds = P1Funds(0),
                    .deltas = {{"stay:130500.310.ip", 1}}}});

  // 3. A deductible spanning lines: 600.00 + 700.00 甲 and 200.00 乙 (20.00
  //   upfront). inscp 600.00 + 700.00 + 180.00 = 1480.00; the 1000.00
  //   deductible takes line 1 and 400.00 of line 2; payable 480.00 at 85% =
  //   408.00; person 1500.00 - 408.00 = 1092.00.
  cases.push_back({"DeductibleSpansLines",
                   BaseClaim({L("1", "XA-JIA", 60000), L("2", "XA-JIA", 70000), L("3", "XB-YI", 20000)}),
                   {},
                   {.policy_id = "130500-310-21-0-2020",
                    .medfee = 150000, .preselfpay = 2000, .inscp = 148000, .dedc = 100000,
                    .hifp = 40800, .fund_sum = 40800, .psn_part = 109200, .cash = 109200, .pool_prop = 8500,
                    .lines = {{.inscp = 60000}, {.inscp = 70000},
                              {.cls = ChargeClass::kB, .preselfpay = 2000, .inscp = 18000}},
                    .funds = P1Funds(40800),
                    .deltas = {{"stay:130500.310.ip", 1}, {"cap:130500.310.pooled", 40800}}}});

  // 4. Year deductible partly used: Hebei outpatient (no 130500 policy: the
  //   province's applies). 500.00 of 800.00 used; 1000.00 甲: deductible 300.00,
  //   payable 700.00 at 75% = 525.00; person 475.00. Pooled cap 9000.00, 1000.00
  //   paid this year: 8000.00 left.
  {
    Claim c = BaseClaim({L("1", "XA-JIA", 100000)});
    c.med_type = "11";
    cases.push_back({"YearDeductiblePartlyUsed", c,
                     {{"ded:130000.310.op", 50000}, {"cap:130000.310.op.pooled", 100000}},
                     {.policy_id = "130000-310-11-0-2020",
                      .medfee = 100000, .inscp = 100000, .dedc = 30000,
                      .hifp = 52500, .fund_sum = 52500, .psn_part = 47500, .cash = 47500, .pool_prop = 7500,
                      .lines = {{.inscp = 100000}},
                      .funds = {{FundKind::kPooled, 800000, 52500}},
                      .deltas = {{"ded:130000.310.op", 30000}, {"cap:130000.310.op.pooled", 52500}}}});
  }

  // 5. The annual cap crossed inside the claim, no layer above it: 8800.00 of
  //   9000.00 paid, 200.00 left. 1000.00 甲, deductible used up: 1000.00 at 75%
  //   would be 750.00; the fund pays 200.00, covering 266.66 (266.66 x 75% =
  //   199.995 -> 200.00; 266.65 -> 199.99); the other 733.34 is the person's.
  //   Person 1000.00 - 200.00 = 800.00.
  {
    Claim c = BaseClaim({L("1", "XA-JIA", 100000)});
    c.med_type = "11";
    cases.push_back({"AnnualCapCrossed", c,
                     {{"ded:130000.310.op", 80000}, {"cap:130000.310.op.pooled", 880000}},
                     {.policy_id = "130000-310-11-0-2020",
                      .medfee = 100000, .inscp = 100000,
                      .hifp = 20000, .fund_sum = 20000, .psn_part = 80000, .cash = 80000, .pool_prop = 7500,
                      .lines = {{.inscp = 100000}},
                      .funds = {{FundKind::kPooled, 20000, 20000}},
                      .deltas = {{"cap:130000.310.op.pooled", 20000}}}});
  }

  // 6. Two ratio bands: 40000.00 甲, first stay. Deductible 1000.00; band 1
  //   [1000.00, 30000.00) 29000.00 at 85% = 24650.00; band 2 [30000.00,
  //   40000.00) 10000.00 at 90% = 9000.00. Pooled 33650.00; person 6350.00.
  cases.push_back({"TwoBands", BaseClaim({L("1", "XA-JIA", 4000000)}),
                   {},
                   {.policy_id = "130500-310-21-0-2020",
                    .medfee = 4000000, .inscp = 4000000, .dedc = 100000,
                    .hifp = 3365000, .fund_sum = 3365000, .psn_part = 635000, .cash = 635000, .pool_prop = 8500,
                    .lines = {{.inscp = 4000000}},
                    .funds = P1Funds(3365000),
                    .deltas = {{"stay:130500.310.ip", 1}, {"cap:130500.310.pooled", 3365000}}}});

  // 7. The fund above the cap takes over: pooled 90000.00 of 100000.00 paid,
  //   10000.00 left. Second stay: deductible 500.00. 20500.00 甲: payable
  //   20000.00 in band 1 at 85% = 17000.00 > 10000.00. Pooled pays 10000.00,
  //   covering 11764.70 (x 85% = 9999.995 -> 10000.00); the rest 8235.30 goes
  //   to the large-amount fund at 80% = 6588.24. Funds 16588.24; person
  //   20500.00 - 16588.24 = 3911.76.
  cases.push_back({"OverflowLayerTakesOver", BaseClaim({L("1", "XA-JIA", 2050000)}),
                   {{"stay:130500.310.ip", 1}, {"cap:130500.310.pooled", 9000000}},
                   {.policy_id = "130500-310-21-0-2020",
                    .medfee = 2050000, .inscp = 2050000, .dedc = 50000,
                    .hifp = 1000000, .hifob = 658824, .fund_sum = 1658824, .psn_part = 391176, .cash = 391176,
                    .pool_prop = 8500,
                    .lines = {{.inscp = 2050000}},
                    .funds = P1Funds(1000000, 658824, 1000000),
                    .deltas = {{"stay:130500.310.ip", 1},
                               {"cap:130500.310.pooled", 1000000},
                               {"cap:130500.330.large", 658824}}}});

  // 8. The personal account pays part: 3000.00 甲, first stay: payable 2000.00
  //   at 85% = 1700.00; person 1300.00; balance 500.00 < 1300.00, so the
  //   account pays 500.00 (balance 0.00 after) and cash is 800.00.
  {
    Claim c = BaseClaim({L("1", "XA-JIA", 300000)});
    c.acct_used = true;
    c.acct_balance_fen = 50000;
    cases.push_back({"AccountPaysPart", c, {},
                     {.policy_id = "130500-310-21-0-2020",
                      .medfee = 300000, .inscp = 300000, .dedc = 100000,
                      .hifp = 170000, .fund_sum = 170000, .psn_part = 130000, .acct = 50000, .cash = 80000,
                      .balc = 0, .pool_prop = 8500,
                      .lines = {{.inscp = 300000}},
                      .funds = P1Funds(170000),
                      .deltas = {{"stay:130500.310.ip", 1}, {"cap:130500.310.pooled", 170000}}}});
  }

  // 8b. The account asked for but larger than the part: it pays the whole
  //   part 1300.00, 700.00 is left, cash 0.00.
  {
    Claim c = BaseClaim({L("1", "XA-JIA", 300000)});
    c.acct_used = true;
    c.acct_balance_fen = 200000;
    cases.push_back({"AccountPaysAll", c, {},
                     {.policy_id = "130500-310-21-0-2020",
                      .medfee = 300000, .inscp = 300000, .dedc = 100000,
                      .hifp = 170000, .fund_sum = 170000, .psn_part = 130000, .acct = 130000, .cash = 0,
                      .balc = 70000, .pool_prop = 8500,
                      .lines = {{.inscp = 300000}},
                      .funds = P1Funds(170000),
                      .deltas = {{"stay:130500.310.ip", 1}, {"cap:130500.310.pooled", 170000}}}});
  }

  // 9. Unfiled cross-province trip before 视同备案 (2023-03-01): every ratio
  //   cut by 10 points. 3000.00 甲: payable 2000.00 at 85% - 10 = 75% =
  //   1500.00; person 1500.00. The account is not asked for: balance stays.
  {
    Claim c = BaseClaim({L("1", "XA-JIA", 300000)});
    c.filed = false;
    c.date = D(2023, 3, 1);
    c.acct_balance_fen = 12345;
    cases.push_back({"UnfiledCut", c, {},
                     {.policy_id = "130500-310-21-0-2020", .filed_effective = false, .unfiled_cut_bp = 1000,
                      .medfee = 300000, .inscp = 300000, .dedc = 100000,
                      .hifp = 150000, .fund_sum = 150000, .psn_part = 150000, .cash = 150000,
                      .balc = 12345, .pool_prop = 7500,
                      .lines = {{.inscp = 300000}},
                      .funds = P1Funds(150000),
                      .deltas = {{"stay:130500.310.ip", 1}, {"cap:130500.310.pooled", 150000}}}});
  }

  // 9b. The same unfiled person treated inside Hebei (Shijiazhuang): a
  //   same-province claim is never cut: 2000.00 at 85% = 1700.00.
  {
    Claim c = BaseClaim({L("1", "XA-JIA", 300000)});
    c.filed = false;
    c.date = D(2023, 3, 1);
    c.mdtrtarea_admvs = "130100";
    cases.push_back({"SameProvinceNeverCut", c, {},
                     {.policy_id = "130500-310-21-0-2020",
                      .medfee = 300000, .inscp = 300000, .dedc = 100000,
                      .hifp = 170000, .fund_sum = 170000, .psn_part = 130000, .cash = 130000, .pool_prop = 8500,
                      .lines = {{.inscp = 300000}},
                      .funds = P1Funds(170000),
                      .deltas = {{"stay:130500.310.ip", 1}, {"cap:130500.310.pooled", 170000}}}});
  }

  // 10. 视同备案 from 2023-04-01: unfiled, the day before is cut (75%:
  //   1500.00), the day itself is deemed filed (85%: 1700.00).
  {
    Claim before = BaseClaim({L("1", "XA-JIA", 300000)});
    before.filed = false;
    before.date = D(2023, 3, 31);
    cases.push_back({"DeemedFiledDayBefore", before, {},
                     {.policy_id = "130500-310-21-0-2020", .filed_effective = false, .unfiled_cut_bp = 1000,
                      .medfee = 300000, .inscp = 300000, .dedc = 100000,
                      .hifp = 150000, .fund_sum = 150000, .psn_part = 150000, .cash = 150000, .pool_prop = 7500,
                      .lines = {{.inscp = 300000}},
                      .funds = P1Funds(150000),
                      .deltas = {{"stay:130500.310.ip", 1}, {"cap:130500.310.pooled", 150000}}}});
    Claim after = before;
    after.date = D(2023, 4, 1);
    cases.push_back({"DeemedFiledFromTheDay", after, {},
                     {.policy_id = "130500-310-21-0-2020",
                      .medfee = 300000, .inscp = 300000, .dedc = 100000,
                      .hifp = 170000, .fund_sum = 170000, .psn_part = 130000, .cash = 130000, .pool_prop = 8500,
                      .lines = {{.inscp = 300000}},
                      .funds = P1Funds(170000),
                      .deltas = {{"stay:130500.310.ip", 1}, {"cap:130500.310.pooled", 170000}}}});
  }

  // 11. Refund lines (negative cnt and amount), each the exact negation of
  //   what it cancels, and one partial refund:
  //   1 XA-JIA 3000.00                     inscp 3000.00
  //   2 XB-CAP 2 units 240.00: cap 200.00 -> overlmt 40.00; 200.00 x 5% = 10.00; inscp 190.00
  //   3 refund of 2: -240.00, cnt -2      -> overlmt -40.00, preselfpay -10.00, inscp -190.00
  //   4 XB-YI 33.33: 3.333 -> 3.33 upfront, inscp 30.00
  //   5 refund of 4: -33.33               -> -3.33 (symmetric rounding), inscp -30.00
  //   6 XS-CAP 3 units 160.00: cap 150.00 -> overlmt 10.00, inscp 150.00
  //   7 refund of 1 unit -55.00, cnt -1: cap 50.00 -> overlmt -5.00, inscp -50.00
  //   medfee 3105.00 = overlmt 5.00 + inscp 3100.00; deductible 1000.00;
  //   payable 2100.00 at 85% = 1785.00; person 3105.00 - 1785.00 = 1320.00.
  cases.push_back({"RefundLines",
                   BaseClaim({L("1", "XA-JIA", 300000), L("2", "XB-CAP", 24000, 20000),
                              L("3", "XB-CAP", -24000, -20000), L("4", "XB-YI", 3333), L("5", "XB-YI", -3333, -10000),
                              L("6", "XS-CAP", 16000, 30000), L("7", "XS-CAP", -5500, -10000)}),
                   {},
                   {.policy_id = "130500-310-21-0-2020",
                    .medfee = 310500, .overlmt = 500, .inscp = 310000, .dedc = 100000,
                    .hifp = 178500, .fund_sum = 178500, .psn_part = 132000, .cash = 132000, .pool_prop = 8500,
                    .lines = {{.inscp = 300000},
                              {.cls = ChargeClass::kB, .overlmt = 4000, .preselfpay = 1000, .inscp = 19000,
                               .lmt_used = true},
                              {.cls = ChargeClass::kB, .overlmt = -4000, .preselfpay = -1000, .inscp = -19000,
                               .lmt_used = true},
                              {.cls = ChargeClass::kB, .preselfpay = 333, .inscp = 3000},
                              {.cls = ChargeClass::kB, .preselfpay = -333, .inscp = -3000},
                              {.overlmt = 1000, .inscp = 15000, .lmt_used = true},
                              {.overlmt = -500, .inscp = -5000, .lmt_used = true}},
                    .funds = P1Funds(178500),
                    .deltas = {{"stay:130500.310.ip", 1}, {"cap:130500.310.pooled", 178500}}}});

  // 12. The later-stay rule, 2000.00 甲: the first stay of the year pays the
  //   1000.00 deductible (payable 1000.00 at 85% = 850.00, person 1150.00);
  //   after one stay it is 500.00 (payable 1500.00 at 85% = 1275.00, person 725.00).
  cases.push_back({"FirstStayDeductible", BaseClaim({L("1", "XA-JIA", 200000)}),
                   {{"stay:130500.310.ip", 0}},
                   {.policy_id = "130500-310-21-0-2020",
                    .medfee = 200000, .inscp = 200000, .dedc = 100000,
                    .hifp = 85000, .fund_sum = 85000, .psn_part = 115000, .cash = 115000, .pool_prop = 8500,
                    .lines = {{.inscp = 200000}},
                    .funds = P1Funds(85000),
                    .deltas = {{"stay:130500.310.ip", 1}, {"cap:130500.310.pooled", 85000}}}});
  cases.push_back({"LaterStayDeductible", BaseClaim({L("1", "XA-JIA", 200000)}),
                   {{"stay:130500.310.ip", 1}},
                   {.policy_id = "130500-310-21-0-2020",
                    .medfee = 200000, .inscp = 200000, .dedc = 50000,
                    .hifp = 127500, .fund_sum = 127500, .psn_part = 72500, .cash = 72500, .pool_prop = 8500,
                    .lines = {{.inscp = 200000}},
                    .funds = P1Funds(127500),
                    .deltas = {{"stay:130500.310.ip", 1}, {"cap:130500.310.pooled", 127500}}}});

  // 13. Year-basis bands (Beijing outpatient): 19000.00 in scope this year
  //   already, deductible used up, 10000.00 paid. 3000.00 甲 occupies [19000.00,
  //   22000.00): 1000.00 at 70% = 700.00 and 2000.00 at 60% = 1200.00.
  //   Pooled 1900.00; person 1100.00; the running total grows by 3000.00.
  {
    Claim c = BaseClaim({L("1", "XA-JIA", 300000)});
    c.insuplc_admdvs = "110000";
    c.med_type = "11";
    cases.push_back({"YearBasisBands", c,
                     {{"ded:110000.310.op", 180000}, {"inscp:110000.310.op", 1900000},
                      {"cap:110000.310.op.pooled", 1000000}},
                     {.policy_id = "110000-310-11-0-2020",
                      .medfee = 300000, .inscp = 300000,
                      .hifp = 190000, .fund_sum = 190000, .psn_part = 110000, .cash = 110000, .pool_prop = 7000,
                      .lines = {{.inscp = 300000}},
                      .funds = {{FundKind::kPooled, 1000000, 190000}},
                      .deltas = {{"inscp:110000.310.op", 300000}, {"cap:110000.310.op.pooled", 190000}}}});
  }

  // 14. Retired 70 and over (born 1953-06-01, 70 on the claim date): first
  //   stay deductible 900.00; 3000.00 甲: payable 2100.00 at 92% = 1932.00;
  //   person 1068.00. A day younger (born 1953-06-02, 69): 90% = 1890.00,
  //   person 1110.00.
  {
    Claim c = BaseClaim({L("1", "XA-JIA", 300000)});
    c.psn_type = "1201";
    c.birth = D(1953, 6, 1);
    cases.push_back({"Retired70Ratio", c, {},
                     {.policy_id = "130500-310-21-0-2020", .category = PersonCategory::kRetired70,
                      .medfee = 300000, .inscp = 300000, .dedc = 90000,
                      .hifp = 193200, .fund_sum = 193200, .psn_part = 106800, .cash = 106800, .pool_prop = 9200,
                      .lines = {{.inscp = 300000}},
                      .funds = P1Funds(193200),
                      .deltas = {{"stay:130500.310.ip", 1}, {"cap:130500.310.pooled", 193200}}}});
    c.birth = D(1953, 6, 2);
    cases.push_back({"Retired69Ratio", c, {},
                     {.policy_id = "130500-310-21-0-2020", .category = PersonCategory::kRetired,
                      .medfee = 300000, .inscp = 300000, .dedc = 90000,
                      .hifp = 189000, .fund_sum = 189000, .psn_part = 111000, .cash = 111000, .pool_prop = 9000,
                      .lines = {{.inscp = 300000}},
                      .funds = P1Funds(189000),
                      .deltas = {{"stay:130500.310.ip", 1}, {"cap:130500.310.pooled", 189000}}}});
  }
  return cases;
}

class EngineCaseTest : public ::testing::TestWithParam<Case> {};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

TEST_P(EngineCaseTest, BreakdownFieldByField) {
  const Case& tc = GetParam();
  const catalog::Catalog catalog = MakeCatalog();
  const policy::PolicyBook book = MakePolicies();
  const Result<Breakdown> r = Adjudicate(tc.claim, catalog, book, tc.ytd);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Breakdown& b = *r;
  const Expected& w = tc.want;

  EXPECT_EQ(b.policy_id, w.policy_id);
  EXPECT_EQ(b.category, w.category);
  EXPECT_EQ(b.filed_effective, w.filed_effective);
  EXPECT_EQ(b.unfiled_cut_bp, w.unfiled_cut_bp);
  EXPECT_EQ(b.medfee_sumamt_fen, w.medfee);
  EXPECT_EQ(b.fulamt_ownpay_amt_fen, w.fulamt);
  EXPECT_EQ(b.overlmt_selfpay_fen, w.overlmt);
  EXPECT_EQ(b.preselfpay_amt_fen, w.preselfpay);
  EXPECT_EQ(b.inscp_scp_amt_fen, w.inscp);
  EXPECT_EQ(b.act_pay_dedc_fen, w.dedc);
  EXPECT_EQ(b.hifp_pay_fen, w.hifp);
  EXPECT_EQ(b.cvlserv_pay_fen, w.cvlserv);
  EXPECT_EQ(b.hifes_pay_fen, w.hifes);
  EXPECT_EQ(b.hifmi_pay_fen, w.hifmi);
  EXPECT_EQ(b.hifob_pay_fen, w.hifob);
  EXPECT_EQ(b.maf_pay_fen, w.maf);
  EXPECT_EQ(b.oth_pay_fen, w.oth);
  EXPECT_EQ(b.fund_pay_sumamt_fen, w.fund_sum);
  EXPECT_EQ(b.psn_part_amt_fen, w.psn_part);
  EXPECT_EQ(b.acct_pay_fen, w.acct);
  EXPECT_EQ(b.psn_cash_pay_fen, w.cash);
  EXPECT_EQ(b.hosp_part_amt_fen, 0);
  EXPECT_EQ(b.balc_fen, w.balc);
  EXPECT_EQ(b.pool_prop_selfpay_bp, w.pool_prop);

  ASSERT_EQ(b.lines.size(), w.lines.size());
  for (size_t i = 0; i < w.lines.size(); ++i) {
    SCOPED_TRACE("line " + std::to_string(i + 1));
    const LineResult& l = b.lines[i];
    const ExpLine& e = w.lines[i];
    EXPECT_EQ(l.feedetl_sn, tc.claim.lines[i].feedetl_sn);
    EXPECT_EQ(l.med_list_codg, tc.claim.lines[i].med_list_codg);
    EXPECT_EQ(l.amount_fen, tc.claim.lines[i].amount_fen);
    EXPECT_EQ(l.listed, e.listed);
    EXPECT_EQ(l.charge_class, e.cls);
    EXPECT_EQ(l.fulamt_ownpay_fen, e.fulamt);
    EXPECT_EQ(l.overlmt_fen, e.overlmt);
    EXPECT_EQ(l.preselfpay_fen, e.preselfpay);
    EXPECT_EQ(l.inscp_fen, e.inscp);
    EXPECT_EQ(l.lmt_used, e.lmt_used);
    const ItemVersion* item = catalog.Find(tc.claim.mdtrtarea_admvs, l.med_list_codg, tc.claim.date);
    EXPECT_EQ(l.price_cap_fen, item ? item->price_cap_fen : std::nullopt);
    EXPECT_EQ(l.selfpay_prop_bp, item ? item->selfpay_prop_bp : 0);
  }

  ASSERT_EQ(b.funds.size(), w.funds.size());
  for (size_t i = 0; i < w.funds.size(); ++i) {
    SCOPED_TRACE("fund row " + std::to_string(i));
    EXPECT_EQ(b.funds[i].fund, w.funds[i].fund);
    EXPECT_EQ(b.funds[i].cap_left_fen, w.funds[i].cap_left);
    EXPECT_EQ(b.funds[i].pay_fen, w.funds[i].pay);
    EXPECT_EQ(b.funds[i].fund_pay_type, w.funds[i].fund == FundKind::kPooled ? "310100" : "330100");
    EXPECT_FALSE(b.funds[i].info.empty());
  }

  ASSERT_EQ(b.deltas.size(), w.deltas.size());
  for (size_t i = 0; i < w.deltas.size(); ++i) {
    EXPECT_EQ(b.deltas[i].key, w.deltas[i].key);
    EXPECT_EQ(b.deltas[i].value, w.deltas[i].value);
  }

  EXPECT_EQ(CheckIdentities(b), "");
  EXPECT_NE(b.trace.find("policy " + w.policy_id), std::string::npos) << b.trace;
  EXPECT_NE(b.trace.find(std::string(policy::CategoryName(w.category))), std::string::npos) << b.trace;
}

INSTANTIATE_TEST_SUITE_P(Cases, EngineCaseTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

// ---- Refusals.

struct ErrorCase {
  std::string name;
  Claim claim;
  std::string code;
};

std::vector<ErrorCase> ErrorCases() {
  std::vector<ErrorCase> out;
  Claim no_policy = BaseClaim({L("1", "XA-JIA", 1000)});
  no_policy.insuplc_admdvs = "140100";  // Taiyuan: no policy in the book
  out.push_back({"NoPolicy", no_policy, "XT-SETL-001"});
  Claim before_policy = BaseClaim({L("1", "XA-JIA", 1000)});
  before_policy.date = D(2019, 12, 31);  // the policies start on 2020-01-01
  out.push_back({"NoPolicyInForce", before_policy, "XT-SETL-001"});
  Claim no_type = BaseClaim({L("1", "XA-JIA", 1000)});
  no_type.psn_type = "9999";
  out.push_back({"UnknownPersonType", no_type, "XT-SETL-002"});
  Claim resident_on_employee = BaseClaim({L("1", "XA-JIA", 1000)});
  resident_on_employee.psn_type = "1404";  // the employee policy has no resident figures
  out.push_back({"CategoryNotInPolicy", resident_on_employee, "XT-SETL-002"});
  out.push_back({"NegativeTotal", BaseClaim({L("1", "XA-JIA", 1000), L("2", "XA-JIA", -1001, -10000)}),
                 "XT-SETL-003"});
  // medfee 50.00 >= 0, but the 丙 refund of 100.00 cancels nothing in this claim.
  out.push_back({"RefundExceedsCharges", BaseClaim({L("1", "XA-JIA", 15000), L("2", "XC-BING", -10000, -10000)}),
                 "XT-SETL-003"});
  return out;
}

class EngineErrorTest : public ::testing::TestWithParam<ErrorCase> {};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

TEST_P(EngineErrorTest, RefusedWithStableCode) {
  const ErrorCase& tc = GetParam();
  const Result<Breakdown> r = Adjudicate(tc.claim, MakeCatalog(), MakePolicies(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), tc.code) << r.status().ToString();
  EXPECT_FALSE(r.status().message().empty());
}

INSTANTIATE_TEST_SUITE_P(Errors, EngineErrorTest, ::testing::ValuesIn(ErrorCases()),
                         [](const ::testing::TestParamInfo<ErrorCase>& info) { return info.param.name; });

// ---- The trace, in full, for the overflow case: what an agency reads.

TEST(EngineTraceTest, OverflowTraceReadsStepByStep) {
  Claim c = BaseClaim({L("1", "XA-JIA", 2050000), L("2", "XC-BING", 10000)});
  c.acct_used = true;
  c.acct_balance_fen = 100000;
  const Accumulators ytd = {{"stay:130500.310.ip", 1}, {"cap:130500.310.pooled", 9000000}};
  const Result<Breakdown> r = Adjudicate(c, MakeCatalog(), MakePolicies(), ytd);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->trace,
            "1 明细 lines: 2 (not listed 0, 丙 1, 乙 0, over price cap 0, refund 0) in the 120000 catalogue on "
            "2023-06-01; medfee 20600.00 = 全自费 fulamt_ownpay 100.00 + 超限价 overlmt 0.00 + 先行自付 preselfpay "
            "0.00 + 范围内 inscp 20500.00\n"
            "2 政策 policy 130500-310-21-0-2020 (sample); category in_service (psn_type 1101); filed 已备案\n"
            "3 起付线 deductible (per stay): stay 2 this year, policy 500.00, applied 500.00\n"
            "4 分段 bands (claim basis): payable [500.00, 20500.00) = 20000.00\n"
            "4.1 band [0.00, 30000.00) segment [500.00, 20500.00) pooled 85.00%: amount 20000.00, pay 10000.00 on "
            "11764.70, cap hit 达到封顶 (annual cap 100000.00); above the cap large_amount 80.00%: amount 8235.30, "
            "pay 6588.24\n"
            "5 基金 funds: pooled 310100 pays 10000.00 (cap left 10000.00 -> 0.00), large_amount 330100 pays "
            "6588.24 (cap left 300000.00 -> 293411.76); total 16588.24\n"
            "6 个人 person: part 4011.76; 个人账户 account: balance 1000.00, pays 1000.00, left 0.00; 现金 cash "
            "3011.76\n");
  ASSERT_EQ(r->funds.size(), 2u);
  EXPECT_EQ(r->funds[0].info,
            "band [0.00, 30000.00) 11764.70 at 85.00% = 10000.00, cap 100000.00 reached");
  EXPECT_EQ(r->funds[1].info, "band [0.00, 30000.00) above the pooled cap 8235.30 at 80.00% = 6588.24");
  // Each fund's inscp_scp_amt: the in-scope amount it paid its share of;
  // together, the payable amount.
  EXPECT_EQ(r->funds[0].inscp_fen, 1176470);
  EXPECT_EQ(r->funds[1].inscp_fen, 823530);
}

TEST(EngineTraceTest, YearDeductibleStepMatchesTheDocumentedForm) {
  Claim c = BaseClaim({L("1", "XA-JIA", 100000)});
  c.med_type = "11";
  const Result<Breakdown> r = Adjudicate(c, MakeCatalog(), MakePolicies(), {{"ded:130000.310.op", 50000}});
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->trace.find("3 起付线 deductible (per year): policy 800.00, used this year 500.00, applied 300.00\n"),
            std::string::npos)
      << r->trace;
}

TEST(EngineTraceTest, UnfiledAndAboveTheCapAreNamed) {
  Claim c = BaseClaim({L("1", "XA-JIA", 100000)});
  c.med_type = "11";
  c.filed = false;
  c.date = D(2023, 1, 5);
  const Accumulators ytd = {{"ded:130000.310.op", 80000}, {"cap:130000.310.op.pooled", 880000}};
  const Result<Breakdown> r = Adjudicate(c, MakeCatalog(), MakePolicies(), ytd);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->trace.find("unfiled 未备案 cross-province trip: every ratio cut by 10.00 points"), std::string::npos)
      << r->trace;
  EXPECT_NE(r->trace.find("above the cap is the person's"), std::string::npos) << r->trace;
}

// ---- Identities and determinism on the fixture's cases.

TEST(EngineTest, SameClaimTwiceGivesTheSameBreakdown) {
  const catalog::Catalog catalog = MakeCatalog();
  const policy::PolicyBook book = MakePolicies();
  for (const Case& tc : Cases()) {
    const Result<Breakdown> a = Adjudicate(tc.claim, catalog, book, tc.ytd);
    const Result<Breakdown> b = Adjudicate(tc.claim, catalog, book, tc.ytd);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->trace, b->trace);
    EXPECT_EQ(a->fund_pay_sumamt_fen, b->fund_pay_sumamt_fen);
  }
}

TEST(EngineTest, RefundExactlyCancelsItsLine) {
  // A 乙 line over its cap and its refund: every part negates exactly.
  const Result<Breakdown> r =
      Adjudicate(BaseClaim({L("1", "XB-CAP", 33333, 30000), L("2", "XB-CAP", -33333, -30000)}), MakeCatalog(),
                 MakePolicies(), {});
  ASSERT_TRUE(r.ok());
  const LineResult& a = r->lines[0];
  const LineResult& b = r->lines[1];
  EXPECT_EQ(a.overlmt_fen, -b.overlmt_fen);
  EXPECT_EQ(a.preselfpay_fen, -b.preselfpay_fen);
  EXPECT_EQ(a.inscp_fen, -b.inscp_fen);
  EXPECT_EQ(r->medfee_sumamt_fen, 0);
  EXPECT_EQ(r->inscp_scp_amt_fen, 0);
  EXPECT_EQ(r->fund_pay_sumamt_fen, 0);
  EXPECT_EQ(r->psn_part_amt_fen, 0);
}

TEST(EngineTest, CheckIdentitiesNamesWhatFailed) {
  const Result<Breakdown> r = Adjudicate(BaseClaim({L("1", "XA-JIA", 300000)}), MakeCatalog(), MakePolicies(), {});
  ASSERT_TRUE(r.ok());
  Breakdown b = *r;
  EXPECT_EQ(CheckIdentities(b), "");
  b.psn_cash_pay_fen += 1;
  EXPECT_NE(CheckIdentities(b).find("psn_cash"), std::string::npos);
  b = *r;
  b.funds[0].pay_fen = b.funds[0].cap_left_fen + 1;
  EXPECT_NE(CheckIdentities(b).find("cap left"), std::string::npos);
}

TEST(EngineTest, SplitLineAnswersAsTheClaimDoes) {
  // The fee-detail upload's answer for a line is the same split the
  // settlement makes of it later.
  const catalog::Catalog catalog = MakeCatalog();
  const Claim c =
      BaseClaim({L("1", "XB-CAP", 16000, 15000), L("2", "NOT-LISTED", 700), L("3", "XC-BING", -300, -10000)});
  const LineResult one = SplitLine(c.lines[0], catalog, "120104", c.date);  // any code of the province
  EXPECT_EQ(one.feedetl_sn, "1");
  EXPECT_TRUE(one.listed);
  EXPECT_EQ(one.charge_class, ChargeClass::kB);
  EXPECT_EQ(one.price_cap_fen, std::optional<Fen>(10000));
  EXPECT_EQ(one.selfpay_prop_bp, 500);
  EXPECT_EQ(one.overlmt_fen, 1000);  // cap 100.00 x 1.5 = 150.00 of 160.00
  EXPECT_EQ(one.preselfpay_fen, 750);
  EXPECT_EQ(one.inscp_fen, 14250);
  EXPECT_TRUE(one.lmt_used);
  const LineResult two = SplitLine(c.lines[1], catalog, "120000", c.date);
  EXPECT_FALSE(two.listed);
  EXPECT_EQ(two.fulamt_ownpay_fen, 700);
  const LineResult three = SplitLine(c.lines[2], catalog, "120000", c.date);
  EXPECT_EQ(three.fulamt_ownpay_fen, -300);
  // Not listed before the catalogue's versions begin.
  EXPECT_FALSE(SplitLine(c.lines[0], catalog, "120000", D(2019, 12, 31)).listed);
}

// ---- Partial refunds: a refund leaves the claim exactly as if the refunded
// quantity had never been charged.

// The claim's figures that a refund must leave as they were.
std::vector<Fen> Totals(const Breakdown& b) {
  return {b.medfee_sumamt_fen, b.fulamt_ownpay_amt_fen, b.overlmt_selfpay_fen, b.preselfpay_amt_fen,
          b.inscp_scp_amt_fen, b.act_pay_dedc_fen,      b.hifp_pay_fen,        b.hifob_pay_fen,
          b.fund_pay_sumamt_fen, b.psn_part_amt_fen,    b.psn_cash_pay_fen};
}

TEST(EngineRefundTest, ChargeOfTwoRefundedAsTwoOnesIsAsIfNeverCharged) {
  // 乙 XB-YI at 10%: 2 x 12.35 = 24.70 -> upfront 2.47. Refunding it one unit
  // at a time as if each unit were a line of its own (-1.24 twice) would
  // leave -0.01 in upfront self-pay and +0.01 in scope: 9.99 and 90.01
  // beside a 100.00 line. Each refund instead takes what brings the item to
  // the split of what is left of it: -1.23 (24.70 -> 12.35: 2.47 -> 1.24),
  // then -1.24 (12.35 -> 0).
  const catalog::Catalog catalog = MakeCatalog();
  const policy::PolicyBook book = MakePolicies();
  const Result<Breakdown> with = Adjudicate(BaseClaim({L("1", "XB-YI", 10000), L("2", "XB-YI", 2470, 20000),
                                                       L("3", "XB-YI", -1235, -10000), L("4", "XB-YI", -1235, -10000)}),
                                            catalog, book, {});
  const Result<Breakdown> without = Adjudicate(BaseClaim({L("1", "XB-YI", 10000)}), catalog, book, {});
  ASSERT_TRUE(with.ok()) << with.status().ToString();
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(with->preselfpay_amt_fen, 1000);
  EXPECT_EQ(with->inscp_scp_amt_fen, 9000);
  EXPECT_EQ(Totals(*with), Totals(*without));
  EXPECT_EQ(with->lines[2].preselfpay_fen, -123);
  EXPECT_EQ(with->lines[2].inscp_fen, -1112);
  EXPECT_EQ(with->lines[3].preselfpay_fen, -124);
  EXPECT_EQ(with->lines[3].inscp_fen, -1111);
  EXPECT_EQ(CheckIdentities(*with), "");
}

TEST(EngineRefundTest, PartialRefundsWithoutAnotherLineOfTheClassAreAccepted) {
  // The same refunds with no other 乙 line: the item nets to nothing, so the
  // claim is the 甲 line alone (refused with XT-SETL-003 before items were
  // netted, because the 乙 part went to -0.01).
  const Result<Breakdown> r = Adjudicate(BaseClaim({L("1", "XA-JIA", 100000), L("2", "XB-YI", 2470, 20000),
                                                    L("3", "XB-YI", -1235, -10000), L("4", "XB-YI", -1235, -10000)}),
                                         MakeCatalog(), MakePolicies(), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->preselfpay_amt_fen, 0);
  EXPECT_EQ(r->inscp_scp_amt_fen, 100000);
}

TEST(EngineRefundTest, EveryWayOfRefundingLeavesTheRestAsIfChargedAlone) {
  // Table: an item charged in lines of the given counts, then refunded in
  // lines of the given counts (at the same unit price), against the claim
  // holding only what is left, charged as the lines the refunds did not
  // cancel. Over every unit price of a range, for a 乙 item (rounding of the
  // upfront share) and a capped 乙 item (rounding of the cap).
  struct Way {
    std::vector<int> charges;
    std::vector<int> refunds;
    std::vector<int> left;  // the charge lines as they would stand
  };
  const std::vector<Way> ways = {
      {{2}, {1, 1}, {}},          {{3}, {1}, {2}},       {{3}, {1, 2}, {}},       {{1, 1, 1}, {1}, {1, 1}},
      {{2, 1}, {2}, {1}},         {{2, 1}, {1}, {2}},    {{4}, {1, 1, 1}, {1}},   {{5, 3}, {3, 5}, {}},
  };
  const catalog::Catalog catalog = MakeCatalog();
  const policy::PolicyBook book = MakePolicies();
  for (const char* code : {"XB-YI", "XB-CAP"}) {
    for (Fen unit = 1233; unit <= 12357; unit += 1031) {
      for (const Way& w : ways) {
        std::vector<ClaimLine> lines = {L("0", "XA-JIA", 500000)};
        std::vector<ClaimLine> kept = lines;
        int sn = 1;
        for (int n : w.charges) lines.push_back(L(std::to_string(sn++), code, unit * n, n * 10000));
        for (int n : w.refunds) lines.push_back(L(std::to_string(sn++), code, -unit * n, -n * 10000));
        for (int n : w.left) kept.push_back(L(std::to_string(sn++), code, unit * n, n * 10000));
        const Result<Breakdown> a = Adjudicate(BaseClaim(lines), catalog, book, {});
        const Result<Breakdown> b = Adjudicate(BaseClaim(kept), catalog, book, {});
        ASSERT_TRUE(a.ok() && b.ok()) << code << " " << unit;
        EXPECT_EQ(Totals(*a), Totals(*b)) << code << " unit " << unit << " charges " << w.charges.size();
        EXPECT_EQ(CheckIdentities(*a), "");
      }
    }
  }
}

TEST(EngineRefundTest, RefundBeyondTheItemsChargesIsRefused) {
  // 2 x 12.35 charged, 3 x 12.35 refunded: the item nets below zero, even
  // though the claim's total (with the 甲 line) is positive.
  const Result<Breakdown> r = Adjudicate(BaseClaim({L("1", "XA-JIA", 100000), L("2", "XB-YI", 2470, 20000),
                                                    L("3", "XB-YI", -3705, -30000)}),
                                         MakeCatalog(), MakePolicies(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "XT-SETL-003");
  EXPECT_NE(r.status().message().find("XB-YI"), std::string::npos);
}

// ---- Which catalogue classes a line: the one in force on its fee's date.

TEST(EngineTest, LinesAreClassedByTheirFeesDate) {
  // XV-NEW is 乙 (20%) until 2023-12-31 and 甲 from 2024-01-01. Fees of
  // 2023-12-31 settled at 00:00 on 2024-01-01 are split as the upload split
  // them: by the 2023 version.
  catalog::Catalog catalog = MakeCatalog();
  ItemVersion old_version = Item("XV-NEW", ChargeClass::kB, std::nullopt, 2000);
  old_version.validity = Validity{D(2020, 1, 1), D(2024, 1, 1)};
  ItemVersion new_version = Item("XV-NEW", ChargeClass::kA);
  new_version.validity = Validity{D(2024, 1, 1), std::nullopt};
  ASSERT_TRUE(catalog.Add("120000", old_version).ok());
  ASSERT_TRUE(catalog.Add("120000", new_version).ok());
  Claim c = BaseClaim({L("1", "XV-NEW", 100000), L("2", "XV-NEW", 50000)});
  c.date = D(2024, 1, 1);
  c.lines[0].fee_date = D(2023, 12, 31);
  c.lines[1].fee_date = D(2024, 1, 1);
  const Result<Breakdown> r = Adjudicate(c, catalog, MakePolicies(), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->lines[0].charge_class, ChargeClass::kB);
  EXPECT_EQ(r->lines[0].preselfpay_fen, 20000);
  EXPECT_EQ(r->lines[1].charge_class, ChargeClass::kA);
  EXPECT_EQ(r->preselfpay_amt_fen, 20000);
  EXPECT_EQ(r->inscp_scp_amt_fen, 130000);
  // The upload answered the same split for each line.
  for (size_t i = 0; i < c.lines.size(); ++i) {
    const LineResult up = SplitLine(c.lines[i], catalog, "120000", *c.lines[i].fee_date);
    EXPECT_EQ(up.charge_class, r->lines[i].charge_class);
    EXPECT_EQ(up.preselfpay_fen, r->lines[i].preselfpay_fen);
    EXPECT_EQ(up.inscp_fen, r->lines[i].inscp_fen);
  }
  const std::vector<LineResult> all = SplitLines(c.lines, catalog, "120000", c.date, nullptr);
  EXPECT_EQ(all[0].preselfpay_fen, r->lines[0].preselfpay_fen);
  EXPECT_NE(r->trace.find("catalogue of each fee's date (2023-12-31 to 2024-01-01)"), std::string::npos) << r->trace;
}

// ---- Decisions (docs/settlement.md, "Decisions").

TEST(EngineTest, StayWithNothingInScopeIsNotTheYearsFirstStay) {
  // A stay whose lines net to 0.00 (charged and refunded), or hold only
  // self-paid items, applied no deductible: it does not count as a stay, so
  // the next stay still has the first-stay deductible (1000.00).
  for (const std::vector<ClaimLine>& lines :
       {std::vector<ClaimLine>{L("1", "XA-JIA", 50000), L("2", "XA-JIA", -50000, -10000)},
        std::vector<ClaimLine>{L("1", "XC-BING", 30000)}}) {
    const Result<Breakdown> r = Adjudicate(BaseClaim(lines), MakeCatalog(), MakePolicies(), {});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->act_pay_dedc_fen, 0);
    EXPECT_EQ(AccumValue(r->deltas, "stay:130500.310.ip"), 0);
    EXPECT_EQ(r->pool_prop_selfpay_bp, 0) << "nothing payable: no ratio paid";
  }
  const Result<Breakdown> next =
      Adjudicate(BaseClaim({L("1", "XA-JIA", 200000)}), MakeCatalog(), MakePolicies(), {});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->act_pay_dedc_fen, 100000);
  EXPECT_EQ(AccumValue(next->deltas, "stay:130500.310.ip"), 1);
}

TEST(EngineTest, AccumValueSumsMatchingKeysOnly) {
  const Accumulators acc = {{"ded:a", 5}, {"ded:ab", 7}, {"ded:a", 2}, {"cap:a", 11}};
  EXPECT_EQ(AccumValue(acc, "ded:a"), 7);
  EXPECT_EQ(AccumValue(acc, "cap:a"), 11);
  EXPECT_EQ(AccumValue(acc, "stay:a"), 0);
}

}  // namespace
}  // namespace xt::settle
