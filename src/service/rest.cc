#include "service/rest.h"

#include <nlohmann/json.hpp>

#include "core/admdvs.h"
#include "core/json_writer.h"
#include "ledger/ledger.h"
#include "service/results_service.h"

namespace xt::service {

namespace {

using api::BadParam;
using api::Failed;
using api::Forbidden;
using api::IsProvince;
using api::NarrowToScope;
using api::NotFound;
using api::Param;
using api::ToInt;

// Dates from/to (inclusive days) into [time_from, time_to), and the page size.
struct Window {
  LocalSeconds from = INT64_MIN;
  LocalSeconds to = INT64_MAX;
  int limit = Api::kPageSizeDefault;
};
std::optional<ApiReply> ParseWindow(const QueryParams& p, Window* w) {
  if (auto f = Param(p, "from"); !f.empty()) {
    auto d = ParseDate(f);
    if (!d) return BadParam("from must be a date yyyy-MM-dd");
    w->from = StartOf(*d);
  }
  if (auto t = Param(p, "to"); !t.empty()) {
    auto d = ParseDate(t);
    if (!d) return BadParam("to must be a date yyyy-MM-dd");
    w->to = StartOf(Date{d->days + 1});
  }
  if (w->from >= w->to) return BadParam("from must not be after to");
  if (auto n = Param(p, "page_size"); !n.empty()) {
    auto v = ToInt(n);
    if (!v || *v < 1 || *v > Api::kPageSizeMax) {
      return BadParam("page_size must be a whole number from 1 to " + std::to_string(Api::kPageSizeMax));
    }
    w->limit = static_cast<int>(*v);
  }
  return std::nullopt;
}

// May the caller see this settlement?
bool Sees(const Caller& c, const store::SettlementRow& r) {
  switch (c.role) {
    case Role::kHospital: return r.fixmedins_code == c.scope;
    case Role::kAgency: return ProvinceOf(r.insuplc_admdvs) == c.scope || ProvinceOf(r.mdtrtarea_admvs) == c.scope;
    case Role::kResident: return r.psn_no == c.scope;
    case Role::kAdmin:
    case Role::kLocal: return true;
  }
  return false;
}

void WriteAmounts(JsonWriter& w, const store::Amounts& a) {
  w.FieldInt("medfee_sumamt_fen", a.medfee_sumamt).FieldInt("fulamt_ownpay_amt_fen", a.fulamt_ownpay_amt);
  w.FieldInt("overlmt_selfpay_fen", a.overlmt_selfpay).FieldInt("preselfpay_amt_fen", a.preselfpay_amt);
  w.FieldInt("inscp_scp_amt_fen", a.inscp_scp_amt).FieldInt("act_pay_dedc_fen", a.act_pay_dedc);
  w.FieldInt("hifp_pay_fen", a.hifp_pay).FieldInt("cvlserv_pay_fen", a.cvlserv_pay);
  w.FieldInt("hifes_pay_fen", a.hifes_pay).FieldInt("hifmi_pay_fen", a.hifmi_pay);
  w.FieldInt("hifob_pay_fen", a.hifob_pay).FieldInt("maf_pay_fen", a.maf_pay).FieldInt("oth_pay_fen", a.oth_pay);
  w.FieldInt("fund_pay_sumamt_fen", a.fund_pay_sumamt).FieldInt("psn_part_amt_fen", a.psn_part_amt);
  w.FieldInt("acct_pay_fen", a.acct_pay).FieldInt("psn_cash_pay_fen", a.psn_cash_pay);
  w.FieldInt("hosp_part_amt_fen", a.hosp_part_amt).FieldInt("balc_fen", a.balc);
}

void WriteSummary(JsonWriter& w, const store::SettlementRow& r) {
  w.Field("setl_id", r.setl_id).Field("kind", r.kind).Field("state", r.state);
  if (!r.orig_setl_id.empty()) w.Field("orig_setl_id", r.orig_setl_id);
  w.Field("mdtrt_id", r.mdtrt_id).Field("psn_no", r.psn_no).Field("fixmedins_code", r.fixmedins_code);
  w.Field("insuplc_admdvs", r.insuplc_admdvs).Field("mdtrtarea_admvs", r.mdtrtarea_admvs);
  w.Field("insutype", r.insutype).Field("med_type", r.med_type).Field("setl_time", FormatLocalTime(r.setl_time));
  w.Field("msgid", r.msgid);
  WriteAmounts(w, r.amounts);
}

// The detail the service stored with a settlement (lines as arrays, funds,
// trace), rendered with named fields.
void WriteDetail(JsonWriter& w, const std::string& detail_json) {
  using json = nlohmann::json;
  json d = json::parse(detail_json, nullptr, false);
  if (d.is_discarded() || !d.is_object()) {
    w.Key("detail").Null();
    return;
  }
  w.Field("policy_id", d.value("policy_id", "")).Field("category", d.value("category", ""));
  w.Key("lines").BeginArray();
  for (const auto& l : d.value("lines", json::array())) {
    if (!l.is_array() || l.size() < 7) continue;
    w.BeginObject().Field("feedetl_sn", l[0].get<std::string>()).FieldInt("amount_fen", l[1].get<int64_t>());
    w.Field("chrgitm_lv", l[2].get<std::string>()).FieldInt("fulamt_ownpay_amt_fen", l[3].get<int64_t>());
    w.FieldInt("overlmt_amt_fen", l[4].get<int64_t>()).FieldInt("preselfpay_amt_fen", l[5].get<int64_t>());
    w.FieldInt("inscp_scp_amt_fen", l[6].get<int64_t>()).EndObject();
  }
  w.EndArray().Key("funds").Raw(d.value("funds", json::array()).dump());
  w.Field("trace", d.value("trace", ""));
}

std::string PageToken(const store::SettlementRow& r) { return std::to_string(r.setl_time) + "." + std::to_string(r.id); }

}  // namespace

Api::Api(store::Store* store, const RefData* ref, const Clock* clock)
    : store_(store), ref_(ref), clock_(clock), results_(std::make_unique<ResultsApi>(store, ref, clock)) {}
Api::~Api() = default;

Status Api::Audit(const Caller& caller, const std::string& action, const std::string& subject,
                  const std::string& outcome, const std::string& detail) {
  store::AuditRow row;
  row.time = clock_->NowLocalMillis() / 1000;
  row.actor = caller.actor();
  row.role = std::string(RoleName(caller.role));
  row.action = action;
  row.subject = subject;
  row.outcome = outcome;
  row.detail = detail;
  return store_->Write([&](store::WriteTxn& txn) { return txn.AppendAudit(row); });
}

Status Api::Ready() const {
  return store_->Read([](store::ReadTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(auto version, txn.GetMeta("schema_version"));
    if (!version) return Status::Error("XT-HTTP-006", "the service is not ready", "no schema_version in meta");
    return Status::Ok();
  });
}

store::WriterStats Api::WriterStats() const { return store_->writer_stats(); }

Status Api::AuditRefusal(const Caller& caller, const std::string& action, const std::string& subject,
                         const std::string& code, const std::string& detail) {
  return Audit(caller, action, subject, code, detail);
}

ApiReply Api::Me(const Caller& caller) {
  JsonWriter w;
  w.BeginObject().Field("role", RoleName(caller.role)).Field("scope", caller.scope).Field("key_id", caller.key_id);
  w.EndObject();
  return ApiReply{200, w.Take(), ""};
}

ApiReply Api::ListSettlements(const Caller& caller, const QueryParams& params) {
  store::SettlementQuery q;
  q.fixmedins_code = Param(params, "fixmedins_code");
  q.psn_no = Param(params, "psn_no");
  q.involves_province = Param(params, "region");
  q.insuplc_province = Param(params, "insuplc_admdvs");
  q.mdtrtarea_province = Param(params, "mdtrtarea_admvs");
  for (const auto* prov : {&q.involves_province, &q.insuplc_province, &q.mdtrtarea_province}) {
    if (!prov->empty() && !IsProvince(*prov)) {
      return BadParam("region, insuplc_admdvs and mdtrtarea_admvs are province codes such as 130000");
    }
  }
  if (q.fixmedins_code.size() > 30 || q.psn_no.size() > 30) return BadParam("fixmedins_code and psn_no are codes");
  // The caller's scope is a filter that cannot be widened.
  switch (caller.role) {
    case Role::kHospital:
      if (!NarrowToScope(&q.fixmedins_code, caller.scope)) return Forbidden("a hospital sees only its own settlements");
      break;
    case Role::kAgency:
      if (!NarrowToScope(&q.involves_province, caller.scope)) {
        return Forbidden("an agency sees only settlements that involve its region");
      }
      break;
    case Role::kResident:
      if (!NarrowToScope(&q.psn_no, caller.scope)) return Forbidden("a resident sees only their own settlements");
      break;
    case Role::kAdmin:
    case Role::kLocal: break;
  }
  // The audit names the person when the list is one person's.
  const std::string subject = q.psn_no;
  return List(caller, std::move(q), params, "GET /api/v1/settlements", subject);
}

ApiReply Api::PersonSettlements(const Caller& caller, const std::string& psn_no, const QueryParams& params) {
  store::SettlementQuery q;
  q.psn_no = psn_no;
  switch (caller.role) {
    case Role::kHospital: return Forbidden("hospitals list settlements with /api/v1/settlements");
    case Role::kResident:
      if (psn_no != caller.scope) return Forbidden("a resident sees only their own settlements");
      break;
    case Role::kAgency: q.involves_province = caller.scope; break;
    case Role::kAdmin:
    case Role::kLocal: break;
  }
  return List(caller, std::move(q), params, "GET /api/v1/persons/{psn_no}/settlements", psn_no);
}

ApiReply Api::List(const Caller& caller, store::SettlementQuery q, const QueryParams& params,
                   const std::string& action, const std::string& subject) {
  Window win;
  if (auto bad = ParseWindow(params, &win)) return *bad;
  q.time_from = win.from;
  q.time_to = win.to;
  q.limit = win.limit + 1;  // one more tells whether there is a next page
  if (auto token = Param(params, "page_token"); !token.empty()) {
    const size_t dot = token.find('.');
    auto t = dot == std::string::npos ? std::nullopt : ToInt(std::string_view(token).substr(0, dot));
    auto id = dot == std::string::npos ? std::nullopt : ToInt(std::string_view(token).substr(dot + 1));
    if (!t || !id) return BadParam("page_token is not one this server gave");
    q.before_time = *t;
    q.before_id = *id;
  }
  std::vector<store::SettlementRow> rows;
  Status st = store_->Read([&](store::ReadTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(rows, txn.settlements().ListSettlements(q));
    return Status::Ok();
  });
  if (!st.ok()) return Failed(st);
  Status audited = Audit(caller, action, subject, "ok", std::to_string(std::min<size_t>(rows.size(), win.limit)) +
                                                          " rows");
  if (!audited.ok()) return Failed(audited);
  JsonWriter w;
  w.BeginObject().Key("settlements").BeginArray();
  const size_t shown = std::min<size_t>(rows.size(), static_cast<size_t>(win.limit));
  for (size_t i = 0; i < shown; ++i) {
    XT_INVARIANT(Sees(caller, rows[i]), "a listed settlement is within the caller's scope");
    w.BeginObject();
    WriteSummary(w, rows[i]);
    w.EndObject();
  }
  w.EndArray().Key("next_page_token");
  if (rows.size() > shown) w.String(PageToken(rows[shown - 1]));
  else w.Null();
  w.EndObject();
  return ApiReply{200, w.Take(), ""};
}

ApiReply Api::GetSettlement(const Caller& caller, const std::string& setl_id) {
  std::optional<store::SettlementRow> row;
  Status st = store_->Read([&](store::ReadTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(row, txn.settlements().FindSettlement(setl_id));
    return Status::Ok();
  });
  if (!st.ok()) return Failed(st);
  const bool visible = row && Sees(caller, *row);
  Status audited = Audit(caller, "GET /api/v1/settlements/{setl_id}", row ? row->psn_no : std::string(),
                         visible ? "ok" : "XT-API-002", "setl_id " + setl_id);
  if (!audited.ok()) return Failed(audited);
  if (!visible) return NotFound("no settlement " + setl_id + " that this credential may see");
  JsonWriter w;
  w.BeginObject();
  WriteSummary(w, *row);
  WriteDetail(w, row->detail_json);
  w.EndObject();
  return ApiReply{200, w.Take(), ""};
}

ApiReply Api::FundBalances(const Caller& caller, const QueryParams& params) {
  std::string region = Param(params, "region");
  if (!region.empty() && !IsProvince(region)) return BadParam("region is a province code such as 130000");
  switch (caller.role) {
    case Role::kHospital:
    case Role::kResident: return Forbidden("fund balances are for agencies and operators");
    case Role::kAgency:
      if (!NarrowToScope(&region, caller.scope)) return Forbidden("an agency sees only its own region's funds");
      break;
    case Role::kAdmin:
    case Role::kLocal: break;
  }
  // fund:<insuplc_admdvs>:<fund>; a province's funds share its first two digits.
  // FundAccount("13", "") is "fund:13:"; without its last ':' it is the
  // prefix of every fund of insurance places 13xxxx ("fund:" for all).
  std::string account_prefix = ledger::FundAccount(region.substr(0, std::min<size_t>(2, region.size())), "");
  account_prefix.pop_back();
  std::vector<store::AccountRow> rows;
  Status st = store_->Read([&](store::ReadTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(rows, txn.ledger().AccountsWithPrefix(account_prefix, kFundAccountsMax));
    return Status::Ok();
  });
  if (!st.ok()) return Failed(st);
  JsonWriter w;
  w.BeginObject().Field("region", region.empty() ? "*" : region).Key("funds").BeginArray();
  for (const auto& a : rows) {
    w.BeginObject().Field("account", a.account).FieldInt("debits_fen", a.debits_fen);
    w.FieldInt("credits_fen", a.credits_fen).FieldInt("balance_fen", a.balance_fen()).EndObject();
  }
  w.EndArray().EndObject();
  return ApiReply{200, w.Take(), ""};
}

ApiReply Api::InstitutionBalance(const Caller& caller, const std::string& code) {
  const registry::Institution* inst = ref_->registry.FindInstitution(code);
  bool allowed = false;
  switch (caller.role) {
    case Role::kHospital: allowed = code == caller.scope; break;
    case Role::kAgency: allowed = inst && ProvinceOf(inst->admdvs) == caller.scope; break;
    case Role::kResident: allowed = false; break;
    case Role::kAdmin:
    case Role::kLocal: allowed = true; break;
  }
  if (caller.role == Role::kResident) return Forbidden("institution balances are not for residents");
  if (!inst || !allowed) return NotFound("no institution " + code + " that this credential may see");
  std::optional<store::AccountRow> row;
  Status st = store_->Read([&](store::ReadTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(row, txn.ledger().GetAccount(ledger::InstitutionAccount(code)));
    return Status::Ok();
  });
  if (!st.ok()) return Failed(st);
  store::AccountRow a = row.value_or(store::AccountRow{ledger::InstitutionAccount(code), 0, 0});
  JsonWriter w;
  w.BeginObject().Field("fixmedins_code", code).Field("name", inst->name).Field("account", a.account);
  w.FieldInt("debits_fen", a.debits_fen).FieldInt("credits_fen", a.credits_fen);
  w.FieldInt("balance_fen", a.balance_fen()).EndObject();
  return ApiReply{200, w.Take(), ""};
}

ApiReply Api::AccountStatement(const Caller& caller, const std::string& account, const QueryParams& params) {
  // Who may read which account, by its kind (docs/ledger.md names them).
  const size_t colon = account.find(':');
  const std::string kind = account.substr(0, colon);
  const std::string rest = colon == std::string::npos ? std::string() : account.substr(colon + 1);
  bool allowed = false;
  bool personal = false;
  switch (caller.role) {
    case Role::kHospital: allowed = kind == "inst" && rest == caller.scope; break;
    case Role::kAgency:
      if (kind == "fund" || kind == "agency") allowed = ProvinceOf(rest) == caller.scope;
      if (kind == "inst") {
        const registry::Institution* inst = ref_->registry.FindInstitution(rest);
        allowed = inst && ProvinceOf(inst->admdvs) == caller.scope;
      }
      break;
    case Role::kResident: allowed = kind == "pacct" && rest == caller.scope; break;
    case Role::kAdmin:
    case Role::kLocal: allowed = true; break;
  }
  personal = kind == "pacct";
  if (account.size() > 80) return BadParam("account is longer than 80 characters");
  Window win;
  if (auto bad = ParseWindow(params, &win)) return *bad;
  store::StatementQuery q;
  q.account = account;
  q.time_from = win.from;
  q.time_to = win.to;
  q.limit = win.limit + 1;
  if (auto token = Param(params, "page_token"); !token.empty()) {
    auto id = ToInt(token);
    if (!id) return BadParam("page_token is not one this server gave");
    q.before_id = *id;
  }
  if (personal) {
    Status audited = Audit(caller, "GET /api/v1/accounts/{account}/statement", rest, allowed ? "ok" : "XT-API-002",
                           "account " + account);
    if (!audited.ok()) return Failed(audited);
  }
  if (!allowed) return NotFound("no account " + account + " that this credential may see");
  std::optional<store::AccountRow> acct;
  std::vector<store::Transfer> rows;
  Status st = store_->Read([&](store::ReadTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(acct, txn.ledger().GetAccount(account));
    if (!acct) return Status::Ok();
    XT_ASSIGN_OR_RETURN(rows, txn.ledger().AccountStatement(q));
    return Status::Ok();
  });
  if (!st.ok()) return Failed(st);
  if (!acct) return NotFound("no account " + account + " that this credential may see");
  JsonWriter w;
  w.BeginObject().Field("account", account).FieldInt("debits_fen", acct->debits_fen);
  w.FieldInt("credits_fen", acct->credits_fen).FieldInt("balance_fen", acct->balance_fen());
  w.Key("transfers").BeginArray();
  const size_t shown = std::min<size_t>(rows.size(), static_cast<size_t>(win.limit));
  for (size_t i = 0; i < shown; ++i) {
    const store::Transfer& t = rows[i];
    // Seen from this account: a credit raises its balance, a debit lowers it.
    const bool credit = t.credit_account == account;
    w.BeginObject().FieldInt("id", t.id).Field("time", FormatLocalTime(t.time)).Field("setl_id", t.setl_id);
    w.Field("side", credit ? "credit" : "debit").Field("counter_account", credit ? t.debit_account : t.credit_account);
    w.FieldInt("amount_fen", t.amount_fen).Field("memo", t.memo).EndObject();
  }
  w.EndArray().Key("next_page_token");
  if (rows.size() > shown) w.String(std::to_string(rows[shown - 1].id));
  else w.Null();
  w.EndObject();
  return ApiReply{200, w.Take(), ""};
}

}  // namespace xt::service
