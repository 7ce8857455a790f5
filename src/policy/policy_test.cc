// The policy book: the most specific policy in force, refusals of
// overlapping or malformed policies, 视同备案 rules, person categories.
#include "policy/policy.h"

#include <gtest/gtest.h>

namespace xt::policy {
namespace {

Date D(int y, int m, int d) { return Date::FromCivil(y, m, d); }

// A minimal valid policy: one open band paid by the pooled fund.
Policy P(std::string id, std::string region, int hosp_lv, Validity v, std::string med_type = "21") {
  Policy p;
  p.id = std::move(id);
  p.insuplc_admdvs = std::move(region);
  p.insutype = "310";
  p.med_type = std::move(med_type);
  p.hosp_lv = hosp_lv;
  p.validity = v;
  p.deductible.accum_key = "k";
  p.deductible.first_fen[0] = 100;
  Band b;
  b.upper_fen = INT64_MAX;
  b.ratio_bp[0] = 9000;
  p.bands = {b};
  p.funds = {{FundKind::kPooled, "310100", 1000000, "cap", std::nullopt, {}}};
  return p;
}

const Validity kAlways{D(2019, 1, 1), std::nullopt};

TEST(PolicyTest, FindPrefersCityThenProvinceAndExactLevelThenAny) {
  PolicyBook book;
  ASSERT_TRUE(book.Add(P("prov-any", "130000", 0, kAlways)).ok());
  ASSERT_TRUE(book.Add(P("prov-3", "130000", 3, kAlways)).ok());
  ASSERT_TRUE(book.Add(P("xingtai-any", "130500", 0, kAlways)).ok());
  ASSERT_TRUE(book.Add(P("xingtai-2", "130500", 2, kAlways)).ok());
  struct Row {
    std::string region;
    int lv;
    std::string want;  // "" = none
  };
  const Row rows[] = {
      {"130500", 2, "xingtai-2"},     // city, exact level
      {"130500", 3, "xingtai-any"},   // the city's any-level beats the province's exact level
      {"130503", 2, "xingtai-2"},     // a district of Xingtai: its city first
      {"130100", 3, "prov-3"},        // Shijiazhuang has none: the province, exact level
      {"130100", 1, "prov-any"},      // the province, any level
      {"130000", 3, "prov-3"},
      {"110000", 3, ""},              // no Beijing policy
      {"x", 3, ""},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.region + " level " + std::to_string(r.lv));
    const Policy* p = book.Find(r.region, "310", "21", r.lv, D(2023, 6, 1));
    ASSERT_EQ(p != nullptr, !r.want.empty());
    if (p) {
      EXPECT_EQ(p->id, r.want);
    }
  }
  EXPECT_EQ(book.Find("130500", "390", "21", 2, D(2023, 6, 1)), nullptr);  // other insutype
  EXPECT_EQ(book.Find("130500", "310", "11", 2, D(2023, 6, 1)), nullptr);  // other visit type
}

TEST(PolicyTest, FindTakesTheVersionInForce) {
  PolicyBook book;
  ASSERT_TRUE(book.Add(P("v2024", "130100", 0, {D(2024, 1, 1), std::nullopt})).ok());
  ASSERT_TRUE(book.Add(P("v2019", "130100", 0, {D(2019, 1, 1), D(2024, 1, 1)})).ok());
  ASSERT_TRUE(book.Add(P("prov", "130000", 0, {D(2010, 1, 1), std::nullopt})).ok());
  EXPECT_EQ(book.Find("130100", "310", "21", 3, D(2023, 12, 31))->id, "v2019");
  EXPECT_EQ(book.Find("130100", "310", "21", 3, D(2024, 1, 1))->id, "v2024");
  // Before the city's versions begin, the province's applies.
  EXPECT_EQ(book.Find("130100", "310", "21", 3, D(2018, 1, 1))->id, "prov");
  EXPECT_EQ(book.Find("130100", "310", "21", 3, D(2009, 1, 1)), nullptr);
}

TEST(PolicyTest, RefusesOverlappingPeriodsForTheSameKey) {
  PolicyBook book;
  ASSERT_TRUE(book.Add(P("a", "110000", 1, {D(2019, 1, 1), D(2023, 1, 1)})).ok());
  EXPECT_EQ(book.Add(P("b", "110000", 1, {D(2022, 6, 1), std::nullopt})).code(), "XT-DATA-004");
  // Touching periods, another level, another visit type: all fine.
  EXPECT_TRUE(book.Add(P("c", "110000", 1, {D(2023, 1, 1), std::nullopt})).ok());
  EXPECT_TRUE(book.Add(P("d", "110000", 2, kAlways)).ok());
  EXPECT_TRUE(book.Add(P("e", "110000", 1, kAlways, "11")).ok());
  EXPECT_EQ(book.policies().size(), 4u);
}

TEST(PolicyTest, RefusesMalformedPolicies) {
  // Codes as the loaders use them: 003 invalid value, 004 duplicate, 005
  // reference to nothing.
  struct Row {
    std::string name;
    Policy policy;
    std::string code;
  };
  std::vector<Row> rows;
  {
    Policy p = P("ratio", "110000", 0, kAlways);
    p.bands[0].ratio_bp[1] = 10001;
    rows.push_back({"ratio above 100%", p, "XT-DATA-003"});
  }
  {
    Policy p = P("order", "110000", 0, kAlways);
    Band low = p.bands[0];
    low.upper_fen = 500;
    p.bands.push_back(low);  // INT64_MAX then 500
    rows.push_back({"bands not ascending", p, "XT-DATA-003"});
  }
  {
    Policy p = P("nofund", "110000", 0, kAlways);
    p.bands[0].fund = FundKind::kLargeAmount;
    rows.push_back({"band fund without a layer", p, "XT-DATA-005"});
  }
  {
    Policy p = P("loop", "110000", 0, kAlways);
    p.funds[0].overflow_to = FundKind::kLargeAmount;
    p.funds.push_back({FundKind::kLargeAmount, "330100", 100, "cap2", FundKind::kPooled, {}});
    rows.push_back({"overflow loop", p, "XT-DATA-003"});
  }
  {
    Policy p = P("dangling", "110000", 0, kAlways);
    p.funds[0].overflow_to = FundKind::kLargeAmount;
    rows.push_back({"overflow to a missing layer", p, "XT-DATA-005"});
  }
  {
    Policy p = P("twice", "110000", 0, kAlways);
    p.funds.push_back(p.funds[0]);
    rows.push_back({"fund named twice", p, "XT-DATA-004"});
  }
  {
    Policy p = P("basis", "110000", 0, kAlways);
    p.band_basis = BandBasis::kYear;
    rows.push_back({"year basis without key", p, "XT-DATA-003"});
  }
  {
    Policy p = P("empty", "110000", 0, {D(2020, 1, 1), D(2020, 1, 1)});
    rows.push_back({"empty period", p, "XT-DATA-003"});
  }
  for (Row& r : rows) {
    PolicyBook book;
    EXPECT_EQ(book.Add(r.policy).code(), r.code) << r.name;
    EXPECT_TRUE(book.policies().empty()) << r.name;
  }
  PolicyBook book;
  ASSERT_TRUE(book.Add(P("same", "110000", 1, kAlways)).ok());
  EXPECT_EQ(book.Add(P("same", "120000", 1, kAlways)).code(), "XT-DATA-004");  // id used twice
}

TEST(PolicyTest, DeemedFiledInsideTheRegionsFromTheDay) {
  PolicyBook book;
  book.AddDeemedFiled({{"110000", "120000", "130000"}, {"11", "21"}, {D(2023, 4, 1), std::nullopt}, "test"});
  EXPECT_NE(book.DeemedFiled("130500", "120000", "21", D(2023, 4, 1)), nullptr);
  EXPECT_NE(book.DeemedFiled("110000", "130104", "11", D(2024, 1, 1)), nullptr);
  EXPECT_EQ(book.DeemedFiled("130500", "120000", "21", D(2023, 3, 31)), nullptr);  // the day before
  EXPECT_EQ(book.DeemedFiled("130500", "120000", "14", D(2023, 6, 1)), nullptr);   // chronic disease
  EXPECT_EQ(book.DeemedFiled("140100", "120000", "21", D(2023, 6, 1)), nullptr);   // insured in Shanxi
  EXPECT_EQ(book.DeemedFiled("130500", "310000", "21", D(2023, 6, 1)), nullptr);   // treated in Shanghai
}

TEST(PolicyTest, CategoryOfTypeAndAge) {
  const Date on = D(2023, 6, 1);
  struct Row {
    std::string psn_type;
    Date birth;
    std::optional<PersonCategory> want;
  };
  const Row rows[] = {
      {"1101", D(1980, 1, 1), PersonCategory::kInService},
      {"1102", D(1960, 1, 1), PersonCategory::kInService},   // flexible employment, age does not matter
      {"1201", D(1953, 6, 2), PersonCategory::kRetired},     // 69 the day before the birthday
      {"1201", D(1953, 6, 1), PersonCategory::kRetired70},   // 70 on the day
      {"1300", D(1940, 1, 1), PersonCategory::kRetired70},   // retired cadre, as retired
      {"1401", D(1990, 1, 1), PersonCategory::kResidentMinor},  // the code decides
      {"1402", D(2000, 1, 1), PersonCategory::kResidentMinor},  // student
      {"1404", D(2005, 6, 2), PersonCategory::kResidentMinor},  // 17
      {"1404", D(2005, 6, 1), PersonCategory::kResidentAdult},  // 18
      {"1404", D(1963, 6, 2), PersonCategory::kResidentAdult},  // 59
      {"1404", D(1963, 6, 1), PersonCategory::kResidentElderly},  // 60
      {"1403", D(1990, 1, 1), PersonCategory::kResidentAdult},  // by age, whatever the code says
      {"9999", D(1980, 1, 1), std::nullopt},
      {"1101", D(2024, 1, 1), std::nullopt},  // born after the date
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.psn_type + " " + r.birth.ToString());
    EXPECT_EQ(CategoryOf(r.psn_type, r.birth, on), r.want);
  }
}

TEST(PolicyTest, NamesRoundTrip) {
  for (size_t i = 0; i < kCategoryCount; ++i) {
    const auto c = static_cast<PersonCategory>(i);
    EXPECT_EQ(CategoryFromName(CategoryName(c)), c);
  }
  for (size_t i = 0; i < kFundKindCount; ++i) {
    const auto f = static_cast<FundKind>(i);
    EXPECT_EQ(FundKindFromName(FundKindName(f)), f);
  }
  EXPECT_EQ(CategoryName(PersonCategory::kRetired70), "retired_70");
  EXPECT_EQ(FundKindName(FundKind::kLargeAmount), "large_amount");
  EXPECT_EQ(CategoryFromName("nobody"), std::nullopt);
  EXPECT_EQ(FundKindFromName("nobody"), std::nullopt);
}

}  // namespace
}  // namespace xt::policy
