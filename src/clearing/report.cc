// Rendering a month's clearing as JSON and CSV (report.h).
#include "clearing/report.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/json_writer.h"

namespace xt::clearing {

namespace {

// A CSV field: quoted when it holds a comma, a quote or a line break.
void CsvField(std::string* out, std::string_view v, bool last = false) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
    *out += v;
  } else {
    *out += '"';
    for (char c : v) {
      if (c == '"') *out += '"';
      *out += c;
    }
    *out += '"';
  }
  *out += last ? '\n' : ',';
}

std::vector<std::string> ProvincesOf(const MonthResult& m) {
  std::set<std::string> s;
  for (const Flow& f : m.flows) {
    s.insert(f.insuplc_province);
    s.insert(f.mdtrtarea_province);
  }
  return {s.begin(), s.end()};
}

std::map<std::pair<std::string, std::string>, Fen> MatrixOf(const MonthResult& m) {
  std::map<std::pair<std::string, std::string>, Fen> cells;
  for (const Flow& f : m.flows) cells[{f.insuplc_province, f.mdtrtarea_province}] += f.total_fen();
  return cells;
}

}  // namespace

namespace {

// The parts of a month's document, each written as "key": value. MonthJson
// writes them all; ReportJson one report's.

void WriteMatrix(JsonWriter& w, const MonthResult& m) {
  const std::vector<std::string> provinces = ProvincesOf(m);
  const auto cells = MatrixOf(m);
  w.Key("matrix").BeginObject().Key("provinces").BeginArray();
  for (const auto& p : provinces) w.String(p);
  w.EndArray().Key("owed").BeginArray();  // [insurance][treatment]
  for (const auto& i : provinces) {
    w.BeginArray();
    for (const auto& t : provinces) {
      auto it = cells.find({i, t});
      w.Money(it == cells.end() ? 0 : it->second);
    }
    w.EndArray();
  }
  w.EndArray().EndObject();
}

void WriteFlows(JsonWriter& w, const MonthResult& m) {
  w.Key("flows").BeginArray();
  for (const Flow& f : m.flows) {
    w.BeginObject().Field("insuplc_province", f.insuplc_province).Field("mdtrtarea_province", f.mdtrtarea_province);
    w.FieldMoney("fund_pay_sumamt", f.fund_fen).FieldMoney("acct_pay", f.acct_fen).FieldMoney("total", f.total_fen());
    w.FieldMoney("adjustment", f.adjustment_fen).FieldInt("settlements", f.settlements);
    w.FieldInt("reversals", f.reversals).EndObject();
  }
  w.EndArray();
}

void WriteNets(JsonWriter& w, const MonthResult& m) {
  w.Key("nets").BeginArray();
  for (const NetPosition& n : m.nets) {
    w.BeginObject().Field("province", n.province).FieldMoney("receivable", n.receivable_fen);
    w.FieldMoney("payable", n.payable_fen).FieldMoney("net", n.net_fen).EndObject();
  }
  w.EndArray();
  w.Key("net_transfers").BeginArray();
  for (const NetTransfer& t : m.net_transfers) {
    w.BeginObject().Field("from", t.from_province).Field("to", t.to_province).FieldMoney("amount", t.amount_fen);
    w.EndObject();
  }
  w.EndArray();
}

void WriteInstitutions(JsonWriter& w, const MonthResult& m) {
  w.Key("institutions").BeginArray();
  for (const InstitutionLine& l : m.institutions) {
    w.BeginObject().Field("fixmedins_code", l.fixmedins_code).Field("mdtrtarea_province", l.mdtrtarea_province);
    w.Field("insutype", l.insutype).Field("clr_type", l.clr_type).FieldInt("settlements", l.settlements);
    w.FieldInt("reversals", l.reversals).FieldMoney("medfee_sumamt", l.medfee_sumamt);
    w.FieldMoney("fund_pay_sumamt", l.fund_pay_sumamt).FieldMoney("acct_pay", l.acct_pay);
    w.FieldMoney("psn_cash_pay", l.psn_cash_pay).FieldMoney("paid", l.paid_fen()).EndObject();
  }
  w.EndArray();
}

void WriteFunds(JsonWriter& w, const MonthResult& m) {
  w.Key("funds").BeginArray();
  for (const FundTotal& f : m.funds) {
    w.BeginObject().Field("insuplc_province", f.insuplc_province).Field("fund", f.fund);
    w.FieldMoney("amount", f.amount_fen).EndObject();
  }
  w.EndArray();
}

void WriteLedger(JsonWriter& w, const MonthResult& m) {
  w.Key("ledger").BeginArray();
  for (const store::Transfer& t : m.ledger) {
    w.BeginObject().Field("debit", t.debit_account).Field("credit", t.credit_account);
    w.FieldMoney("amount", t.amount_fen).Field("memo", t.memo).EndObject();
  }
  w.EndArray();
}

}  // namespace

std::string MonthJson(const MonthResult& m) {
  JsonWriter w;
  w.BeginObject();
  w.FieldInt("setlym", m.close.setlym).FieldInt("seq_through", m.close.seq_through);
  w.Field("closed_at", FormatLocalTime(m.close.closed_at));
  w.FieldInt("rows", m.rows).FieldInt("settlements", m.settlements).FieldInt("reversals", m.reversals);
  w.FieldInt("adjustment_rows", m.adjustment_rows).FieldMoney("adjustment_amt", m.adjustment_fen);
  WriteMatrix(w, m);
  WriteFlows(w, m);
  WriteNets(w, m);
  WriteInstitutions(w, m);
  WriteFunds(w, m);
  WriteLedger(w, m);
  w.EndObject();
  return w.Take();
}

std::optional<std::string> ReportJson(const MonthResult& m, std::string_view report) {
  JsonWriter w;
  w.BeginObject().FieldInt("setlym", m.close.setlym);
  if (report == "flows") {
    WriteMatrix(w, m);
    WriteFlows(w, m);
    WriteNets(w, m);
  } else if (report == "institutions") {
    WriteInstitutions(w, m);
  } else if (report == "funds") {
    WriteFunds(w, m);
  } else {
    return std::nullopt;
  }
  w.EndObject();
  return w.Take();
}

std::string FlowsCsv(const MonthResult& m) {
  const std::vector<std::string> provinces = ProvincesOf(m);
  const auto cells = MatrixOf(m);
  std::string out;
  CsvField(&out, "insuplc\\mdtrtarea");
  for (const auto& t : provinces) CsvField(&out, t);
  CsvField(&out, "payable", true);
  std::map<std::string, Fen> column;
  for (const auto& i : provinces) {
    CsvField(&out, i);
    Fen row = 0;
    for (const auto& t : provinces) {
      auto it = cells.find({i, t});
      const Fen v = it == cells.end() ? 0 : it->second;
      row += v;
      column[t] += v;
      CsvField(&out, FormatFen(v));
    }
    CsvField(&out, FormatFen(row), true);
  }
  CsvField(&out, "receivable");
  Fen all = 0;
  for (const auto& t : provinces) {
    all += column[t];
    CsvField(&out, FormatFen(column[t]));
  }
  CsvField(&out, FormatFen(all), true);
  return out;
}

std::string InstitutionsCsv(const MonthResult& m) {
  std::string out =
      "fixmedins_code,mdtrtarea_province,insutype,clr_type,settlements,reversals,medfee_sumamt,fund_pay_sumamt,"
      "acct_pay,psn_cash_pay,paid\n";
  for (const InstitutionLine& l : m.institutions) {
    CsvField(&out, l.fixmedins_code);
    CsvField(&out, l.mdtrtarea_province);
    CsvField(&out, l.insutype);
    CsvField(&out, l.clr_type);
    CsvField(&out, std::to_string(l.settlements));
    CsvField(&out, std::to_string(l.reversals));
    CsvField(&out, FormatFen(l.medfee_sumamt));
    CsvField(&out, FormatFen(l.fund_pay_sumamt));
    CsvField(&out, FormatFen(l.acct_pay));
    CsvField(&out, FormatFen(l.psn_cash_pay));
    CsvField(&out, FormatFen(l.paid_fen()), true);
  }
  return out;
}

std::string FundsCsv(const MonthResult& m) {
  std::string out = "insuplc_province,fund,amount\n";
  for (const FundTotal& f : m.funds) {
    CsvField(&out, f.insuplc_province);
    CsvField(&out, f.fund);
    CsvField(&out, FormatFen(f.amount_fen), true);
  }
  return out;
}

std::string TotalsResultJson(const TotalsResult& r) {
  JsonWriter w;
  w.BeginObject().Field("stmt_rslt", r.stmt_rslt).Field("stmt_rslt_dscr", r.stmt_rslt_dscr);
  w.FieldMoney("medfee_sumamt", r.platform.medfee_sumamt).FieldMoney("fund_pay_sumamt", r.platform.fund_pay_sumamt);
  w.FieldMoney("acct_pay", r.platform.acct_pay).FieldInt("fixmedins_setl_cnt", r.platform.fixmedins_setl_cnt);
  w.EndObject();
  return w.Take();
}

std::string DetailResultJson(const DetailResult& r) {
  JsonWriter w;
  w.BeginObject().Field("stmt_rslt", r.stmt_rslt).FieldInt("matched", r.matched);
  w.FieldInt("missing_on_platform", r.missing_on_platform).FieldInt("missing_at_hospital", r.missing_at_hospital);
  w.FieldInt("differing", r.differing).Key("details").BeginArray();
  for (const DetailLine& l : r.lines) {
    if (l.outcome == DetailOutcome::kMatched) continue;
    w.BeginObject().Field("setl_id", l.setl_id).Field("stmt_rslt", DetailOutcomeName(l.outcome));
    w.Key("fields").BeginArray();
    for (const auto& f : l.fields) w.String(f);
    w.EndArray().Field("stmt_rslt_dscr", l.dscr).EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

std::string PrepaidStatusJson(const PrepaidStatus& s) {
  JsonWriter w;
  w.BeginObject().Field("province", s.province).FieldMoney("deposits", s.deposits_fen);
  w.FieldMoney("draws", s.draws_fen).FieldMoney("balance", s.balance_fen).Field("policy_id", s.policy_id);
  w.FieldInt("months_averaged", s.months_averaged).FieldMoney("average_spend", s.average_spend_fen);
  w.FieldMoney("threshold", s.threshold_fen).Key("warning").Bool(s.warning);
  w.Key("overdrawn").Bool(s.overdrawn).EndObject();
  return w.Take();
}

}  // namespace xt::clearing
