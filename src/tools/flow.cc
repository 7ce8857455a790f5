// Request bodies of each step of a visit.
#include "tools/flow.h"

#include <nlohmann/json.hpp>

#include "core/json_writer.h"

namespace xt::service {

using json = nlohmann::json;

namespace {

const json* Walk(const json& root, const std::vector<std::string>& path) {
  const json* cur = &root;
  auto out = cur->find("output");
  if (out == cur->end()) return nullptr;
  cur = &*out;
  for (const auto& key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

}  // namespace

Fen FlowDriver::LineAmountFen(const FlowLine& line) { return xt::LineAmountFen(line.cnt_e4, line.pric_e6); }

CallResult FlowDriver::Call(const std::string& infno, const std::string& input_json,
                            const std::string& insuplc_admdvs) {
  CallResult r;
  r.request = client_->Envelope(infno, input_json, insuplc_admdvs);
  r.response = processor_ ? processor_->Call(r.request) : transport_(r.request);
  // Responses open with the infcode (the interface's field order), so a
  // success needs no parsing here.
  if (r.response.rfind("{\"infcode\":0,", 0) == 0) return r;
  const json resp = json::parse(r.response, nullptr, false);
  if (resp.is_discarded()) {
    r.infcode = -1;
    r.err_msg = "response is not JSON";
    return r;
  }
  r.infcode = resp.value("infcode", -1);
  r.err_code = resp.value("err_code", "");
  r.err_msg = resp.value("err_msg", "");
  return r;
}

CallResult FlowDriver::SignIn(const std::string& opter_no) {
  json in = {{"signIn", {{"opter_no", opter_no}, {"mac", ""}, {"ip", "127.0.0.1"}}}};
  CallResult r = Call("9001", in.dump(), "");
  if (r.infcode == 0) client_->set_sign_no(OutputString(r.response, {"signinoutb", "sign_no"}));
  return r;
}

CallResult FlowDriver::PersonInfo(const std::string& certno) {
  json in = {{"data", {{"mdtrt_cert_type", "02"}, {"mdtrt_cert_no", certno}, {"psn_cert_type", "01"}, {"certno", certno}}}};
  return Call("1101", in.dump(), "");
}

CallResult FlowDriver::Open(Visit* v, const std::string& begntime) {
  const std::string no = "V" + client_->NextMsgid().substr(12);
  CallResult r;
  if (v->inpatient) {
    json in = {{"mdtrtinfo",
                {{"psn_no", v->psn_no}, {"insutype", v->insutype}, {"mdtrt_cert_type", "02"}, {"med_type", "21"},
                 {"ipt_no", no}, {"begntime", begntime}, {"dept_code", "A03"}, {"dept_name", "内科"},
                 {"atddr_no", "D001"}, {"chfpdr_name", "样例医师"}}},
               {"diseinfo", json::array()}};
    r = Call("2401", in.dump(), v->insuplc_admdvs);
    if (r.infcode == 0) v->mdtrt_id = OutputString(r.response, {"result", "mdtrt_id"});
  } else {
    json in = {{"data",
                {{"psn_no", v->psn_no}, {"insutype", v->insutype}, {"begntime", begntime}, {"mdtrt_cert_type", "02"},
                 {"ipt_otp_no", no}, {"atddr_no", "D001"}, {"dr_name", "样例医师"}, {"dept_code", "A03"},
                 {"dept_name", "内科"}, {"caty", "A03"}, {"med_type", "11"}}}};
    r = Call("2201", in.dump(), v->insuplc_admdvs);
    if (r.infcode == 0) v->mdtrt_id = OutputString(r.response, {"data", "mdtrt_id"});
  }
  return r;
}

CallResult FlowDriver::Upload(const Visit& v, const std::vector<FlowLine>& lines, const std::string& fee_time,
                              const std::string& chrg_bchno) {
  // Amounts, counts and prices are written from their integers (fen, 1e-4,
  // 1e-6) as exact decimals, as a HIS sends them.
  JsonWriter w;
  w.BeginObject().Key("feedetail").BeginArray();
  for (const auto& l : lines) {
    w.BeginObject().Field("feedetl_sn", l.feedetl_sn).Field("mdtrt_id", v.mdtrt_id).Field("psn_no", v.psn_no);
    w.Field("chrg_bchno", chrg_bchno).Field("med_list_codg", l.med_list_codg);
    w.Field("medins_list_codg", "H-" + l.med_list_codg).FieldMoney("det_item_fee_sumamt", LineAmountFen(l));
    w.Key("cnt").Decimal(l.cnt_e4, 4).Key("pric").Decimal(l.pric_e6, 6).Field("fee_ocur_time", fee_time);
    w.Field("bilg_dept_codg", "A03").Field("bilg_dr_codg", "D001").Field("hosp_appr_flag", "1").EndObject();
  }
  w.EndArray().EndObject();
  return Call(v.inpatient ? "2301" : "2204", w.Take(), v.insuplc_admdvs);
}

CallResult FlowDriver::Discharge(const Visit& v, const std::string& endtime) {
  json in = {{"dscginfo", {{"mdtrt_id", v.mdtrt_id}, {"psn_no", v.psn_no}, {"endtime", endtime}, {"dscg_way", "1"}}},
             {"diseinfo", json::array()}};
  return Call("2402", in.dump(), v.insuplc_admdvs);
}

CallResult FlowDriver::Settle(const Visit& v, Fen medfee_sumamt_fen, bool acct_used, bool pre) {
  JsonWriter w;
  w.BeginObject().Key("data").BeginObject();
  w.Field("psn_no", v.psn_no).Field("mdtrt_id", v.mdtrt_id).Field("mdtrt_cert_type", "02");
  w.Field("insutype", v.insutype).FieldMoney("medfee_sumamt", medfee_sumamt_fen);
  w.Field("acct_used_flag", acct_used ? "1" : "0").Field("mid_setl_flag", "0").EndObject().EndObject();
  const char* infno = v.inpatient ? (pre ? "2303" : "2304") : (pre ? "2206" : "2207");
  return Call(infno, w.Take(), v.insuplc_admdvs);
}

CallResult FlowDriver::Reverse(const Visit& v, const std::string& setl_id) {
  JsonWriter w;
  w.BeginObject().Key("data").BeginObject();
  w.Field("psn_no", v.psn_no).Field("mdtrt_id", v.mdtrt_id).Field("setl_id", setl_id).EndObject().EndObject();
  return Call(v.inpatient ? "2305" : "2208", w.Take(), v.insuplc_admdvs);
}

std::string OutputString(const std::string& response, const std::vector<std::string>& path) {
  const json resp = json::parse(response, nullptr, false);
  if (resp.is_discarded()) return {};
  const json* v = Walk(resp, path);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

std::optional<Fen> OutputFen(const std::string& response, const std::vector<std::string>& path) {
  const json resp = json::parse(response, nullptr, false);
  if (resp.is_discarded()) return std::nullopt;
  const json* v = Walk(resp, path);
  if (!v || !v->is_number()) return std::nullopt;
  return ScaledFromNumberText(v->dump(), 2);
}

}  // namespace xt::service
