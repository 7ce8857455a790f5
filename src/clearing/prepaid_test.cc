// Prepaid funds: balance = deposits - draws, and the threshold rule as data
// with effective dates (months of average spend, or a fixed amount).
#include "clearing/prepaid.h"

#include <gtest/gtest.h>

#include "clearing/clearing_test_util.h"
#include "clearing/report.h"

namespace xt::clearing {
namespace {

using testing::T;

Date D(int y, int m, int d) { return Date::FromCivil(y, m, d); }

PrepaidPolicy TwoMonths() {
  PrepaidPolicy p;
  p.id = "HB-2024";
  p.province = "130000";
  p.effective_from = D(2024, 1, 1);
  p.months_of_average_spend = 2;
  p.average_window_months = 3;
  return p;
}

PrepaidPolicy Fixed(Date from, Fen fen) {
  PrepaidPolicy p;
  p.id = "HB-fixed";
  p.province = "130000";
  p.effective_from = from;
  p.threshold_fen = fen;
  return p;
}

TEST(ClearingPrepaid, BalanceIsDepositsLessDrawsAndWarnsBelowTwoMonthsOfSpend) {
  ClearingHistory history;
  for (Setlym ym : {202401, 202402, 202403, 202404}) {
    history.closed.push_back({ym, ym, EndOf(ym) + 86400});
  }
  // Hebei's cross-region spend: Jan 1,000.00 (outside a 3-month window on
  // 5 May), Feb 3,000.00, Mar nothing, Apr 6,000.01.
  const std::vector<MonthSpend> spend = {{202401, "130000", 100000},
                                         {202402, "130000", 300000},
                                         {202402, "120000", 999999},
                                         {202404, "130000", 600001}};
  std::vector<PrepaidMovement> moves = {*Deposit("130000", 2000000, T("2024-01-02 09:00:00"), "initial"),
                                        {"130000", PrepaidKind::kDraw, 700000, T("2024-05-05 18:00:00"), "c"},
                                        {"120000", PrepaidKind::kDraw, 100, T("2024-05-05 18:00:00"), "c"},
                                        *Deposit("130000", 5000, T("2024-05-06 09:00:00"), "later")};
  const std::vector<PrepaidPolicy> policies = {TwoMonths()};
  auto s = EvaluatePrepaid("130000", D(2024, 5, 5), moves, history, spend, policies);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->deposits_fen, 2000000);  // the 6 May deposit is not yet in
  EXPECT_EQ(s->draws_fen, 700000);
  EXPECT_EQ(s->balance_fen, 1300000);
  EXPECT_EQ(s->months_averaged, 3);            // Feb, Mar, Apr
  EXPECT_EQ(s->average_spend_fen, 300000);     // 9,000.01 / 3 = 3,000.0033
  EXPECT_EQ(s->threshold_fen, 600001);         // 2 x 9,000.01 / 3 = 6,000.0067
  EXPECT_FALSE(s->warning);

  moves.push_back({"130000", PrepaidKind::kDraw, 700000, T("2024-05-05 19:00:00"), "c"});
  s = EvaluatePrepaid("130000", D(2024, 5, 5), moves, history, spend, policies);
  EXPECT_EQ(s->balance_fen, 600000);
  EXPECT_TRUE(s->warning);
  EXPECT_FALSE(s->overdrawn);
  EXPECT_EQ(PrepaidStatusJson(*s),
            "{\"province\":\"130000\",\"deposits\":20000.00,\"draws\":14000.00,\"balance\":6000.00,"
            "\"policy_id\":\"HB-2024\",\"months_averaged\":3,\"average_spend\":3000.00,\"threshold\":6000.01,"
            "\"warning\":true,\"overdrawn\":false}");
}

TEST(ClearingPrepaid, ThePolicyInForceDecides) {
  const std::vector<PrepaidPolicy> policies = {TwoMonths(), Fixed(D(2024, 6, 1), 5000000)};
  ClearingHistory history;
  const std::vector<PrepaidMovement> moves = {*Deposit("130000", 1000000, T("2024-01-02 09:00:00"), "initial")};
  auto may = EvaluatePrepaid("130000", D(2024, 5, 31), moves, history, {}, policies);
  ASSERT_TRUE(may.ok());
  EXPECT_EQ(may->policy_id, "HB-2024");
  EXPECT_EQ(may->threshold_fen, 0);  // no closed month yet: only an overdraft would warn
  EXPECT_FALSE(may->warning);
  auto june = EvaluatePrepaid("130000", D(2024, 6, 1), moves, history, {}, policies);
  EXPECT_EQ(june->policy_id, "HB-fixed");
  EXPECT_EQ(june->threshold_fen, 5000000);
  EXPECT_TRUE(june->warning);
  EXPECT_EQ(EvaluatePrepaid("130000", D(2023, 12, 31), moves, history, {}, policies).status().code(), "XT-CLR-009");
  EXPECT_EQ(EvaluatePrepaid("110000", D(2024, 6, 1), moves, history, {}, policies).status().code(), "XT-CLR-009");
}

TEST(ClearingPrepaid, PoliciesAndDepositsAreChecked) {
  EXPECT_TRUE(CheckPrepaidPolicy(TwoMonths()).ok());
  PrepaidPolicy both = TwoMonths();
  both.threshold_fen = 1;
  EXPECT_EQ(CheckPrepaidPolicy(both).code(), "XT-CLR-009");
  PrepaidPolicy city = TwoMonths();
  city.province = "130500";
  EXPECT_EQ(CheckPrepaidPolicy(city).code(), "XT-CLR-009");
  PrepaidPolicy window = TwoMonths();
  window.average_window_months = 0;
  EXPECT_EQ(CheckPrepaidPolicy(window).code(), "XT-CLR-009");
  EXPECT_EQ(Deposit("130000", 0, 0, "zero").status().code(), "XT-CLR-009");
  EXPECT_EQ(Deposit("130000", kDepositFenMax + 1, 0, "huge").status().code(), "XT-CLR-009");
  const auto t = DepositTransfer(*Deposit("130000", 500, 0, "top-up"));
  EXPECT_EQ(t.debit_account, "treasury:130000");
  EXPECT_EQ(t.credit_account, "prepaid:130000");
  EXPECT_EQ(t.amount_fen, 500);
}

}  // namespace
}  // namespace xt::clearing
