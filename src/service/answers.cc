// How the answers of settlements and fee uploads are written, kept and
// written again (answers.h).
#include "service/answers.h"

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "clearing/clearing.h"
#include "core/idcard.h"
#include "core/interface_codes.h"
#include "core/json_writer.h"
#include "policy/policy.h"

namespace xt::service {

using json = nlohmann::json;

namespace {

// One line of a 2204/2301 answer: its split, as the interface names it.
void WriteLine(JsonWriter& w, const settle::LineResult& r, const store::FeeLineRow& f) {
  w.BeginObject()
      .Field("feedetl_sn", f.feedetl_sn)
      .FieldMoney("det_item_fee_sumamt", f.amount_fen)
      .Key("cnt")
      .Decimal(f.cnt_e4, 4)
      .Key("pric")
      .Decimal(f.pric_e6, 6)
      .Key("pric_uplmt_amt");
  if (r.price_cap_fen) w.Money(*r.price_cap_fen);
  else w.Null();
  w.Key("selfpay_prop")
      .Decimal(r.selfpay_prop_bp, 4)
      .FieldMoney("fulamt_ownpay_amt", r.fulamt_ownpay_fen)
      .FieldMoney("overlmt_amt", r.overlmt_fen)
      .FieldMoney("preselfpay_amt", r.preselfpay_fen)
      .FieldMoney("inscp_scp_amt", r.inscp_fen)
      .Field("chrgitm_lv", catalog::ChargeClassCode(r.charge_class))
      .Field("lmt_used_flag", r.lmt_used ? "1" : "0")
      .Field("memo", r.listed ? "" : "not listed: fully self-paid")
      .EndObject();
}

// What FeeOutput needs of each line, about 60 bytes a line where the
// output is about 260: its feedetl_sn as length ':' bytes, then thirteen
// integers, each after a ',', and a ';'.
constexpr size_t kFeeAnswerInts = 13;

// The inverse of EncodeFeeAnswer; false when the text is not what it
// writes (then nothing is rendered from it).
bool DecodeFeeAnswer(std::string_view text, std::vector<store::FeeLineRow>* rows,
                     std::vector<settle::LineResult>* split) {
  size_t pos = 0;
  auto integer = [&](int64_t* out) {
    const size_t begin = pos;
    if (pos < text.size() && text[pos] == '-') ++pos;
    int64_t x = 0;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && digits < 18) {
      x = x * 10 + (text[pos++] - '0');
      ++digits;
    }
    if (digits == 0) return false;
    *out = text[begin] == '-' ? -x : x;
    return true;
  };
  while (pos < text.size()) {
    int64_t len = 0;
    if (!integer(&len) || len < 0 || pos >= text.size() || text[pos] != ':' ||
        text.size() - pos - 1 < static_cast<size_t>(len)) {
      return false;
    }
    store::FeeLineRow f;
    f.feedetl_sn = std::string(text.substr(pos + 1, static_cast<size_t>(len)));
    pos += 1 + static_cast<size_t>(len);
    int64_t v[kFeeAnswerInts];
    for (int64_t& x : v) {
      if (pos >= text.size() || text[pos++] != ',' || !integer(&x)) return false;
    }
    if (pos >= text.size() || text[pos++] != ';' || v[10] < 0 || v[10] > 2) return false;
    f.amount_fen = v[0];
    f.cnt_e4 = v[1];
    f.pric_e6 = v[2];
    settle::LineResult r;
    if (v[3] != 0) r.price_cap_fen = v[4];
    r.selfpay_prop_bp = static_cast<BasisPoints>(v[5]);
    r.fulamt_ownpay_fen = v[6];
    r.overlmt_fen = v[7];
    r.preselfpay_fen = v[8];
    r.inscp_fen = v[9];
    r.charge_class = static_cast<catalog::ChargeClass>(v[10]);
    r.lmt_used = v[11] != 0;
    r.listed = v[12] != 0;
    rows->push_back(std::move(f));
    split->push_back(std::move(r));
  }
  return !rows->empty();
}

// The message log's reference to the upload that keeps a message's answer.
constexpr std::string_view kFeeUploadRef = "fee-upload ";

// The fund rows of a kept detail (DetailJson).
std::vector<FundRow> FundRowsOfDetail(const json& detail) {
  std::vector<FundRow> rows;
  for (const auto& f : detail.value("funds", json::array())) {
    rows.push_back({f.value("fund_pay_type", ""), f.value("fund", ""), f.value("crt_payb_lmt_amt_fen", Fen{0}),
                    f.value("fund_payamt_fen", Fen{0}), f.value("inscp_scp_amt_fen", Fen{0}),
                    f.value("setl_proc_info", "")});
  }
  return rows;
}

}  // namespace

// GB/T 2261.1: 1 male, 2 female; from the ID number's sequence digit.
std::string GenderOf(const std::string& certno) {
  const auto id = ParseIdNumber(certno);
  return id ? (id->male ? "1" : "2") : "";
}

// An upload's output as JSON text, from its lines and their split. The
// same function renders it when the upload is made and, from the answer
// kept with the upload, on a retry: the same bytes.
std::string FeeOutput(const std::vector<store::FeeLineRow>& rows, const std::vector<settle::LineResult>& split) {
  JsonWriter w;
  w.BeginObject().Key("result").BeginArray();
  for (size_t i = 0; i < rows.size(); ++i) WriteLine(w, split[i], rows[i]);
  w.EndArray().EndObject();
  return w.Take();
}

std::string EncodeFeeAnswer(const std::vector<store::FeeLineRow>& rows,
                            const std::vector<settle::LineResult>& split) {
  std::string out;
  out.reserve(rows.size() * 64);
  for (size_t i = 0; i < rows.size(); ++i) {
    const store::FeeLineRow& f = rows[i];
    const settle::LineResult& r = split[i];
    const int64_t v[kFeeAnswerInts] = {f.amount_fen,        f.cnt_e4,         f.pric_e6,
                                       r.price_cap_fen ? 1 : 0, r.price_cap_fen.value_or(0),
                                       r.selfpay_prop_bp,   r.fulamt_ownpay_fen, r.overlmt_fen,
                                       r.preselfpay_fen,    r.inscp_fen,      static_cast<int64_t>(r.charge_class),
                                       r.lmt_used ? 1 : 0,  r.listed ? 1 : 0};
    out += std::to_string(f.feedetl_sn.size());
    out += ':';
    out += f.feedetl_sn;
    for (int64_t x : v) {
      out += ',';
      out += std::to_string(x);
    }
    out += ';';
  }
  return out;
}

std::string FeeUploadRef(const std::string& mdtrt_id, const std::string& msgid) {
  return std::string(kFeeUploadRef) + mdtrt_id + ' ' + msgid;
}

store::Amounts AmountsOf(const settle::Breakdown& b) {
  store::Amounts a;
  a.medfee_sumamt = b.medfee_sumamt_fen;
  a.fulamt_ownpay_amt = b.fulamt_ownpay_amt_fen;
  a.overlmt_selfpay = b.overlmt_selfpay_fen;
  a.preselfpay_amt = b.preselfpay_amt_fen;
  a.inscp_scp_amt = b.inscp_scp_amt_fen;
  a.act_pay_dedc = b.act_pay_dedc_fen;
  a.hifp_pay = b.hifp_pay_fen;
  a.cvlserv_pay = b.cvlserv_pay_fen;
  a.hifes_pay = b.hifes_pay_fen;
  a.hifmi_pay = b.hifmi_pay_fen;
  a.hifob_pay = b.hifob_pay_fen;
  a.maf_pay = b.maf_pay_fen;
  a.oth_pay = b.oth_pay_fen;
  a.fund_pay_sumamt = b.fund_pay_sumamt_fen;
  a.psn_part_amt = b.psn_part_amt_fen;
  a.acct_pay = b.acct_pay_fen;
  a.psn_cash_pay = b.psn_cash_pay_fen;
  a.hosp_part_amt = b.hosp_part_amt_fen;
  a.balc = b.balc_fen;
  a.pool_prop_selfpay_bp = b.pool_prop_selfpay_bp;
  return a;
}

std::vector<FundRow> FundRows(const settle::Breakdown& b) {
  std::vector<FundRow> rows;
  rows.reserve(b.funds.size());
  for (const auto& f : b.funds) {
    rows.push_back(
        {f.fund_pay_type, std::string(policy::FundKindName(f.fund)), f.cap_left_fen, f.pay_fen, f.inscp_fen, f.info});
  }
  return rows;
}

// What is kept of a breakdown beside the settlement's money columns: the
// line split, the funds and the trace (docs/storage.md).
std::string DetailJson(const settle::Breakdown& b) {
  JsonWriter w;
  w.BeginObject().Field("policy_id", b.policy_id).Field("category", policy::CategoryName(b.category));
  w.Key("filed_effective").Bool(b.filed_effective).FieldInt("unfiled_cut_bp", b.unfiled_cut_bp);
  w.Key("lines").BeginArray();
  for (const auto& l : b.lines) {
    w.BeginArray().String(l.feedetl_sn).Int(l.amount_fen);
    w.String(catalog::ChargeClassCode(l.charge_class)).Int(l.fulamt_ownpay_fen).Int(l.overlmt_fen);
    w.Int(l.preselfpay_fen).Int(l.inscp_fen).EndArray();
  }
  w.EndArray().Key("funds").BeginArray();
  for (const auto& f : b.funds) {
    w.BeginObject().Field("fund_pay_type", f.fund_pay_type).Field("fund", policy::FundKindName(f.fund));
    w.FieldInt("crt_payb_lmt_amt_fen", f.cap_left_fen).FieldInt("fund_payamt_fen", f.pay_fen);
    w.FieldInt("inscp_scp_amt_fen", f.inscp_fen);
    w.Field("setl_proc_info", f.info).EndObject();
  }
  w.EndArray().Field("trace", b.trace).EndObject();
  return w.Take();
}

// setlinfo + setldetail of a settlement (or of a reversal, whose amounts
// are negative), as JSON text.
std::string RenderSettlement(const store::SettlementRow& r, const std::vector<FundRow>& funds,
                             const std::string& trace, const store::VisitRow& v) {
  const store::Amounts& a = r.amounts;
  JsonWriter w;
  w.BeginObject().Key("setlinfo").BeginObject();
  w.Field("setl_id", r.setl_id).Field("mdtrt_id", r.mdtrt_id).Field("psn_no", r.psn_no);
  w.Field("psn_name", v.psn_name).Field("psn_cert_type", code::kPsnCertTypeIdCard).Field("certno", v.certno);
  w.Field("gend", GenderOf(v.certno)).Field("naty", "").Field("brdy", v.birth.ToString());
  w.FieldInt("age", AgeOn(v.birth, DateOf(r.setl_time))).Field("cvlserv_flag", v.cvlserv_flag ? "1" : "0");
  w.Field("mdtrt_cert_type", v.mdtrt_cert_type);
  w.Field("insutype", r.insutype).Field("psn_type", v.psn_type).Field("setl_time", FormatLocalTime(r.setl_time));
  w.Field("med_type", r.med_type).Field("insuplc_admdvs", r.insuplc_admdvs).Field("mdtrtarea_admvs", r.mdtrtarea_admvs);
  w.FieldMoney("medfee_sumamt", a.medfee_sumamt).FieldMoney("fulamt_ownpay_amt", a.fulamt_ownpay_amt);
  w.FieldMoney("overlmt_selfpay", a.overlmt_selfpay).FieldMoney("preselfpay_amt", a.preselfpay_amt);
  w.FieldMoney("inscp_scp_amt", a.inscp_scp_amt).FieldMoney("act_pay_dedc", a.act_pay_dedc);
  w.FieldMoney("hifp_pay", a.hifp_pay).Key("pool_prop_selfpay").Decimal(a.pool_prop_selfpay_bp, 4);
  w.FieldMoney("cvlserv_pay", a.cvlserv_pay).FieldMoney("hifes_pay", a.hifes_pay).FieldMoney("hifmi_pay", a.hifmi_pay);
  w.FieldMoney("hifob_pay", a.hifob_pay).FieldMoney("maf_pay", a.maf_pay).FieldMoney("oth_pay", a.oth_pay);
  w.FieldMoney("fund_pay_sumamt", a.fund_pay_sumamt).FieldMoney("psn_part_amt", a.psn_part_amt);
  w.FieldMoney("acct_pay", a.acct_pay).FieldMoney("psn_cash_pay", a.psn_cash_pay);
  w.FieldMoney("hosp_part_amt", a.hosp_part_amt).FieldMoney("balc", a.balc).FieldMoney("acct_mulaid_pay", 0);
  w.Field("medins_setl_id", r.msgid).Field("clr_optins", r.insuplc_admdvs).Field("clr_way", "1");
  w.Field("clr_type", clearing::ClrTypeOf(r.med_type));
  if (r.kind == "reversal") w.Field("orig_setl_id", r.orig_setl_id);
  w.Field("setl_proc_info", trace).EndObject();
  const bool negate = r.kind == "reversal";
  w.Key("setldetail").BeginArray();
  for (const auto& f : funds) {
    const std::optional<policy::FundKind> kind = policy::FundKindFromName(f.fund);
    w.BeginObject().Field("fund_pay_type", f.fund_pay_type);
    w.Field("fund_pay_type_name", kind ? policy::FundKindTitle(*kind) : std::string_view());
    w.FieldMoney("inscp_scp_amt", negate ? -f.inscp_fen : f.inscp_fen).FieldMoney("crt_payb_lmt_amt", f.cap_left_fen);
    w.FieldMoney("fund_payamt", negate ? -f.pay_fen : f.pay_fen).Field("setl_proc_info", f.info).EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

// The answer of a stored settlement or reversal, exactly as first given.
Result<std::string> RenderStored(store::ReadTxn& txn, const store::SettlementRow& row) {
  XT_ASSIGN_OR_RETURN(auto visit, txn.settlements().FindVisit(row.mdtrt_id));
  if (!visit) return Status::Error("XT-INT-001", "internal error", "settlement without visit " + row.setl_id);
  json detail = json::parse(row.detail_json, nullptr, false);
  if (detail.is_discarded() || !detail.is_object()) {
    return Status::Error("XT-INT-001", "internal error", "unreadable detail of " + row.setl_id);
  }
  return RenderSettlement(row, FundRowsOfDetail(detail), detail.value("trace", ""), *visit);
}

// The same for what a message log entry names: a settlement, or a fee
// upload (FeeUploadRef), whose output is rendered from its kept answer.
Result<std::string> RenderStored(store::ReadTxn& txn, const std::string& setl_id) {
  if (setl_id.starts_with(kFeeUploadRef)) {
    const std::string_view ref = std::string_view(setl_id).substr(kFeeUploadRef.size());
    const size_t sp = ref.find(' ');
    std::optional<std::string> answer;
    if (sp != std::string_view::npos) {
      XT_ASSIGN_OR_RETURN(answer, txn.settlements().FeeUploadAnswer(ref.substr(0, sp), ref.substr(sp + 1)));
    }
    std::vector<store::FeeLineRow> rows;
    std::vector<settle::LineResult> split;
    if (!answer || !DecodeFeeAnswer(*answer, &rows, &split)) {
      return Status::Error("XT-INT-001", "internal error", "no readable answer kept for " + setl_id);
    }
    return FeeOutput(rows, split);
  }
  XT_ASSIGN_OR_RETURN(auto row, txn.settlements().FindSettlement(setl_id));
  if (!row) return Status::Error("XT-INT-001", "internal error", "message names a missing settlement " + setl_id);
  return RenderStored(txn, *row);
}

}  // namespace xt::service
