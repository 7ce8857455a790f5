// Clearing wired to the store (clearing_service.h, docs/clearing.md).
#include "service/clearing_service.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <tuple>

#include "clearing/month.h"
#include "clearing/prepaid_load.h"
#include "clearing/reconcile.h"
#include "clearing/report.h"
#include "core/json_writer.h"
#include "service/api_reply.h"
#include "service/errors.h"

namespace xt::service {

namespace {


// The input's fields, read from the request as parsed (core/json_doc.h):
// money from the number's own text, never through a double.
const JsonValue* FieldOf(const JsonValue& obj, const char* name) {
  const JsonValue* v = obj.Find(name);
  return v && !v->is_null() ? v : nullptr;
}

// Money in an input: a number of yuan with at most two decimals.
Result<Fen> MoneyField(const JsonValue& obj, const std::string& path, const char* name) {
  const JsonValue* v = FieldOf(obj, name);
  if (!v) return err::MissingField(path + "." + name);
  std::optional<Fen> fen;
  if (v->is_number_integer()) {
    constexpr int64_t kYuanMax = INT64_MAX / 100;
    const std::optional<int64_t> yuan = v->int64();
    if (yuan && *yuan <= kYuanMax && *yuan >= -kYuanMax) fen = *yuan * 100;
  } else if (v->is_number_float()) {
    fen = ScaledFromNumberText(v->number_text(), 2);
  } else {
    return err::BadField(path + "." + name, "must be a number of yuan");
  }
  if (!fen) return err::BadField(path + "." + name, "must be yuan with at most two decimals");
  return *fen;
}

Result<int64_t> CountField(const JsonValue& obj, const std::string& path, const char* name) {
  const JsonValue* v = FieldOf(obj, name);
  if (!v) return err::MissingField(path + "." + name);
  if (v->is_number_integer()) {
    if (auto n = v->int64()) return *n;
  } else if (v->is_string()) {
    const std::string_view s = v->string();
    int64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc() && end == s.data() + s.size()) return n;
  }
  return err::BadField(path + "." + name, "must be a whole number");
}

Result<std::string> StringField(const JsonValue& obj, const std::string& path, const char* name,
                                bool required = true) {
  const JsonValue* v = FieldOf(obj, name);
  if (!v) {
    if (required) return err::MissingField(path + "." + name);
    return std::string();
  }
  if (v->is_number_integer()) {
    if (auto n = v->int64()) return std::to_string(*n);
  }
  if (!v->is_string() || v->string().size() > 200) {
    return err::BadField(path + "." + name, "must be a string of at most 200 characters");
  }
  return std::string(v->string());
}

Result<Date> DateField(const JsonValue& obj, const std::string& path, const char* name) {
  XT_ASSIGN_OR_RETURN(std::string s, StringField(obj, path, name));
  // "yyyy-MM-dd", or "yyyy-MM-dd HH:mm:ss" of which the date counts.
  auto d = ParseDate(std::string_view(s).substr(0, 10));
  if (!d) return err::BadField(path + "." + name, "must be a date yyyy-MM-dd");
  return *d;
}

// The input's data object.
Result<const JsonValue*> DataOf(const JsonValue& input) {
  if (!input.is_object()) return err::BadField("input", "must be an object");
  const JsonValue* data = input.Find("data");
  if (!data || !data->is_object()) return err::MissingField("input.data");
  return data;
}

Result<clearing::TotalFigures> ReadFigures(const JsonValue& d) {
  clearing::TotalFigures f;
  XT_ASSIGN_OR_RETURN(f.medfee_sumamt, MoneyField(d, "input.data", "medfee_sumamt"));
  XT_ASSIGN_OR_RETURN(f.fund_pay_sumamt, MoneyField(d, "input.data", "fund_pay_sumamt"));
  XT_ASSIGN_OR_RETURN(f.acct_pay, MoneyField(d, "input.data", "acct_pay"));
  XT_ASSIGN_OR_RETURN(f.fixmedins_setl_cnt, CountField(d, "input.data", "fixmedins_setl_cnt"));
  return f;
}

// The platform's records of an institution for the local days [begin, end].
Result<std::vector<clearing::DetailRecord>> PlatformRecords(store::ReadTxn& txn, std::string_view code, Date begin,
                                                            Date end) {
  std::vector<clearing::DetailRecord> out;
  Status st = Status::Ok();
  XT_RETURN_IF_ERROR(txn.settlements().ForEachInstitutionSettlement(code, StartOf(begin), StartOf(Date{end.days + 1}),
                                                      [&](const store::SettlementRow& r) {
                                                        if (out.size() >= clearing::kDetailRecordsMax) {
                                                          st = Status::Error("XT-CLR-005",
                                                                             "the period holds too many records");
                                                          return false;
                                                        }
                                                        out.push_back(clearing::DetailOf(r));
                                                        return true;
                                                      }));
  XT_RETURN_IF_ERROR(st);
  return out;
}

clearing::ClearingApplication ApplicationOf(const store::ClearingApplicationRow& r) {
  clearing::ClearingApplication a;
  a.appl_id = r.appl_id;
  a.fixmedins_code = r.fixmedins_code;
  a.setlym = r.setlym;
  a.clr_type = r.clr_type;
  a.clr_way = r.clr_way;
  a.figures = {r.psntime, r.medfee_sumamt, r.fund_appy_sum, r.acct_pay, r.cash_payamt};
  a.state = r.state;
  a.time = r.time;
  return a;
}

store::ClearingApplicationRow RowOf(const clearing::ClearingApplication& a) {
  return store::ClearingApplicationRow{a.appl_id,           a.fixmedins_code,          a.setlym,
                                       a.clr_type,          a.clr_way,                 a.figures.psntime,
                                       a.figures.medfee_sumamt, a.figures.fund_appy_sum, a.figures.acct_pay,
                                       a.figures.cash_payamt, a.state,                  a.time};
}

std::string ApplicationJson(const clearing::ClearingApplication& a) {
  JsonWriter w;
  w.BeginObject().Field("clr_appy_evt_id", a.appl_id).Field("fixmedins_code", a.fixmedins_code);
  w.FieldInt("setlym", a.setlym).Field("clr_type", a.clr_type).Field("clr_way", a.clr_way);
  w.FieldInt("psntime", a.figures.psntime).FieldMoney("medfee_sumamt", a.figures.medfee_sumamt);
  w.FieldMoney("fund_appy_sum", a.figures.fund_appy_sum).FieldMoney("acct_pay", a.figures.acct_pay);
  w.FieldMoney("cash_payamt", a.figures.cash_payamt).Field("state", a.state);
  w.Field("time", FormatLocalTime(a.time)).EndObject();
  return w.Take();
}


ClearingReply ReplyError(int status, const std::string& code, const std::string& message) {
  return ClearingReply{status, api::Error(status, code, message).body, code, "application/json"};
}

ClearingReply ReplyOf(const Status& st) {
  const std::string& c = st.code();
  int status = 500;
  if (c == "XT-AUTH-003") status = 403;
  else if (c == "XT-API-002") status = 404;
  else if (c.rfind("XT-CLR-", 0) == 0 || c == "XT-API-001") status = c == "XT-CLR-002" ? 409 : 400;
  ClearingReply reply = ReplyError(status, c, st.message());
  reply.detail = st.detail();  // for the access log, never the body
  return reply;
}

// What of a month a caller may see: operators all of it; an agency the flows,
// nets, transfers, lines, funds and postings that concern its province; a
// hospital its own institution's lines.
clearing::MonthResult Visible(const Caller& caller, clearing::MonthResult m) {
  if (caller.role == Role::kAdmin || caller.role == Role::kLocal) return m;
  clearing::MonthResult v;
  v.close = m.close;
  auto keep_line = [&](const clearing::InstitutionLine& l) {
    return caller.role == Role::kHospital ? l.fixmedins_code == caller.scope
                                          : l.mdtrtarea_province == caller.scope;
  };
  for (auto& l : m.institutions) {
    if (keep_line(l)) v.institutions.push_back(std::move(l));
  }
  if (caller.role == Role::kAgency) {
    const std::string& p = caller.scope;
    for (auto& f : m.flows) {
      if (f.insuplc_province == p || f.mdtrtarea_province == p) v.flows.push_back(std::move(f));
    }
    for (auto& n : m.nets) {
      if (n.province == p) v.nets.push_back(std::move(n));
    }
    for (auto& t : m.net_transfers) {
      if (t.from_province == p || t.to_province == p) v.net_transfers.push_back(std::move(t));
    }
    for (auto& f : m.funds) {
      if (f.insuplc_province == p) v.funds.push_back(std::move(f));
    }
    const std::string suffix = ":" + p;
    auto ends = [&](const std::string& a) {
      return a.size() >= suffix.size() && a.compare(a.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    for (auto& t : m.ledger) {
      if (ends(t.debit_account) || ends(t.credit_account)) v.ledger.push_back(std::move(t));
    }
    for (const auto& f : v.flows) {
      v.settlements += f.settlements;
      v.reversals += f.reversals;
      v.adjustment_fen += f.adjustment_fen;
    }
  } else {
    for (const auto& l : v.institutions) {
      v.settlements += l.settlements;
      v.reversals += l.reversals;
    }
  }
  v.rows = v.settlements + v.reversals;
  return v;
}

}  // namespace

// ---- posting references

std::string ClearingPostingRef(clearing::Setlym setlym) { return "clearing:" + std::to_string(setlym); }
std::string DepositPostingRef(int64_t id) { return "deposit:" + std::to_string(id); }

// ---- close

namespace {

// What a close writes, made from the month before the write begins.
struct CloseWrite {
  store::ClosedMonthRow row;             // the month with its four reports
  std::vector<store::Transfer> postings; // its ledger postings, setl_id clearing:<setlym>
  std::vector<clearing::PrepaidMovement> draws;
  std::vector<clearing::MonthSpend> spend;
  int64_t rows = 0;                      // rows counted, for the audit record
};

CloseWrite CloseWriteOf(const clearing::MonthResult& month) {
  CloseWrite out;
  out.row.setlym = month.close.setlym;
  out.row.seq_through = month.close.seq_through;
  out.row.closed_at = month.close.closed_at;
  out.row.report_json = clearing::MonthJson(month);
  out.row.flows_csv = clearing::FlowsCsv(month);
  out.row.institutions_csv = clearing::InstitutionsCsv(month);
  out.row.funds_csv = clearing::FundsCsv(month);
  out.postings = clearing::ClearingTransfers(month);
  for (auto& t : out.postings) t.setl_id = ClearingPostingRef(month.close.setlym);
  out.draws = clearing::DrawsOf(month);
  out.spend = clearing::SpendOf(month);
  out.rows = month.rows;
  return out;
}

// The one commit of a close: the month, its postings, draws and spend, and
// the audit record. XT-CLR-002 when another close committed since `history`
// was read (the month was computed on a history no longer current).
Status WriteClose(store::WriteTxn& txn, const clearing::ClearingHistory& history, const CloseWrite& c,
                  const Caller& caller, LocalSeconds now) {
  XT_ASSIGN_OR_RETURN(auto now_history, clearing::HistoryOf(txn));
  if (now_history.closed.size() != history.closed.size()) {
    return Status::Error("XT-CLR-002", "another close of the clearing ran at the same time; try again");
  }
  XT_RETURN_IF_ERROR(txn.clearing().InsertClosedMonth(c.row));
  XT_RETURN_IF_ERROR(txn.ledger().PostTransfers(c.postings));
  for (const auto& d : c.draws) {
    XT_RETURN_IF_ERROR(txn.clearing().InsertPrepaidMovement({0, d.province, "draw", d.amount_fen, d.time, d.ref}).status());
  }
  for (const auto& s : c.spend) XT_RETURN_IF_ERROR(txn.clearing().InsertMonthSpend({s.setlym, s.province, s.spend_fen}));
  store::AuditRow audit;
  audit.time = now;
  audit.actor = caller.actor();
  audit.role = std::string(RoleName(caller.role));
  audit.action = "clearing close";
  audit.subject = ClearingPostingRef(c.row.setlym);
  audit.outcome = "ok";
  audit.detail = "seq_through " + std::to_string(c.row.seq_through) + ", rows " + std::to_string(c.rows) +
                 ", transfers " + std::to_string(c.postings.size());
  return txn.AppendAudit(std::move(audit));
}

}  // namespace

Result<CloseAnswer> ClearingService::Close(const Caller& caller, clearing::Setlym setlym) {
  if (caller.role != Role::kAdmin && caller.role != Role::kLocal) {
    return err::RoleNotAllowed("closing a clearing month is for operators");
  }
  if (!clearing::IsValidSetlym(setlym)) {
    return Status::Error("XT-CLR-001", "setlym is not a month yyyyMM", std::to_string(setlym));
  }
  std::optional<store::ClosedMonthRow> stored;
  clearing::ClearingHistory history;
  int64_t seq_through = 0;
  const LocalSeconds now = clock_->NowLocal();
  // The month's figures from read snapshots, outside the writer: seq_through
  // is the highest id of the first; rows recorded after it have larger ids
  // and fall to later months.
  XT_RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(stored, txn.clearing().FindClosedMonth(setlym));
    if (stored) return Status::Ok();
    XT_ASSIGN_OR_RETURN(history, clearing::HistoryOf(txn));
    XT_ASSIGN_OR_RETURN(seq_through, txn.settlements().MaxSettlementId());
    return Status::Ok();
  }));
  if (stored) return CloseAnswer{std::move(*stored), true};
  XT_ASSIGN_OR_RETURN(clearing::MonthResult month,
                      clearing::ComputeMonthParallel(*store_, history, clearing::CloseRequest{setlym, seq_through, now}));
  CloseWrite write = CloseWriteOf(month);
  Status written =
      store_->Write([&](store::WriteTxn& txn) -> Status { return WriteClose(txn, history, write, caller, now); });
  if (!written.ok()) {
    // Closed by someone else in the meantime: answer with the stored month.
    if (written.code() == "XT-CLR-002") {
      std::optional<store::ClosedMonthRow> again;
      XT_RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> Status {
        XT_ASSIGN_OR_RETURN(again, txn.clearing().FindClosedMonth(setlym));
        return Status::Ok();
      }));
      if (again) return CloseAnswer{std::move(*again), true};
    }
    return written;
  }
  return CloseAnswer{std::move(write.row), false};
}

// ---- prepaid

Result<clearing::PrepaidStatus> ClearingService::Deposit(const Caller& caller, std::string_view province,
                                                         Fen amount_fen, std::string ref) {
  if (!clearing::IsProvinceCode(province)) {
    return Status::Error("XT-CLR-009", "the region of a prepaid fund is a province code such as 130000");
  }
  if (caller.role != Role::kLocal && !(caller.role == Role::kAgency && caller.scope == province)) {
    return err::RoleNotAllowed("a prepaid fund is topped up by its own province's agency or at the command line");
  }
  const LocalSeconds now = clock_->NowLocal();
  XT_ASSIGN_OR_RETURN(clearing::PrepaidMovement deposit, clearing::Deposit(province, amount_fen, now, ref));
  XT_RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(int64_t id, txn.clearing().InsertPrepaidMovement({0, deposit.province, "deposit", deposit.amount_fen,
                                                               deposit.time, deposit.ref}));
    store::Transfer t = clearing::DepositTransfer(deposit);
    t.setl_id = DepositPostingRef(id);
    XT_RETURN_IF_ERROR(txn.ledger().PostTransfers({t}));
    store::AuditRow audit;
    audit.time = now;
    audit.actor = caller.actor();
    audit.role = std::string(RoleName(caller.role));
    audit.action = "prepaid deposit";
    audit.subject = clearing::PrepaidAccount(province);
    audit.outcome = "ok";
    audit.detail = DepositPostingRef(id) + " " + FormatFen(amount_fen) + " ref " + deposit.ref.substr(0, 64);
    return txn.AppendAudit(std::move(audit));
  }));
  XT_ASSIGN_OR_RETURN(auto statuses, Prepaid(Caller::Local(), province));
  for (auto& s : statuses) {
    if (s.province == province) return s;
  }
  clearing::PrepaidStatus s;  // no policy in force: the balance alone
  s.province = std::string(province);
  return s;
}

Result<std::vector<clearing::PrepaidStatus>> ClearingService::Prepaid(const Caller& caller,
                                                                      std::string_view province) {
  std::string want(province);
  switch (caller.role) {
    case Role::kHospital:
    case Role::kResident: return err::RoleNotAllowed("prepaid funds are for agencies and operators");
    case Role::kAgency:
      if (!api::NarrowToScope(&want, caller.scope)) return err::RoleNotAllowed("an agency sees only its own prepaid fund");
      break;
    case Role::kAdmin:
    case Role::kLocal: break;
  }
  if (!want.empty() && !clearing::IsProvinceCode(want)) {
    return Status::Error("XT-API-001", "region is a province code such as 130000");
  }
  std::vector<clearing::PrepaidStatus> out;
  const Date today = DateOf(clock_->NowLocal());
  XT_RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(auto doc, txn.registry().GetRefData(kPrepaidPoliciesDoc));
    std::vector<clearing::PrepaidPolicy> policies;
    if (doc) {
      XT_ASSIGN_OR_RETURN(policies, clearing::ParsePrepaidPolicies(*doc));
    }
    XT_ASSIGN_OR_RETURN(auto history, clearing::HistoryOf(txn));
    XT_ASSIGN_OR_RETURN(auto rows, txn.clearing().PrepaidMovements(want));
    XT_ASSIGN_OR_RETURN(auto spend_rows, txn.clearing().MonthSpends());
    std::vector<clearing::PrepaidMovement> movements;
    for (const auto& r : rows) {
      movements.push_back({r.province, r.kind == "draw" ? clearing::PrepaidKind::kDraw : clearing::PrepaidKind::kDeposit,
                           r.amount_fen, r.time, r.ref});
    }
    std::vector<clearing::MonthSpend> spend;
    for (const auto& s : spend_rows) spend.push_back({s.setlym, s.province, s.spend_fen});
    std::vector<std::string> provinces;
    if (!want.empty()) provinces.push_back(want);
    for (const auto& p : policies) {
      if (want.empty()) provinces.push_back(p.province);
    }
    for (const auto& m : movements) {
      if (want.empty()) provinces.push_back(m.province);
    }
    std::sort(provinces.begin(), provinces.end());
    provinces.erase(std::unique(provinces.begin(), provinces.end()), provinces.end());
    for (const auto& p : provinces) {
      XT_ASSIGN_OR_RETURN(auto st, clearing::EvaluatePrepaid(p, today, movements, history, spend, policies));
      out.push_back(std::move(st));
    }
    return Status::Ok();
  }));
  return out;
}

// ---- REST

ClearingReply ClearingService::ListMonths(const Caller& caller) {
  if (caller.role == Role::kResident) return ReplyError(403, "XT-AUTH-003", "clearing is not for residents");
  std::vector<store::ClosedMonthRow> months;
  Status st = store_->Read([&](store::ReadTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(months, txn.clearing().ClosedMonths());
    return Status::Ok();
  });
  if (!st.ok()) return ReplyOf(st);
  JsonWriter w;
  w.BeginObject().Key("months").BeginArray();
  for (const auto& m : months) {
    w.BeginObject().FieldInt("setlym", m.setlym).FieldInt("seq_through", m.seq_through);
    w.Field("closed_at", FormatLocalTime(m.closed_at)).EndObject();
  }
  w.EndArray().EndObject();
  return ClearingReply{200, w.Take(), "", "application/json"};
}

ClearingReply ClearingService::Report(const Caller& caller, const std::string& setlym_text, const std::string& report_in,
                                      const std::string& format_in) {
  if (caller.role == Role::kResident) return ReplyError(403, "XT-AUTH-003", "clearing is not for residents");
  auto setlym = clearing::ParseSetlym(setlym_text);
  if (!setlym) return ReplyError(400, "XT-CLR-001", "setlym is not a month yyyyMM");
  std::string report = report_in;
  std::string format = format_in;
  if (report.size() > 4 && report.compare(report.size() - 4, 4, ".csv") == 0) {
    if (!format.empty() && format != "csv") return ReplyError(400, "XT-API-001", "format contradicts the .csv path");
    report.resize(report.size() - 4);
    format = "csv";
  }
  if (format.empty()) format = "json";  // JSON unless asked otherwise
  if (format != "json" && format != "csv") return ReplyError(400, "XT-API-001", "format is json or csv");
  if (report != "" && report != "flows" && report != "institutions" && report != "funds") {
    return ReplyError(404, "XT-API-002", "no report " + report + ": flows, institutions or funds");
  }
  if (report.empty() && format == "csv") {
    return ReplyError(400, "XT-API-001", "the whole month is JSON; CSV is per report (flows, institutions, funds)");
  }
  std::optional<store::ClosedMonthRow> row;
  Status st = store_->Read([&](store::ReadTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(row, txn.clearing().FindClosedMonth(*setlym));
    return Status::Ok();
  });
  if (!st.ok()) return ReplyOf(st);
  if (!row) return ReplyError(404, "XT-API-002", "month " + setlym_text + " is not closed");
  const bool everything = caller.role == Role::kAdmin || caller.role == Role::kLocal;
  if (everything && report.empty()) return ClearingReply{200, row->report_json, "", "application/json"};
  if (everything && format == "csv") {
    const std::string& body = report == "flows" ? row->flows_csv
                              : report == "institutions" ? row->institutions_csv
                                                         : row->funds_csv;
    return ClearingReply{200, body, "", "text/csv; charset=utf-8"};
  }
  auto parsed = clearing::ParseMonthJson(row->report_json);
  if (!parsed.ok()) return ReplyOf(parsed.status());
  clearing::MonthResult m = Visible(caller, std::move(parsed).value());
  if (report.empty()) return ClearingReply{200, clearing::MonthJson(m), "", "application/json"};
  if (format == "csv") {
    std::string body = report == "flows" ? clearing::FlowsCsv(m)
                       : report == "institutions" ? clearing::InstitutionsCsv(m)
                                                  : clearing::FundsCsv(m);
    return ClearingReply{200, std::move(body), "", "text/csv; charset=utf-8"};
  }
  // One report as JSON: the part of the month's document it is, its amounts
  // written from the fen (never re-read through a double).
  std::optional<std::string> body = clearing::ReportJson(m, report);
  XT_INVARIANT(body.has_value(), "the report's name was checked above");
  return ClearingReply{200, std::move(*body), "", "application/json"};
}

ClearingReply ClearingService::CloseReply(const Caller& caller, const std::string& setlym_text) {
  auto setlym = clearing::ParseSetlym(setlym_text);
  if (caller.role != Role::kAdmin) return ReplyError(403, "XT-AUTH-003", "closing a month is for operators");
  if (!setlym) return ReplyError(400, "XT-CLR-001", "setlym is not a month yyyyMM");
  auto closed = Close(caller, *setlym);
  if (!closed.ok()) return ReplyOf(closed.status());
  return ClearingReply{200, closed->month.report_json, "", "application/json"};
}

ClearingReply ClearingService::PrepaidReply(const Caller& caller, const std::string& region) {
  auto statuses = Prepaid(caller, region);
  if (!statuses.ok()) return ReplyOf(statuses.status());
  std::string body = "{\"prepaid\":[";
  for (size_t i = 0; i < statuses->size(); ++i) {
    if (i) body += ',';
    body += clearing::PrepaidStatusJson((*statuses)[i]);
  }
  body += "]}";
  return ClearingReply{200, std::move(body), "", "application/json"};
}

ClearingReply ClearingService::Reconciliations(const Caller& caller, const QueryParams& params) {
  store::ReconciliationFilter f;
  f.province = api::Param(params, "region");
  f.fixmedins_code = api::Param(params, "fixmedins_code");
  switch (caller.role) {
    case Role::kResident: return ReplyError(403, "XT-AUTH-003", "reconciliations are for institutions, agencies and operators");
    case Role::kAgency:
      if (!api::NarrowToScope(&f.province, caller.scope)) {
        return ReplyError(403, "XT-AUTH-003", "an agency sees the institutions of its own province only");
      }
      break;
    case Role::kHospital:
      if (!api::NarrowToScope(&f.fixmedins_code, caller.scope)) {
        return ReplyError(403, "XT-AUTH-003", "an institution sees its own reconciliations only");
      }
      break;
    case Role::kAdmin:
    case Role::kLocal: break;
  }
  if (!f.province.empty() && !clearing::IsProvinceCode(f.province)) {
    return ReplyError(400, "XT-API-001", "region is a province code such as 130000");
  }
  if (f.fixmedins_code.size() > 30) return ReplyError(400, "XT-API-001", "fixmedins_code is at most 30 characters");
  for (const char* name : {"from", "to"}) {
    const std::string text = api::Param(params, name);
    if (text.empty()) continue;
    auto d = ParseDate(text);
    if (!d) return ReplyError(400, "XT-API-001", std::string(name) + " must be a date yyyy-MM-dd");
    (name[0] == 'f' ? f.from : f.to) = *d;
  }
  const std::string result = api::Param(params, "result");
  if (result != "" && result != "failed" && result != "all") {
    return ReplyError(400, "XT-API-001", "result must be failed or all");
  }
  f.failed_only = result != "all";
  size_t limit = kReconciliationsPageDefault;
  if (auto n = api::Param(params, "page_size"); !n.empty()) {
    auto v = api::ToInt(n);
    if (!v || *v < 1 || *v > static_cast<int64_t>(kReconciliationsPageMax)) {
      return ReplyError(400, "XT-API-001", "page_size must be a whole number from 1 to " +
                                               std::to_string(kReconciliationsPageMax));
    }
    limit = static_cast<size_t>(*v);
  }
  if (auto t = api::Param(params, "page_token"); !t.empty()) {
    auto v = api::ToInt(t);
    if (!v || *v < 1) return ReplyError(400, "XT-API-001", "page_token is not one this server gave");
    f.before_id = *v;
  }
  f.limit = limit + 1;
  std::vector<store::ReconciliationRow> rows;
  Status st = store_->Read([&](store::ReadTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(rows, txn.clearing().Reconciliations(f));
    return Status::Ok();
  });
  if (!st.ok()) return ReplyOf(st);
  const size_t shown = std::min(rows.size(), limit);
  JsonWriter w;
  w.BeginObject().Key("reconciliations").BeginArray();
  for (size_t i = 0; i < shown; ++i) {
    const auto& r = rows[i];
    w.BeginObject().FieldInt("id", r.id).Field("fixmedins_code", r.fixmedins_code).Field("region", r.province);
    w.Field("infno", r.infno).Field("stmt_begndate", r.stmt_begndate.ToString());
    w.Field("stmt_enddate", r.stmt_enddate.ToString()).Field("insutype", r.insutype).Field("clr_type", r.clr_type);
    w.Field("stmt_rslt", r.stmt_rslt).FieldInt("matched", r.matched).FieldInt("differences_total", r.differences);
    w.Key("differences").Raw(r.differences_json.empty() ? std::string_view("[]") : std::string_view(r.differences_json));
    w.Field("time", FormatLocalTime(r.time)).Field("msgid", r.msgid).EndObject();
  }
  w.EndArray().Key("next_page_token");
  if (rows.size() > shown) {
    w.String(std::to_string(rows[shown - 1].id));
  } else {
    w.Null();
  }
  w.EndObject();
  return ClearingReply{200, w.Take(), "", "application/json"};
}

// ---- the national interface

Result<std::string> Reconcile3201(std::string_view code, const JsonValue& input, store::ReadTxn& txn,
                                  store::ReconciliationRow* kept) {
  XT_ASSIGN_OR_RETURN(const JsonValue* data, DataOf(input));
  const JsonValue& d = *data;
  clearing::TotalsRequest req;
  req.fixmedins_code = std::string(code);
  XT_ASSIGN_OR_RETURN(req.insutype, StringField(d, "input.data", "insutype"));
  XT_ASSIGN_OR_RETURN(req.clr_type, StringField(d, "input.data", "clr_type"));
  XT_ASSIGN_OR_RETURN(req.setl_optins, StringField(d, "input.data", "setl_optins", false));
  XT_ASSIGN_OR_RETURN(req.stmt_begndate, DateField(d, "input.data", "stmt_begndate"));
  XT_ASSIGN_OR_RETURN(req.stmt_enddate, DateField(d, "input.data", "stmt_enddate"));
  XT_ASSIGN_OR_RETURN(req.refd_setl_flag, StringField(d, "input.data", "refd_setl_flag"));
  XT_ASSIGN_OR_RETURN(req.hospital, ReadFigures(d));
  XT_RETURN_IF_ERROR(clearing::CheckTotalsRequest(req));
  XT_ASSIGN_OR_RETURN(auto platform, PlatformRecords(txn, code, req.stmt_begndate, req.stmt_enddate));
  XT_ASSIGN_OR_RETURN(auto result, clearing::ReconcileTotals(req, platform));
  if (kept) {
    kept->fixmedins_code = std::string(code);
    kept->infno = "3201";
    kept->stmt_begndate = req.stmt_begndate;
    kept->stmt_enddate = req.stmt_enddate;
    kept->insutype = req.insutype;
    kept->clr_type = req.clr_type;
    kept->stmt_rslt = result.stmt_rslt;
    // Each figure that differs, the hospital's against the platform's
    // (amounts in integer fen, the count as a count).
    JsonWriter w;
    w.BeginArray();
    int64_t n = 0;
    auto money = [&](const char* field, Fen hospital, Fen platform) {
      if (hospital == platform) return;
      ++n;
      w.BeginObject().Field("field", field).FieldInt("hospital_fen", hospital).FieldInt("platform_fen", platform);
      w.FieldInt("difference_fen", hospital - platform).EndObject();
    };
    money("medfee_sumamt", req.hospital.medfee_sumamt, result.platform.medfee_sumamt);
    money("fund_pay_sumamt", req.hospital.fund_pay_sumamt, result.platform.fund_pay_sumamt);
    money("acct_pay", req.hospital.acct_pay, result.platform.acct_pay);
    if (req.hospital.fixmedins_setl_cnt != result.platform.fixmedins_setl_cnt) {
      ++n;
      w.BeginObject().Field("field", "fixmedins_setl_cnt").FieldInt("hospital", req.hospital.fixmedins_setl_cnt);
      w.FieldInt("platform", result.platform.fixmedins_setl_cnt);
      w.FieldInt("difference", req.hospital.fixmedins_setl_cnt - result.platform.fixmedins_setl_cnt).EndObject();
    }
    w.EndArray();
    kept->differences = n;
    kept->differences_json = w.Take();
  }
  return "{\"stmtinfo\":" + clearing::TotalsResultJson(result) + "}";
}

Result<std::string> Reconcile3202(std::string_view code, const JsonValue& input, store::ReadTxn& txn,
                                  store::ReconciliationRow* kept) {
  XT_ASSIGN_OR_RETURN(const JsonValue* data, DataOf(input));
  const JsonValue& d = *data;
  XT_ASSIGN_OR_RETURN(Date begin, DateField(d, "input.data", "stmt_begndate"));
  XT_ASSIGN_OR_RETURN(Date end, DateField(d, "input.data", "stmt_enddate"));
  if (end < begin) return Status::Error("XT-CLR-005", "stmt_enddate is before stmt_begndate");
  XT_ASSIGN_OR_RETURN(std::string insutype, StringField(d, "input.data", "insutype", false));
  XT_ASSIGN_OR_RETURN(std::string clr_type, StringField(d, "input.data", "clr_type", false));
  const JsonValue* detail = input.Find("detail");
  if (!detail || !detail->is_array()) return err::MissingField("input.detail");
  if (detail->size() > clearing::kDetailRecordsMax) return err::TooMany("input.detail", clearing::kDetailRecordsMax);
  std::vector<clearing::DetailRecord> hospital;
  hospital.reserve(detail->size());
  for (size_t i = 0; i < detail->size(); ++i) {
    const JsonValue& r = (*detail)[i];
    const std::string path = "input.detail[" + std::to_string(i) + "]";
    if (!r.is_object()) return err::BadField(path, "must be an object");
    clearing::DetailRecord x;
    XT_ASSIGN_OR_RETURN(x.setl_id, StringField(r, path, "setl_id"));
    XT_ASSIGN_OR_RETURN(x.mdtrt_id, StringField(r, path, "mdtrt_id"));
    XT_ASSIGN_OR_RETURN(x.psn_no, StringField(r, path, "psn_no"));
    XT_ASSIGN_OR_RETURN(x.insutype, StringField(r, path, "insutype"));
    XT_ASSIGN_OR_RETURN(x.clr_type, StringField(r, path, "clr_type"));
    XT_ASSIGN_OR_RETURN(std::string flag, StringField(r, path, "refd_setl_flag"));
    if (flag != "0" && flag != "1") return err::BadField(path + ".refd_setl_flag", "must be 0 or 1");
    x.reversal = flag == "1";
    XT_ASSIGN_OR_RETURN(std::string time, StringField(r, path, "setl_time", false));
    if (!time.empty()) {
      auto t = ParseLocalTime(time);
      if (!t) return err::BadField(path + ".setl_time", "must be yyyy-MM-dd HH:mm:ss");
      x.setl_time = *t;
    }
    XT_ASSIGN_OR_RETURN(x.medfee_sumamt, MoneyField(r, path, "medfee_sumamt"));
    XT_ASSIGN_OR_RETURN(x.fund_pay_sumamt, MoneyField(r, path, "fund_pay_sumamt"));
    XT_ASSIGN_OR_RETURN(x.acct_pay, MoneyField(r, path, "acct_pay"));
    hospital.push_back(std::move(x));
  }
  XT_ASSIGN_OR_RETURN(auto all, PlatformRecords(txn, code, begin, end));
  std::vector<clearing::DetailRecord> platform;
  for (auto& r : all) {
    if ((insutype.empty() || r.insutype == insutype) && (clr_type.empty() || r.clr_type == clr_type)) {
      platform.push_back(std::move(r));
    }
  }
  XT_ASSIGN_OR_RETURN(auto result, clearing::ReconcileDetails(hospital, platform));
  if (kept) {
    kept->fixmedins_code = std::string(code);
    kept->infno = "3202";
    kept->stmt_begndate = begin;
    kept->stmt_enddate = end;
    kept->insutype = insutype;
    kept->clr_type = clr_type;
    kept->stmt_rslt = result.stmt_rslt;
    kept->matched = result.matched;
    kept->differences = result.missing_on_platform + result.missing_at_hospital + result.differing;
    // The first kReconciliationDifferencesMax records that did not match,
    // each named by setl_id with the side it is missing on or the fields
    // that differ.
    JsonWriter w;
    w.BeginArray();
    size_t n = 0;
    for (const clearing::DetailLine& l : result.lines) {
      if (l.outcome == clearing::DetailOutcome::kMatched) continue;
      if (n++ == store::kReconciliationDifferencesMax) break;
      w.BeginObject().Field("setl_id", l.setl_id).Field("outcome", clearing::DetailOutcomeName(l.outcome));
      w.Key("fields").BeginArray();
      for (const auto& f : l.fields) w.String(f);
      w.EndArray().Field("dscr", l.dscr).EndObject();
    }
    w.EndArray();
    kept->differences_json = w.Take();
  }
  return "{\"stmtinfo\":" + clearing::DetailResultJson(result) + "}";
}

Result<std::string> Apply3203(std::string_view code, const JsonValue& input, LocalSeconds now,
                              store::WriteTxn& txn) {
  XT_ASSIGN_OR_RETURN(const JsonValue* data, DataOf(input));
  const JsonValue& d = *data;
  clearing::ClearingApplication req;
  req.fixmedins_code = std::string(code);
  XT_ASSIGN_OR_RETURN(std::string ym_text, StringField(d, "input.data", "setlym"));
  auto ym = clearing::ParseSetlym(ym_text);
  if (!ym) return Status::Error("XT-CLR-001", "setlym is not a month yyyyMM", ym_text);
  req.setlym = *ym;
  XT_ASSIGN_OR_RETURN(req.clr_type, StringField(d, "input.data", "clr_type"));
  XT_ASSIGN_OR_RETURN(req.clr_way, StringField(d, "input.data", "clr_way", false));
  XT_ASSIGN_OR_RETURN(req.figures.psntime, CountField(d, "input.data", "psntime"));
  XT_ASSIGN_OR_RETURN(req.figures.medfee_sumamt, MoneyField(d, "input.data", "medfee_sumamt"));
  XT_ASSIGN_OR_RETURN(req.figures.fund_appy_sum, MoneyField(d, "input.data", "fund_appy_sum"));
  XT_ASSIGN_OR_RETURN(req.figures.acct_pay, MoneyField(d, "input.data", "acct_pay"));
  XT_ASSIGN_OR_RETURN(req.figures.cash_payamt, MoneyField(d, "input.data", "cash_payamt"));
  if (now < clearing::EndOf(req.setlym)) {
    return Status::Error("XT-CLR-001", "the month " + ym_text + " is not over yet");
  }
  // The platform's figures: the closed month's stored result, or the open
  // month computed now with every row recorded so far.
  XT_ASSIGN_OR_RETURN(auto closed, txn.clearing().FindClosedMonth(req.setlym));
  clearing::MonthResult month;
  if (closed) {
    XT_ASSIGN_OR_RETURN(month, clearing::ParseMonthJson(closed->report_json));
  } else {
    XT_ASSIGN_OR_RETURN(auto history, clearing::HistoryOf(txn));
    XT_ASSIGN_OR_RETURN(int64_t seq, txn.settlements().MaxSettlementId());
    XT_ASSIGN_OR_RETURN(month, clearing::ComputeMonth(txn, history, clearing::CloseRequest{req.setlym, seq, now}, code));
  }
  const auto platform = clearing::PlatformApplicationFigures(month, code, req.clr_type);
  XT_ASSIGN_OR_RETURN(auto rows, txn.clearing().ClearingApplications(code));
  std::vector<clearing::ClearingApplication> existing;
  for (const auto& r : rows) existing.push_back(ApplicationOf(r));
  XT_ASSIGN_OR_RETURN(int64_t seq, txn.NextSequence("clearing_application"));
  std::string digits = std::to_string(seq);
  req.appl_id = std::string(code) + ym_text + std::string(digits.size() < 8 ? 8 - digits.size() : 0, '0') + digits;
  XT_ASSIGN_OR_RETURN(auto applied, clearing::Apply(req, platform, existing, now));
  XT_RETURN_IF_ERROR(txn.clearing().PutClearingApplication(RowOf(applied)));
  return "{\"clrinfo\":" + ApplicationJson(applied) + "}";
}

Result<std::string> Cancel3204(std::string_view code, const JsonValue& input, LocalSeconds now,
                               store::WriteTxn& txn) {
  XT_ASSIGN_OR_RETURN(const JsonValue* data, DataOf(input));
  XT_ASSIGN_OR_RETURN(std::string id, StringField(*data, "input.data", "clr_appy_evt_id"));
  XT_ASSIGN_OR_RETURN(auto row, txn.clearing().FindClearingApplication(id));
  if (!row || row->fixmedins_code != code) {
    return Status::Error("XT-CLR-008", "no clearing application " + id + " of this institution");
  }
  XT_ASSIGN_OR_RETURN(auto history, clearing::HistoryOf(txn));
  XT_ASSIGN_OR_RETURN(auto cancelled, clearing::Cancel(ApplicationOf(*row), history, now));
  cancelled.time = now;
  XT_RETURN_IF_ERROR(txn.clearing().PutClearingApplication(RowOf(cancelled)));
  return "{\"clrinfo\":" + ApplicationJson(cancelled) + "}";
}

// ---- verify

namespace {

// The draws and spends stored, each taken out as a recomputed month matches
// it: what is left over belongs to no closed month.
struct StoredClearing {
  std::map<std::tuple<std::string, std::string, Fen>, int64_t> draws;  // (ref, province, amount): how many
  std::map<std::pair<int32_t, std::string>, Fen> spend;                // (setlym, province): spend
};

// Each deposit's posting recomputed into `out`; the draws kept for the
// months to match.
void CheckMovements(const std::vector<store::PrepaidMovementRow>& movements, StoredClearing* stored,
                    ClearingCheck* out) {
  for (const auto& m : movements) {
    if (m.kind == "draw") {
      stored->draws[{m.ref, m.province, m.amount_fen}]++;
    } else if (m.kind == "deposit") {
      ++out->deposits;
      store::Transfer t = clearing::DepositTransfer({m.province, clearing::PrepaidKind::kDeposit, m.amount_fen,
                                                     m.time, m.ref});
      t.setl_id = DepositPostingRef(m.id);
      out->expected_transfers.push_back(std::move(t));
    } else {
      out->problems.push_back("prepaid movement " + std::to_string(m.id) + " has unknown kind " + m.kind);
    }
  }
}

// One closed month recomputed from the settlements as of its close: its
// report must be the stored bytes, each clearing:* account back to zero
// after it, its draws and spend the stored ones.
Status CheckClosedMonth(store::ReadTxn& txn, const clearing::ClearingHistory& history, const clearing::ClosedMonth& c,
                        StoredClearing* stored, ClearingCheck* out) {
  const std::string name = std::to_string(c.setlym);
  clearing::ClearingHistory upto;
  for (const auto& h : history.closed) {
    if (h.setlym <= c.setlym) upto.closed.push_back(h);
  }
  XT_ASSIGN_OR_RETURN(auto month,
                      clearing::ComputeMonth(txn, upto, clearing::CloseRequest{c.setlym, c.seq_through, c.closed_at}));
  XT_ASSIGN_OR_RETURN(auto stored_month, txn.clearing().FindClosedMonth(c.setlym));
  if (!stored_month || stored_month->report_json != clearing::MonthJson(month)) {
    out->problems.push_back("clearing month " + name + ": the stored report differs from the recomputed one");
  }
  std::map<std::string, Fen> clearing_balance;
  for (auto t : clearing::ClearingTransfers(month)) {
    if (t.debit_account.rfind("clearing:", 0) == 0) clearing_balance[t.debit_account] -= t.amount_fen;
    if (t.credit_account.rfind("clearing:", 0) == 0) clearing_balance[t.credit_account] += t.amount_fen;
    t.setl_id = ClearingPostingRef(c.setlym);
    out->expected_transfers.push_back(std::move(t));
  }
  for (const auto& [account, balance] : clearing_balance) {
    if (balance != 0) {
      out->problems.push_back("clearing month " + name + " leaves " + account + " at " + FormatFen(balance));
    }
  }
  for (const auto& d : clearing::DrawsOf(month)) {
    auto it = stored->draws.find({d.ref, d.province, d.amount_fen});
    if (it == stored->draws.end() || it->second == 0) {
      out->problems.push_back("clearing month " + name + ": the draw on " + d.province + " is not stored");
    } else {
      it->second--;
    }
  }
  for (const auto& sp : clearing::SpendOf(month)) {
    auto it = stored->spend.find({sp.setlym, sp.province});
    if (it == stored->spend.end() || it->second != sp.spend_fen) {
      out->problems.push_back("clearing month " + name + ": the spend of " + sp.province + " differs");
    } else {
      stored->spend.erase(it);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<ClearingCheck> RecomputeClearing(store::ReadTxn& txn) {
  ClearingCheck out;
  XT_ASSIGN_OR_RETURN(auto history, clearing::HistoryOf(txn));
  XT_ASSIGN_OR_RETURN(auto movements, txn.clearing().PrepaidMovements(""));
  XT_ASSIGN_OR_RETURN(auto spends, txn.clearing().MonthSpends());
  StoredClearing stored;
  CheckMovements(movements, &stored, &out);
  for (const auto& s : spends) stored.spend[{s.setlym, s.province}] = s.spend_fen;
  for (const auto& c : history.closed) {
    ++out.months;
    XT_RETURN_IF_ERROR(CheckClosedMonth(txn, history, c, &stored, &out));
  }
  for (const auto& [key, n] : stored.draws) {
    if (n != 0) {
      out.problems.push_back("prepaid draw " + std::get<0>(key) + " on " + std::get<1>(key) + " of no closed month");
    }
  }
  for (const auto& [key, v] : stored.spend) {
    if (v != 0) {
      out.problems.push_back("month spend " + std::to_string(key.first) + " " + key.second + " of no closed month");
    }
  }
  return out;
}

}  // namespace xt::service
