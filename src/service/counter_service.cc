// The cashier's counter: REST bodies turned into interface envelopes, sent
// through the processor, and its answers turned into the page's JSON
// (counter_service.h).
#include "service/counter_service.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "catalog/catalog.h"
#include "clearing/clearing.h"
#include "clearing/reconcile.h"
#include "core/admdvs.h"
#include "core/crypto.h"
#include "core/json_doc.h"
#include "core/json_writer.h"
#include "core/money.h"
#include "service/answers.h"
#include "service/envelope.h"
#include "service/errors.h"
#include "service/processor.h"

namespace xt::service {

namespace {

using json = nlohmann::json;

// The answers' money fields (yuan, 2 places) that the counter also gives
// as integer fen beside them (`<name>_fen`).
bool IsMoneyField(std::string_view key) {
  static constexpr std::string_view kMoney[] = {
      "medfee_sumamt",   "fulamt_ownpay_amt", "overlmt_selfpay", "overlmt_amt",    "preselfpay_amt",
      "inscp_scp_amt",   "act_pay_dedc",      "hifp_pay",        "cvlserv_pay",    "hifes_pay",
      "hifmi_pay",       "hifob_pay",         "maf_pay",         "oth_pay",        "fund_pay_sumamt",
      "psn_part_amt",    "acct_pay",          "psn_cash_pay",    "hosp_part_amt",  "balc",
      "acct_mulaid_pay", "crt_payb_lmt_amt",  "fund_payamt",     "det_item_fee_sumamt", "pric_uplmt_amt"};
  return std::find(std::begin(kMoney), std::end(kMoney), key) != std::end(kMoney);
}

// A number of an answer in fen, read from its text (never through a double).
std::optional<Fen> FenOf(const JsonValue& v) {
  if (v.is_number_integer()) {
    auto i = v.int64();
    if (!i) return std::nullopt;
    return *i * 100;
  }
  if (v.is_number_float()) return ScaledFromNumberText(v.number_text(), 2);
  if (v.is_string()) return ParseDecimal(v.string(), 2);
  return std::nullopt;
}

// An answer's value written again for the page: money fields as yuan text
// with `<name>_fen` beside them, everything else as it came.
void WriteValue(JsonWriter& w, const JsonValue& v);
void WriteMembers(JsonWriter& w, const JsonValue& obj) {
  for (const JsonMember& m : obj.members()) {
    if (IsMoneyField(m.key) && (m.value.is_number_integer() || m.value.is_number_float())) {
      const std::optional<Fen> fen = FenOf(m.value);
      if (fen) {
        w.Field(m.key, FormatFen(*fen)).FieldInt(std::string(m.key) + "_fen", *fen);
        continue;
      }
    }
    w.Key(m.key);
    WriteValue(w, m.value);
  }
}
void WriteValue(JsonWriter& w, const JsonValue& v) {
  switch (v.type()) {
    case JsonValue::Type::kNull: w.Null(); break;
    case JsonValue::Type::kBoolean: w.Bool(v.boolean()); break;
    case JsonValue::Type::kInteger:
    case JsonValue::Type::kUnsigned: w.Raw(v.Dump()); break;
    case JsonValue::Type::kFloat: w.Raw(v.number_text()); break;  // as the interface wrote it ("2.0000")
    case JsonValue::Type::kString: w.String(v.string()); break;
    case JsonValue::Type::kArray:
      w.BeginArray();
      for (const JsonValue& e : v.elements()) WriteValue(w, e);
      w.EndArray();
      break;
    case JsonValue::Type::kObject:
      w.BeginObject();
      WriteMembers(w, v);
      w.EndObject();
      break;
  }
}

// One money field of an object as yuan text and fen (0 when absent).
void WriteMoney(JsonWriter& w, const JsonValue* obj, std::string_view key) {
  const JsonValue* v = obj ? obj->Find(key) : nullptr;
  const Fen fen = v ? FenOf(*v).value_or(0) : 0;
  w.Field(key, FormatFen(fen)).FieldInt(std::string(key) + "_fen", fen);
}

std::string StringOf(const JsonValue* obj, std::string_view key) {
  const JsonValue* v = obj ? obj->Find(key) : nullptr;
  return v && v->is_string() ? std::string(v->string()) : std::string();
}

// The receipt as the counter prints it, from a settlement's (or
// pre-settlement's, or reversal's) setlinfo and setldetail: the bill, what
// each fund paid, the parts the patient bears (upfront self-pay of 乙
// items, over the price cap, fully self-paid), then how the patient's part
// is paid (personal account, cash).
void WriteReceipt(JsonWriter& w, const JsonValue* info, const JsonValue* detail) {
  w.BeginObject();
  WriteMoney(w, info, "medfee_sumamt");
  w.Key("funds").BeginArray();
  if (detail && detail->is_array()) {
    for (const JsonValue& f : detail->elements()) {
      w.BeginObject().Field("fund_pay_type", StringOf(&f, "fund_pay_type"));
      w.Field("fund_pay_type_name", StringOf(&f, "fund_pay_type_name"));
      WriteMoney(w, &f, "fund_payamt");
      w.EndObject();
    }
  }
  w.EndArray();
  for (const char* k : {"fund_pay_sumamt", "act_pay_dedc", "inscp_scp_amt", "preselfpay_amt", "overlmt_selfpay",
                        "fulamt_ownpay_amt", "psn_part_amt", "acct_pay", "psn_cash_pay", "hosp_part_amt", "balc"}) {
    WriteMoney(w, info, k);
  }
  w.EndObject();
}

// A settlement-shaped output (setlinfo, setldetail) for the page.
std::string SettlementBody(const JsonValue& output, const std::string& extra_fields = "") {
  const JsonValue* info = output.Find("setlinfo");
  const JsonValue* detail = output.Find("setldetail");
  JsonWriter w;
  w.BeginObject();
  for (const char* k : {"setl_id", "orig_setl_id", "mdtrt_id", "psn_no", "psn_name", "insutype", "med_type",
                        "setl_time"}) {
    const std::string v = StringOf(info, k);
    if (!v.empty() || std::string_view(k) != "orig_setl_id") w.Field(k, v);
  }
  if (!extra_fields.empty()) w.Raw(extra_fields);
  w.Key("receipt");
  WriteReceipt(w, info, detail);
  w.Key("setlinfo");
  if (info) WriteValue(w, *info);
  else w.BeginObject().EndObject();
  w.Key("setldetail");
  if (detail) WriteValue(w, *detail);
  else w.BeginArray().EndArray();
  w.EndObject();
  return w.Take();
}

// The key of the n-th message of one click: a space, which no key holds,
// keeps it apart from every key a client may send.
std::string SubKey(std::string_view key, const std::string& part) { return std::string(key) + ' ' + part; }

bool PrintableAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

// The counter's own refusals (errors.h: XT-CTR-*), with their status.
ApiReply BadBody(const std::string& m) { return api::Refused(400, err::CounterBadField(m)); }
ApiReply VisitNotFound() { return api::Refused(404, err::CounterVisitNotFound()); }

// The HTTP status of an interface refusal, by its kind.
int StatusOfRefusal(const std::string& code) {
  if (code == "XT-ENV-006") return 409;
  if (code.starts_with("XT-STORE") || code.starts_with("XT-INT")) return 500;
  if (code.starts_with("XT-AUTH")) return 403;
  if (code == "XT-VIS-001" || code == "XT-VIS-002" || code == "XT-SETL-005" || code == "XT-SETL-009" ||
      code == "XT-PSN-001") {
    return 404;
  }
  if (code.starts_with("XT-ENV") || code.starts_with("XT-INP") || code == "XT-PSN-003" || code == "XT-FEE-001" ||
      code == "XT-CLR-005") {
    return 400;
  }
  return 422;
}

// A request body: a JSON object (an empty body reads as {}).
std::optional<json> ObjectBody(const std::string& body, ApiReply* refused) {
  if (body.empty()) return json::object();
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    *refused = BadBody("the body must be a JSON object");
    return std::nullopt;
  }
  return j;
}

// A text field of a body: absent or null reads as "", a whole number as
// its digits (serial numbers), anything else is refused.
std::optional<std::string> Text(const json& body, const char* name, size_t bytes_max, bool required,
                                ApiReply* refused, const std::string& path = "") {
  const std::string where = path.empty() ? std::string(name) : path + "." + name;
  auto it = body.find(name);
  std::string v;
  if (it != body.end() && !it->is_null()) {
    if (it->is_string()) v = it->get<std::string>();
    else if (it->is_number_integer()) v = it->dump();
    else {
      *refused = BadBody(where + " must be a string");
      return std::nullopt;
    }
  }
  if (required && v.empty()) {
    *refused = BadBody(where + " is required");
    return std::nullopt;
  }
  if (v.size() > bytes_max) {
    *refused = BadBody(where + " is longer than " + std::to_string(bytes_max) + " characters");
    return std::nullopt;
  }
  return v;
}

// A decimal field given as text or number (`name`, `scale` places) or, for
// money, as integer fen (`name_fen`). nullopt with *refused unset: absent.
std::optional<int64_t> Decimal(const json& body, const std::string& name, int scale, bool fen_allowed,
                               ApiReply* refused, const std::string& path = "") {
  const std::string where = path.empty() ? name : path + "." + name;
  if (fen_allowed) {
    auto f = body.find(name + "_fen");
    if (f != body.end() && !f->is_null()) {
      if (!f->is_number_integer()) {
        *refused = BadBody(where + "_fen must be a whole number of fen");
        return std::nullopt;
      }
      return f->get<int64_t>();
    }
  }
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::nullopt;
  std::optional<int64_t> v;
  if (it->is_string()) v = ParseDecimal(it->get<std::string>(), scale);
  else if (it->is_number()) v = ParseDecimal(it->dump(), scale);
  if (!v) {
    *refused = BadBody(where + " must be a decimal number with at most " + std::to_string(scale) + " places");
  }
  return v;
}

// A time field (yyyy-MM-dd HH:mm:ss or a date), normalised.
std::optional<std::string> TimeField(const json& body, const char* name, bool required, ApiReply* refused) {
  auto text = Text(body, name, 40, required, refused);
  if (!text) return std::nullopt;
  if (text->empty()) return text;
  auto t = ParseLocalTime(*text);
  if (!t) {
    if (auto d = ParseDate(*text)) t = StartOf(*d);
  }
  if (!t) {
    *refused = BadBody(std::string(name) + " must be a time yyyy-MM-dd HH:mm:ss");
    return std::nullopt;
  }
  return FormatLocalTime(*t);
}

bool Inpatient(const store::VisitRow& v) { return !v.med_type.empty() && v.med_type[0] == '2'; }

// cnt x pric to the fen, half away from zero (the interface's rule).
Fen LineAmountFen(int64_t cnt_e4, int64_t pric_e6) {
  const __int128 p = static_cast<__int128>(cnt_e4) * pric_e6;  // scale 10^10; fen is 10^8 of it
  const __int128 half = 50000000;
  const __int128 q = p >= 0 ? (p + half) / 100000000 : -((-p + half) / 100000000);
  return static_cast<Fen>(q);
}

}  // namespace

// What one envelope was answered: its text, parsed, and how it went.
struct CounterService::Sent {
  std::string text;
  CallInfo info;
  JsonDoc doc;
  const JsonValue* output = nullptr;
  bool parsed = false;
  bool ok() const { return info.infcode == 0 && output != nullptr; }
  ApiReply Refusal() const {
    if (info.err_code.empty() || info.infcode == 0) {
      return api::Failed(Status::Error("XT-INT-001", "internal error", "unreadable answer: " + text.substr(0, 200)));
    }
    const JsonValue* msg = parsed ? doc.root().Find("err_msg") : nullptr;
    ApiReply reply = api::Error(StatusOfRefusal(info.err_code), info.err_code, msg ? std::string(msg->string()) : "");
    reply.detail = info.detail;
    return reply;
  }
};

// The caller's institution and the operator the counter signs in as.
struct CounterService::Ctx {
  const Caller* caller = nullptr;
  const registry::Institution* institution = nullptr;
  std::string operator_no;
};

CounterService::CounterService(Processor* processor, store::Store* store, const RefData* ref, const Clock* clock)
    : processor_(processor), store_(store), ref_(ref), clock_(clock) {}

std::string CounterService::MsgidOf(std::string_view fixmedins_code, std::string_view idempotency_key) {
  std::string data = "counter|";
  data += fixmedins_code;
  data += '|';
  data += idempotency_key;
  return "CTR" + crypto::HashHex(data).substr(0, 27);
}

std::string CounterService::Envelope(const Ctx& ctx, std::string_view infno, const std::string& input_json,
                                     std::string_view insuplc_admdvs, const std::string& msgid,
                                     const std::string& sign_no) const {
  JsonWriter w;
  w.BeginObject().Field("infno", infno).Field("msgid", msgid).Field("mdtrtarea_admvs", ctx.institution->admdvs);
  w.Field("insuplc_admdvs", insuplc_admdvs).Field("recer_sys_code", "XIETONG").Field("infver", "V1.0");
  w.Field("opter_type", "1").Field("opter", ctx.operator_no).Field("opter_name", ctx.operator_no);
  w.Field("inf_time", FormatLocalTime(clock_->NowLocal())).Field("fixmedins_code", ctx.institution->fixmedins_code);
  w.Field("fixmedins_name", ctx.institution->name).Field("sign_no", sign_no).Key("input").Raw(input_json);
  w.EndObject();
  return w.Take();
}

namespace {
void ParseAnswer(const std::string& text, JsonDoc* doc, const JsonValue** output, bool* parsed) {
  *output = nullptr;
  *parsed = doc->Parse(text, 64) == JsonDoc::Parsed::kOk;
  if (!*parsed) return;
  const JsonValue* out = doc->root().Find("output");
  if (out && out->is_object()) *output = out;
}
}  // namespace

// The operator's open sign-in, from the cache or by a 9001 now (`renew`:
// the cached one was refused). Empty, with the refusal in *failed, when
// the sign-in is refused.
std::string CounterService::SignNo(const Ctx& ctx, bool renew, Sent* failed) {
  const std::string key = ctx.institution->fixmedins_code + '|' + ctx.operator_no;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sign_nos_.find(key);
    if (it != sign_nos_.end()) {
      if (!renew) return it->second;
      sign_nos_.erase(it);
    }
  }
  JsonWriter in;
  in.BeginObject().Key("signIn").BeginObject().Field("opter_no", ctx.operator_no).Field("mac", "").Field("ip", "");
  in.EndObject().EndObject();
  // A sign-in is a new message each time: "CTRS" + 26 random hex digits.
  const std::string msgid = "CTRS" + crypto::RandomHex(13);
  failed->text = processor_->Call(*ctx.caller, Envelope(ctx, "9001", in.Take(), "", msgid, ""), &failed->info);
  ParseAnswer(failed->text, &failed->doc, &failed->output, &failed->parsed);
  if (!failed->ok()) return std::string();
  const JsonValue* out = failed->output->Find("signinoutb");
  const std::string sign_no = StringOf(out, "sign_no");
  if (sign_no.empty()) return std::string();
  std::lock_guard<std::mutex> lock(mu_);
  if (sign_nos_.size() >= kSignInsMax) sign_nos_.clear();
  sign_nos_[key] = sign_no;
  return sign_no;
}

CounterService::Sent CounterService::Send(const Ctx& ctx, std::string_view infno, const std::string& input_json,
                                          std::string_view insuplc_admdvs, const std::string& msgid) {
  for (int attempt = 0;; ++attempt) {
    Sent sent;
    const std::string sign_no = SignNo(ctx, attempt > 0, &sent);
    if (sign_no.empty()) {
      if (sent.info.err_code.empty()) sent.info.err_code = "XT-INT-001";
      return sent;
    }
    Sent answer;
    answer.text = processor_->Call(*ctx.caller, Envelope(ctx, infno, input_json, insuplc_admdvs, msgid, sign_no),
                                   &answer.info);
    ParseAnswer(answer.text, &answer.doc, &answer.output, &answer.parsed);
    // The sign-in closed (9002 by someone else, a restart that forgot it):
    // sign in again, once.
    if (answer.info.err_code == "XT-AUTH-005" && attempt == 0) continue;
    return answer;
  }
}

Status CounterService::Audit(const Caller& caller, const std::string& action, const std::string& subject,
                             const std::string& detail) {
  store::AuditRow row;
  row.time = clock_->NowLocal();
  row.actor = caller.actor();
  row.role = std::string(RoleName(caller.role));
  row.action = action;
  row.subject = subject;
  row.outcome = "ok";
  row.detail = detail;
  return store_->Write([&](store::WriteTxn& txn) { return txn.AppendAudit(row); });
}

namespace {

// The caller's context, or the refusal. The routes admit hospitals only;
// the institution must be one the exchange knows.
std::optional<ApiReply> ContextOf(const Caller& caller, const RefData& ref, const registry::Institution** inst,
                                  std::string* operator_no) {
  if (caller.role != Role::kHospital) return api::Forbidden("the counter is for designated institutions");
  *inst = ref.registry.FindInstitution(caller.scope);
  if (!*inst) return api::Refused(403, err::UnknownInstitution(caller.scope));
  // The operator: the staff account's name, else the API key's id.
  std::string op = caller.account.empty() ? caller.key_id : caller.account;
  if (op.empty()) op = "counter";
  *operator_no = op.substr(0, 30);
  return std::nullopt;
}

std::optional<ApiReply> CheckKey(std::string_view key) {
  if (key.empty() || key.size() > CounterService::kIdempotencyKeyBytesMax || !PrintableAscii(key)) {
    return api::Refused(400, err::CounterIdempotencyKey(CounterService::kIdempotencyKeyBytesMax));
  }
  return std::nullopt;
}

}  // namespace

// The caller's context for a use case, or the refusal.
std::optional<ApiReply> CounterService::Begin(const Caller& caller, Ctx* ctx) const {
  ctx->caller = &caller;
  return ContextOf(caller, *ref_, &ctx->institution, &ctx->operator_no);
}

ApiReply CounterService::LookUpPerson(const Caller& caller, const QueryParams& params) {
  Ctx ctx;
  if (auto refused = Begin(caller, &ctx)) return *refused;
  const std::string certno = api::Param(params, "certno");
  std::string cert_type = api::Param(params, "mdtrt_cert_type");
  if (cert_type.empty()) cert_type = "02";
  if (certno.empty() || certno.size() > 50) return BadBody("certno is required (at most 50 characters)");
  if (cert_type.size() > 2) return BadBody("mdtrt_cert_type is a code of 2 digits (02 ID number, 03 card)");
  const std::string card_sn = api::Param(params, "card_sn");
  if (card_sn.size() > 32) return BadBody("card_sn is at most 32 characters");
  JsonWriter in;
  in.BeginObject().Key("data").BeginObject().Field("mdtrt_cert_type", cert_type).Field("mdtrt_cert_no", certno);
  in.Field("card_sn", card_sn);
  in.EndObject().EndObject();
  Sent s = Send(ctx, "1101", in.Take(), "", "CTRQ" + crypto::RandomHex(13));
  if (!s.ok()) return s.Refusal();
  const JsonValue* base = s.output->Find("baseinfo");
  const JsonValue* insu = s.output->Find("insuinfo");
  JsonWriter w;
  w.BeginObject();
  for (const char* k : {"psn_no", "psn_name", "certno", "gend", "brdy"}) w.Field(k, StringOf(base, k));
  // The enrollment in force first (the page offers the others).
  const JsonValue* first = insu && insu->is_array() && insu->size() > 0 ? &(*insu)[0] : nullptr;
  w.Field("insuplc_admdvs", StringOf(first, "insuplc_admdvs")).Field("insutype", StringOf(first, "insutype"));
  WriteMoney(w, first, "balc");
  w.Key("baseinfo");
  if (base) WriteValue(w, *base);
  else w.BeginObject().EndObject();
  w.Key("insuinfo");
  if (insu) WriteValue(w, *insu);
  else w.BeginArray().EndArray();
  w.Key("idetinfo");
  if (const JsonValue* idet = s.output->Find("idetinfo")) WriteValue(w, *idet);
  else w.BeginArray().EndArray();
  w.EndObject();
  return ApiReply{200, w.Take(), ""};
}

ApiReply CounterService::ListItems(const Caller& caller, const QueryParams& params) {
  Ctx ctx;
  if (auto refused = Begin(caller, &ctx)) return *refused;
  const std::string q = api::Param(params, "q");
  if (q.size() > 100) return BadBody("q is at most 100 characters");
  int limit = kItemsLimitDefault;
  if (const std::string l = api::Param(params, "limit"); !l.empty()) {
    auto v = api::ToInt(l);
    if (!v || *v < 1 || *v > kItemsLimitMax) {
      return BadBody("limit must be a whole number from 1 to " + std::to_string(kItemsLimitMax));
    }
    limit = static_cast<int>(*v);
  }
  const Date today = DateOf(clock_->NowLocal());
  std::string lower_q = q;
  std::transform(lower_q.begin(), lower_q.end(), lower_q.begin(), [](unsigned char c) { return std::tolower(c); });
  JsonWriter w;
  w.BeginObject().Field("q", q).Key("items").BeginArray();
  int n = 0;
  for (const catalog::ItemVersion* it : ref_->catalog.ItemsOf(ProvinceOf(ctx.institution->admdvs))) {
    if (n >= limit) break;
    if (!it->validity.Contains(today)) continue;
    std::string code = it->code;
    std::transform(code.begin(), code.end(), code.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!q.empty() && code.find(lower_q) == std::string::npos && it->name.find(q) == std::string::npos) continue;
    w.BeginObject().Field("med_list_codg", it->code).Field("hilist_name", it->name);
    w.Field("kind", catalog::ItemKindName(it->kind)).Field("chrgitm_lv", catalog::ChargeClassCode(it->charge_class));
    if (it->price_cap_fen) w.Field("pric_uplmt_amt", FormatFen(*it->price_cap_fen)).FieldInt("pric_uplmt_amt_fen", *it->price_cap_fen);
    else w.Key("pric_uplmt_amt").Null().Key("pric_uplmt_amt_fen").Null();
    w.Key("selfpay_prop").Decimal(it->selfpay_prop_bp, 4).EndObject();
    ++n;
  }
  w.EndArray().EndObject();
  return ApiReply{200, w.Take(), ""};
}

ApiReply CounterService::OpenVisit(const Caller& caller, std::string_view idempotency_key, const std::string& body) {
  Ctx ctx;
  if (auto refused = Begin(caller, &ctx)) return *refused;
  if (auto bad = CheckKey(idempotency_key)) return *bad;
  ApiReply refused;
  auto b = ObjectBody(body, &refused);
  if (!b) return refused;
  auto kind = Text(*b, "kind", 20, true, &refused);
  if (!kind) return refused;
  if (*kind != "outpatient" && *kind != "inpatient") return BadBody("kind must be outpatient or inpatient");
  const bool inpatient = *kind == "inpatient";
  auto psn_no = Text(*b, "psn_no", 30, true, &refused);
  auto insutype = psn_no ? Text(*b, "insutype", 6, true, &refused) : std::nullopt;
  auto med_type = insutype ? Text(*b, "med_type", 6, false, &refused) : std::nullopt;
  auto begntime = med_type ? TimeField(*b, "begntime", true, &refused) : std::nullopt;
  auto number = begntime ? Text(*b, "ipt_otp_no", 30, false, &refused) : std::nullopt;
  auto dise_codg = number ? Text(*b, "dise_codg", 50, false, &refused) : std::nullopt;
  auto dise_name = dise_codg ? Text(*b, "dise_name", 255, !dise_codg->empty(), &refused) : std::nullopt;
  auto insuplc = dise_name ? Text(*b, "insuplc_admdvs", 6, false, &refused) : std::nullopt;
  auto cert_type = insuplc ? Text(*b, "mdtrt_cert_type", 3, false, &refused) : std::nullopt;
  if (!cert_type) return refused;
  std::string mt = med_type->empty() ? (inpatient ? "21" : "11") : *med_type;
  if ((mt[0] == '2') != inpatient) {
    return BadBody("med_type " + mt + " is not of an " + (inpatient ? "inpatient" : "outpatient") + " visit");
  }
  const std::string msgid = MsgidOf(ctx.institution->fixmedins_code, idempotency_key);
  // The hospital's visit number: the message's own when none is given.
  const std::string ipt_otp_no = number->empty() ? msgid : *number;
  JsonWriter diag;
  diag.BeginArray();
  if (!dise_codg->empty()) diag.BeginObject().Field("diag_code", *dise_codg).Field("diag_name", *dise_name).EndObject();
  diag.EndArray();
  JsonWriter in;
  in.BeginObject().Key(inpatient ? "mdtrtinfo" : "data").BeginObject();
  in.Field("psn_no", *psn_no).Field("insutype", *insutype).Field("begntime", *begntime);
  in.Field(inpatient ? "ipt_no" : "ipt_otp_no", ipt_otp_no).Field("med_type", mt);
  if (!cert_type->empty()) in.Field("mdtrt_cert_type", *cert_type);
  in.EndObject();
  if (inpatient && !dise_codg->empty()) in.Key("diseinfo").Raw(diag.str());
  in.EndObject();
  Sent s = Send(ctx, inpatient ? "2401" : "2201", in.Take(), *insuplc, msgid);
  if (!s.ok()) return s.Refusal();
  const JsonValue* out = s.output->Find(inpatient ? "result" : "data");
  const std::string mdtrt_id = StringOf(out, "mdtrt_id");
  if (!inpatient && !dise_codg->empty()) {
    // The outpatient diagnosis travels in 2203, as a second message of the
    // same click (its msgid derived from the same key).
    JsonWriter info;
    info.BeginObject().Key("mdtrtinfo").BeginObject().Field("mdtrt_id", mdtrt_id).Field("psn_no", *psn_no);
    info.Field("med_type", mt).Field("begntime", *begntime).EndObject().Key("diseinfo").Raw(diag.str()).EndObject();
    Sent d = Send(ctx, "2203", info.Take(), *insuplc,
                  MsgidOf(ctx.institution->fixmedins_code, SubKey(idempotency_key, "2203")));
    if (!d.ok()) return d.Refusal();
  }
  JsonWriter w;
  w.BeginObject().Field("mdtrt_id", mdtrt_id).Field("psn_no", *psn_no).Field("kind", *kind);
  w.Field("ipt_otp_no", ipt_otp_no).Field("med_type", mt).Field("begntime", *begntime).EndObject();
  return ApiReply{200, w.Take(), ""};
}

namespace {

// The caller's own visit, or nothing (another institution's reads as none).
Result<std::optional<store::VisitRow>> OwnVisit(store::Store& store, const std::string& mdtrt_id,
                                                const std::string& fixmedins_code) {
  std::optional<store::VisitRow> visit;
  if (mdtrt_id.empty() || mdtrt_id.size() > 30) return visit;
  XT_RETURN_IF_ERROR(store.Read([&](store::ReadTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(visit, txn.settlements().FindVisit(mdtrt_id));
    return Status::Ok();
  }));
  if (visit && visit->fixmedins_code != fixmedins_code) visit.reset();
  return visit;
}

}  // namespace

ApiReply CounterService::GetVisit(const Caller& caller, const std::string& mdtrt_id) {
  Ctx ctx;
  if (auto refused = Begin(caller, &ctx)) return *refused;
  std::optional<store::VisitRow> visit;
  std::vector<store::FeeLineRow> lines;
  std::optional<std::string> settlement;  // the interface's answer of its settlement
  std::string setl_id;
  Status st = store_->Read([&](store::ReadTxn& txn) -> Status {
    if (mdtrt_id.empty() || mdtrt_id.size() > 30) return Status::Ok();
    XT_ASSIGN_OR_RETURN(visit, txn.settlements().FindVisit(mdtrt_id));
    if (!visit || visit->fixmedins_code != ctx.institution->fixmedins_code) {
      visit.reset();
      return Status::Ok();
    }
    XT_ASSIGN_OR_RETURN(lines, txn.settlements().FeeLinesOfVisit(mdtrt_id));
    XT_ASSIGN_OR_RETURN(auto setl, txn.settlements().ActiveSettlementOfVisit(mdtrt_id));
    if (setl) {
      setl_id = setl->setl_id;
      XT_ASSIGN_OR_RETURN(settlement, RenderStored(txn, *setl));
    }
    return Status::Ok();
  });
  if (!st.ok()) return api::Failed(st);
  if (!visit) return VisitNotFound();
  // A look at a patient's visit is personal data: recorded before it is shown.
  Status audited = Audit(caller, "GET /api/v1/counter/visits/{mdtrt_id}", visit->psn_no, "mdtrt_id " + mdtrt_id);
  if (!audited.ok()) return api::Failed(audited);
  JsonWriter w;
  w.BeginObject().Field("mdtrt_id", visit->mdtrt_id).Field("psn_no", visit->psn_no).Field("psn_name", visit->psn_name);
  w.Field("kind", Inpatient(*visit) ? "inpatient" : "outpatient").Field("state", visit->state);
  w.Field("insutype", visit->insutype).Field("med_type", visit->med_type).Field("insuplc_admdvs", visit->insuplc_admdvs);
  w.Field("ipt_otp_no", visit->ipt_otp_no).Field("begntime", FormatLocalTime(visit->begntime));
  w.Field("endtime", visit->endtime ? FormatLocalTime(*visit->endtime) : std::string());
  w.Key("fee_lines").BeginArray();
  Fen total = 0;
  for (const store::FeeLineRow& l : lines) {
    const catalog::ItemVersion* item =
        ref_->catalog.Find(visit->mdtrtarea_admvs, l.med_list_codg, DateOf(l.fee_ocur_time));
    w.BeginObject().Field("feedetl_sn", l.feedetl_sn).Field("med_list_codg", l.med_list_codg);
    w.Field("medins_list_codg", l.medins_list_codg).Field("hilist_name", item ? item->name : std::string());
    w.Field("chrgitm_lv", item ? catalog::ChargeClassCode(item->charge_class) : std::string_view("03"));
    w.Key("cnt").Decimal(l.cnt_e4, 4).Key("pric").Decimal(l.pric_e6, 6);
    w.Field("det_item_fee_sumamt", FormatFen(l.amount_fen)).FieldInt("det_item_fee_sumamt_fen", l.amount_fen);
    w.Field("fee_ocur_time", FormatLocalTime(l.fee_ocur_time)).Field("chrg_bchno", l.chrg_bchno);
    w.Field("state", l.state).EndObject();
    if (l.state == "active") total += l.amount_fen;
  }
  w.EndArray().Field("medfee_sumamt", FormatFen(total)).FieldInt("medfee_sumamt_fen", total);
  if (settlement) {
    JsonDoc doc;
    if (doc.Parse(*settlement, 64) == JsonDoc::Parsed::kOk) {
      w.Field("setl_id", setl_id).Key("settlement").Raw(SettlementBody(doc.root()));
    }
  } else {
    w.Key("setl_id").Null();
  }
  w.EndObject();
  return ApiReply{200, w.Take(), ""};
}

namespace {

// One fee line of the body as the interface's feedetail entry, into *in_w
// (and its item into *items_m); the refusal when the line is not readable.
using FeeItems = std::map<std::string, std::pair<std::string, LocalSeconds>>;  // feedetl_sn -> code, fee time
std::optional<ApiReply> FeeLine(const json& f, size_t i, const store::VisitRow& v, const std::string& msgid,
                                JsonWriter* in_w, FeeItems* items_m) {
  JsonWriter& in = *in_w;
  FeeItems& items = *items_m;
  ApiReply refused;
  const std::string path = "fees[" + std::to_string(i) + "]";
  if (!f.is_object()) return BadBody(path + " must be an object");
  auto sn = Text(f, "feedetl_sn", 30, false, &refused, path);
  auto code = sn ? Text(f, "med_list_codg", 50, true, &refused, path) : std::nullopt;
  auto own = code ? Text(f, "medins_list_codg", 50, false, &refused, path) : std::nullopt;
  auto bch = own ? Text(f, "chrg_bchno", 30, false, &refused, path) : std::nullopt;
  if (!bch) return refused;
  auto time = TimeField(f, "fee_ocur_time", false, &refused);
  if (!time) refused = BadBody(path + ".fee_ocur_time must be a time yyyy-MM-dd HH:mm:ss");
  if (!time) return refused;
  auto cnt = Decimal(f, "cnt", 4, false, &refused, path);
  if (!cnt) return refused.http_status == 200 ? BadBody(path + ".cnt is required") : refused;
  std::optional<int64_t> pric;
  if (f.contains("pric_fen")) {
    // A price in fen, as the page's money fields are.
    auto fen = Decimal(f, "pric", 2, true, &refused, path);
    if (!fen) return refused;
    pric = *fen * 10000;
  } else {
    pric = Decimal(f, "pric", 6, false, &refused, path);
    if (!pric) return refused.http_status == 200 ? BadBody(path + ".pric is required") : refused;
  }
  auto amount = Decimal(f, "det_item_fee_sumamt", 2, true, &refused, path);
  if (!amount && refused.http_status != 200) return refused;
  const Fen amount_fen = amount ? *amount : LineAmountFen(*cnt, *pric);
  // Defaults that a retry builds the same: the serial from the message
  // and the line's place, the time the visit began.
  const std::string feedetl_sn = sn->empty() ? msgid.substr(3, 12) + "-" + std::to_string(i + 1) : *sn;
  const std::string fee_time = time->empty() ? FormatLocalTime(v.begntime) : *time;
  items[feedetl_sn] = {*code, *ParseLocalTime(fee_time)};
  in.BeginObject().Field("feedetl_sn", feedetl_sn).Field("mdtrt_id", v.mdtrt_id).Field("psn_no", v.psn_no);
  if (!bch->empty()) in.Field("chrg_bchno", *bch);
  in.Field("med_list_codg", *code).Field("medins_list_codg", own->empty() ? *code : *own);
  in.Field("det_item_fee_sumamt", FormatFen(amount_fen)).Field("cnt", FormatDecimal(*cnt, 4));
  in.Field("pric", FormatDecimal(*pric, 6));
  in.Field("fee_ocur_time", fee_time).EndObject();
  return std::nullopt;
}

}  // namespace

ApiReply CounterService::AddFees(const Caller& caller, const std::string& mdtrt_id, std::string_view idempotency_key,
                                 const std::string& body) {
  Ctx ctx;
  if (auto refused = Begin(caller, &ctx)) return *refused;
  if (auto bad = CheckKey(idempotency_key)) return *bad;
  auto visit = OwnVisit(*store_, mdtrt_id, ctx.institution->fixmedins_code);
  if (!visit.ok()) return api::Failed(visit.status());
  if (!*visit) return VisitNotFound();
  const store::VisitRow& v = **visit;
  ApiReply refused;
  auto b = ObjectBody(body, &refused);
  if (!b) return refused;
  auto fees = b->find("fees");
  if (fees == b->end() || !fees->is_array() || fees->empty()) return BadBody("fees must be a non-empty array");
  if (fees->size() > kFeeLinesPerCallMax) {
    return api::Refused(400, err::TooMany("fees", kFeeLinesPerCallMax));
  }
  const bool inpatient = Inpatient(v);
  const std::string msgid = MsgidOf(ctx.institution->fixmedins_code, idempotency_key);
  FeeItems items;
  JsonWriter in;
  in.BeginObject().Key("feedetail").BeginArray();
  for (size_t i = 0; i < fees->size(); ++i) {
    if (auto bad = FeeLine((*fees)[i], i, v, msgid, &in, &items)) return *bad;
  }
  in.EndArray().EndObject();
  Sent s = Send(ctx, inpatient ? "2301" : "2204", in.Take(), v.insuplc_admdvs, msgid);
  if (!s.ok()) return s.Refusal();
  JsonWriter w;
  w.BeginObject().Field("mdtrt_id", v.mdtrt_id).Key("result").BeginArray();
  const JsonValue* result = s.output->Find("result");
  Fen added = 0;
  if (result && result->is_array()) {
    for (const JsonValue& line : result->elements()) {
      w.BeginObject();
      WriteMembers(w, line);
      // The item's name, for the form's list of lines.
      std::string name;
      auto it = items.find(StringOf(&line, "feedetl_sn"));
      if (it != items.end()) {
        if (const auto* item = ref_->catalog.Find(v.mdtrtarea_admvs, it->second.first, DateOf(it->second.second))) {
          name = item->name;
        }
      }
      w.Field("hilist_name", name).EndObject();
      if (const JsonValue* a = line.Find("det_item_fee_sumamt")) added += FenOf(*a).value_or(0);
    }
  }
  w.EndArray().Field("added_sumamt", FormatFen(added)).FieldInt("added_sumamt_fen", added).EndObject();
  return ApiReply{200, w.Take(), ""};
}

ApiReply CounterService::Discharge(const Caller& caller, const std::string& mdtrt_id,
                                   std::string_view idempotency_key, const std::string& body) {
  Ctx ctx;
  if (auto refused = Begin(caller, &ctx)) return *refused;
  if (auto bad = CheckKey(idempotency_key)) return *bad;
  auto visit = OwnVisit(*store_, mdtrt_id, ctx.institution->fixmedins_code);
  if (!visit.ok()) return api::Failed(visit.status());
  if (!*visit) return VisitNotFound();
  const store::VisitRow& v = **visit;
  if (!Inpatient(v)) return api::Refused(422, err::CounterState("an outpatient visit is not discharged; settle it"));
  ApiReply refused;
  auto b = ObjectBody(body, &refused);
  if (!b) return refused;
  auto endtime = TimeField(*b, "endtime", true, &refused);
  auto dise_codg = endtime ? Text(*b, "dise_codg", 50, false, &refused) : std::nullopt;
  auto dise_name = dise_codg ? Text(*b, "dise_name", 255, !dise_codg->empty(), &refused) : std::nullopt;
  if (!dise_name) return refused;
  JsonWriter in;
  in.BeginObject().Key("dscginfo").BeginObject().Field("mdtrt_id", v.mdtrt_id).Field("psn_no", v.psn_no);
  in.Field("endtime", *endtime).EndObject().Key("diseinfo").BeginArray();
  if (!dise_codg->empty()) in.BeginObject().Field("diag_code", *dise_codg).Field("diag_name", *dise_name).EndObject();
  in.EndArray().EndObject();
  Sent s = Send(ctx, "2402", in.Take(), v.insuplc_admdvs, MsgidOf(ctx.institution->fixmedins_code, idempotency_key));
  if (!s.ok()) return s.Refusal();
  JsonWriter w;
  w.BeginObject().Field("mdtrt_id", v.mdtrt_id).Field("state", "discharged").Field("endtime", *endtime).EndObject();
  return ApiReply{200, w.Take(), ""};
}

ApiReply CounterService::Presettle(const Caller& caller, const std::string& mdtrt_id,
                                   std::string_view idempotency_key, const std::string& body) {
  return Settlement(caller, mdtrt_id, idempotency_key, body, true);
}

ApiReply CounterService::Settle(const Caller& caller, const std::string& mdtrt_id, std::string_view idempotency_key,
                                const std::string& body) {
  return Settlement(caller, mdtrt_id, idempotency_key, body, false);
}

// 2206/2207 or 2303/2304 for the visit. A settle under a key already sent
// is that message again (answered as the first time, even though the
// visit is now settled); under a new key, a settled visit is refused here
// rather than answered with its settlement again.
ApiReply CounterService::Settlement(const Caller& caller, const std::string& mdtrt_id,
                                    std::string_view idempotency_key, const std::string& body, bool pre) {
  Ctx ctx;
  if (auto refused = Begin(caller, &ctx)) return *refused;
  if (auto bad = CheckKey(idempotency_key)) return *bad;
  const std::string msgid = MsgidOf(ctx.institution->fixmedins_code, idempotency_key);
  std::optional<store::VisitRow> visit;
  Fen lines_fen = 0;
  size_t active = 0;
  bool sent_before = false;
  Status st = store_->Read([&](store::ReadTxn& txn) -> Status {
    if (mdtrt_id.empty() || mdtrt_id.size() > 30) return Status::Ok();
    XT_ASSIGN_OR_RETURN(visit, txn.settlements().FindVisit(mdtrt_id));
    if (!visit || visit->fixmedins_code != ctx.institution->fixmedins_code) {
      visit.reset();
      return Status::Ok();
    }
    XT_ASSIGN_OR_RETURN(auto lines, txn.settlements().ActiveFeeLines(mdtrt_id));
    active = lines.size();
    for (const auto& l : lines) lines_fen += l.amount_fen;
    XT_ASSIGN_OR_RETURN(auto seen, txn.messages().FindMessage(MessageKey(ctx.institution->fixmedins_code, msgid)));
    sent_before = seen.has_value();
    return Status::Ok();
  });
  if (!st.ok()) return api::Failed(st);
  if (!visit) return VisitNotFound();
  const store::VisitRow& v = *visit;
  // A pre-settlement is a read the message log does not keep: under a key
  // already used for a write it is that key reused.
  if (pre && sent_before) return api::Refused(409, err::MsgidReused());
  if (!sent_before) {
    if (v.state == "settled") {
      return api::Refused(422, err::CounterState("the visit is already settled; reverse the settlement first"));
    }
    if (v.state == "cancelled") return api::Refused(422, err::CounterState("the visit was cancelled"));
    if (active == 0) return api::Refused(422, err::CounterState("the visit has no fee lines yet; add them first"));
  }
  ApiReply refused;
  auto b = ObjectBody(body, &refused);
  if (!b) return refused;
  auto sum = Decimal(*b, "medfee_sumamt", 2, true, &refused);
  if (!sum && refused.http_status != 200) return refused;
  auto acct = Text(*b, "acct_used_flag", 1, false, &refused);
  if (!acct) return refused;
  if (!acct->empty() && *acct != "0" && *acct != "1") return BadBody("acct_used_flag must be 0 or 1");
  const bool inpatient = Inpatient(v);
  JsonWriter in;
  in.BeginObject().Key("data").BeginObject().Field("mdtrt_id", v.mdtrt_id).Field("psn_no", v.psn_no);
  in.Field("mdtrt_cert_type", v.mdtrt_cert_type.empty() ? "02" : v.mdtrt_cert_type).Field("mdtrt_cert_no", v.certno);
  in.Field("medfee_sumamt", FormatFen(sum ? *sum : lines_fen)).Field("psn_setlway", "01");
  in.Field("acct_used_flag", acct->empty() ? "1" : *acct).Field("insutype", v.insutype);
  if (inpatient) in.Field("mid_setl_flag", "0");
  in.EndObject().EndObject();
  const char* infno = inpatient ? (pre ? "2303" : "2304") : (pre ? "2206" : "2207");
  Sent s = Send(ctx, infno, in.Take(), v.insuplc_admdvs, msgid);
  if (!s.ok()) return s.Refusal();
  JsonWriter extra;
  extra.BeginObject().Field("kind", pre ? "presettlement" : "settlement").Key("replayed").Bool(s.info.replayed);
  extra.EndObject();
  std::string fields = extra.Take();
  fields = fields.substr(1, fields.size() - 2);
  return ApiReply{200, SettlementBody(*s.output, fields), ""};
}

ApiReply CounterService::Reverse(const Caller& caller, const std::string& setl_id, std::string_view idempotency_key,
                                 const std::string& body) {
  Ctx ctx;
  if (auto refused = Begin(caller, &ctx)) return *refused;
  if (auto bad = CheckKey(idempotency_key)) return *bad;
  std::optional<store::SettlementRow> setl;
  std::optional<store::VisitRow> visit;
  Status st = store_->Read([&](store::ReadTxn& txn) -> Status {
    if (setl_id.empty() || setl_id.size() > 40) return Status::Ok();
    XT_ASSIGN_OR_RETURN(setl, txn.settlements().FindSettlement(setl_id));
    if (!setl || setl->fixmedins_code != ctx.institution->fixmedins_code || setl->kind != "settle") {
      setl.reset();
      return Status::Ok();
    }
    XT_ASSIGN_OR_RETURN(visit, txn.settlements().FindVisit(setl->mdtrt_id));
    return Status::Ok();
  });
  if (!st.ok()) return api::Failed(st);
  if (!setl || !visit) return api::Refused(404, err::CounterSettlementNotFound());
  ApiReply refused;
  auto b = ObjectBody(body, &refused);
  if (!b) return refused;
  auto reason = Text(*b, "reason", kReasonBytesMax, true, &refused);
  if (!reason) return refused;
  JsonWriter in;
  in.BeginObject().Key("data").BeginObject().Field("setl_id", setl->setl_id).Field("mdtrt_id", setl->mdtrt_id);
  in.Field("psn_no", setl->psn_no).Field("memo", *reason).EndObject().EndObject();
  Sent s = Send(ctx, Inpatient(*visit) ? "2305" : "2208", in.Take(), setl->insuplc_admdvs,
                MsgidOf(ctx.institution->fixmedins_code, idempotency_key));
  if (!s.ok()) return s.Refusal();
  if (!s.info.replayed) {
    // Why the money went back: the interface's reversal has no field for
    // it, so the audit log keeps it beside the 2208/2305 record.
    Status audited = Audit(caller, "POST /api/v1/counter/settlements/{setl_id}/reverse", setl->psn_no,
                           "setl_id " + setl->setl_id + " reason: " + *reason);
    if (!audited.ok()) return api::Failed(audited);
  }
  JsonWriter extra;
  extra.BeginObject().Field("kind", "reversal").Field("reason", *reason).Key("replayed").Bool(s.info.replayed);
  extra.EndObject();
  std::string fields = extra.Take();
  fields = fields.substr(1, fields.size() - 2);
  return ApiReply{200, SettlementBody(*s.output, fields), ""};
}

namespace {

void WriteFigures(JsonWriter& w, const clearing::TotalFigures& f) {
  w.BeginObject().Field("medfee_sumamt", FormatFen(f.medfee_sumamt)).FieldInt("medfee_sumamt_fen", f.medfee_sumamt);
  w.Field("fund_pay_sumamt", FormatFen(f.fund_pay_sumamt)).FieldInt("fund_pay_sumamt_fen", f.fund_pay_sumamt);
  w.Field("acct_pay", FormatFen(f.acct_pay)).FieldInt("acct_pay_fen", f.acct_pay);
  w.FieldInt("fixmedins_setl_cnt", f.fixmedins_setl_cnt).EndObject();
}

// The exchange's figures of a 3201 answer (stmtinfo).
clearing::TotalFigures FiguresOf(const JsonValue* info) {
  clearing::TotalFigures ex;
  for (auto [name, field] : {std::pair{"medfee_sumamt", &ex.medfee_sumamt},
                             std::pair{"fund_pay_sumamt", &ex.fund_pay_sumamt}, std::pair{"acct_pay", &ex.acct_pay}}) {
    const JsonValue* v = info ? info->Find(name) : nullptr;
    *field = v ? FenOf(*v).value_or(0) : 0;
  }
  if (const JsonValue* c = info ? info->Find("fixmedins_setl_cnt") : nullptr) {
    ex.fixmedins_setl_cnt = c->is_string() ? api::ToInt(c->string()).value_or(0) : c->int64().value_or(0);
  }
  return ex;
}

void Add(clearing::TotalFigures* all, const clearing::TotalFigures& one) {
  all->medfee_sumamt += one.medfee_sumamt;
  all->fund_pay_sumamt += one.fund_pay_sumamt;
  all->acct_pay += one.acct_pay;
  all->fixmedins_setl_cnt += one.fixmedins_setl_cnt;
}

}  // namespace

// The day's reconciliation: the institution's settlements and reversals of
// the day as its receipts record them, by insutype and clr_type (3201
// compares one such pair at a time), each sent with 3201 for the exchange
// to count its own side and compare.
ApiReply CounterService::Reconcile(const Caller& caller, std::string_view idempotency_key, const std::string& body) {
  Ctx ctx;
  if (auto refused = Begin(caller, &ctx)) return *refused;
  if (auto bad = CheckKey(idempotency_key)) return *bad;
  ApiReply refused;
  auto b = ObjectBody(body, &refused);
  if (!b) return refused;
  auto day_text = Text(*b, "stmt_date", 10, false, &refused);
  if (!day_text) return refused;
  const std::optional<Date> day = ParseDate(*day_text);
  const Date today = DateOf(clock_->NowLocal());
  if (day_text->size() != 10 || !day || today < *day) {
    return api::Refused(400, err::CounterBadDay(*day_text));
  }
  std::map<std::pair<std::string, std::string>, clearing::TotalFigures> groups;
  std::map<std::pair<std::string, std::string>, std::string> optins;
  Status st = store_->Read([&](store::ReadTxn& txn) {
    return txn.settlements().ForEachInstitutionSettlement(
        ctx.institution->fixmedins_code, StartOf(*day), StartOf(Date{day->days + 1}),
        [&](const store::SettlementRow& r) {
          const clearing::DetailRecord d = clearing::DetailOf(r);
          clearing::TotalFigures& f = groups[{d.insutype, d.clr_type}];
          f.medfee_sumamt += d.medfee_sumamt;
          f.fund_pay_sumamt += d.fund_pay_sumamt;
          f.acct_pay += d.acct_pay;
          ++f.fixmedins_setl_cnt;
          optins[{d.insutype, d.clr_type}] = r.insuplc_admdvs;
          return true;  // the pairs are few: insutype and clr_type are short code lists
        });
  });
  if (!st.ok()) return api::Failed(st);
  JsonWriter w;
  w.BeginObject().Field("stmt_date", day->ToString());
  std::string rslt = "0";
  clearing::TotalFigures hospital_all, exchange_all;
  JsonWriter list;
  list.BeginArray();
  int n = 0;
  for (const auto& [k, f] : groups) {
    JsonWriter in;
    in.BeginObject().Key("data").BeginObject().Field("insutype", k.first).Field("clr_type", k.second);
    in.Field("setl_optins", optins[k]).Field("stmt_begndate", day->ToString()).Field("stmt_enddate", day->ToString());
    // 3201 reads its figures as JSON numbers (exact decimal text).
    in.FieldMoney("medfee_sumamt", f.medfee_sumamt).FieldMoney("fund_pay_sumamt", f.fund_pay_sumamt);
    in.FieldMoney("acct_pay", f.acct_pay).FieldInt("fixmedins_setl_cnt", f.fixmedins_setl_cnt);
    in.Field("refd_setl_flag", "1").EndObject().EndObject();
    Sent s = Send(ctx, "3201", in.Take(), "",
                  MsgidOf(ctx.institution->fixmedins_code, SubKey(idempotency_key, std::to_string(++n))));
    if (!s.ok()) return s.Refusal();
    const JsonValue* info = s.output->Find("stmtinfo");
    const clearing::TotalFigures ex = FiguresOf(info);
    const std::string group_rslt = StringOf(info, "stmt_rslt");
    if (group_rslt != "0") rslt = "1";
    list.BeginObject().Field("insutype", k.first).Field("clr_type", k.second).Field("stmt_rslt", group_rslt);
    list.Field("stmt_rslt_dscr", StringOf(info, "stmt_rslt_dscr")).Key("hospital");
    WriteFigures(list, f);
    list.Key("exchange");
    WriteFigures(list, ex);
    list.EndObject();
    Add(&hospital_all, f);
    Add(&exchange_all, ex);
  }
  list.EndArray();
  w.Field("stmt_rslt", rslt).Key("hospital");
  WriteFigures(w, hospital_all);
  w.Key("exchange");
  WriteFigures(w, exchange_all);
  w.Key("groups").Raw(list.str()).EndObject();
  return ApiReply{200, w.Take(), ""};
}

}  // namespace xt::service
