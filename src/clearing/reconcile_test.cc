// Reconciliation as a hospital meets it: 3201 totals that match and that do
// not, 3202 with a settlement missing on each side and one that differs,
// 3203 applications accepted only when they match, 3204 cancels only while
// the month is open.
#include "clearing/reconcile.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "clearing/clearing_test_util.h"
#include "clearing/report.h"

namespace xt::clearing {
namespace {

using testing::Book;
using testing::Reverse;
using testing::Settle;
using testing::T;
using testing::kTjHosp;


// The Tianjin hospital's March 2024: three inpatient settlements of Hebei and
// Beijing insured, one reversed, one outpatient.
Book TianjinMarch() {
  Book b;
  b.Add(Settle({"S1", "130500", "120104", kTjHosp, "310", "21", "2024-03-03 10:00:00", 1000000, 600000, 100000, 0,
                50000}));
  b.Add(Settle({"S2", "110000", "120104", kTjHosp, "310", "21", "2024-03-08 10:00:00", 400000, 300000}));
  b.Add(Settle({"S3", "130000", "120104", kTjHosp, "310", "21", "2024-03-09 10:00:00", 200000, 150000, 0, 0, 10000}));
  b.Add(Reverse(b.rows[2], "R3", "2024-03-10 10:00:00"));
  b.Add(Settle({"S4", "130000", "120104", kTjHosp, "310", "11", "2024-03-11 10:00:00", 20000, 10000}));
  return b;
}

std::vector<DetailRecord> Details(const Book& b) {
  std::vector<DetailRecord> out;
  for (const auto& r : b.rows) out.push_back(DetailOf(r));
  return out;
}

TotalsRequest MarchInpatient(const char* flag, TotalFigures hospital) {
  TotalsRequest r;
  r.fixmedins_code = kTjHosp;
  r.insutype = "310";
  r.clr_type = "21";
  r.setl_optins = "120000";
  r.stmt_begndate = Date::FromCivil(2024, 3, 1);
  r.stmt_enddate = Date::FromCivil(2024, 3, 31);
  r.refd_setl_flag = flag;
  r.hospital = hospital;
  return r;
}

TEST(Reconcile, TotalsMatchWithAndWithoutReversals) {
  const auto platform = Details(TianjinMarch());
  // Settlements only: S1, S2, S3.
  auto without = ReconcileTotals(MarchInpatient("0", {1600000, 1150000, 60000, 3}), platform);
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(without->stmt_rslt, "0");
  EXPECT_EQ(without->stmt_rslt_dscr, "all figures match");
  // With reversals: R3 takes S3 back and is one more record.
  auto with = ReconcileTotals(MarchInpatient("1", {1400000, 1000000, 50000, 4}), platform);
  ASSERT_TRUE(with.ok());
  EXPECT_EQ(with->stmt_rslt, "0") << with->stmt_rslt_dscr;
}

TEST(Reconcile, TotalsMismatchNamesEachFigure) {
  const auto platform = Details(TianjinMarch());
  auto r = ReconcileTotals(MarchInpatient("1", {1400000, 1000000, 50000, 3}), platform);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stmt_rslt, "1");
  EXPECT_EQ(r->stmt_rslt_dscr, "fixmedins_setl_cnt: hospital 3, platform 4");
  auto r2 = ReconcileTotals(MarchInpatient("0", {1600001, 1150000, 60000, 3}), platform);
  EXPECT_EQ(r2->stmt_rslt_dscr, "medfee_sumamt: hospital 16000.01, platform 16000.00");
  // A period that leaves March out has nothing on the platform.
  auto april = MarchInpatient("0", {0, 0, 0, 0});
  april.stmt_begndate = Date::FromCivil(2024, 4, 1);
  april.stmt_enddate = Date::FromCivil(2024, 4, 30);
  EXPECT_EQ(ReconcileTotals(april, platform)->stmt_rslt, "0");
  // Refused input.
  april.stmt_enddate = Date::FromCivil(2024, 3, 1);
  EXPECT_EQ(ReconcileTotals(april, platform).status().code(), "XT-CLR-005");
  auto flag = MarchInpatient("2", {});
  EXPECT_EQ(ReconcileTotals(flag, platform).status().code(), "XT-CLR-005");
}

TEST(Reconcile, DetailsFindTheMissingTheExtraAndTheDiffering) {
  const auto platform = Details(TianjinMarch());
  std::vector<DetailRecord> hospital = platform;
  // The hospital never recorded R3 (missing at the hospital) ...
  hospital.erase(hospital.begin() + 3);
  // ... recorded a settlement the platform has not got (missing on the platform) ...
  DetailRecord extra = hospital[0];
  extra.setl_id = "S9";
  hospital.push_back(extra);
  // ... and has S2 with another fund amount and the account part.
  hospital[1].fund_pay_sumamt = 290000;
  hospital[1].acct_pay = 10000;

  auto r = ReconcileDetails(hospital, platform);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stmt_rslt, "1");
  EXPECT_EQ(r->matched, 3);
  EXPECT_EQ(r->missing_on_platform, 1);
  EXPECT_EQ(r->missing_at_hospital, 1);
  EXPECT_EQ(r->differing, 1);
  ASSERT_EQ(r->lines.size(), 6u);  // R3 S1 S2 S3 S4 S9, by setl_id
  EXPECT_EQ(r->lines[0].setl_id, "R3");
  EXPECT_EQ(r->lines[0].outcome, DetailOutcome::kMissingAtHospital);
  EXPECT_EQ(r->lines[2].setl_id, "S2");
  EXPECT_EQ(r->lines[2].outcome, DetailOutcome::kDiffering);
  EXPECT_EQ(r->lines[2].fields, (std::vector<std::string>{"fund_pay_sumamt", "acct_pay"}));
  EXPECT_EQ(r->lines[2].dscr, "fund_pay_sumamt: hospital 2900.00, platform 3000.00; acct_pay: hospital 100.00, platform 0.00");
  EXPECT_EQ(r->lines[5].setl_id, "S9");
  EXPECT_EQ(r->lines[5].outcome, DetailOutcome::kMissingOnPlatform);

  // The answer lists the three that did not match, with their fields.
  const auto j = nlohmann::json::parse(DetailResultJson(*r));
  ASSERT_EQ(j["details"].size(), 3u);
  EXPECT_EQ(j["details"][0]["stmt_rslt"], "missing_at_hospital");
  EXPECT_EQ(j["details"][1]["fields"][1], "acct_pay");
  EXPECT_EQ(j["details"][2]["setl_id"], "S9");

  auto same = ReconcileDetails(platform, platform);
  EXPECT_EQ(same->stmt_rslt, "0");
  EXPECT_EQ(same->matched, 5);
}

TEST(Reconcile, DetailsNameAReversalFlaggedAsASettlement) {
  const auto platform = Details(TianjinMarch());
  std::vector<DetailRecord> hospital = platform;
  hospital[3].reversal = false;
  auto r = ReconcileDetails(hospital, platform);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->lines[0].fields, std::vector<std::string>{"refd_setl_flag"});
}

TEST(Reconcile, DetailsRefuseDuplicates) {
  auto platform = Details(TianjinMarch());
  auto hospital = platform;
  hospital.push_back(hospital[0]);
  EXPECT_EQ(ReconcileDetails(hospital, platform).status().code(), "XT-CLR-005");
  hospital.pop_back();
  hospital[0].setl_id.clear();
  EXPECT_EQ(ReconcileDetails(hospital, platform).status().code(), "XT-CLR-005");
}

struct ApplicationCase {
  Book book = TianjinMarch();
  MonthResult march;
  ClearingHistory open;  // nothing closed yet

  ApplicationCase() {
    // March computed as it stands, before it is closed: what 3203 compares to.
    march = *CloseMonth(open, {202403, book.seq(), T("2024-04-03 09:00:00")}, book.facts, book.codes);
  }
  ClearingApplication Request(ApplicationFigures f) const {
    ClearingApplication a;
    a.appl_id = "A1";
    a.fixmedins_code = kTjHosp;
    a.setlym = 202403;
    a.clr_type = "21";
    a.clr_way = "1";
    a.figures = f;
    return a;
  }
};

TEST(Reconcile, ApplicationIsAcceptedOnlyWhenItMatches) {
  ApplicationCase c;
  const ApplicationFigures platform = PlatformApplicationFigures(c.march, kTjHosp, "21");
  EXPECT_EQ(platform.psntime, 2);  // S1, S2, S3 less R3
  EXPECT_EQ(platform.medfee_sumamt, 1400000);
  EXPECT_EQ(platform.fund_appy_sum, 1000000);
  EXPECT_EQ(platform.acct_pay, 50000);
  EXPECT_EQ(platform.cash_payamt, 350000);

  const LocalSeconds now = T("2024-04-03 10:00:00");
  auto ok = Apply(c.Request({2, 1400000, 1000000, 50000, 350000}), platform, {}, now);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->state, "applied");

  auto off = Apply(c.Request({3, 1400000, 1000100, 50000, 350000}), platform, {}, now);
  ASSERT_FALSE(off.ok());
  EXPECT_EQ(off.status().code(), "XT-CLR-006");
  EXPECT_NE(off.status().message().find("psntime: hospital 3, platform 2; fund_appy_sum: hospital 10001.00"),
            std::string::npos)
      << off.status().message();

  const std::vector<ClearingApplication> existing = {*ok};
  EXPECT_EQ(Apply(c.Request({2, 1400000, 1000000, 50000, 350000}), platform, existing, now).status().code(),
            "XT-CLR-007");
  EXPECT_EQ(Apply(c.Request({2, 1400000, 1000000, 50000, 350000}), platform, {}, T("2024-03-31 12:00:00"))
                .status()
                .code(),
            "XT-CLR-001");
}

TEST(Reconcile, CancelOnlyWhileTheMonthIsOpen) {
  ApplicationCase c;
  const ApplicationFigures platform = PlatformApplicationFigures(c.march, kTjHosp, "21");
  auto applied = Apply(c.Request(platform), platform, {}, T("2024-04-03 10:00:00"));
  ASSERT_TRUE(applied.ok());

  auto cancelled = Cancel(*applied, c.open, T("2024-04-04 10:00:00"));
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->state, "cancelled");
  EXPECT_EQ(Cancel(*cancelled, c.open, T("2024-04-04 10:00:00")).status().code(), "XT-CLR-008");
  // Once cancelled, the institution may apply again.
  const std::vector<ClearingApplication> existing = {*cancelled};
  EXPECT_TRUE(Apply(c.Request(platform), platform, existing, T("2024-04-04 11:00:00")).ok());

  ClearingHistory closed;
  closed.closed.push_back(c.march.close);
  EXPECT_EQ(Cancel(*applied, closed, T("2024-04-06 10:00:00")).status().code(), "XT-CLR-008");
}

}  // namespace
}  // namespace xt::clearing
