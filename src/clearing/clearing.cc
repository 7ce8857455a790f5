// Monthly clearing: the month rule, the one-pass aggregation, netting and the
// ledger postings (clearing.h, docs/clearing.md).
#include "clearing/clearing.h"

#include <algorithm>
#include <charconv>
#include <tuple>

#include "ledger/ledger.h"

namespace xt::clearing {

// ---- months

bool IsValidSetlym(Setlym ym) {
  const int year = ym / 100;
  const int month = ym % 100;
  return year >= 1970 && year <= 9999 && month >= 1 && month <= 12;
}

Setlym SetlymOf(LocalSeconds local_time) {
  int y = 0, m = 0, d = 0;
  DateOf(local_time).ToCivil(&y, &m, &d);
  return y * 100 + m;
}

Setlym NextMonth(Setlym ym) { return ym % 100 == 12 ? (ym / 100 + 1) * 100 + 1 : ym + 1; }

Setlym PrevMonth(Setlym ym) { return ym % 100 == 1 ? (ym / 100 - 1) * 100 + 12 : ym - 1; }

LocalSeconds StartOfMonth(Setlym ym) { return StartOf(Date::FromCivil(ym / 100, ym % 100, 1)); }

std::optional<Setlym> ParseSetlym(std::string_view text) {
  if (text.size() != 6) return std::nullopt;
  Setlym v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !IsValidSetlym(v)) return std::nullopt;
  return v;
}

int32_t MonthsBetween(Setlym a, Setlym b) { return (b / 100 - a / 100) * 12 + (b % 100 - a % 100); }

LocalSeconds EndOf(Setlym ym) {
  const Setlym next = NextMonth(ym);
  return StartOf(Date::FromCivil(next / 100, next % 100, 1));
}

// ---- regions and codes

bool IsCrossRegion(std::string_view insuplc_admdvs, std::string_view mdtrtarea_admvs) {
  return insuplc_admdvs.size() >= 2 && mdtrtarea_admvs.size() >= 2 &&
         insuplc_admdvs.substr(0, 2) != mdtrtarea_admvs.substr(0, 2);
}

std::string_view ClrTypeOf(std::string_view med_type) {
  return !med_type.empty() && med_type[0] == '2' ? "21" : "11";
}

const std::array<std::string_view, kFundCount> kFundNames = {
    "pooled", "large_amount", "critical_illness", "civil_servant", "enterprise", "medical_assistance", "other"};

std::optional<uint32_t> Dictionary::Intern(std::string_view s) {
  auto it = index_.find(s);
  if (it != index_.end()) return it->second;
  if (strings_.size() >= size_max_) return std::nullopt;
  const auto i = static_cast<uint32_t>(strings_.size());
  strings_.emplace_back(s);
  index_.emplace(std::string(s), i);
  return i;
}

std::optional<uint32_t> Dictionary::Find(std::string_view s) const {
  auto it = index_.find(s);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

// ---- the compact row

Fen SettlementFacts::fund_pay_sumamt() const {
  Fen sum = 0;
  for (Fen f : fund_fen) sum += f;
  return sum;
}

namespace {

Status Unclearable(const store::SettlementRow& row, const std::string& why) {
  return Status::Error("XT-CLR-003", "the settlement cannot be cleared: " + why, "setl_id " + row.setl_id);
}

Status Full(const char* what) {
  return Status::Error("XT-CLR-004", std::string("too many ") + what + " in one clearing");
}

}  // namespace

Result<SettlementFacts> FactsOf(const store::SettlementRow& row, int64_t seq, LocalSeconds target_setl_time,
                                Codes* codes) {
  if (!IsCrossRegion(row.insuplc_admdvs, row.mdtrtarea_admvs)) return Unclearable(row, "not cross-region");
  if (row.kind != "settle" && row.kind != "reversal") return Unclearable(row, "unknown kind " + row.kind);
  const store::Amounts& a = row.amounts;
  SettlementFacts f;
  f.seq = seq;
  f.medfee_sumamt = a.medfee_sumamt;
  f.fund_fen = {a.hifp_pay, a.hifob_pay, a.hifmi_pay, a.cvlserv_pay, a.hifes_pay, a.maf_pay, a.oth_pay};
  f.acct_pay = a.acct_pay;
  if (f.fund_pay_sumamt() != a.fund_pay_sumamt) return Unclearable(row, "the funds do not add up to fund_pay_sumamt");
  f.reversal = row.kind == "reversal";
  f.target_ym = SetlymOf(target_setl_time);
  const auto insu = codes->provinces.Intern(ProvinceOf(row.insuplc_admdvs));
  const auto treat = codes->provinces.Intern(ProvinceOf(row.mdtrtarea_admvs));
  if (!insu || !treat) return Full("provinces");
  const auto inst = codes->institutions.Intern(row.fixmedins_code);
  if (!inst) return Full("institutions");
  const auto insutype = codes->insutypes.Intern(row.insutype);
  if (!insutype) return Full("insurance types");
  const auto clr = codes->clr_types.Intern(ClrTypeOf(row.med_type));
  if (!clr) return Full("clearing types");
  f.insu = static_cast<uint8_t>(*insu);
  f.treat = static_cast<uint8_t>(*treat);
  f.institution = *inst;
  f.insutype = static_cast<uint8_t>(*insutype);
  f.clr_type = static_cast<uint8_t>(*clr);
  return f;
}

static_assert(kProvincesMax <= 256 && kInsutypesMax <= 256 && kClrTypesMax <= 256, "indexes are uint8_t");

// ---- history

const ClosedMonth* ClearingHistory::Find(Setlym ym) const {
  for (const ClosedMonth& c : closed) {
    if (c.setlym == ym) return &c;
  }
  return nullptr;
}

Status ClearingHistory::Check() const {
  for (size_t i = 0; i < closed.size(); ++i) {
    if (!IsValidSetlym(closed[i].setlym)) {
      return Status::Error("XT-CLR-002", "the clearing history is inconsistent",
                           "invalid month " + std::to_string(closed[i].setlym));
    }
    if (i > 0 && (closed[i].setlym != NextMonth(closed[i - 1].setlym) ||
                  closed[i].seq_through < closed[i - 1].seq_through)) {
      return Status::Error("XT-CLR-002", "the clearing history is inconsistent",
                           "month " + std::to_string(closed[i].setlym) + " after " +
                               std::to_string(closed[i - 1].setlym));
    }
  }
  return Status::Ok();
}

std::optional<Setlym> MonthCounting(const ClearingHistory& history, Setlym target_ym, int64_t seq) {
  const auto& c = history.closed;
  if (c.empty()) return std::nullopt;
  // Months are consecutive, so the closes at or after target_ym start at a
  // known index; seq_through never decreases, so the first that covers seq is
  // found by binary search.
  const int32_t from = std::max<int32_t>(0, MonthsBetween(c.front().setlym, target_ym));
  if (static_cast<size_t>(from) >= c.size()) return std::nullopt;
  auto it = std::lower_bound(c.begin() + from, c.end(), seq,
                             [](const ClosedMonth& m, int64_t s) { return m.seq_through < s; });
  if (it == c.end()) return std::nullopt;
  return it->setlym;
}

// ---- one month

Result<MonthCloser> MonthCloser::Begin(const ClearingHistory& history, const CloseRequest& request) {
  XT_RETURN_IF_ERROR(history.Check());
  if (!IsValidSetlym(request.setlym)) {
    return Status::Error("XT-CLR-001", "setlym must be a month yyyyMM", std::to_string(request.setlym));
  }
  MonthCloser m;
  const auto& c = history.closed;
  for (size_t i = 0; i < c.size(); ++i) {
    if (c[i].setlym != request.setlym) continue;
    // Already closed: recompute from its own record.
    m.close_ = c[i];
    if (i > 0) m.prior_seq_through_ = c[i - 1].seq_through;
    m.pairs_.resize(static_cast<size_t>(kProvincesMax) * kProvincesMax);
    m.funds_.resize(kProvincesMax);
    return m;
  }
  if (request.closed_at < EndOf(request.setlym)) {
    return Status::Error("XT-CLR-001", "the month is not over yet", std::to_string(request.setlym));
  }
  if (!c.empty()) {
    if (request.setlym != NextMonth(c.back().setlym)) {
      return Status::Error("XT-CLR-002", "months close in order: the next month to close is " +
                                             std::to_string(NextMonth(c.back().setlym)));
    }
    if (request.seq_through < c.back().seq_through) {
      return Status::Error("XT-CLR-002", "the clearing history is inconsistent",
                           "seq_through " + std::to_string(request.seq_through) + " below the last close's");
    }
    m.prior_seq_through_ = c.back().seq_through;
  }
  m.close_ = ClosedMonth{request.setlym, request.seq_through, request.closed_at};
  m.pairs_.resize(static_cast<size_t>(kProvincesMax) * kProvincesMax);
  m.funds_.resize(kProvincesMax);
  return m;
}

void MonthCloser::Accumulate(const SettlementFacts& f) {
  XT_INVARIANT(f.insu < kProvincesMax && f.treat < kProvincesMax, "province indexes come from Codes");
  const Fen fund = f.fund_pay_sumamt();
  ++rows_;
  PairSum& p = pairs_[static_cast<size_t>(f.insu) * kProvincesMax + f.treat];
  p.fund += fund;
  p.acct += f.acct_pay;
  if (f.reversal) {
    ++reversals_;
    ++p.reversals;
  } else {
    ++settlements_;
    ++p.settlements;
  }
  if (f.target_ym != close_.setlym) {
    ++adjustment_rows_;
    adjustment_fen_ += fund + f.acct_pay;
    p.adjustment += fund + f.acct_pay;
  }
  auto& funds = funds_[f.insu];
  for (int k = 0; k < kFundCount; ++k) funds[k] += f.fund_fen[k];
  funds[kFundCount] += f.acct_pay;

  if (f.institution >= insts_.size()) insts_.resize(static_cast<size_t>(f.institution) + 1);
  Inst& inst = insts_[f.institution];
  if (!inst.seen) {
    inst.seen = true;
    inst.treat = f.treat;
  } else if (inst.treat != f.treat) {
    inst.treat_conflict = true;
  }
  Cell* cell = nullptr;
  for (Cell& c : inst.cells) {
    if (c.insutype == f.insutype && c.clr_type == f.clr_type) {
      cell = &c;
      break;
    }
  }
  if (cell == nullptr) {
    inst.cells.push_back(Cell{f.insutype, f.clr_type});
    cell = &inst.cells.back();
  }
  cell->medfee += f.medfee_sumamt;
  cell->fund += fund;
  cell->acct += f.acct_pay;
  if (f.reversal) {
    ++cell->reversals;
  } else {
    ++cell->settlements;
  }
}

Result<MonthResult> MonthCloser::Finish(const Codes& codes) && {
  if (rows_ > kMonthRowsMax) return Full("rows");
  MonthResult out;
  out.close = close_;
  out.rows = rows_;
  out.settlements = settlements_;
  out.reversals = reversals_;
  out.adjustment_rows = adjustment_rows_;
  out.adjustment_fen = adjustment_fen_;

  const uint32_t n = codes.provinces.size();
  // Facts made with other codes would be named wrongly: a programmer error.
  XT_INVARIANT(insts_.size() <= codes.institutions.size(), "the facts' codes are the ones given to Finish");
  for (size_t k = 0; k < pairs_.size(); ++k) {
    const PairSum& p = pairs_[k];
    const bool used = p.settlements != 0 || p.reversals != 0;
    XT_INVARIANT(!used || (k / kProvincesMax < n && k % kProvincesMax < n),
                 "the facts' codes are the ones given to Finish");
  }
  std::vector<NetPosition> nets(n);
  std::vector<bool> in_flow(n, false);
  for (uint32_t i = 0; i < n; ++i) {
    for (uint32_t t = 0; t < n; ++t) {
      const PairSum& p = pairs_[static_cast<size_t>(i) * kProvincesMax + t];
      if (p.settlements == 0 && p.reversals == 0) continue;
      Flow f;
      f.insuplc_province = codes.provinces.At(i);
      f.mdtrtarea_province = codes.provinces.At(t);
      f.fund_fen = p.fund;
      f.acct_fen = p.acct;
      f.adjustment_fen = p.adjustment;
      f.settlements = p.settlements;
      f.reversals = p.reversals;
      nets[i].payable_fen += f.total_fen();
      nets[t].receivable_fen += f.total_fen();
      in_flow[i] = in_flow[t] = true;
      out.flows.push_back(std::move(f));
    }
  }
  std::sort(out.flows.begin(), out.flows.end(), [](const Flow& a, const Flow& b) {
    return std::tie(a.insuplc_province, a.mdtrtarea_province) < std::tie(b.insuplc_province, b.mdtrtarea_province);
  });
  Fen net_sum = 0;
  for (uint32_t p = 0; p < n; ++p) {
    if (!in_flow[p]) continue;
    nets[p].province = codes.provinces.At(p);
    nets[p].net_fen = nets[p].receivable_fen - nets[p].payable_fen;
    net_sum += nets[p].net_fen;
    out.nets.push_back(nets[p]);
  }
  XT_INVARIANT(net_sum == 0, "net positions of a month sum to zero");
  std::sort(out.nets.begin(), out.nets.end(),
            [](const NetPosition& a, const NetPosition& b) { return a.province < b.province; });
  out.net_transfers = SettleNets(out.nets);

  for (uint32_t i = 0; i < n; ++i) {
    const auto& funds = funds_[i];
    if (!in_flow[i]) continue;
    for (int k = 0; k <= kFundCount; ++k) {
      if (funds[k] == 0) continue;
      out.funds.push_back(FundTotal{codes.provinces.At(i),
                                    k < kFundCount ? std::string(kFundNames[k]) : std::string("personal_account"),
                                    funds[k]});
    }
  }
  // Provinces by code; within one, funds keep kFundNames order.
  std::stable_sort(out.funds.begin(), out.funds.end(), [](const FundTotal& a, const FundTotal& b) {
    return a.insuplc_province < b.insuplc_province;
  });

  for (uint32_t i = 0; i < insts_.size(); ++i) {
    const Inst& inst = insts_[i];
    if (!inst.seen) continue;
    if (inst.treat_conflict) {
      return Status::Error("XT-CLR-003", "an institution appears under two treatment regions",
                           "fixmedins_code " + codes.institutions.At(i));
    }
    for (const Cell& c : inst.cells) {
      InstitutionLine line;
      line.fixmedins_code = codes.institutions.At(i);
      line.mdtrtarea_province = codes.provinces.At(inst.treat);
      line.insutype = codes.insutypes.At(c.insutype);
      line.clr_type = codes.clr_types.At(c.clr_type);
      line.medfee_sumamt = c.medfee;
      line.fund_pay_sumamt = c.fund;
      line.acct_pay = c.acct;
      line.psn_cash_pay = c.medfee - c.fund - c.acct;
      line.settlements = c.settlements;
      line.reversals = c.reversals;
      out.institutions.push_back(std::move(line));
    }
  }
  std::sort(out.institutions.begin(), out.institutions.end(), [](const InstitutionLine& a, const InstitutionLine& b) {
    return std::tie(a.fixmedins_code, a.insutype, a.clr_type) < std::tie(b.fixmedins_code, b.insutype, b.clr_type);
  });

  out.ledger = ClearingTransfers(out);
  return out;
}

Result<MonthResult> CloseMonth(const ClearingHistory& history, const CloseRequest& request,
                               std::span<const SettlementFacts> rows, const Codes& codes) {
  XT_ASSIGN_OR_RETURN(MonthCloser closer, MonthCloser::Begin(history, request));
  for (const SettlementFacts& f : rows) closer.Add(f);
  return std::move(closer).Finish(codes);
}

std::vector<NetTransfer> SettleNets(const std::vector<NetPosition>& nets) {
  struct Open {
    const std::string* province;
    Fen left;  // > 0: owed (creditor) or owing (debtor)
  };
  std::vector<Open> debtors, creditors;
  Fen sum = 0;
  for (const NetPosition& n : nets) {
    sum += n.net_fen;
    if (n.net_fen < 0) debtors.push_back({&n.province, -n.net_fen});
    if (n.net_fen > 0) creditors.push_back({&n.province, n.net_fen});
  }
  XT_INVARIANT(sum == 0, "nets to settle sum to zero");
  // Largest first; equal amounts by province code, so the answer is unique.
  auto largest = [](std::vector<Open>& v) {
    return std::max_element(v.begin(), v.end(), [](const Open& a, const Open& b) {
      return a.left != b.left ? a.left < b.left : *a.province > *b.province;
    });
  };
  std::vector<NetTransfer> out;
  // Each step zeroes at least one side, so there are at most
  // debtors + creditors - 1 steps.
  const size_t steps_max = debtors.size() + creditors.size();
  for (size_t step = 0; step < steps_max && !debtors.empty(); ++step) {
    auto d = largest(debtors);
    auto c = largest(creditors);
    const Fen x = std::min(d->left, c->left);
    out.push_back(NetTransfer{*d->province, *c->province, x});
    d->left -= x;
    c->left -= x;
    if (d->left == 0) debtors.erase(d);
    if (c->left == 0) creditors.erase(c);
  }
  XT_INVARIANT(debtors.empty(), "greedy netting settles every net");
  return out;
}

// ---- ledger

std::string PrepaidAccount(std::string_view province) { return "prepaid:" + std::string(province); }
std::string TreasuryAccount(std::string_view province) { return "treasury:" + std::string(province); }
std::string ClearingAccount(std::string_view province) { return "clearing:" + std::string(province); }

std::vector<store::Transfer> ClearingTransfers(const MonthResult& month) {
  const std::string ym = std::to_string(month.close.setlym);
  std::vector<store::Transfer> out;
  auto move = [&](std::string from, std::string to, Fen amount, std::string memo) {
    if (amount == 0) return;
    store::Transfer t;
    t.debit_account = amount > 0 ? std::move(from) : std::move(to);
    t.credit_account = amount > 0 ? std::move(to) : std::move(from);
    t.amount_fen = amount > 0 ? amount : -amount;
    t.memo = std::move(memo);
    t.time = month.close.closed_at;
    out.push_back(std::move(t));
  };
  for (const Flow& f : month.flows) {
    move(ClearingAccount(f.insuplc_province), ClearingAccount(f.mdtrtarea_province), f.total_fen(),
         "clearing " + ym + " owed " + f.insuplc_province + "->" + f.mdtrtarea_province);
  }
  for (const NetTransfer& t : month.net_transfers) {
    move(PrepaidAccount(t.from_province), ClearingAccount(t.from_province), t.amount_fen,
         "clearing " + ym + " draw " + t.from_province + "->" + t.to_province);
    move(ClearingAccount(t.to_province), ledger::AgencyAccount(t.to_province), t.amount_fen,
         "clearing " + ym + " receipt " + t.from_province + "->" + t.to_province);
  }
  return out;
}

}  // namespace xt::clearing
