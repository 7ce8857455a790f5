// The doctor's check, the HR mark, result validation and the privacy rule,
// on the real dataset. Cases read like the doctor's session: a patient's
// results in, the answer for each item out, with its reason.
#include <gtest/gtest.h>

#include <functional>

#include "results/access.h"
#include "results/results.h"
#include "results/test_data.h"

namespace xt::results {
namespace {

using testing::Data;
using testing::Header;
using testing::Item;
using testing::Key;
using testing::Region;
using testing::T;

constexpr LocalSeconds kDay = 86400;

// Checks one item for a patient and returns the answer for it.
ItemAnswer CheckOne(std::span<const ResultKey> results, const char* abbr, LocalSeconds at, const char* region,
                    CheckAnswer* answer) {
  const ItemId items[] = {Item(abbr)};
  const Status s = Check(Data().book, results, CheckRequest{items, at, Region(region)}, answer);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return answer->items.empty() ? ItemAnswer{} : answer->items[0];
}

TEST(ResultMark, HrMarkOnlyWhenListedAtOriginAndInstitutionQualifiedOnTheTestDay) {
  struct Case {
    const char* inst;
    const char* abbr;
    const char* taken;
    Origin want;
  };
  const Case cases[] = {
      {"H11010100001", "K", "2024-05-01 08:00:00", Origin::kMarked},             // Beijing level 3
      {"H11010100001", "Hcy", "2024-05-01 08:00:00", Origin::kMarked},           // Beijing lists Hcy
      {"H13050200001", "Hcy", "2024-05-01 08:00:00", Origin::kNotListedAtOrigin},  // Hebei not yet
      {"H13050200001", "Hcy", "2025-01-01 08:00:00", Origin::kMarked},           // Hebei from 2025
      {"H13058200001", "K", "2024-06-30 23:59:59", Origin::kMarked},             // Shahe, last qualified day
      {"H13058200001", "K", "2024-07-01 00:00:00", Origin::kNotQualified},       // Shahe lost it
      {"H13058200001", "CT-HEAD", "2024-05-01 08:00:00", Origin::kNotQualified}, // level 1: no imaging
      {"H11010100001", "K", "2022-12-31 08:00:00", Origin::kNotListedAtOrigin},  // before the round
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.inst) + " " + c.abbr + " " + c.taken);
    const ResultKey k = Key(Header("r1", c.inst, c.abbr, T(c.taken)));
    EXPECT_EQ(k.origin, c.want) << OriginName(k.origin);
    EXPECT_EQ(k.HrMark(), c.want == Origin::kMarked);
  }
}

TEST(ResultCheck, ValidityEdgesAroundExpiry) {
  // K is valid 7 days: taken 2024-05-01 08:00, expires 2024-05-08 08:00 (exclusive).
  const ResultKey k = Key(Header("r1", "H11010100001", "K", T("2024-05-01 08:00:00")));
  const LocalSeconds expires = T("2024-05-08 08:00:00");
  struct Case {
    const char* name;
    LocalSeconds at;
    Refusal want;
  };
  const Case cases[] = {
      {"a day before expiry", expires - kDay, Refusal::kNone},
      {"a second before expiry", expires - 1, Refusal::kNone},
      {"at expiry", expires, Refusal::kExpired},
      {"a day after expiry", expires + kDay, Refusal::kExpired},
  };
  CheckAnswer answer;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const ItemAnswer a = CheckOne({&k, 1}, "K", c.at, "120103", &answer);
    EXPECT_EQ(a.refusal, c.want) << RefusalName(a.refusal);
    if (c.want == Refusal::kNone) {
      ASSERT_EQ(a.accepted_count, 1u);
      EXPECT_EQ(answer.AcceptedOf(a)[0].expires_at, expires);
    } else {
      EXPECT_EQ(a.closest_index, 0);
      EXPECT_EQ(a.closest_expires_at, expires);
    }
  }
}

TEST(ResultCheck, ValidityOfTheVersionInForceOnTheDayOfTheCheck) {
  // HbA1c: 60 days until 2024-06-30, 90 from 2024-07-01. Taken 2024-05-01:
  // on 2024-07-05 (day 65) it is valid only because the 90-day version applies.
  const ResultKey k = Key(Header("r1", "H12010300001", "HbA1c", T("2024-05-01 08:00:00")));
  CheckAnswer answer;
  EXPECT_EQ(CheckOne({&k, 1}, "HbA1c", T("2024-06-30 09:00:00"), "120000", &answer).refusal, Refusal::kExpired);
  EXPECT_EQ(CheckOne({&k, 1}, "HbA1c", T("2024-07-05 09:00:00"), "120000", &answer).refusal, Refusal::kNone);
}

TEST(ResultCheck, AnInstitutionThatLostItsQualification) {
  // Shahe (Hebei, level 1) loses its qualification on 2024-07-01: its K of
  // 2024-06-30 stays recognised, its K of 2024-07-02 never is.
  const ResultKey before = Key(Header("r1", "H13058200001", "K", T("2024-06-30 10:00:00")));
  const ResultKey after = Key(Header("r2", "H13058200001", "K", T("2024-07-02 10:00:00")));
  CheckAnswer answer;
  const LocalSeconds at = T("2024-07-03 09:00:00");
  EXPECT_EQ(CheckOne({&before, 1}, "K", at, "130500", &answer).refusal, Refusal::kNone);
  const ItemAnswer a = CheckOne({&after, 1}, "K", at, "130500", &answer);
  EXPECT_EQ(a.refusal, Refusal::kNotQualified);
  EXPECT_EQ(a.closest_index, 0);
  const ResultKey both[] = {after, before};
  const ItemAnswer b = CheckOne(both, "K", at, "130500", &answer);
  ASSERT_EQ(b.accepted_count, 1u);
  EXPECT_EQ(answer.AcceptedOf(b)[0].result_index, 1u);
}

TEST(ResultCheck, AnItemRecognisedInBeijingButNotInHebei) {
  const ResultKey hcy = Key(Header("r1", "H11010100001", "Hcy", T("2024-05-01 08:00:00")));
  CheckAnswer answer;
  const LocalSeconds at = T("2024-05-10 09:00:00");
  EXPECT_EQ(CheckOne({&hcy, 1}, "Hcy", at, "110105", &answer).refusal, Refusal::kNone);
  EXPECT_EQ(CheckOne({&hcy, 1}, "Hcy", at, "120103", &answer).refusal, Refusal::kNone);
  const ItemAnswer hebei = CheckOne({&hcy, 1}, "Hcy", at, "130502", &answer);
  EXPECT_EQ(hebei.refusal, Refusal::kNotListedHere);
  EXPECT_EQ(hebei.accepted_count, 0u);
  EXPECT_EQ(ExplainRefusal(Data().book, hebei, {&hcy, 1}, Region("130000")),
            "Hcy: not a recognised item in 130000 on this day");
}

TEST(ResultCheck, ALabResultAndAnImagingStudyOfOnePatientNewestFirst) {
  // Zhao Xiaomei (Xingtai) had tests in Shijiazhuang and Beijing; she is now
  // seen in Tianjin. She has two K results, a head CT and no Na.
  const ResultKey results[] = {
      Key(Header("bj-k-1", "H11010100001", "K", T("2024-05-02 08:00:00"))),
      Key(Header("sjz-ct-1", "H13010200001", "CT-HEAD", T("2024-04-20 15:30:00"))),
      Key(Header("sjz-k-1", "H13010400001", "K", T("2024-05-04 07:40:00"))),
  };
  const ItemId items[] = {Item("K"), Item("CT-HEAD"), Item("Na"), Item("MR-HEAD")};
  CheckAnswer answer;
  const LocalSeconds at = T("2024-05-06 10:00:00");
  ASSERT_TRUE(Check(Data().book, results, CheckRequest{items, at, Region("120103")}, &answer).ok());
  ASSERT_EQ(answer.items.size(), 4u);

  const ItemAnswer& k = answer.items[0];
  EXPECT_EQ(k.refusal, Refusal::kNone);
  ASSERT_EQ(k.accepted_count, 2u);
  EXPECT_EQ(answer.AcceptedOf(k)[0].result_index, 2u);  // 2024-05-04, newest first
  EXPECT_EQ(answer.AcceptedOf(k)[1].result_index, 0u);
  EXPECT_EQ(ExplainAccepted(Data().book, results[2], answer.AcceptedOf(k)[0], Region("120000")),
            "K of 2024-05-04 07:40:00 at H13010400001: HR-marked (listed in 130000 and the institution qualified on "
            "2024-05-04), recognised in 120000, valid until 2024-05-11 07:40:00 (exclusive)");

  const ItemAnswer& ct = answer.items[1];
  EXPECT_EQ(ct.refusal, Refusal::kNone);
  ASSERT_EQ(ct.accepted_count, 1u);
  EXPECT_EQ(answer.AcceptedOf(ct)[0].result_index, 1u);
  EXPECT_EQ(answer.AcceptedOf(ct)[0].expires_at, T("2024-05-20 15:30:00"));  // 30 days

  EXPECT_EQ(answer.items[2].refusal, Refusal::kNoResult);
  EXPECT_EQ(answer.items[3].refusal, Refusal::kNoResult);
}

TEST(ResultCheck, TheClosestRefusalIsReported) {
  // An expired HR result and a fresh one from an unqualified institution:
  // "expired" says more to the doctor than "not qualified".
  const ResultKey results[] = {
      Key(Header("old", "H11010100001", "K", T("2024-04-01 08:00:00"))),
      Key(Header("shahe", "H13058200001", "K", T("2024-07-02 08:00:00"))),
  };
  CheckAnswer answer;
  const ItemAnswer a = CheckOne(results, "K", T("2024-07-03 08:00:00"), "110000", &answer);
  EXPECT_EQ(a.refusal, Refusal::kExpired);
  EXPECT_EQ(a.closest_index, 0);
}

TEST(ResultCheck, AResultNotYetReportedAtTheMomentDoesNotCount) {
  ResultHeader h = Header("r1", "H11010100001", "K", T("2024-05-01 08:00:00"));
  h.reported_at = T("2024-05-01 12:00:00");
  const ResultKey k = Key(h);
  CheckAnswer answer;
  EXPECT_EQ(CheckOne({&k, 1}, "K", T("2024-05-01 11:59:59"), "110000", &answer).refusal, Refusal::kNotYetReported);
  EXPECT_EQ(CheckOne({&k, 1}, "K", T("2024-05-01 12:00:00"), "110000", &answer).refusal, Refusal::kNone);
}

TEST(ResultCheck, TreatmentOutsideTheAgreementListsNothingAndBoundsHold) {
  const ResultKey k = Key(Header("r1", "H11010100001", "K", T("2024-05-01 08:00:00")));
  CheckAnswer answer;
  const ItemId items[] = {Item("K")};
  ASSERT_TRUE(Check(Data().book, {&k, 1}, CheckRequest{items, T("2024-05-02 08:00:00"), kNoRegion}, &answer).ok());
  EXPECT_EQ(answer.items[0].refusal, Refusal::kNotListedHere);

  std::vector<ItemId> many(kCheckItemsMax + 1, Item("K"));
  EXPECT_EQ(Check(Data().book, {&k, 1}, CheckRequest{many, 0, Region("110000")}, &answer).code(), "XT-RES-005");
}

TEST(ResultCheck, EvaluateAgreesWithCheck) {
  const ResultKey k = Key(Header("r1", "H12010300001", "CT-HEAD", T("2024-05-01 08:00:00")));
  LocalSeconds expires = 0;
  EXPECT_EQ(Evaluate(Data().book, k, T("2024-05-30 08:00:00"), Region("110000"), &expires), Refusal::kNone);
  EXPECT_EQ(expires, T("2024-05-31 08:00:00"));
  EXPECT_EQ(Evaluate(Data().book, k, T("2024-05-31 08:00:00"), Region("110000"), &expires), Refusal::kExpired);
}

TEST(ResultValidate, LabAndImagingRecords) {
  LabResult lab{Header("r1", "H11010100001", "K", T("2024-05-01 08:00:00")), "4.12", "mmol/L", "3.5-5.3"};
  EXPECT_TRUE(ValidateLabResult(Data().book, lab).ok());
  ImagingReport ct{Header("r2", "H11010100001", "CT-HEAD", T("2024-05-01 08:00:00")), Modality::kCt, "头颅",
                   "脑实质未见明显异常密度影。", "1.2.156.112605.1.20240501.1"};
  EXPECT_TRUE(ValidateImagingReport(Data().book, ct).ok());

  struct Case {
    const char* name;
    std::function<void(LabResult*)> change;
    const char* code;
  };
  const Case cases[] = {
      {"wrong unit", [](LabResult* r) { r->unit = "mg/dL"; }, "XT-RES-004"},
      {"empty value", [](LabResult* r) { r->value.clear(); }, "XT-RES-004"},
      {"reported before taken", [](LabResult* r) { r->header.reported_at = r->header.taken_at - 1; }, "XT-RES-004"},
      {"unknown item", [](LabResult* r) { r->header.item_code = "JY99999"; }, "XT-RES-002"},
      {"unknown institution", [](LabResult* r) { r->header.fixmedins_code = "H99999900001"; }, "XT-RES-003"},
      {"an imaging item as lab", [](LabResult* r) { r->header.item_code = Data().book.item(Item("CT-HEAD")).code; },
       "XT-RES-004"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    LabResult r = lab;
    c.change(&r);
    EXPECT_EQ(ValidateLabResult(Data().book, r).code(), c.code);
  }
  ImagingReport wrong = ct;
  wrong.modality = Modality::kMri;
  EXPECT_EQ(ValidateImagingReport(Data().book, wrong).code(), "XT-RES-004");
  wrong = ct;
  wrong.image_ref.clear();
  EXPECT_EQ(ValidateImagingReport(Data().book, wrong).code(), "XT-RES-004");
}

TEST(ResultAccess, OnlyAnInstitutionWithAnOpenVisitMayLook) {
  const Visit visits[] = {
      {"V1", "1305000000000001", "H12010300001", T("2024-05-06 08:00:00"), std::nullopt},
      {"V2", "1305000000000001", "H13050200001", T("2024-04-01 08:00:00"), T("2024-04-05 10:00:00")},
      {"V3", "1101000000000002", "H11010100001", T("2024-05-06 08:00:00"), std::nullopt},
  };
  struct Case {
    const char* name;
    const char* viewer;
    const char* psn_no;
    LocalSeconds at;
    bool allowed;
  };
  const Case cases[] = {
      {"open visit", "H12010300001", "1305000000000001", T("2024-05-06 09:00:00"), true},
      {"at the visit's start", "H12010300001", "1305000000000001", T("2024-05-06 08:00:00"), true},
      {"before the visit", "H12010300001", "1305000000000001", T("2024-05-06 07:59:59"), false},
      {"visit ended", "H13050200001", "1305000000000001", T("2024-05-06 09:00:00"), false},
      {"at the visit's end", "H13050200001", "1305000000000001", T("2024-04-05 10:00:00"), false},
      {"during the ended visit", "H13050200001", "1305000000000001", T("2024-04-05 09:59:59"), true},
      {"no visit of this patient", "H11010100001", "1305000000000001", T("2024-05-06 09:00:00"), false},
      {"another institution", "H12010400001", "1305000000000001", T("2024-05-06 09:00:00"), false},
      {"empty viewer", "", "1305000000000001", T("2024-05-06 09:00:00"), false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Status s = MayView(c.viewer, c.psn_no, visits, c.at);
    EXPECT_EQ(s.ok(), c.allowed) << s.ToString();
    if (!c.allowed) {
      EXPECT_EQ(s.code(), "XT-RES-001");
    }
  }
}

}  // namespace
}  // namespace xt::results
