// Reconciliation rules: 3201 totals, 3202 details, 3203/3204 applications
// (reconcile.h, docs/clearing.md).
#include "clearing/reconcile.h"

#include <algorithm>

namespace xt::clearing {

DetailRecord DetailOf(const store::SettlementRow& row) {
  DetailRecord d;
  d.setl_id = row.setl_id;
  d.mdtrt_id = row.mdtrt_id;
  d.psn_no = row.psn_no;
  d.insutype = row.insutype;
  d.clr_type = std::string(ClrTypeOf(row.med_type));
  d.setl_time = row.setl_time;
  d.reversal = row.kind == "reversal";
  d.medfee_sumamt = row.amounts.medfee_sumamt;
  d.fund_pay_sumamt = row.amounts.fund_pay_sumamt;
  d.acct_pay = row.amounts.acct_pay;
  return d;
}

namespace {

Status BadInput(const std::string& why) { return Status::Error("XT-CLR-005", "invalid reconciliation input: " + why); }

// "name: hospital X, platform Y", appended with "; " between figures.
void Describe(std::string* dscr, std::string_view name, const std::string& hospital, const std::string& platform) {
  if (!dscr->empty()) *dscr += "; ";
  *dscr += name;
  *dscr += ": hospital ";
  *dscr += hospital;
  *dscr += ", platform ";
  *dscr += platform;
}

}  // namespace

// ---- 3201

Status CheckTotalsRequest(const TotalsRequest& request) {
  if (request.stmt_enddate < request.stmt_begndate) return BadInput("stmt_enddate is before stmt_begndate");
  if (request.refd_setl_flag != "0" && request.refd_setl_flag != "1") return BadInput("refd_setl_flag must be 0 or 1");
  return Status::Ok();
}

TotalFigures PlatformTotals(const TotalsRequest& request, std::span<const DetailRecord> platform) {
  const bool with_reversals = request.refd_setl_flag == "1";
  TotalFigures t;
  for (const DetailRecord& r : platform) {
    if (r.insutype != request.insutype || r.clr_type != request.clr_type) continue;
    const Date day = DateOf(r.setl_time);
    if (day < request.stmt_begndate || request.stmt_enddate < day) continue;
    if (r.reversal && !with_reversals) continue;
    t.medfee_sumamt += r.medfee_sumamt;
    t.fund_pay_sumamt += r.fund_pay_sumamt;
    t.acct_pay += r.acct_pay;
    ++t.fixmedins_setl_cnt;
  }
  return t;
}

Result<TotalsResult> ReconcileTotals(const TotalsRequest& request, std::span<const DetailRecord> platform) {
  XT_RETURN_IF_ERROR(CheckTotalsRequest(request));
  TotalsResult out;
  out.platform = PlatformTotals(request, platform);
  const TotalFigures& h = request.hospital;
  const TotalFigures& p = out.platform;
  std::string dscr;
  auto money = [&](std::string_view name, Fen hv, Fen pv) {
    if (hv != pv) Describe(&dscr, name, FormatFen(hv), FormatFen(pv));
  };
  money("medfee_sumamt", h.medfee_sumamt, p.medfee_sumamt);
  money("fund_pay_sumamt", h.fund_pay_sumamt, p.fund_pay_sumamt);
  money("acct_pay", h.acct_pay, p.acct_pay);
  if (h.fixmedins_setl_cnt != p.fixmedins_setl_cnt) {
    Describe(&dscr, "fixmedins_setl_cnt", std::to_string(h.fixmedins_setl_cnt), std::to_string(p.fixmedins_setl_cnt));
  }
  out.stmt_rslt = dscr.empty() ? "0" : "1";
  out.stmt_rslt_dscr = dscr.empty() ? "all figures match" : dscr;
  return out;
}

// ---- 3202

const char* DetailOutcomeName(DetailOutcome o) {
  switch (o) {
    case DetailOutcome::kMatched: return "matched";
    case DetailOutcome::kMissingOnPlatform: return "missing_on_platform";
    case DetailOutcome::kMissingAtHospital: return "missing_at_hospital";
    case DetailOutcome::kDiffering: return "differing";
  }
  return "unknown";
}

namespace {

Result<std::vector<const DetailRecord*>> SortedById(std::span<const DetailRecord> list, const char* side) {
  if (list.size() > kDetailRecordsMax) {
    return BadInput(std::string("the ") + side + " list has more than " + std::to_string(kDetailRecordsMax) +
                    " records");
  }
  std::vector<const DetailRecord*> v;
  v.reserve(list.size());
  for (const DetailRecord& r : list) {
    if (r.setl_id.empty()) return BadInput(std::string("a record of the ") + side + " list has no setl_id");
    v.push_back(&r);
  }
  std::sort(v.begin(), v.end(), [](const DetailRecord* a, const DetailRecord* b) { return a->setl_id < b->setl_id; });
  for (size_t i = 1; i < v.size(); ++i) {
    if (v[i]->setl_id == v[i - 1]->setl_id) {
      return BadInput(std::string("setl_id ") + v[i]->setl_id + " appears twice in the " + side + " list");
    }
  }
  return v;
}

DetailLine Compare(const DetailRecord& h, const DetailRecord& p) {
  DetailLine line;
  line.setl_id = h.setl_id;
  auto text = [&](std::string_view name, const std::string& hv, const std::string& pv) {
    if (hv == pv) return;
    line.fields.emplace_back(name);
    Describe(&line.dscr, name, hv, pv);
  };
  auto money = [&](std::string_view name, Fen hv, Fen pv) {
    if (hv != pv) text(name, FormatFen(hv), FormatFen(pv));
  };
  text("mdtrt_id", h.mdtrt_id, p.mdtrt_id);
  text("psn_no", h.psn_no, p.psn_no);
  text("insutype", h.insutype, p.insutype);
  text("clr_type", h.clr_type, p.clr_type);
  text("refd_setl_flag", h.reversal ? "1" : "0", p.reversal ? "1" : "0");
  money("medfee_sumamt", h.medfee_sumamt, p.medfee_sumamt);
  money("fund_pay_sumamt", h.fund_pay_sumamt, p.fund_pay_sumamt);
  money("acct_pay", h.acct_pay, p.acct_pay);
  line.outcome = line.fields.empty() ? DetailOutcome::kMatched : DetailOutcome::kDiffering;
  return line;
}

}  // namespace

Result<DetailResult> ReconcileDetails(std::span<const DetailRecord> hospital, std::span<const DetailRecord> platform) {
  XT_ASSIGN_OR_RETURN(auto h, SortedById(hospital, "hospital's"));
  XT_ASSIGN_OR_RETURN(auto p, SortedById(platform, "platform's"));
  DetailResult out;
  size_t i = 0, j = 0;
  while (i < h.size() || j < p.size()) {
    DetailLine line;
    if (j == p.size() || (i < h.size() && h[i]->setl_id < p[j]->setl_id)) {
      line.setl_id = h[i++]->setl_id;
      line.outcome = DetailOutcome::kMissingOnPlatform;
      line.dscr = "the platform has no settlement " + line.setl_id;
      ++out.missing_on_platform;
    } else if (i == h.size() || p[j]->setl_id < h[i]->setl_id) {
      line.setl_id = p[j++]->setl_id;
      line.outcome = DetailOutcome::kMissingAtHospital;
      line.dscr = "the hospital's list has no settlement " + line.setl_id;
      ++out.missing_at_hospital;
    } else {
      line = Compare(*h[i++], *p[j++]);
      if (line.outcome == DetailOutcome::kMatched) {
        ++out.matched;
      } else {
        ++out.differing;
      }
    }
    out.lines.push_back(std::move(line));
  }
  out.stmt_rslt = out.missing_on_platform + out.missing_at_hospital + out.differing == 0 ? "0" : "1";
  return out;
}

// ---- 3203 / 3204

ApplicationFigures PlatformApplicationFigures(const MonthResult& month, std::string_view fixmedins_code,
                                              std::string_view clr_type) {
  ApplicationFigures f;
  for (const InstitutionLine& line : month.institutions) {
    if (line.fixmedins_code != fixmedins_code || line.clr_type != clr_type) continue;
    f.psntime += line.settlements - line.reversals;
    f.medfee_sumamt += line.medfee_sumamt;
    f.fund_appy_sum += line.fund_pay_sumamt;
    f.acct_pay += line.acct_pay;
    f.cash_payamt += line.psn_cash_pay;
  }
  return f;
}

Result<ClearingApplication> Apply(const ClearingApplication& request, const ApplicationFigures& platform,
                                  std::span<const ClearingApplication> existing, LocalSeconds now) {
  if (!IsValidSetlym(request.setlym)) {
    return Status::Error("XT-CLR-001", "setlym must be a month yyyyMM", std::to_string(request.setlym));
  }
  if (now < EndOf(request.setlym)) return Status::Error("XT-CLR-001", "the month is not over yet");
  for (const ClearingApplication& a : existing) {
    if (a.fixmedins_code == request.fixmedins_code && a.setlym == request.setlym && a.clr_type == request.clr_type &&
        a.state == "applied") {
      return Status::Error("XT-CLR-007", "a clearing application for this month and clr_type is already active",
                           "appl_id " + a.appl_id);
    }
  }
  const ApplicationFigures& h = request.figures;
  std::string dscr;
  auto money = [&](std::string_view name, Fen hv, Fen pv) {
    if (hv != pv) Describe(&dscr, name, FormatFen(hv), FormatFen(pv));
  };
  if (h.psntime != platform.psntime) {
    Describe(&dscr, "psntime", std::to_string(h.psntime), std::to_string(platform.psntime));
  }
  money("medfee_sumamt", h.medfee_sumamt, platform.medfee_sumamt);
  money("fund_appy_sum", h.fund_appy_sum, platform.fund_appy_sum);
  money("acct_pay", h.acct_pay, platform.acct_pay);
  money("cash_payamt", h.cash_payamt, platform.cash_payamt);
  if (!dscr.empty()) {
    return Status::Error("XT-CLR-006", "the application's figures differ from the platform's: " + dscr);
  }
  ClearingApplication out = request;
  out.state = "applied";
  out.time = now;
  return out;
}

Result<ClearingApplication> Cancel(const ClearingApplication& application, const ClearingHistory& history,
                                   LocalSeconds now) {
  if (application.state != "applied") {
    return Status::Error("XT-CLR-008", "only an active clearing application can be cancelled",
                         "appl_id " + application.appl_id + " is " + application.state);
  }
  if (history.Find(application.setlym) != nullptr) {
    return Status::Error("XT-CLR-008", "the month is closed: its clearing application can no longer be cancelled",
                         "appl_id " + application.appl_id);
  }
  ClearingApplication out = application;
  out.state = "cancelled";
  out.time = now;
  return out;
}

}  // namespace xt::clearing
