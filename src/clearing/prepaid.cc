// Prepaid funds: balances, thresholds and warnings (prepaid.h).
#include "clearing/prepaid.h"

#include <set>

namespace xt::clearing {

namespace {

Status BadPrepaid(const std::string& why, std::string detail = {}) {
  return Status::Error("XT-CLR-009", "prepaid fund: " + why, std::move(detail));
}

// a * b / c rounded half away from zero (the rounding of docs/rounding.md),
// in 128 bits; c > 0.
Fen MulDivRounded(Fen a, int64_t b, int64_t c) {
  const __int128 p = static_cast<__int128>(a) * b;
  const __int128 q = p >= 0 ? (p + c / 2) / c : -((-p + c / 2) / c);
  return static_cast<Fen>(q);
}

}  // namespace

bool IsProvinceCode(std::string_view code) {
  return code.size() == 6 && code.substr(2) == "0000" && code[0] >= '1' && code[0] <= '9' && code[1] >= '0' &&
         code[1] <= '9';
}

Status CheckPrepaidPolicy(const PrepaidPolicy& p) {
  if (p.province.size() != 6 || p.province.substr(2) != "0000") {
    return BadPrepaid("a policy's region must be a province code", p.id);
  }
  const bool fixed = p.threshold_fen.has_value();
  const bool months = p.months_of_average_spend != 0;
  if (fixed == months) return BadPrepaid("a policy has either a fixed threshold or months of average spend", p.id);
  if (fixed && *p.threshold_fen < 0) return BadPrepaid("a threshold cannot be negative", p.id);
  if (months && (p.months_of_average_spend < 0 || p.months_of_average_spend > kMonthsOfAverageSpendMax)) {
    return BadPrepaid("months_of_average_spend out of range", p.id);
  }
  if (months && (p.average_window_months < 1 || p.average_window_months > kAverageWindowMonthsMax)) {
    return BadPrepaid("average_window_months out of range", p.id);
  }
  return Status::Ok();
}

const PrepaidPolicy* FindPrepaidPolicy(std::span<const PrepaidPolicy> policies, std::string_view province, Date on) {
  const PrepaidPolicy* best = nullptr;
  for (const PrepaidPolicy& p : policies) {
    if (p.province != province || on < p.effective_from) continue;
    if (best == nullptr || best->effective_from < p.effective_from) best = &p;
  }
  return best;
}

Result<PrepaidMovement> Deposit(std::string_view province, Fen amount_fen, LocalSeconds time, std::string ref) {
  if (amount_fen <= 0 || amount_fen > kDepositFenMax) {
    return BadPrepaid("a deposit must be positive and at most " + FormatFen(kDepositFenMax));
  }
  return PrepaidMovement{std::string(province), PrepaidKind::kDeposit, amount_fen, time, std::move(ref)};
}

store::Transfer DepositTransfer(const PrepaidMovement& deposit) {
  store::Transfer t;
  t.debit_account = TreasuryAccount(deposit.province);
  t.credit_account = PrepaidAccount(deposit.province);
  t.amount_fen = deposit.amount_fen;
  t.memo = "prepaid deposit " + deposit.ref;
  t.time = deposit.time;
  return t;
}

std::vector<PrepaidMovement> DrawsOf(const MonthResult& month) {
  std::vector<PrepaidMovement> out;
  for (const NetTransfer& t : month.net_transfers) {
    out.push_back(PrepaidMovement{t.from_province, PrepaidKind::kDraw, t.amount_fen, month.close.closed_at,
                                  "clearing " + std::to_string(month.close.setlym)});
  }
  return out;
}

std::vector<MonthSpend> SpendOf(const MonthResult& month) {
  std::vector<MonthSpend> out;
  for (const NetPosition& n : month.nets) out.push_back(MonthSpend{month.close.setlym, n.province, n.payable_fen});
  return out;
}

Result<PrepaidStatus> EvaluatePrepaid(std::string_view province, Date on, std::span<const PrepaidMovement> movements,
                                      const ClearingHistory& history, std::span<const MonthSpend> spend,
                                      std::span<const PrepaidPolicy> policies) {
  const PrepaidPolicy* policy = FindPrepaidPolicy(policies, province, on);
  if (policy == nullptr) return BadPrepaid("no policy in force for the region", std::string(province));
  XT_RETURN_IF_ERROR(CheckPrepaidPolicy(*policy));
  PrepaidStatus s;
  s.province = std::string(province);
  s.policy_id = policy->id;
  const LocalSeconds until = StartOf(Date{on.days + 1});
  for (const PrepaidMovement& m : movements) {
    if (m.province != province || m.time >= until) continue;
    if (m.kind == PrepaidKind::kDeposit) {
      s.deposits_fen += m.amount_fen;
    } else {
      s.draws_fen += m.amount_fen;
    }
  }
  s.balance_fen = s.deposits_fen - s.draws_fen;
  if (policy->threshold_fen) {
    s.threshold_fen = *policy->threshold_fen;
  } else {
    // The window: the average_window_months months ending with the month
    // before `on`'s.
    const Setlym last = [&] {
      int y = 0, m = 0, d = 0;
      on.ToCivil(&y, &m, &d);
      return m == 1 ? (y - 1) * 100 + 12 : y * 100 + m - 1;
    }();
    auto in_window = [&](Setlym ym) {
      const int32_t age = MonthsBetween(ym, last);
      return age >= 0 && age < policy->average_window_months;
    };
    std::set<Setlym> closed;
    for (const ClosedMonth& c : history.closed) {
      if (in_window(c.setlym)) closed.insert(c.setlym);
    }
    Fen sum = 0;
    for (const MonthSpend& m : spend) {
      if (m.province == province && closed.count(m.setlym) != 0) sum += m.spend_fen;
    }
    s.months_averaged = static_cast<int32_t>(closed.size());
    if (s.months_averaged > 0) {
      s.average_spend_fen = MulDivRounded(sum, 1, s.months_averaged);
      s.threshold_fen = MulDivRounded(sum, policy->months_of_average_spend, s.months_averaged);
    }
  }
  s.warning = s.balance_fen < s.threshold_fen;
  s.overdrawn = s.balance_fen < 0;
  return s;
}

}  // namespace xt::clearing
