// The checks of `verify` (docs/ledger.md lists them):
//  1. each settlement's own identities (the parts sum to the total, to the fen);
//  2. each reversal negates exactly the settlement it names, which is marked
//     reversed, and every visit has at most one live settlement;
//  3. the transfers of each settlement are exactly those ledger::TransfersFor
//     gives for it; the only other transfers are opening balances;
//  4. each account's totals equal the sum of its transfers; debits = credits;
//  6. clearing (clearing_service.h): each closed month recomputed from the
//     settlements gives its stored report, draws and spend, and leaves every
//     clearing:* account at zero; its postings and each deposit's are the
//     only other transfers allowed, and clearing:* accounts are zero;
//  5. each accumulator equals the sum of the deltas of the settlements and
//     reversals; no personal account is overdrawn.
#include "service/verify.h"

#include <map>
#include <set>
#include <tuple>

#include "ledger/ledger.h"
#include "service/clearing_service.h"

namespace xt::service {

namespace {

using TransferKey = std::tuple<std::string, std::string, std::string, Fen>;  // setl, debit, credit, amount

std::string Identities(const store::Amounts& a) {
  if (a.medfee_sumamt != a.fulamt_ownpay_amt + a.overlmt_selfpay + a.preselfpay_amt + a.inscp_scp_amt)
    return "medfee_sumamt differs from the sum of its parts";
  if (a.fund_pay_sumamt != a.hifp_pay + a.cvlserv_pay + a.hifes_pay + a.hifmi_pay + a.hifob_pay + a.maf_pay + a.oth_pay)
    return "fund_pay_sumamt differs from the sum of the funds";
  if (a.psn_part_amt != a.medfee_sumamt - a.fund_pay_sumamt) return "psn_part_amt differs from medfee - fund";
  if (a.psn_cash_pay != a.psn_part_amt - a.acct_pay) return "psn_cash_pay differs from psn_part - acct_pay";
  return {};
}

store::Amounts Negated(store::Amounts a) {
  for (Fen* f : {&a.medfee_sumamt, &a.fulamt_ownpay_amt, &a.overlmt_selfpay, &a.preselfpay_amt, &a.inscp_scp_amt,
                 &a.act_pay_dedc, &a.hifp_pay, &a.cvlserv_pay, &a.hifes_pay, &a.hifmi_pay, &a.hifob_pay, &a.maf_pay,
                 &a.oth_pay, &a.fund_pay_sumamt, &a.psn_part_amt, &a.acct_pay, &a.psn_cash_pay, &a.hosp_part_amt}) {
    *f = -*f;
  }
  return a;
}

}  // namespace

// Every check of `xietong verify` in one snapshot: each settlement's
// identities and state, reversals against what they reverse, the closed
// months recomputed, transfers against the settlements that post them,
// accounts against their transfers, accumulators against the settlements'
// deltas. One function so that all of them read the same snapshot (one
// Store::Read) and share the maps they build.
Result<VerifyReport> Verify(store::Store& store, const Progress& progress) {
  VerifyReport rep;
  auto problem = [&](std::string s) {
    if (rep.problems.size() < 1000) rep.problems.push_back(std::move(s));
  };
  XT_RETURN_IF_ERROR(store.Read([&](store::ReadTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(int64_t total, txn.settlements().CountSettlements());
    std::map<std::string, store::SettlementRow> settles;  // settle rows by id (amounts, deltas)
    std::vector<store::SettlementRow> reversals;
    std::map<TransferKey, int64_t> expected;
    std::map<std::tuple<std::string, int, std::string>, int64_t> accum;
    std::map<std::string, int> live_per_visit;
    int64_t seen = 0;
    XT_RETURN_IF_ERROR(txn.settlements().ForEachSettlement([&](const store::SettlementRow& r) {
      const std::string broken = Identities(r.amounts);
      if (!broken.empty()) problem("settlement " + r.setl_id + ": " + broken);
      for (const auto& t : ledger::TransfersFor(r)) {
        expected[{t.setl_id, t.debit_account, t.credit_account, t.amount_fen}]++;
      }
      for (const auto& d : r.deltas) accum[{r.psn_no, r.year, d.key}] += d.value;
      if (r.kind == "settle") {
        ++rep.settlements;
        if (r.state == "settled") live_per_visit[r.mdtrt_id]++;
        else if (r.state != "reversed") problem("settlement " + r.setl_id + " has unknown state " + r.state);
        settles.emplace(r.setl_id, r);
      } else if (r.kind == "reversal") {
        ++rep.reversals;
        reversals.push_back(r);
      } else {
        problem("settlement " + r.setl_id + " has unknown kind " + r.kind);
      }
      if (progress && ++seen % 1000 == 0) progress(seen, total);
      return true;
    }));
    for (const auto& [visit, n] : live_per_visit) {
      if (n > 1) problem("visit " + visit + " has " + std::to_string(n) + " live settlements");
    }
    std::map<std::string, int> reversals_of;
    for (const auto& rev : reversals) {
      auto it = settles.find(rev.orig_setl_id);
      if (it == settles.end()) {
        problem("reversal " + rev.setl_id + " names no settlement (" + rev.orig_setl_id + ")");
        continue;
      }
      const store::SettlementRow& orig = it->second;
      if (orig.state != "reversed") problem("settlement " + orig.setl_id + " is reversed but not marked so");
      store::Amounts want = Negated(orig.amounts);
      want.balc = rev.amounts.balc;
      if (!(want == rev.amounts)) problem("reversal " + rev.setl_id + " does not negate " + orig.setl_id + " exactly");
      bool deltas_match = rev.deltas.size() == orig.deltas.size();
      for (size_t i = 0; deltas_match && i < rev.deltas.size(); ++i) {
        deltas_match = rev.deltas[i].key == orig.deltas[i].key && rev.deltas[i].value == -orig.deltas[i].value;
      }
      if (!deltas_match) problem("reversal " + rev.setl_id + " does not restore the accumulators of " + orig.setl_id);
      reversals_of[orig.setl_id]++;
    }
    for (const auto& [id, row] : settles) {
      const int n = reversals_of.count(id) ? reversals_of[id] : 0;
      if (row.state == "reversed" && n != 1) problem("settlement " + id + " is marked reversed with " + std::to_string(n) + " reversals");
      if (row.state == "settled" && n != 0) problem("settlement " + id + " is live but has a reversal");
    }

    // Clearing's and deposits' postings, recomputed (check 6).
    XT_ASSIGN_OR_RETURN(ClearingCheck clearing_check, RecomputeClearing(txn));
    for (auto& p : clearing_check.problems) problem(std::move(p));
    for (const auto& t : clearing_check.expected_transfers) {
      expected[{t.setl_id, t.debit_account, t.credit_account, t.amount_fen}]++;
    }

    std::map<std::string, std::pair<Fen, Fen>> sums;  // account -> debits, credits
    XT_RETURN_IF_ERROR(txn.ledger().ForEachTransfer([&](const store::Transfer& t) {
      ++rep.transfers;
      if (t.amount_fen <= 0) problem("transfer " + std::to_string(t.id) + " has a non-positive amount");
      sums[t.debit_account].first += t.amount_fen;
      sums[t.credit_account].second += t.amount_fen;
      rep.total_debits_fen += t.amount_fen;
      rep.total_credits_fen += t.amount_fen;
      if (t.setl_id.empty()) {
        if (t.debit_account != ledger::kOpeningEquity || t.credit_account.rfind("pacct:", 0) != 0) {
          problem("transfer " + std::to_string(t.id) + " belongs to no settlement and is not an opening balance");
        }
        return true;
      }
      auto it = expected.find({t.setl_id, t.debit_account, t.credit_account, t.amount_fen});
      if (it == expected.end() || it->second == 0) {
        problem("transfer " + std::to_string(t.id) + " of " + t.setl_id + " is not one its settlement posts");
      } else {
        it->second--;
      }
      return true;
    }));
    for (const auto& [key, n] : expected) {
      if (n != 0) problem("settlement " + std::get<0>(key) + " is missing a transfer " + std::get<1>(key) + " -> " + std::get<2>(key));
    }
    XT_RETURN_IF_ERROR(txn.ledger().ForEachAccount([&](const store::AccountRow& a) {
      ++rep.accounts;
      auto it = sums.find(a.account);
      const Fen d = it == sums.end() ? 0 : it->second.first;
      const Fen c = it == sums.end() ? 0 : it->second.second;
      if (d != a.debits_fen || c != a.credits_fen) {
        problem("account " + a.account + " totals " + FormatFen(a.debits_fen) + "/" + FormatFen(a.credits_fen) +
                " but its transfers sum to " + FormatFen(d) + "/" + FormatFen(c));
      }
      if (a.account.rfind("pacct:", 0) == 0 && a.balance_fen() < 0) problem("personal account " + a.account + " is overdrawn");
      if (a.account.rfind("clearing:", 0) == 0 && a.balance_fen() != 0) {
        problem("clearing account " + a.account + " is not zero after the closes: " + FormatFen(a.balance_fen()));
      }
      if (it != sums.end()) sums.erase(it);
      return true;
    }));
    for (const auto& [account, dc] : sums) problem("account " + account + " has transfers but no account row");
    XT_RETURN_IF_ERROR(txn.ledger().ForEachAccumulator([&](const store::AccumulatorRow& a) {
      ++rep.accumulators;
      auto it = accum.find({a.psn_no, a.year, a.key});
      const int64_t want = it == accum.end() ? 0 : it->second;
      if (want != a.value) {
        problem("accumulator " + a.psn_no + "/" + std::to_string(a.year) + "/" + a.key + " is " +
                std::to_string(a.value) + " but the settlements sum to " + std::to_string(want));
      }
      if (it != accum.end()) accum.erase(it);
      return true;
    }));
    for (const auto& [key, v] : accum) {
      if (v != 0) problem("accumulator " + std::get<0>(key) + "/" + std::get<2>(key) + " is missing");
    }
    if (progress) progress(total, total);
    return Status::Ok();
  }));
  if (rep.total_debits_fen != rep.total_credits_fen) rep.problems.push_back("total debits differ from total credits");
  return rep;
}

}  // namespace xt::service
