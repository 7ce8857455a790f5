// Clearing of hand-computed months across Beijing, Tianjin and Hebei: flows,
// nets, netting, ledger postings, the month rule with late reversals and
// re-settlement after a refund, idempotent closes and deterministic reports.
// Every figure below was worked out by hand (docs/clearing.md has the same
// example).
#include "clearing/clearing.h"

#include <gtest/gtest.h>

#include <map>

#include "clearing/clearing_test_util.h"
#include "clearing/report.h"

namespace xt::clearing {
namespace {

using testing::Book;
using testing::Reverse;
using testing::Settle;
using testing::T;
using testing::kBjHosp;
using testing::kHbHosp;
using testing::kTjHosp;


// March 2024 and April 2024, in recording order (seq = position + 1).
struct TwoMonths {
  Book book;
  MonthResult march, april;
  ClearingHistory history;

  TwoMonths() {
    // seq 1: a Xingtai (Hebei) employee's stay in Tianjin.
    book.Add(Settle({"S1", "130500", "120104", kTjHosp, "310", "21", "2024-03-03 10:00:00", 1000000, 600000, 100000,
                     0, 50000}));
    // seq 2: a Hebei resident's outpatient visit in Beijing.
    book.Add(Settle({"S2", "130000", "110105", kBjHosp, "390", "11", "2024-03-10 09:00:00", 30000, 15000}));
    // seq 3: a Beijing employee's outpatient visit in Tianjin.
    book.Add(Settle({"S3", "110000", "120104", kTjHosp, "310", "11", "2024-03-12 11:00:00", 80000, 40000, 0, 0,
                     10000}));
    // seq 4: a Tianjin employee's stay in Hebei.
    book.Add(Settle({"S4", "120000", "130102", kHbHosp, "310", "21", "2024-03-15 15:00:00", 500000, 300000, 20000,
                     0, 30000}));
    // seq 5, 6: settled and reversed within March: nets out.
    const auto s5 = book.Add(Settle({"S5", "130500", "120104", kTjHosp, "310", "11", "2024-03-20 08:00:00", 20000,
                                     10000, 0, 0, 5000}));
    book.Add(Reverse(s5, "R5", "2024-03-21 08:00:00"));
    // seq 7, 8, 9: a refund: reversed, and settled again without the
    // refunded item.
    const auto s6 = book.Add(Settle({"S6", "110000", "130102", kHbHosp, "390", "11", "2024-03-25 10:00:00", 100000,
                                     50000}));
    book.Add(Reverse(s6, "R6", "2024-03-26 10:00:00"));
    book.Add(Settle({"S7", "110000", "130102", kHbHosp, "390", "11", "2024-03-26 10:05:00", 60000, 30000}));
    // seq 10: the last second of March.
    book.Add(Settle({"S8", "120000", "110105", kBjHosp, "310", "21", "2024-03-31 23:59:59", 200000, 120000}));
    // seq 11: April, recorded before March closes: counted in April.
    book.Add(Settle({"S9", "130000", "110105", kBjHosp, "390", "11", "2024-04-01 00:00:00", 50000, 40000}));
    // seq 12: S3 reversed on 2 April, before March closes: counted in March.
    book.Add(Reverse(book.rows[2], "R3", "2024-04-02 10:00:00"));

    auto m = CloseMonth(history, {202403, book.seq(), T("2024-04-05 18:00:00")}, book.facts, book.codes);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    march = *m;
    history.closed.push_back(march.close);

    // seq 13: S2 reversed after March closed: an adjustment in April.
    book.Add(Reverse(book.rows[1], "R2", "2024-04-10 10:00:00"));
    auto a = CloseMonth(history, {202404, book.seq(), T("2024-05-06 18:00:00")}, book.facts, book.codes);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    april = *a;
    history.closed.push_back(april.close);
  }
};

std::map<std::string, Fen> FlowTotals(const MonthResult& m) {
  std::map<std::string, Fen> out;
  for (const Flow& f : m.flows) out[f.insuplc_province + ">" + f.mdtrtarea_province] = f.total_fen();
  return out;
}

std::map<std::string, Fen> Balances(const std::vector<store::Transfer>& transfers) {
  std::map<std::string, Fen> b;  // credit - debit
  for (const auto& t : transfers) {
    b[t.credit_account] += t.amount_fen;
    b[t.debit_account] -= t.amount_fen;
  }
  return b;
}

TEST(Clearing, MonthsAreLocalCalendarMonths) {
  EXPECT_EQ(SetlymOf(T("2024-03-31 23:59:59")), 202403);
  EXPECT_EQ(SetlymOf(T("2024-04-01 00:00:00")), 202404);
  EXPECT_EQ(NextMonth(202412), 202501);
  EXPECT_EQ(PrevMonth(202501), 202412);
  EXPECT_EQ(PrevMonth(202403), 202402);
  EXPECT_EQ(StartOfMonth(202403), T("2024-03-01 00:00:00"));
  EXPECT_EQ(ParseSetlym("202403"), std::optional<Setlym>(202403));
  EXPECT_EQ(ParseSetlym("202413"), std::nullopt);
  EXPECT_EQ(ParseSetlym("20243"), std::nullopt);
  EXPECT_EQ(ParseSetlym("+20243"), std::nullopt);
  EXPECT_EQ(MonthsBetween(202311, 202402), 3);
  EXPECT_EQ(EndOf(202402), T("2024-03-01 00:00:00"));
  EXPECT_FALSE(IsValidSetlym(202413));
  EXPECT_EQ(ProvinceOf("130500"), "130000");
  EXPECT_TRUE(IsCrossRegion("130500", "120104"));
  EXPECT_FALSE(IsCrossRegion("130500", "130102"));
  EXPECT_EQ(ClrTypeOf("21"), "21");
  EXPECT_EQ(ClrTypeOf("14"), "11");
}

TEST(Clearing, HandComputedMarchFlowsNetsAndTransfers) {
  TwoMonths t;
  const MonthResult& m = t.march;
  // 12 rows recorded by the close; S9 is April's.
  EXPECT_EQ(m.rows, 11);
  EXPECT_EQ(m.settlements, 8);  // S1-S8
  EXPECT_EQ(m.reversals, 3);    // R5, R6, R3
  EXPECT_EQ(m.adjustment_rows, 0);

  const std::map<std::string, Fen> want = {
      {"110000>120000", 0},       // S3 500.00 reversed by R3
      {"110000>130000", 30000},   // S6 500.00, R6, S7 300.00
      {"120000>110000", 120000},  // S8
      {"120000>130000", 350000},  // S4 3,200.00 + 300.00 account
      {"130000>110000", 15000},   // S2
      {"130000>120000", 750000},  // S1 7,000.00 + 500.00; S5 and R5 net out
  };
  EXPECT_EQ(FlowTotals(m), want);

  ASSERT_EQ(m.nets.size(), 3u);
  EXPECT_EQ(m.nets[0].province, "110000");
  EXPECT_EQ(m.nets[0].receivable_fen, 135000);
  EXPECT_EQ(m.nets[0].payable_fen, 30000);
  EXPECT_EQ(m.nets[0].net_fen, 105000);
  EXPECT_EQ(m.nets[1].net_fen, 280000);   // 7,500.00 - 4,700.00
  EXPECT_EQ(m.nets[2].net_fen, -385000);  // 3,800.00 - 7,650.00
  EXPECT_EQ(m.nets[0].net_fen + m.nets[1].net_fen + m.nets[2].net_fen, 0);

  ASSERT_EQ(m.net_transfers.size(), 2u);
  EXPECT_EQ(m.net_transfers[0].from_province, "130000");
  EXPECT_EQ(m.net_transfers[0].to_province, "120000");
  EXPECT_EQ(m.net_transfers[0].amount_fen, 280000);
  EXPECT_EQ(m.net_transfers[1].to_province, "110000");
  EXPECT_EQ(m.net_transfers[1].amount_fen, 105000);
}

TEST(Clearing, MarchFundsAndInstitutions) {
  TwoMonths t;
  std::map<std::string, Fen> funds;
  for (const FundTotal& f : t.march.funds) funds[f.insuplc_province + ":" + f.fund] = f.amount_fen;
  const std::map<std::string, Fen> want_funds = {
      {"110000:pooled", 30000},
      {"120000:pooled", 420000},         {"120000:large_amount", 20000}, {"120000:personal_account", 30000},
      {"130000:pooled", 615000},         {"130000:large_amount", 100000}, {"130000:personal_account", 50000},
  };
  EXPECT_EQ(funds, want_funds);

  // What each hospital's own agency pays it equals its province's receivable.
  std::map<std::string, Fen> paid;
  for (const InstitutionLine& l : t.march.institutions) paid[l.mdtrtarea_province] += l.paid_fen();
  EXPECT_EQ(paid["110000"], 135000);
  EXPECT_EQ(paid["120000"], 750000);
  EXPECT_EQ(paid["130000"], 380000);

  ASSERT_EQ(t.march.institutions.size(), 6u);
  const InstitutionLine& tj_out = t.march.institutions[2];  // H120..., 310, 11: S3 R3 S5 R5
  EXPECT_EQ(tj_out.fixmedins_code, kTjHosp);
  EXPECT_EQ(tj_out.clr_type, "11");
  EXPECT_EQ(tj_out.settlements, 2);
  EXPECT_EQ(tj_out.reversals, 2);
  EXPECT_EQ(tj_out.medfee_sumamt, 0);
  const InstitutionLine& hb_out = t.march.institutions[5];  // H130..., 390, 11: S6 R6 S7
  EXPECT_EQ(hb_out.insutype, "390");
  EXPECT_EQ(hb_out.medfee_sumamt, 60000);
  EXPECT_EQ(hb_out.fund_pay_sumamt, 30000);
  EXPECT_EQ(hb_out.psn_cash_pay, 30000);
}

TEST(Clearing, LateReversalIsAnAdjustmentOfTheNextMonth) {
  TwoMonths t;
  const MonthResult& a = t.april;
  EXPECT_EQ(a.rows, 2);  // S9 and R2
  EXPECT_EQ(a.adjustment_rows, 1);
  EXPECT_EQ(a.adjustment_fen, -15000);
  ASSERT_EQ(a.flows.size(), 1u);
  EXPECT_EQ(a.flows[0].insuplc_province, "130000");
  EXPECT_EQ(a.flows[0].mdtrtarea_province, "110000");
  EXPECT_EQ(a.flows[0].total_fen(), 25000);  // 400.00 - 150.00
  EXPECT_EQ(a.flows[0].adjustment_fen, -15000);
  ASSERT_EQ(a.net_transfers.size(), 1u);
  EXPECT_EQ(a.net_transfers[0].amount_fen, 25000);
}

TEST(Clearing, EverySettlementIsCountedInExactlyOneMonth) {
  TwoMonths t;
  std::map<std::string, Setlym> want = {{"S9", 202404}, {"R2", 202404}};
  for (size_t i = 0; i < t.book.rows.size(); ++i) {
    const auto& f = t.book.facts[i];
    const auto month = MonthCounting(t.history, f.target_ym, f.seq);
    ASSERT_TRUE(month.has_value()) << t.book.rows[i].setl_id;
    const auto it = want.find(t.book.rows[i].setl_id);
    EXPECT_EQ(*month, it == want.end() ? 202403 : it->second) << t.book.rows[i].setl_id;
  }
  EXPECT_EQ(t.march.rows + t.april.rows, static_cast<int64_t>(t.book.rows.size()));
  // A row recorded now, of March, waits for May's close.
  EXPECT_FALSE(MonthCounting(t.history, 202403, t.book.seq() + 1).has_value());
}

TEST(Clearing, LedgerBalancesAndClearingAccountsReturnToZero) {
  TwoMonths t;
  const auto b = Balances(t.march.ledger);
  for (const auto& [account, balance] : b) {
    if (account.rfind("clearing:", 0) == 0) {
      EXPECT_EQ(balance, 0) << account;
    }
  }
  EXPECT_EQ(b.at("prepaid:130000"), -385000);  // drawn by its net debt
  EXPECT_EQ(b.at("agency:120000"), 280000);
  EXPECT_EQ(b.at("agency:110000"), 105000);
  Fen sum = 0;
  for (const auto& [account, balance] : b) sum += balance;
  EXPECT_EQ(sum, 0);  // debits equal credits
  for (const auto& tr : t.march.ledger) EXPECT_GT(tr.amount_fen, 0);
  EXPECT_EQ(t.march.ledger.size(), 5u + 4u);  // five non-zero flows, two transfers of two postings
}

TEST(Clearing, ClosingAgainGivesTheSameBytes) {
  TwoMonths t;
  const std::string first = MonthJson(t.march);
  EXPECT_EQ(MonthJson(t.march), first);
  // Closing March again, with April closed and more rows recorded since,
  // recomputes it from its own record: the same result.
  auto again = CloseMonth(t.history, {202403, 999, T("2025-01-01 00:00:00")}, t.book.facts, t.book.codes);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(MonthJson(*again), first);
  EXPECT_EQ(FlowsCsv(*again), FlowsCsv(t.march));
  EXPECT_EQ(InstitutionsCsv(*again), InstitutionsCsv(t.march));
  EXPECT_EQ(FundsCsv(*again), FundsCsv(t.march));
}

TEST(Clearing, ReportsDoNotDependOnInterningOrder) {
  TwoMonths t;
  // The same rows made into facts in reverse order intern codes differently.
  Codes codes;
  std::vector<SettlementFacts> facts(t.book.rows.size());
  for (size_t i = t.book.rows.size(); i-- > 0;) {
    const auto& row = t.book.rows[i];
    LocalSeconds target = row.setl_time;
    for (const auto& r : t.book.rows) {
      if (row.kind == "reversal" && r.setl_id == row.orig_setl_id) target = r.setl_time;
    }
    facts[i] = *FactsOf(row, static_cast<int64_t>(i) + 1, target, &codes);
  }
  ClearingHistory none;
  auto m = CloseMonth(none, {202403, 12, t.march.close.closed_at}, facts, codes);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(MonthJson(*m), MonthJson(t.march));
}

TEST(Clearing, FlowsCsvIsTheMatrix) {
  TwoMonths t;
  EXPECT_EQ(FlowsCsv(t.march),
            "insuplc\\mdtrtarea,110000,120000,130000,payable\n"
            "110000,0.00,0.00,300.00,300.00\n"
            "120000,1200.00,0.00,3500.00,4700.00\n"
            "130000,150.00,7500.00,0.00,7650.00\n"
            "receivable,1350.00,7500.00,3800.00,12650.00\n");
  EXPECT_EQ(FundsCsv(t.april),
            "insuplc_province,fund,amount\n"
            "130000,pooled,250.00\n");
}

TEST(Clearing, ClosesAreRefusedOutOfOrderOrEarly) {
  TwoMonths t;
  ClearingHistory none;
  auto early = MonthCloser::Begin(none, {202403, 1, T("2024-03-31 23:59:59")});
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), "XT-CLR-001");
  auto bad = MonthCloser::Begin(none, {202413, 1, T("2025-03-01 00:00:00")});
  EXPECT_EQ(bad.status().code(), "XT-CLR-001");
  auto skip = MonthCloser::Begin(t.history, {202406, 20, T("2024-07-02 00:00:00")});
  ASSERT_FALSE(skip.ok());
  EXPECT_EQ(skip.status().code(), "XT-CLR-002");
  auto back = MonthCloser::Begin(t.history, {202405, 3, T("2024-06-02 00:00:00")});
  EXPECT_EQ(back.status().code(), "XT-CLR-002");
  ClearingHistory broken = t.history;
  broken.closed[1].setlym = 202406;
  EXPECT_EQ(MonthCloser::Begin(broken, {202407, 20, T("2024-08-02 00:00:00")}).status().code(), "XT-CLR-002");
}

TEST(Clearing, FactsRefuseWhatCannotBeCleared) {
  Codes codes;
  auto local = Settle({"L1", "130500", "130102", kHbHosp, "310", "11", "2024-03-01 10:00:00", 100, 50});
  EXPECT_EQ(FactsOf(local, 1, local.setl_time, &codes).status().code(), "XT-CLR-003");
  auto off = Settle({"X1", "130500", "120104", kTjHosp, "310", "11", "2024-03-01 10:00:00", 100, 50});
  off.amounts.fund_pay_sumamt = 49;
  EXPECT_EQ(FactsOf(off, 1, off.setl_time, &codes).status().code(), "XT-CLR-003");
}

TEST(Clearing, AnInstitutionInTwoProvincesIsRefused) {
  Book book;
  book.Add(Settle({"A", "130500", "120104", "H99", "310", "11", "2024-03-01 10:00:00", 100, 50}));
  book.Add(Settle({"B", "120000", "110105", "H99", "310", "11", "2024-03-02 10:00:00", 100, 50}));
  auto m = CloseMonth({}, {202403, 2, T("2024-04-01 00:00:00")}, book.facts, book.codes);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), "XT-CLR-003");
}

TEST(Clearing, GreedyNettingLargestDebtorToLargestCreditor) {
  const std::vector<NetPosition> nets = {
      {"110000", 0, 0, 500}, {"120000", 0, 0, -300}, {"130000", 0, 0, -400}, {"140000", 0, 0, 200}};
  const auto t = SettleNets(nets);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].from_province, "130000");
  EXPECT_EQ(t[0].to_province, "110000");
  EXPECT_EQ(t[0].amount_fen, 400);
  EXPECT_EQ(t[1].from_province, "120000");
  EXPECT_EQ(t[1].to_province, "140000");  // 200 left at 140000 beats 100 at 110000
  EXPECT_EQ(t[1].amount_fen, 200);
  EXPECT_EQ(t[2].to_province, "110000");
  EXPECT_EQ(t[2].amount_fen, 100);
  EXPECT_TRUE(SettleNets({{"110000", 0, 0, 0}}).empty());
}

TEST(Clearing, DictionariesAreBounded) {
  Dictionary d(2);
  EXPECT_EQ(d.Intern("110000"), 0u);
  EXPECT_EQ(d.Intern("120000"), 1u);
  EXPECT_EQ(d.Intern("110000"), 0u);
  EXPECT_FALSE(d.Intern("130000").has_value());
  EXPECT_EQ(d.Find("120000"), 1u);
  EXPECT_EQ(d.At(1), "120000");
}

TEST(Clearing, AnEmptyMonthClosesWithNothing) {
  auto m = CloseMonth({}, {202401, 0, T("2024-02-01 00:00:00")}, {}, Codes{});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->rows, 0);
  EXPECT_TRUE(m->ledger.empty());
  EXPECT_EQ(FlowsCsv(*m), "insuplc\\mdtrtarea,payable\nreceivable,0.00\n");
}

}  // namespace
}  // namespace xt::clearing
