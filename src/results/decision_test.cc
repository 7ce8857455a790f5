// The doctor's decision and the statistics, on the real dataset: validation
// case by case, and a month of decisions whose fees saved are worked out by
// hand from data/catalog.json and data/recognition.json.
#include <gtest/gtest.h>

#include <functional>

#include "results/decision.h"
#include "results/test_data.h"

namespace xt::results {
namespace {

using testing::Data;
using testing::Header;
using testing::Item;
using testing::T;

Decision Accept(const std::string& id, const std::string& inst, const ResultHeader& r, LocalSeconds at) {
  Decision d;
  d.decision_id = id;
  d.psn_no = r.psn_no;
  d.fixmedins_code = inst;
  d.item_code = r.item_code;
  d.result_id = r.result_id;
  d.kind = DecisionKind::kAccepted;
  d.decided_at = at;
  return d;
}

Decision Repeat(const std::string& id, const std::string& inst, const ResultHeader& r, LocalSeconds at,
                RepeatReason why, const std::string& note = "") {
  Decision d = Accept(id, inst, r, at);
  d.kind = DecisionKind::kRepeated;
  d.reason = why;
  d.note = note;
  return d;
}

TEST(ResultDecision, Validation) {
  const ResultHeader k = Header("bj-k-1", "H11010100001", "K", T("2024-05-02 08:00:00"));
  const ResultHeader hcy = Header("bj-hcy-1", "H11010100001", "Hcy", T("2024-05-02 08:00:00"));
  const ResultHeader other_patient = Header("bj-k-2", "H11010100001", "K", T("2024-05-02 08:00:00"), "1101000000000009");
  const LocalSeconds at = T("2024-05-06 10:00:00");
  const char* tj = "H12010300001";
  struct Case {
    const char* name;
    std::function<Decision()> make;
    const ResultHeader* result;
    const char* code;  // "" = valid
  };
  const Case cases[] = {
      {"accepted", [&] { return Accept("d1", tj, k, at); }, &k, ""},
      {"repeated, emergency", [&] { return Repeat("d1", tj, k, at, RepeatReason::kEmergency); }, &k, ""},
      {"repeated, condition changed", [&] { return Repeat("d1", tj, k, at, RepeatReason::kConditionChanged); }, &k, ""},
      {"repeated, doubtful with a note",
       [&] { return Repeat("d1", tj, k, at, RepeatReason::kResultDoubtful, "haemolysed specimen"); }, &k, ""},
      {"accepted with a reason",
       [&] { Decision d = Accept("d1", tj, k, at); d.reason = RepeatReason::kEmergency; return d; }, &k, "XT-RES-006"},
      {"repeated without a reason", [&] { return Repeat("d1", tj, k, at, RepeatReason::kNone); }, &k, "XT-RES-006"},
      {"doubtful without a note", [&] { return Repeat("d1", tj, k, at, RepeatReason::kResultDoubtful); }, &k,
       "XT-RES-006"},
      {"note too long",
       [&] { return Repeat("d1", tj, k, at, RepeatReason::kResultDoubtful, std::string(501, 'x')); }, &k, "XT-RES-006"},
      {"bad decision_id", [&] { return Accept("d 1", tj, k, at); }, &k, "XT-RES-006"},
      {"unknown deciding institution", [&] { return Accept("d1", "H99999900001", k, at); }, &k, "XT-RES-003"},
      {"no such result", [&] { return Accept("d1", tj, k, at); }, nullptr, "XT-RES-007"},
      {"result of another patient",
       [&] { Decision d = Accept("d1", tj, other_patient, at); d.psn_no = k.psn_no; return d; }, &other_patient,
       "XT-RES-007"},
      {"result of another item",
       [&] { Decision d = Accept("d1", tj, hcy, at); d.item_code = k.item_code; return d; }, &hcy, "XT-RES-007"},
      {"expired at the decision", [&] { return Accept("d1", tj, k, T("2024-05-09 08:00:00")); }, &k, "XT-RES-008"},
      {"not recognised in Hebei", [&] { return Accept("d1", "H13050200001", hcy, at); }, &hcy, "XT-RES-008"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Status s = ValidateDecision(Data().book, c.make(), c.result);
    EXPECT_EQ(s.code(), c.code) << s.ToString();
  }
}

TEST(ResultDecision, NamesRoundTrip) {
  for (RepeatReason r : {RepeatReason::kNone, RepeatReason::kConditionChanged, RepeatReason::kResultDoubtful,
                         RepeatReason::kEmergency}) {
    EXPECT_EQ(ParseRepeatReason(RepeatReasonName(r)), r);
  }
  EXPECT_EQ(ParseDecisionKind("accepted"), DecisionKind::kAccepted);
  EXPECT_EQ(ParseDecisionKind("repeated"), DecisionKind::kRepeated);
  EXPECT_EQ(ParseDecisionKind("maybe"), std::nullopt);
  EXPECT_EQ(ParseRepeatReason("because"), std::nullopt);
}

TEST(ResultStats, PerRegionInstitutionAndMonthWithFeesSavedByHand) {
  const ResultHeader k = Header("bj-k-1", "H11010100001", "K", T("2024-05-02 08:00:00"));
  const ResultHeader na = Header("bj-na-1", "H11010100001", "Na", T("2024-05-02 08:00:00"));
  const ResultHeader ct = Header("sjz-ct-1", "H13010200001", "CT-HEAD", T("2024-04-20 15:30:00"));
  const ResultHeader mr = Header("bj-mr-1", "H11010100001", "MR-KNEE", T("2024-06-20 09:00:00"));
  const char* tj = "H12010300001";  // Tianjin, level 3
  const char* xt = "H13050200001";  // Xingtai, level 3
  const CheckEvent checks[] = {
      {tj, T("2024-05-06 10:00:00"), 4, 3},
      {tj, T("2024-05-07 10:00:00"), 1, 1},
      {xt, T("2024-06-28 10:00:00"), 2, 1},
  };
  const Decision decisions[] = {
      Accept("d1", tj, k, T("2024-05-06 10:05:00")),
      Accept("d2", tj, k, T("2024-05-07 10:05:00")),  // the same K again at a later visit
      Accept("d3", tj, ct, T("2024-05-06 10:06:00")),
      Repeat("d4", tj, na, T("2024-05-06 10:07:00"), RepeatReason::kEmergency),
      Accept("d5", xt, mr, T("2024-06-28 10:05:00")),
      Accept("d6", xt, mr, T("2024-07-02 10:05:00")),
  };
  for (const Decision& d : decisions) {
    const ResultHeader* r = d.result_id == k.result_id ? &k : d.result_id == na.result_id ? &na
                            : d.result_id == ct.result_id ? &ct : &mr;
    ASSERT_TRUE(ValidateDecision(Data().book, d, r).ok()) << d.decision_id;
  }
  auto rows = Statistics(Data().book, &Data().catalog, checks, decisions);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 3u);

  // Tianjin, May: K from the catalogue (Hebei's cap of 5.00 yuan x 115% =
  // 5.75, rounded to 6.00 by gen_catalog) twice, head CT from the catalogue
  // (200.00 x 115% = 230.00); Na repeated for an emergency saves nothing.
  const StatsRow& tj_may = (*rows)[0];
  EXPECT_EQ(tj_may.region, "120000");
  EXPECT_EQ(tj_may.fixmedins_code, tj);
  EXPECT_EQ(tj_may.month, "2024-05");
  EXPECT_EQ(tj_may.checks, 2);
  EXPECT_EQ(tj_may.items_asked, 5);
  EXPECT_EQ(tj_may.items_recognised, 4);
  EXPECT_EQ(tj_may.results_accepted, 2);  // K and CT, K counted once
  EXPECT_EQ(tj_may.tests_avoided, 3);
  EXPECT_EQ(tj_may.tests_repeated, 1);
  EXPECT_EQ(tj_may.repeated_emergency, 1);
  EXPECT_EQ(tj_may.tests_unpriced, 0);
  EXPECT_EQ(tj_may.fees_saved_fen, 600 + 600 + 23000);

  // Xingtai: knee MRI is not in the catalogue; recognition.json prices it in
  // Hebei at 550.00 until 2024-06-30 and 10% less (495.00) from 2024-07-01.
  const StatsRow& xt_jun = (*rows)[1];
  EXPECT_EQ(xt_jun.region, "130000");
  EXPECT_EQ(xt_jun.month, "2024-06");
  EXPECT_EQ(xt_jun.checks, 1);
  EXPECT_EQ(xt_jun.tests_avoided, 1);
  EXPECT_EQ(xt_jun.fees_saved_fen, 55000);
  const StatsRow& xt_jul = (*rows)[2];
  EXPECT_EQ(xt_jul.month, "2024-07");
  EXPECT_EQ(xt_jul.checks, 0);
  EXPECT_EQ(xt_jul.results_accepted, 1);
  EXPECT_EQ(xt_jul.fees_saved_fen, 49500);
}

TEST(ResultStats, PricesComeFromTheTreatmentPlace) {
  const Book& b = Data().book;
  const Date on = Date::FromCivil(2024, 5, 6);
  // Catalogue-linked: the treatment region's cap (factors 130 / 115 / 100%).
  EXPECT_EQ(b.PriceOf(&Data().catalog, Item("CT-HEAD"), "110105", on).price_fen, 26000);
  EXPECT_EQ(b.PriceOf(&Data().catalog, Item("CT-HEAD"), "120103", on).price_fen, 23000);
  EXPECT_EQ(b.PriceOf(&Data().catalog, Item("CT-HEAD"), "130502", on).price_fen, 20000);
  EXPECT_EQ(b.PriceOf(&Data().catalog, Item("CT-HEAD"), "130502", on).source, PriceSource::kCatalog);
  // Not in the catalogue: recognition.json's own price.
  EXPECT_EQ(b.PriceOf(&Data().catalog, Item("Hcy"), "110105", on).price_fen, 5200);
  EXPECT_EQ(b.PriceOf(&Data().catalog, Item("Hcy"), "110105", on).source, PriceSource::kRecognitionData);
  // Without a catalogue a linked item has no price.
  EXPECT_EQ(b.PriceOf(nullptr, Item("CT-HEAD"), "110105", on).source, PriceSource::kNone);
}

}  // namespace
}  // namespace xt::results
