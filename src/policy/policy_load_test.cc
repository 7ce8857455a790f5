// The policy loader: data/policies.json loads, every insurance region x
// insutype x med_type x level finds a policy on both sides of the 2023-04-01
// 视同备案 date, published figures are where DOMAIN.md puts them; and each
// kind of bad document is refused with its code.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "policy/policy.h"

namespace xt::policy {
namespace {

using Json = nlohmann::json;

std::string ReadDataFile(const std::string& name) {
  std::ifstream in(std::string(XT_SOURCE_DIR) + "/data/" + name, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open data/" << name;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Date D(int y, int m, int d) { return Date::FromCivil(y, m, d); }
constexpr size_t kInService = static_cast<size_t>(PersonCategory::kInService);
constexpr size_t kRetired = static_cast<size_t>(PersonCategory::kRetired);
constexpr size_t kRetired70 = static_cast<size_t>(PersonCategory::kRetired70);
constexpr size_t kMinor = static_cast<size_t>(PersonCategory::kResidentMinor);
constexpr size_t kAdult = static_cast<size_t>(PersonCategory::kResidentAdult);

class PolicyDataTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    book_ = new PolicyBook;
    const Status s = LoadPolicyJson(ReadDataFile("policies.json"), book_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  static void TearDownTestSuite() {
    delete book_;
    book_ = nullptr;
  }
  static const FundLayer* Layer(const Policy& p, FundKind f) {
    for (const FundLayer& l : p.funds) {
      if (l.fund == f) return &l;
    }
    return nullptr;
  }
  static PolicyBook* book_;
};
PolicyBook* PolicyDataTest::book_ = nullptr;

TEST_F(PolicyDataTest, EveryRegionTypeVisitAndLevelFindsAPolicy) {
  for (const char* region : {"110000", "120000", "130000", "130100", "130500"}) {
    for (const char* insutype : {"310", "390"}) {
      for (const char* med_type : {"11", "21"}) {
        for (int lv : {1, 2, 3}) {
          for (Date on : {D(2023, 3, 1), D(2024, 6, 1)}) {
            const Policy* p = book_->Find(region, insutype, med_type, lv, on);
            ASSERT_NE(p, nullptr) << region << " " << insutype << " " << med_type << " lv" << lv << " "
                                  << on.ToString();
            EXPECT_EQ(p->insutype, insutype);
            EXPECT_EQ(p->med_type, med_type);
            EXPECT_TRUE(p->hosp_lv == lv || p->hosp_lv == 0);
            EXPECT_FALSE(p->source.empty());
            // Each policy names its own region: none of these five falls back.
            EXPECT_EQ(p->insuplc_admdvs, region) << p->id;
            EXPECT_TRUE(p->validity.Contains(on)) << p->id;
          }
        }
      }
    }
  }
}

TEST_F(PolicyDataTest, OtherHebeiCitiesFallBackToTheProvince) {
  const Policy* p = book_->Find("130300", "310", "21", 2, D(2024, 6, 1));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->insuplc_admdvs, "130000");
  EXPECT_TRUE(p->sample);
  // A district code finds its city's policy.
  const Policy* xt = book_->Find("130503", "310", "11", 3, D(2024, 6, 1));
  ASSERT_NE(xt, nullptr);
  EXPECT_EQ(xt->id, "130500-310-11-0-2019");
  EXPECT_EQ(book_->Find("140100", "310", "21", 3, D(2024, 6, 1)), nullptr);
}

TEST_F(PolicyDataTest, ShijiazhuangChangesVersionOn2024) {
  const Policy* before = book_->Find("130100", "310", "21", 1, D(2023, 12, 31));
  const Policy* after = book_->Find("130100", "310", "21", 1, D(2024, 1, 1));
  ASSERT_TRUE(before && after);
  EXPECT_EQ(before->id, "130100-310-21-1-2019");
  EXPECT_TRUE(before->sample);
  EXPECT_EQ(after->id, "130100-310-21-1-2024");
  EXPECT_FALSE(after->sample);
  // Published 2024: level 1 deductible 100, 98%; retired not below 100, 3 points higher (capped at 100%).
  EXPECT_EQ(after->deductible.first_fen[kInService], 10000);
  EXPECT_EQ(after->deductible.first_fen[kRetired], 10000);
  EXPECT_EQ(after->bands[0].ratio_bp[kInService], 9800);
  EXPECT_EQ(after->bands[0].ratio_bp[kRetired], 10000);
  const Policy* lv3 = book_->Find("130100", "310", "21", 3, D(2024, 6, 1));
  ASSERT_NE(lv3, nullptr);
  EXPECT_EQ(lv3->deductible.first_fen[kInService], 60000);
  EXPECT_EQ(lv3->deductible.first_fen[kRetired], 50000);
  EXPECT_EQ(lv3->bands[0].ratio_bp[kInService], 8500);
  EXPECT_EQ(lv3->bands[0].ratio_bp[kRetired], 8800);
}

TEST_F(PolicyDataTest, BeijingEmployeeInpatientIsThePublishedTable) {
  const Policy* p = book_->Find("110000", "310", "21", 3, D(2024, 6, 1));
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(p->sample);
  EXPECT_EQ(p->deductible.period, DeductiblePeriod::kStay);
  EXPECT_EQ(p->deductible.first_fen[kInService], 130000);
  EXPECT_EQ(p->deductible.later_fen[kRetired], 65000);
  ASSERT_EQ(p->bands.size(), 4u);
  EXPECT_EQ(p->bands[0].upper_fen, 3000000);
  EXPECT_EQ(p->bands[0].ratio_bp[kInService], 8500);
  EXPECT_EQ(p->bands[0].ratio_bp[kRetired], 9550);
  EXPECT_EQ(p->bands[2].upper_fen, 10000000);
  EXPECT_EQ(p->bands[2].ratio_bp[kRetired70], 9850);
  EXPECT_EQ(p->bands[3].fund, FundKind::kLargeAmount);
  EXPECT_EQ(p->bands[3].upper_fen, std::numeric_limits<Fen>::max());
  EXPECT_EQ(p->bands[3].ratio_bp[kInService], 8500);
  EXPECT_EQ(p->bands[3].ratio_bp[kRetired], 9000);
  const FundLayer* pooled = Layer(*p, FundKind::kPooled);
  const FundLayer* large = Layer(*p, FundKind::kLargeAmount);
  ASSERT_TRUE(pooled && large);
  EXPECT_EQ(pooled->fund_pay_type, "310100");
  EXPECT_EQ(pooled->annual_cap_fen, 10000000);
  EXPECT_EQ(pooled->overflow_to, FundKind::kLargeAmount);
  EXPECT_EQ(large->fund_pay_type, "330100");
  EXPECT_EQ(large->annual_cap_fen, 40000000);
  // One cap for all levels of the region's employee inpatient care.
  const Policy* lv1 = book_->Find("110000", "310", "21", 1, D(2024, 6, 1));
  ASSERT_NE(lv1, nullptr);
  EXPECT_EQ(Layer(*lv1, FundKind::kPooled)->cap_key, pooled->cap_key);
  EXPECT_EQ(lv1->deductible.accum_key, p->deductible.accum_key);
  EXPECT_EQ(lv1->bands[0].ratio_bp[kInService], 9000);
}

TEST_F(PolicyDataTest, OtherPublishedFigures) {
  const Date on = D(2024, 6, 1);
  const Policy* bj_out = book_->Find("110000", "310", "11", 2, on);
  ASSERT_NE(bj_out, nullptr);
  EXPECT_EQ(bj_out->deductible.period, DeductiblePeriod::kYear);
  EXPECT_EQ(bj_out->deductible.first_fen[kInService], 180000);
  EXPECT_EQ(bj_out->deductible.first_fen[kRetired], 130000);
  EXPECT_EQ(bj_out->bands[0].ratio_bp[kRetired70], 9000);
  EXPECT_EQ(bj_out->bands[1].ratio_bp[kInService], 6000);
  EXPECT_EQ(Layer(*bj_out, FundKind::kPooled)->annual_cap_fen, 2000000);

  const Policy* bj_res = book_->Find("110000", "390", "21", 2, on);
  ASSERT_NE(bj_res, nullptr);
  EXPECT_EQ(bj_res->deductible.first_fen[kAdult], 80000);
  EXPECT_EQ(bj_res->deductible.first_fen[kMinor], 40000);
  EXPECT_EQ(bj_res->deductible.later_fen[kAdult], 40000);
  EXPECT_EQ(bj_res->bands[0].ratio_bp[kAdult], 7800);
  EXPECT_EQ(Layer(*bj_res, FundKind::kPooled)->fund_pay_type, "390100");
  EXPECT_EQ(Layer(*bj_res, FundKind::kPooled)->annual_cap_fen, 25000000);
  EXPECT_EQ(Layer(*bj_res, FundKind::kPooled)->overflow_to, FundKind::kCriticalIllness);
  EXPECT_EQ(Layer(*bj_res, FundKind::kCriticalIllness)->fund_pay_type, "390200");

  const Policy* tj_in = book_->Find("120000", "310", "21", 2, on);
  ASSERT_NE(tj_in, nullptr);
  EXPECT_EQ(tj_in->deductible.first_fen[kInService], 110000);
  EXPECT_EQ(tj_in->deductible.later_fen[kInService], 35000);
  EXPECT_EQ(Layer(*tj_in, FundKind::kPooled)->annual_cap_fen, 15000000);
  EXPECT_EQ(Layer(*tj_in, FundKind::kLargeAmount)->annual_cap_fen, 35000000);

  const Policy* tj_out = book_->Find("120000", "310", "11", 1, on);
  ASSERT_NE(tj_out, nullptr);
  EXPECT_EQ(tj_out->deductible.first_fen[kRetired70], 65000);
  EXPECT_EQ(tj_out->bands[0].upper_fen, 550000);
  EXPECT_EQ(tj_out->bands[0].ratio_bp[kInService], 7500);
  EXPECT_EQ(tj_out->bands[1].ratio_bp[kInService], 5500);

  const Policy* tj_res = book_->Find("120000", "390", "21", 3, on);
  ASSERT_NE(tj_res, nullptr);
  EXPECT_EQ(tj_res->deductible.first_fen[kAdult], 50000);
  EXPECT_EQ(tj_res->deductible.later_fen[kAdult], 0);
  EXPECT_EQ(tj_res->bands[0].ratio_bp[kAdult], 7500);

  // Xingtai employee outpatient: 100 deductible, 50% / 60%, caps 1,600 / 2,000
  // (the in-service cap expressed as a band: see data/README.md).
  const Policy* xt = book_->Find("130500", "310", "11", 2, on);
  ASSERT_NE(xt, nullptr);
  EXPECT_FALSE(xt->sample);
  EXPECT_EQ(xt->deductible.first_fen[kInService], 10000);
  ASSERT_EQ(xt->bands.size(), 2u);
  EXPECT_EQ(ApplyRatio(xt->bands[0].upper_fen - 10000, xt->bands[0].ratio_bp[kInService].value()), 160000);
  EXPECT_EQ(xt->bands[1].ratio_bp[kInService], 0);
  EXPECT_EQ(xt->bands[1].ratio_bp[kRetired], 6000);
  EXPECT_EQ(Layer(*xt, FundKind::kPooled)->annual_cap_fen, 200000);
  EXPECT_EQ(xt->unfiled_cut_bp, 1000);
}

TEST_F(PolicyDataTest, SamplesAreLabelled) {
  for (const Policy& p : book_->policies()) {
    if (p.sample) {
      EXPECT_NE(p.source.find("sample"), std::string::npos) << p.id;
    } else {
      EXPECT_TRUE(p.source.starts_with("published:")) << p.id;
    }
    // Every policy gives figures for every category of its insurance type.
    for (const Band& b : p.bands) {
      for (size_t c = 0; c < kCategoryCount; ++c) {
        const bool employee_category = c <= kRetired70;
        if (employee_category == (p.insutype == "310")) { EXPECT_TRUE(b.ratio_bp[c].has_value()) << p.id; }
      }
    }
  }
}

TEST_F(PolicyDataTest, DeemedFiledFrom20230401) {
  const DeemedFiledRule* rule = book_->DeemedFiled("130500", "120103", "21", D(2023, 4, 1));
  ASSERT_NE(rule, nullptr);
  EXPECT_NE(rule->source.find("published"), std::string::npos);
  EXPECT_EQ(book_->DeemedFiled("130500", "120103", "21", D(2023, 3, 31)), nullptr);
  EXPECT_NE(book_->DeemedFiled("110000", "130503", "11", D(2024, 6, 1)), nullptr);
  EXPECT_NE(book_->DeemedFiled("120000", "110105", "11", D(2024, 6, 1)), nullptr);
  // Outpatient chronic/special disease still needs qualification; other provinces are not covered.
  EXPECT_EQ(book_->DeemedFiled("130500", "120103", "14", D(2024, 6, 1)), nullptr);
  EXPECT_EQ(book_->DeemedFiled("140100", "120103", "21", D(2024, 6, 1)), nullptr);
  EXPECT_EQ(book_->DeemedFiled("130500", "310101", "21", D(2024, 6, 1)), nullptr);
}

// ---- Bad documents.

Json GoodPolicy() {
  return Json::parse(R"({
    "id": "990000-310-21-3-2019", "insuplc_admdvs": "990000", "insutype": "310", "med_type": "21",
    "hosp_lv": 3, "begin": "2019-01-01", "end": null, "sample": true, "source": "sample",
    "deductible": {"period": "stay", "accum_key": "990000.310.inpatient",
                   "first_fen": {"in_service": 100000, "*": 90000}, "later_fen": {"*": 50000}},
    "band_basis": "year", "band_accum_key": "990000.310.inpatient",
    "bands": [{"upper_fen": 1000000, "fund": "pooled", "ratio_bp": {"in_service": 8500, "retired": 9000, "retired_70": 9000}},
              {"upper_fen": null, "fund": "large_amount", "ratio_bp": {"*": 8000}}],
    "funds": [{"fund": "pooled", "fund_pay_type": "310100", "annual_cap_fen": 1000000,
               "cap_key": "990000.310.pooled", "overflow_to": "large_amount", "overflow_ratio_bp": {"*": 8000}},
              {"fund": "large_amount", "fund_pay_type": "330100", "annual_cap_fen": 5000000,
               "cap_key": "990000.310.large", "overflow_to": null, "overflow_ratio_bp": {}}],
    "unfiled_cut_bp": 1000
  })");
}
Json GoodRule() {
  return Json::parse(R"({"provinces": ["110000", "120000"], "med_types": ["11", "21"],
                         "begin": "2023-04-01", "end": null, "source": "test"})");
}
Json Doc(const Json& policies, const Json& rules = Json::array({GoodRule()})) {
  return Json{{"policies", policies}, {"deemed_filed", rules}};
}

TEST(PolicyLoadTest, AValidDocumentLoadsAndStarFillsCategories) {
  PolicyBook book;
  const Status s = LoadPolicyJson(Doc(Json::array({GoodPolicy()})).dump(), &book);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(book.policies().size(), 1u);
  const Policy& p = book.policies()[0];
  EXPECT_EQ(p.deductible.first_fen[kInService], 100000);
  EXPECT_EQ(p.deductible.first_fen[kRetired], 90000);
  EXPECT_EQ(p.deductible.first_fen[kMinor], 90000) << "\"*\" fills every category not named";
  EXPECT_EQ(p.bands[1].upper_fen, std::numeric_limits<Fen>::max());
  EXPECT_FALSE(p.bands[0].ratio_bp[kAdult].has_value());
  EXPECT_EQ(p.funds[0].overflow_ratio_bp[kRetired70], 8000);
  EXPECT_FALSE(p.funds[1].overflow_to.has_value());
  EXPECT_EQ(p.band_basis, BandBasis::kYear);
  ASSERT_EQ(book.deemed_filed_rules().size(), 1u);
  EXPECT_EQ(book.deemed_filed_rules()[0].validity.begin, D(2023, 4, 1));
}

TEST(PolicyLoadTest, BadPoliciesAreRefused) {
  struct Mutation {
    const char* what;
    std::function<void(Json&)> change;
    const char* code;
  };
  const std::vector<Mutation> cases = {
      {"missing funds", [](Json& p) { p.erase("funds"); }, "XT-DATA-002"},
      {"unknown field", [](Json& p) { p["note"] = "x"; }, "XT-DATA-002"},
      {"hosp_lv as a string", [](Json& p) { p["hosp_lv"] = "3"; }, "XT-DATA-002"},
      {"sample as a string", [](Json& p) { p["sample"] = "false"; }, "XT-DATA-002"},
      {"ratio as a decimal", [](Json& p) { p["bands"][0]["ratio_bp"]["retired"] = 90.5; }, "XT-DATA-002"},
      {"bands not an array", [](Json& p) { p["bands"] = Json::object(); }, "XT-DATA-002"},
      {"ratio above 10000", [](Json& p) { p["bands"][0]["ratio_bp"]["retired"] = 10001; }, "XT-DATA-003"},
      {"negative deductible", [](Json& p) { p["deductible"]["first_fen"]["in_service"] = -1; }, "XT-DATA-003"},
      {"negative cap", [](Json& p) { p["funds"][0]["annual_cap_fen"] = -1; }, "XT-DATA-003"},
      {"unfiled cut above 10000", [](Json& p) { p["unfiled_cut_bp"] = 10001; }, "XT-DATA-003"},
      {"bands not ascending",
       [](Json& p) {
         p["bands"][1]["upper_fen"] = 500000;
       },
       "XT-DATA-003"},
      {"an open band before the last",
       [](Json& p) {
         p["bands"][0]["upper_fen"] = nullptr;
         p["bands"][1]["upper_fen"] = 2000000;
       },
       "XT-DATA-003"},
      {"zero upper bound", [](Json& p) { p["bands"][0]["upper_fen"] = 0; }, "XT-DATA-003"},
      {"no bands", [](Json& p) { p["bands"] = Json::array(); }, "XT-DATA-003"},
      {"unknown category", [](Json& p) { p["bands"][0]["ratio_bp"]["veteran"] = 9000; }, "XT-DATA-003"},
      {"a category without a ratio", [](Json& p) { p["bands"][0]["ratio_bp"].erase("retired_70"); }, "XT-DATA-003"},
      {"a category without a deductible", [](Json& p) { p["deductible"]["later_fen"] = {{"in_service", 1}}; },
       "XT-DATA-003"},
      {"later stays in a year period", [](Json& p) { p["deductible"]["period"] = "year"; }, "XT-DATA-003"},
      {"unknown period", [](Json& p) { p["deductible"]["period"] = "month"; }, "XT-DATA-003"},
      {"unknown basis", [](Json& p) { p["band_basis"] = "stay"; }, "XT-DATA-003"},
      {"claim basis with an accumulator", [](Json& p) { p["band_basis"] = "claim"; }, "XT-DATA-003"},
      {"year basis without an accumulator", [](Json& p) { p["band_accum_key"] = ""; }, "XT-DATA-003"},
      {"accumulator key with a space", [](Json& p) { p["deductible"]["accum_key"] = "a b"; }, "XT-DATA-003"},
      {"unknown fund", [](Json& p) { p["bands"][0]["fund"] = "lottery"; }, "XT-DATA-003"},
      {"fund_pay_type of another fund", [](Json& p) { p["funds"][0]["fund_pay_type"] = "330100"; }, "XT-DATA-003"},
      {"overflow to itself", [](Json& p) { p["funds"][0]["overflow_to"] = "pooled"; }, "XT-DATA-003"},
      {"overflow ratio without overflow", [](Json& p) { p["funds"][1]["overflow_ratio_bp"] = {{"*", 1}}; },
       "XT-DATA-003"},
      {"overflow without a ratio", [](Json& p) { p["funds"][0]["overflow_ratio_bp"] = Json::object(); },
       "XT-DATA-003"},
      {"overflow loop",
       [](Json& p) {
         p["funds"][1]["overflow_to"] = "pooled";
         p["funds"][1]["overflow_ratio_bp"] = {{"*", 1}};
       },
       "XT-DATA-003"},
      {"insutype 320", [](Json& p) { p["insutype"] = "320"; }, "XT-DATA-003"},
      {"level 4", [](Json& p) { p["hosp_lv"] = 4; }, "XT-DATA-003"},
      {"region of 4 digits", [](Json& p) { p["insuplc_admdvs"] = "9900"; }, "XT-DATA-003"},
      {"end before begin", [](Json& p) { p["end"] = "2018-12-31"; }, "XT-DATA-003"},
      {"empty source", [](Json& p) { p["source"] = ""; }, "XT-DATA-003"},
      {"a fund listed twice", [](Json& p) { p["funds"][1] = p["funds"][0]; }, "XT-DATA-004"},
      {"band paid by an unlisted fund", [](Json& p) { p["bands"][1]["fund"] = "critical_illness"; }, "XT-DATA-005"},
      {"overflow to an unlisted fund",
       [](Json& p) {
         p["funds"].erase(1);
         p["bands"][1]["fund"] = "pooled";
       },
       "XT-DATA-005"},
  };
  for (const Mutation& c : cases) {
    Json p = GoodPolicy();
    c.change(p);
    PolicyBook book;
    const Status s = LoadPolicyJson(Doc(Json::array({p})).dump(), &book);
    EXPECT_EQ(s.code(), c.code) << c.what << ": " << s.ToString();
    EXPECT_NE(s.message().find("990000-310-21-3-2019"), std::string::npos) << c.what << ": " << s.message();
    EXPECT_TRUE(book.policies().empty()) << c.what << ": a refused document adds nothing";
  }
}

TEST(PolicyLoadTest, BadDocumentsAreRefused) {
  struct DocCase {
    const char* what;
    std::string doc;
    const char* code;
  };
  Json later = GoodPolicy();
  later["id"] = "990000-310-21-3-2024";
  later["begin"] = "2024-01-01";
  Json other_cap = later;
  other_cap["insuplc_admdvs"] = "990100";
  other_cap["funds"][0]["annual_cap_fen"] = 2000000;
  Json earlier = GoodPolicy();
  earlier["end"] = "2024-01-01";
  Json city_rule = GoodRule();
  city_rule["provinces"] = Json::array({"130500"});
  Json empty_rule = GoodRule();
  empty_rule["med_types"] = Json::array();
  Json twice_rule = GoodRule();
  twice_rule["med_types"] = Json::array({"11", "11"});
  const std::vector<DocCase> docs = {
      {"not JSON", "{\"policies\": [", "XT-DATA-001"},
      {"an array at the top", "[]", "XT-DATA-002"},
      {"missing deemed_filed", Json{{"policies", Json::array()}}.dump(), "XT-DATA-002"},
      {"policies not an array", Doc(Json::object()).dump(), "XT-DATA-002"},
      {"the same id twice", Doc(Json::array({GoodPolicy(), GoodPolicy()})).dump(), "XT-DATA-004"},
      {"overlapping versions", Doc(Json::array({GoodPolicy(), later})).dump(), "XT-DATA-004"},
      {"one cap_key, two caps", Doc(Json::array({earlier, other_cap})).dump(), "XT-DATA-003"},
      {"a deemed-filed city", Doc(Json::array(), Json::array({city_rule})).dump(), "XT-DATA-003"},
      {"a deemed-filed rule without visit types", Doc(Json::array(), Json::array({empty_rule})).dump(),
       "XT-DATA-003"},
      {"a visit type listed twice", Doc(Json::array(), Json::array({twice_rule})).dump(), "XT-DATA-004"},
  };
  for (const DocCase& c : docs) {
    PolicyBook book;
    const Status s = LoadPolicyJson(c.doc, &book);
    EXPECT_EQ(s.code(), c.code) << c.what << ": " << s.ToString();
    EXPECT_TRUE(book.policies().empty()) << c.what;
    EXPECT_TRUE(book.deemed_filed_rules().empty()) << c.what;
  }
  // Consecutive versions with one shared cap load.
  PolicyBook book;
  const Status s = LoadPolicyJson(Doc(Json::array({earlier, later})).dump(), &book);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(book.Find("990000", "310", "21", 3, D(2024, 1, 1))->id, "990000-310-21-3-2024");
}

}  // namespace
}  // namespace xt::policy
