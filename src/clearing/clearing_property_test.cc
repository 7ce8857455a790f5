// Properties of clearing over random months: settlements across the three
// regions, reversals a few minutes to two months later (often after their
// month closed), closes on random days of the next month, deposits and
// top-ups of the prepaid funds. Whatever the draw: every row is counted in
// exactly one month; the nets of each month sum to zero; each clearing's
// postings balance and leave every clearing:<province> account at zero; each
// prepaid fund's ledger balance is its deposits less its draws; flows,
// institution totals and fund totals add up to the same money; and a closed
// month closed again renders the same bytes.
//
// Seeded std::mt19937_64; 30 seeds of 15 months: 450 closed months.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "clearing/clearing.h"
#include "clearing/clearing_test_util.h"
#include "clearing/prepaid.h"
#include "clearing/report.h"

namespace xt::clearing {
namespace {

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  int64_t Int(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng_); }
  bool Chance(int percent) { return Int(1, 100) <= percent; }

 private:
  std::mt19937_64 rng_;
};

const char* const kInsuplc[] = {"110000", "120000", "130100", "130500"};
const char* const kTreat[] = {"110105", "120104", "130102"};
const char* const kInsutypes[] = {"310", "390"};
const char* const kMedTypes[] = {"11", "14", "21"};

struct Event {
  store::SettlementRow row;
  LocalSeconds target_time = 0;
  int64_t order = 0;  // creation order, to break ties in time
};

std::vector<Event> RandomEvents(Gen& g, Setlym first, int months) {
  std::vector<Event> events;
  Setlym ym = first;
  int64_t n = 0;
  for (int i = 0; i < months; ++i, ym = NextMonth(ym)) {
    const LocalSeconds month_start = StartOf(Date::FromCivil(ym / 100, ym % 100, 1));
    const int64_t rows = g.Int(0, 120);
    for (int64_t k = 0; k < rows; ++k) {
      const int t = static_cast<int>(g.Int(0, 2));
      std::string insuplc;
      do {
        insuplc = kInsuplc[g.Int(0, 3)];
      } while (!IsCrossRegion(insuplc, kTreat[t]));
      const Fen medfee = g.Int(1, 2000000);
      const Fen pooled = g.Int(0, medfee);
      const Fen large = g.Chance(20) ? g.Int(0, medfee - pooled) : 0;
      const Fen acct = g.Chance(30) ? g.Int(0, medfee - pooled - large) : 0;
      const std::string inst = "H" + std::string(kTreat[t]) + "0000" + std::to_string(g.Int(0, 9));
      Event e;
      e.row = testing::Settle({"S" + std::to_string(n), insuplc, kTreat[t], inst, kInsutypes[g.Int(0, 1)],
                               kMedTypes[g.Int(0, 2)], "2000-01-01", medfee, pooled, large, 0, acct});
      e.row.setl_time = month_start + g.Int(0, EndOf(ym) - month_start - 1);
      e.target_time = e.row.setl_time;
      e.order = n++;
      events.push_back(e);
      if (g.Chance(15)) {
        Event r;
        r.row = testing::Reverse(e.row, "R" + std::to_string(n), "2000-01-01");
        // Minutes later, or up to two months later: often after the close.
        r.row.setl_time = e.row.setl_time + (g.Chance(50) ? g.Int(60, 3600) : g.Int(1, 60LL * 86400));
        r.target_time = e.row.setl_time;
        r.order = n++;
        events.push_back(r);
      }
    }
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.row.setl_time != b.row.setl_time ? a.row.setl_time < b.row.setl_time : a.order < b.order;
  });
  return events;
}

void ApplyTransfers(const std::vector<store::Transfer>& transfers, std::map<std::string, Fen>* balances) {
  for (const auto& t : transfers) {
    ASSERT_GT(t.amount_fen, 0);
    (*balances)[t.credit_account] += t.amount_fen;
    (*balances)[t.debit_account] -= t.amount_fen;
  }
}

TEST(ClearingProperty, RandomMonthsBalanceAndCountEachRowOnce) {
  const int kSeeds = 30;
  const int kMonths = 12;       // months with settlements
  const int kCloses = kMonths + 3;  // reversals reach two months past the last
  int64_t months_checked = 0;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Gen g(seed);
    const std::vector<Event> events = RandomEvents(g, 202301, kMonths);
    Codes codes;
    std::vector<SettlementFacts> facts;
    Fen owed_total = 0;
    for (size_t i = 0; i < events.size(); ++i) {
      auto f = FactsOf(events[i].row, static_cast<int64_t>(i) + 1, events[i].target_time, &codes);
      ASSERT_TRUE(f.ok()) << f.status().ToString();
      owed_total += f->fund_pay_sumamt() + f->acct_pay;
      facts.push_back(*f);
    }

    ClearingHistory history;
    std::vector<MonthResult> months;
    std::vector<PrepaidMovement> moves;
    std::vector<MonthSpend> spend;
    std::map<std::string, Fen> balances;
    const std::vector<PrepaidPolicy> policies = {
        {"BJ", "110000", Date::FromCivil(2020, 1, 1), std::nullopt, 2, 12},
        {"TJ", "120000", Date::FromCivil(2020, 1, 1), std::nullopt, 2, 12},
        {"HB", "130000", Date::FromCivil(2020, 1, 1), 50000000, 0, 12},
    };
    for (const char* p : {"110000", "120000", "130000"}) {
      moves.push_back(*Deposit(p, g.Int(1, 100000000), StartOf(Date::FromCivil(2023, 1, 1)), "initial"));
      ApplyTransfers({DepositTransfer(moves.back())}, &balances);
    }
    Setlym ym = 202301;
    Fen counted_total = 0;
    int64_t counted_rows = 0;
    for (int i = 0; i < kCloses; ++i, ym = NextMonth(ym)) {
      const LocalSeconds closed_at = EndOf(ym) + g.Int(0, 10 * 86400);
      int64_t seq_through = 0;
      while (seq_through < static_cast<int64_t>(events.size()) &&
             events[static_cast<size_t>(seq_through)].row.setl_time <= closed_at) {
        ++seq_through;
      }
      if (i == kCloses - 1) seq_through = static_cast<int64_t>(events.size());
      auto m = CloseMonth(history, {ym, seq_through, closed_at}, facts, codes);
      ASSERT_TRUE(m.ok()) << m.status().ToString();
      history.closed.push_back(m->close);
      ++months_checked;

      Fen net_sum = 0;
      for (const NetPosition& n : m->nets) net_sum += n.net_fen;
      EXPECT_EQ(net_sum, 0);
      EXPECT_LE(m->net_transfers.size(), 2u);

      // Each clearing balances and leaves the clearing accounts at zero.
      std::map<std::string, Fen> own;
      ApplyTransfers(m->ledger, &own);
      Fen sum = 0;
      for (const auto& [account, balance] : own) {
        sum += balance;
        if (account.rfind("clearing:", 0) == 0) {
          EXPECT_EQ(balance, 0) << account << " " << ym;
        }
      }
      EXPECT_EQ(sum, 0);
      ApplyTransfers(m->ledger, &balances);

      // Flows, institutions and funds are the same money.
      Fen flows = 0, paid = 0, funds = 0;
      for (const Flow& f : m->flows) flows += f.total_fen();
      for (const InstitutionLine& l : m->institutions) paid += l.paid_fen();
      for (const FundTotal& f : m->funds) funds += f.amount_fen;
      EXPECT_EQ(paid, flows);
      EXPECT_EQ(funds, flows);
      counted_total += flows;
      counted_rows += m->rows;

      // Draws, spend, and a top-up of two months' spend when warned.
      for (auto& d : DrawsOf(*m)) moves.push_back(d);
      for (auto& s : SpendOf(*m)) spend.push_back(s);
      for (const char* p : {"110000", "120000", "130000"}) {
        auto st = EvaluatePrepaid(p, DateOf(closed_at), moves, history, spend, policies);
        ASSERT_TRUE(st.ok()) << st.status().ToString();
        EXPECT_EQ(st->balance_fen, balances[PrepaidAccount(p)]) << p << " " << ym;
        EXPECT_EQ(st->warning, st->balance_fen < st->threshold_fen);
        if (st->warning) {
          moves.push_back(*Deposit(p, st->threshold_fen - st->balance_fen + 1, closed_at, "top-up"));
          ApplyTransfers({DepositTransfer(moves.back())}, &balances);
        }
      }
      months.push_back(std::move(*m));
    }
    // Every row counted, once, in the month MonthCounting names.
    EXPECT_EQ(counted_rows, static_cast<int64_t>(facts.size()));
    EXPECT_EQ(counted_total, owed_total);
    std::map<Setlym, int64_t> per_month;
    for (const auto& f : facts) {
      const auto month = MonthCounting(history, f.target_ym, f.seq);
      ASSERT_TRUE(month.has_value());
      EXPECT_GE(*month, f.target_ym);
      ++per_month[*month];
    }
    for (const MonthResult& m : months) EXPECT_EQ(per_month[m.close.setlym], m.rows) << m.close.setlym;

    // A closed month closed again, after every later close: the same bytes.
    for (const MonthResult& m : months) {
      auto again = CloseMonth(history, {m.close.setlym, 0, 0}, facts, codes);
      ASSERT_TRUE(again.ok());
      EXPECT_EQ(MonthJson(*again), MonthJson(m));
    }
    // The ledger as a whole: debits equal credits; prepaid = deposits - draws.
    Fen all = 0;
    for (const auto& [account, balance] : balances) all += balance;
    EXPECT_EQ(all, 0);
  }
  EXPECT_EQ(months_checked, kSeeds * kCloses);
}

}  // namespace
}  // namespace xt::clearing
