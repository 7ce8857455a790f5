// The use cases of mutual recognition of results over the store: parsing
// and rendering, access rules, idempotency, the audit of every look.
#include "service/results_service.h"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <nlohmann/json.hpp>

#include "core/admdvs.h"
#include "core/crypto.h"
#include "core/json_writer.h"
#include "results/access.h"
#include "results/decision.h"
#include "results/errors.h"
#include "settle/visit_state.h"

namespace xt::service {

namespace {

using json = nlohmann::json;

using api::BadParam;
using api::Forbidden;
using api::NarrowToScope;
using api::IsProvince;
using api::Param;
using api::Refused;
using api::ToInt;

// The HTTP status of a refusal: XT-RES-001 is access, -010/-011 a reused id,
// -008 a state that does not allow the decision; storage errors are 500.
ApiReply FromStatus(const Status& st) {
  const std::string& c = st.code();
  if (c == "XT-RES-001") return Refused(403, st);
  if (c == "XT-RES-010" || c == "XT-RES-011" || c == "XT-RES-008") return Refused(409, st);
  if (c.rfind("XT-RES-", 0) == 0 || c == "XT-API-001") return Refused(400, st);
  if (c == "XT-AUTH-003") return Refused(403, st);
  return Refused(500, st);
}

bool IsCode(std::string_view s, size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

// "yyyy-MM-dd HH:mm:ss" (also "T" for the space, as URLs prefer).
std::optional<LocalSeconds> ParseTime(std::string text) {
  if (text.size() > 10 && text[10] == 'T') text[10] = ' ';
  return ParseLocalTime(text);
}

// "yyyy-MM" -> the first day of that month.
std::optional<Date> ParseMonth(const std::string& text) {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  return ParseDate(text + "-01");
}
Date NextMonth(Date d) {
  int y = 0, m = 0, day = 0;
  d.ToCivil(&y, &m, &day);
  return m == 12 ? Date::FromCivil(y + 1, 1, 1) : Date::FromCivil(y, m + 1, 1);
}

// The fields of a JSON body, strictly: every key known, each of its type.
class Fields {
 public:
  explicit Fields(const json& j) : j_(j) {}
  // A string field; absent reads as "" (then required fields are refused).
  Status Str(const char* key, std::string* out, bool required) {
    seen_.push_back(key);
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) {
      if (required) return Status::Error("XT-API-001", std::string("field ") + key + " is required");
      return Status::Ok();
    }
    if (!it->is_string()) return Status::Error("XT-API-001", std::string("field ") + key + " must be a string");
    *out = it->get<std::string>();
    return Status::Ok();
  }
  Status Time(const char* key, LocalSeconds* out, bool required) {
    std::string text;
    XT_RETURN_IF_ERROR(Str(key, &text, required));
    if (text.empty()) return Status::Ok();
    auto t = ParseTime(text);
    if (!t) return Status::Error("XT-API-001", std::string("field ") + key + " must be yyyy-MM-dd HH:mm:ss");
    *out = *t;
    return Status::Ok();
  }
  Status NoOthers() const {
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      if (std::find(seen_.begin(), seen_.end(), it.key()) == seen_.end()) {
        return Status::Error("XT-API-001", "unknown field " + it.key().substr(0, 40));
      }
    }
    return Status::Ok();
  }

 private:
  const json& j_;
  std::vector<std::string> seen_;
};

Result<json> ParseBody(std::string_view body) {
  if (body.empty()) return Status::Error("XT-API-001", "the request body is empty: send one JSON object");
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Error("XT-API-001", "the request body is not a JSON object");
  return j;
}

// The answer to a publication, rendered from the stored row: a retry gets
// exactly the first answer.
std::string PublishAnswer(const results::Book& book, const store::ResultRow& r) {
  const results::ItemId item = book.FindItem(r.item_code);
  JsonWriter w;
  w.BeginObject().Field("result_id", r.result_id).Field("kind", r.kind).Field("psn_no", r.psn_no);
  w.Field("fixmedins_code", r.fixmedins_code).Field("item_code", r.item_code);
  w.Field("abbr", item == results::kNoItem ? std::string() : book.item(item).abbr);
  w.Field("taken_at", FormatLocalTime(r.taken_at)).Field("reported_at", FormatLocalTime(r.reported_at));
  w.Key("hr_mark").Bool(r.origin == results::OriginName(results::Origin::kMarked)).Field("origin", r.origin);
  w.Field("published_at", FormatLocalTime(r.published_at)).EndObject();
  return w.Take();
}

// `saved`: what the decision spared the patient and the fund (the avoided
// test's price at the treatment place on the decision day; nothing when the
// test is repeated or has no price there), priced as the statistics price it.
std::string DecisionAnswer(const store::ResultDecisionRow& d, const results::Price& saved) {
  JsonWriter w;
  w.BeginObject().Field("decision_id", d.decision_id).Field("psn_no", d.psn_no);
  w.Field("fixmedins_code", d.fixmedins_code).Field("item_code", d.item_code).Field("result_id", d.result_id);
  w.Field("kind", d.kind).Field("reason", d.reason).Field("note", d.note);
  w.Field("decided_at", FormatLocalTime(d.decided_at));
  w.FieldInt("fee_saved_fen", saved.price_fen);
  w.Key("fee_priced").Bool(saved.source != results::PriceSource::kNone).EndObject();
  return w.Take();
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Status CheckFromStore(store::ReadTxn& txn, const results::Book& book, std::string_view psn_no,
                      const results::CheckRequest& request, CheckScratch* s) {
  XT_RETURN_IF_ERROR(txn.results().ResultKeysOfPerson(psn_no, static_cast<int>(results::kCheckResultsMax), &s->rows));
  s->keys.clear();
  s->row_of_key.clear();
  s->rows_skipped = 0;
  for (size_t i = 0; i < s->rows.size(); ++i) {
    const store::ResultKeyRow& r = s->rows[i];
    s->header.fixmedins_code.assign(r.fixmedins_code);
    s->header.item_code.assign(r.item_code);
    s->header.taken_at = r.taken_at;
    s->header.reported_at = r.reported_at;
    auto key = results::Intern(book, s->header);
    if (!key.ok()) {
      ++s->rows_skipped;  // reference data changed since publication: nothing to recognise
      continue;
    }
    s->keys.push_back(*key);
    s->row_of_key.push_back(static_cast<uint32_t>(i));
  }
  return results::Check(book, s->keys, request, &s->answer);
}

ResultsApi::ResultsApi(store::Store* store, const RefData* ref, const Clock* clock)
    : store_(store), ref_(ref), clock_(clock) {}

Status ResultsApi::Audit(store::WriteTxn& txn, const Caller& caller, const std::string& action,
                         const std::string& subject, const std::string& outcome, const std::string& detail) const {
  store::AuditRow row;
  row.time = clock_->NowLocal();
  row.actor = caller.actor();
  row.role = std::string(RoleName(caller.role));
  row.action = action;
  row.subject = subject;
  row.outcome = outcome;
  row.detail = detail;
  return txn.AppendAudit(std::move(row));
}

Status ResultsApi::MayViewNow(store::ReadTxn& txn, const std::string& viewer, const std::string& psn_no) const {
  XT_ASSIGN_OR_RETURN(auto rows, txn.settlements().VisitsOfPersonAt(psn_no, viewer, kVisitsMax));
  std::vector<results::Visit> visits;
  visits.reserve(rows.size());
  for (const auto& v : rows) {
    results::Visit visit{v.mdtrt_id, v.psn_no, v.fixmedins_code, v.begntime, std::nullopt};
    // Registered or admitted: open. Any other state has ended, at its end
    // time when known, else at once.
    const auto state = settle::ParseVisitState(v.state);
    if (state != settle::VisitState::kRegistered && state != settle::VisitState::kAdmitted) visit.end = v.endtime.value_or(v.begntime);
    visits.push_back(std::move(visit));
  }
  return results::MayView(viewer, psn_no, visits, clock_->NowLocal());
}

Result<std::vector<results::ItemId>> ResultsApi::ParseItems(std::string_view text) const {
  const results::Book& book = ref_->recognition;
  std::vector<results::ItemId> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view token = text.substr(pos, comma - pos);
    pos = comma + 1;
    if (token.empty()) continue;
    if (out.size() >= results::kCheckItemsMax) return results::err::TooMany("items", results::kCheckItemsMax);
    results::ItemId id = book.FindItem(token);
    if (id == results::kNoItem) {
      const std::string up = Upper(token);
      for (size_t i = 0; i < book.items().size(); ++i) {
        if (Upper(book.items()[i].abbr) == up) id = static_cast<results::ItemId>(i);
      }
    }
    if (id == results::kNoItem) return results::err::UnknownItem(std::string(token.substr(0, 40)));
    out.push_back(id);
  }
  if (out.empty()) return Status::Error("XT-API-001", "items is required: item codes or abbreviations, comma-separated");
  return out;
}

// ---- publish

// Publishing one result: who may, the body's fields checked one by one
// (each refusal with its own message), the HR origin decided, then one
// write that replays an identical retry. Long because a result has many
// fields, each checked where it is read.
ApiReply ResultsApi::Publish(const Caller& caller, std::string_view body) {
  if (caller.role != Role::kHospital && caller.role != Role::kLocal) {
    return Forbidden("results are published by the hospital that made the test");
  }
  if (body.size() > kPublishBodyBytesMax) return BadParam("a result is at most 64 KiB");
  auto parsed = ParseBody(body);
  if (!parsed.ok()) return FromStatus(parsed.status());
  const json& j = *parsed;
  const results::Book& book = ref_->recognition;
  Fields f(j);
  results::ResultHeader h;
  std::string kind;
  Status st = f.Str("result_id", &h.result_id, true);
  if (st.ok()) st = f.Str("kind", &kind, true);
  if (st.ok()) st = f.Str("psn_no", &h.psn_no, true);
  if (st.ok()) st = f.Str("fixmedins_code", &h.fixmedins_code, true);
  if (st.ok()) st = f.Str("item_code", &h.item_code, true);
  if (st.ok()) st = f.Time("taken_at", &h.taken_at, true);
  if (st.ok()) st = f.Time("reported_at", &h.reported_at, true);
  results::LabResult lab;
  results::ImagingReport img;
  std::string modality;
  if (st.ok() && kind == "lab") {
    st = f.Str("value", &lab.value, true);
    if (st.ok()) st = f.Str("unit", &lab.unit, true);
    if (st.ok()) st = f.Str("reference_range", &lab.reference_range, false);
  } else if (st.ok() && kind == "imaging") {
    st = f.Str("modality", &modality, true);
    if (st.ok()) st = f.Str("body_part", &img.body_part, true);
    if (st.ok()) st = f.Str("findings", &img.findings, true);
    if (st.ok()) st = f.Str("image_ref", &img.image_ref, true);
  } else if (st.ok()) {
    st = Status::Error("XT-API-001", "kind must be lab or imaging");
  }
  if (st.ok()) st = f.NoOthers();
  if (!st.ok()) return FromStatus(st);
  if (caller.role == Role::kHospital && h.fixmedins_code != caller.scope) {
    return Forbidden("a hospital publishes only its own results (fixmedins_code " + caller.scope + ")");
  }
  if (kind == "lab") {
    lab.header = h;
    st = results::ValidateLabResult(book, lab);
  } else {
    img.header = h;
    for (auto m : {results::Modality::kXRay, results::Modality::kCt, results::Modality::kMri}) {
      if (results::ModalityName(m) == modality) img.modality = m;
    }
    st = results::ValidateImagingReport(book, img);
  }
  if (!st.ok()) return FromStatus(st);
  auto key = results::Intern(book, h);
  if (!key.ok()) return FromStatus(key.status());

  store::ResultRow row;
  row.result_id = h.result_id;
  row.psn_no = h.psn_no;
  row.fixmedins_code = h.fixmedins_code;
  row.item_code = h.item_code;
  row.kind = kind;
  row.taken_at = h.taken_at;
  row.reported_at = h.reported_at;
  row.origin = std::string(results::OriginName(key->origin));
  {
    json own = json::object();
    if (kind == "lab") {
      own = {{"value", lab.value}, {"unit", lab.unit}, {"reference_range", lab.reference_range}};
    } else {
      own = {{"modality", modality}, {"body_part", img.body_part}, {"findings", img.findings},
             {"image_ref", img.image_ref}};
    }
    row.body_json = own.dump();
  }
  // The body as parsed, keys sorted: the same result sent with other
  // spacing or key order is the same request.
  row.request_hash = crypto::HashHex(j.dump());
  row.published_at = clock_->NowLocal();

  std::string answer;
  st = store_->Write([&](store::WriteTxn& txn) -> Status {
    // The insert itself finds a result_id already there (the unique index
    // it must walk anyway), so a first publication costs no look-up of its
    // own; only a retry reads the first one back.
    Status inserted = txn.Attempt([&] { return txn.results().InsertResults({row}); });
    if (inserted.code() == "XT-STORE-003") {
      XT_ASSIGN_OR_RETURN(auto first, txn.results().FindResult(row.result_id));
      if (!first) return inserted;
      if (first->request_hash != row.request_hash) return results::err::ResultIdReused(row.result_id);
      answer = PublishAnswer(book, *first);
      return Status::Ok();
    }
    XT_RETURN_IF_ERROR(inserted);
    XT_RETURN_IF_ERROR(Audit(txn, caller, "POST /api/v1/results", row.psn_no, "ok", "result_id " + row.result_id));
    answer = PublishAnswer(book, row);
    return Status::Ok();
  });
  if (!st.ok()) return FromStatus(st);
  return ApiReply{200, std::move(answer), ""};
}

// ---- the doctor's check

// The doctor's check: who may look at whose results, the items asked, the
// results read from the covering index, each recognised or not with its
// reason, and the look recorded whether allowed or refused. Kept whole so
// that every path, refusals included, visibly ends in the recorded look.
ApiReply ResultsApi::Recognised(const Caller& caller, const std::string& psn_no, const QueryParams& params) {
  static const std::string kAction = "GET /api/v1/persons/{psn_no}/recognised";
  const results::Book& book = ref_->recognition;
  std::string viewer;
  switch (caller.role) {
    case Role::kHospital: viewer = caller.scope; break;
    case Role::kLocal:
      viewer = Param(params, "fixmedins_code");
      if (viewer.empty()) return BadParam("fixmedins_code (the institution checking) is required");
      break;
    default: {
      // Not an institution: refused, and the attempt is audited.
      Status st = store_->Write([&](store::WriteTxn& txn) {
        return Audit(txn, caller, kAction, psn_no, "XT-AUTH-003", "not an institution");
      });
      if (!st.ok()) return FromStatus(st);
      return Forbidden("the check is made by the treating institution");
    }
  }
  if (!IsCode(psn_no, 30)) return BadParam("psn_no must be 1 to 30 printable characters");
  auto items = ParseItems(Param(params, "items"));
  if (!items.ok()) return FromStatus(items.status());
  LocalSeconds at = clock_->NowLocal();
  if (auto a = Param(params, "at"); !a.empty()) {
    auto t = ParseTime(a);
    if (!t) return BadParam("at must be yyyy-MM-dd HH:mm:ss");
    at = *t;
  }
  const registry::Institution* inst = ref_->registry.FindInstitution(viewer);
  if (!inst) return FromStatus(results::err::UnknownInstitution(viewer));
  const std::string region = ProvinceOf(inst->admdvs);
  const results::RegionId treatment = book.FindRegion(inst->admdvs);

  std::string item_list;
  for (auto id : *items) item_list += (item_list.empty() ? "" : ",") + book.item(id).code;

  CheckScratch scratch;
  Status allowed;
  Status st = store_->Read([&](store::ReadTxn& txn) -> Status {
    allowed = MayViewNow(txn, viewer, psn_no);
    if (!allowed.ok()) return Status::Ok();
    results::CheckRequest req{*items, at, treatment};
    return CheckFromStore(txn, book, psn_no, req, &scratch);
  });
  if (!st.ok()) return FromStatus(st);

  // The look is recorded (looks table and audit log) before any answer.
  store::ResultLookRow look;
  look.time = clock_->NowLocal();
  look.psn_no = psn_no;
  look.fixmedins_code = viewer;
  look.region = region;
  look.actor = caller.actor();
  look.items = item_list;
  look.outcome = allowed.ok() ? "ok" : allowed.code();
  look.items_asked = static_cast<int64_t>(items->size());
  if (allowed.ok()) {
    for (const auto& a : scratch.answer.items) look.items_recognised += a.refusal == results::Refusal::kNone ? 1 : 0;
  }
  st = store_->Write([&](store::WriteTxn& txn) -> Status {
    XT_RETURN_IF_ERROR(txn.results().InsertResultLook(look));
    return Audit(txn, caller, kAction, psn_no, look.outcome,
                 "fixmedins_code " + viewer + " items " + item_list + " at " + FormatLocalTime(at));
  });
  if (!st.ok()) return FromStatus(st);
  if (!allowed.ok()) return FromStatus(allowed);

  JsonWriter w;
  w.BeginObject().Field("psn_no", psn_no).Field("fixmedins_code", viewer).Field("region", region);
  w.Field("at", FormatLocalTime(at)).Key("items").BeginArray();
  for (const results::ItemAnswer& a : scratch.answer.items) {
    const results::Item& item = book.item(a.item);
    w.BeginObject().Field("item_code", item.code).Field("abbr", item.abbr).Field("name", item.name);
    w.Field("kind", results::ItemKindName(item.kind));
    w.Field("status", a.refusal == results::Refusal::kNone ? "recognised" : "not_recognised");
    w.Key("recognised").BeginArray();
    for (const results::Accepted& acc : scratch.answer.AcceptedOf(a)) {
      const results::ResultKey& k = scratch.keys[acc.result_index];
      const store::ResultKeyRow& r = scratch.rows[scratch.row_of_key[acc.result_index]];
      w.BeginObject().Field("result_id", r.result_id).Field("fixmedins_code", r.fixmedins_code);
      w.Field("taken_at", FormatLocalTime(k.taken_at)).Field("reported_at", FormatLocalTime(k.reported_at));
      w.Field("expires_at", FormatLocalTime(acc.expires_at)).Key("hr_mark").Bool(k.HrMark());
      w.Field("why", results::ExplainAccepted(book, k, acc, treatment)).EndObject();
    }
    w.EndArray();
    if (a.refusal == results::Refusal::kNone) {
      w.Key("refusal").Null().Key("why_not").Null();
    } else {
      w.Field("refusal", results::RefusalName(a.refusal));
      w.Field("why_not", results::ExplainRefusal(book, a, scratch.keys, treatment));
      if (a.closest_index >= 0) {
        w.Field("closest_result_id", scratch.rows[scratch.row_of_key[static_cast<size_t>(a.closest_index)]].result_id);
      }
    }
    w.EndObject();
  }
  w.EndArray().EndObject();
  return ApiReply{200, w.Take(), ""};
}

// ---- who looked

// The patient's own results with where each counts now. Recognition
// depends on the treatment region only (an item listed there, a result of a
// qualified institution, within its validity), so one answer per province
// says what any of its institutions would be told.
ApiReply ResultsApi::PersonResults(const Caller& caller, const std::string& psn_no) {
  switch (caller.role) {
    case Role::kResident:
      if (psn_no != caller.scope) return Forbidden("a resident sees only their own results");
      break;
    case Role::kAdmin:
    case Role::kLocal: break;
    case Role::kHospital:
    case Role::kAgency: return Forbidden("a patient's results are listed for the patient; institutions check them");
  }
  if (!IsCode(psn_no, 30)) return BadParam("psn_no must be 1 to 30 printable characters");
  const results::Book& book = ref_->recognition;
  const LocalSeconds now = clock_->NowLocal();
  std::vector<store::ResultKeyRow> rows;
  Status st = store_->Read([&](store::ReadTxn& txn) -> Status {
    return txn.results().ResultKeysOfPerson(psn_no, static_cast<int>(results::kCheckResultsMax), &rows);
  });
  if (st.ok()) {
    st = store_->Write([&](store::WriteTxn& txn) {
      return Audit(txn, caller, "GET /api/v1/persons/{psn_no}/results", psn_no, "ok",
                   std::to_string(rows.size()) + " results");
    });
  }
  if (!st.ok()) return FromStatus(st);
  static constexpr std::string_view kProvinces[] = {"110000", "120000", "130000"};
  JsonWriter w;
  w.BeginObject().Field("psn_no", psn_no).Field("at", FormatLocalTime(now)).Key("results").BeginArray();
  results::ResultHeader header;
  for (const store::ResultKeyRow& r : rows) {
    header.fixmedins_code = r.fixmedins_code;
    header.item_code = r.item_code;
    header.taken_at = r.taken_at;
    header.reported_at = r.reported_at;
    auto key = results::Intern(book, header);
    const registry::Institution* inst = ref_->registry.FindInstitution(r.fixmedins_code);
    w.BeginObject().Field("result_id", r.result_id).Field("item_code", r.item_code);
    if (key.ok()) {
      const results::Item& item = book.item(key->item);
      w.Field("abbr", item.abbr).Field("name", item.name).Field("kind", results::ItemKindName(item.kind));
    }
    w.Field("fixmedins_code", r.fixmedins_code).Field("fixmedins_name", inst ? inst->name : std::string());
    w.Field("taken_at", FormatLocalTime(r.taken_at)).Field("reported_at", FormatLocalTime(r.reported_at));
    w.Key("recognition").BeginArray();
    for (std::string_view province : kProvinces) {
      w.BeginObject().Field("region", province);
      if (!key.ok()) {
        // Reference data changed since publication: nothing to recognise.
        w.Field("status", "unknown_item_or_institution").EndObject();
        continue;
      }
      LocalSeconds expires_at = 0;
      const results::Refusal why = results::Evaluate(book, *key, now, book.FindRegion(province), &expires_at);
      w.Field("status", why == results::Refusal::kNone ? std::string_view("recognised") : results::RefusalName(why));
      if (expires_at != 0) w.Field("expires_at", FormatLocalTime(expires_at));
      w.EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  return ApiReply{200, w.Take(), ""};
}

ApiReply ResultsApi::Looks(const Caller& caller, const std::string& psn_no, const QueryParams& params) {
  store::ResultLookQuery q;
  q.psn_no = psn_no;
  switch (caller.role) {
    case Role::kResident:
      if (psn_no != caller.scope) return Forbidden("a resident sees only who looked at their own results");
      break;
    case Role::kAgency: q.region = caller.scope; break;  // looks made by its province's institutions
    case Role::kHospital: return Forbidden("hospitals do not list looks; the patient and agencies do");
    case Role::kAdmin:
    case Role::kLocal: break;
  }
  if (!IsCode(psn_no, 30)) return BadParam("psn_no must be 1 to 30 printable characters");
  int limit = kLooksPageDefault;
  if (auto n = Param(params, "page_size"); !n.empty()) {
    auto v = ToInt(n);
    if (!v || *v < 1 || *v > kLooksPageMax) return BadParam("page_size must be a whole number from 1 to 200");
    limit = static_cast<int>(*v);
  }
  if (auto t = Param(params, "page_token"); !t.empty()) {
    auto v = ToInt(t);
    if (!v) return BadParam("page_token is not one this server gave");
    q.before_id = *v;
  }
  q.limit = limit + 1;
  std::vector<store::ResultLookRow> rows;
  Status st = store_->Read([&](store::ReadTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(rows, txn.results().ListResultLooks(q));
    return Status::Ok();
  });
  if (st.ok()) {
    st = store_->Write([&](store::WriteTxn& txn) {
      return Audit(txn, caller, "GET /api/v1/persons/{psn_no}/result-looks", psn_no, "ok",
                   std::to_string(std::min<size_t>(rows.size(), static_cast<size_t>(limit))) + " rows");
    });
  }
  if (!st.ok()) return FromStatus(st);
  const size_t shown = std::min<size_t>(rows.size(), static_cast<size_t>(limit));
  JsonWriter w;
  w.BeginObject().Field("psn_no", psn_no).Key("looks").BeginArray();
  for (size_t i = 0; i < shown; ++i) {
    const auto& r = rows[i];
    const registry::Institution* inst = ref_->registry.FindInstitution(r.fixmedins_code);
    w.BeginObject().FieldInt("id", r.id).Field("time", FormatLocalTime(r.time));
    w.Field("fixmedins_code", r.fixmedins_code).Field("fixmedins_name", inst ? inst->name : std::string());
    w.Field("region", r.region).Field("items", r.items).Field("outcome", r.outcome);
    w.FieldInt("items_recognised", r.items_recognised).EndObject();
  }
  w.EndArray().Key("next_page_token");
  if (rows.size() > shown) w.String(std::to_string(rows[shown - 1].id));
  else w.Null();
  w.EndObject();
  return ApiReply{200, w.Take(), ""};
}

// ---- the doctor's decision

// The doctor's decision (reuse, or repeat with a reason): fields checked
// one by one, the result it names checked against the patient and item,
// one write that replays an identical retry.
ApiReply ResultsApi::Decide(const Caller& caller, std::string_view body) {
  if (caller.role != Role::kHospital && caller.role != Role::kLocal) {
    return Forbidden("decisions are recorded by the treating institution");
  }
  if (body.size() > kPublishBodyBytesMax) return BadParam("a decision is at most 64 KiB");
  auto parsed = ParseBody(body);
  if (!parsed.ok()) return FromStatus(parsed.status());
  const json& j = *parsed;
  const results::Book& book = ref_->recognition;
  Fields f(j);
  results::Decision d;
  std::string kind, reason, item;
  Status st = f.Str("decision_id", &d.decision_id, true);
  if (st.ok()) st = f.Str("psn_no", &d.psn_no, true);
  if (st.ok()) st = f.Str("fixmedins_code", &d.fixmedins_code, caller.role == Role::kLocal);
  if (st.ok()) st = f.Str("item_code", &item, true);
  if (st.ok()) st = f.Str("result_id", &d.result_id, true);
  if (st.ok()) st = f.Str("kind", &kind, true);
  if (st.ok()) st = f.Str("reason", &reason, false);
  if (st.ok()) st = f.Str("note", &d.note, false);
  d.decided_at = clock_->NowLocal();
  // Only the operator may record a decision of another moment (a backfill).
  if (st.ok() && caller.role == Role::kLocal) st = f.Time("decided_at", &d.decided_at, false);
  if (st.ok()) st = f.NoOthers();
  if (!st.ok()) return FromStatus(st);
  if (caller.role == Role::kHospital) {
    if (!NarrowToScope(&d.fixmedins_code, caller.scope)) {
      return Forbidden("a hospital records only its own decisions (fixmedins_code " + caller.scope + ")");
    }
  }
  auto items = ParseItems(item);
  if (!items.ok()) return FromStatus(items.status());
  if (items->size() != 1) return BadParam("item_code names one item");
  d.item_code = book.item(items->front()).code;
  auto k = results::ParseDecisionKind(kind);
  auto r = results::ParseRepeatReason(reason);
  if (!k) return FromStatus(results::err::BadDecision("kind must be accepted or repeated"));
  if (!r) return FromStatus(results::err::BadDecision("reason must be condition_changed, result_doubtful or emergency"));
  d.kind = *k;
  d.reason = *r;
  if (!IsCode(d.psn_no, 30)) return BadParam("psn_no must be 1 to 30 printable characters");
  const registry::Institution* inst = ref_->registry.FindInstitution(d.fixmedins_code);
  if (!inst) return FromStatus(results::err::UnknownInstitution(d.fixmedins_code));

  // The decision names the patient's result: only a treating institution.
  Status allowed;
  st = store_->Read([&](store::ReadTxn& txn) -> Status {
    allowed = MayViewNow(txn, d.fixmedins_code, d.psn_no);
    return Status::Ok();
  });
  if (st.ok() && !allowed.ok()) st = allowed;
  if (!st.ok()) return FromStatus(st);

  store::ResultDecisionRow row;
  row.decision_id = d.decision_id;
  row.psn_no = d.psn_no;
  row.fixmedins_code = d.fixmedins_code;
  row.region = ProvinceOf(inst->admdvs);
  row.item_code = d.item_code;
  row.result_id = d.result_id;
  row.kind = std::string(results::DecisionKindName(d.kind));
  row.reason = std::string(results::RepeatReasonName(d.reason));
  row.note = d.note;
  row.decided_at = d.decided_at;
  json canonical = j;
  canonical.erase("decided_at");  // a retry later is the same decision
  row.request_hash = crypto::HashHex(canonical.dump());

  // Only an accepted result avoids a test.
  auto saved = [&](const store::ResultDecisionRow& r) {
    if (r.kind != results::DecisionKindName(results::DecisionKind::kAccepted)) return results::Price{};
    return book.PriceOf(&ref_->catalog, book.FindItem(r.item_code), inst->admdvs, DateOf(r.decided_at));
  };
  std::string answer;
  st = store_->Write([&](store::WriteTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(auto first, txn.results().FindResultDecision(row.decision_id));
    if (first) {
      if (first->request_hash != row.request_hash) return results::err::DecisionIdReused(row.decision_id);
      answer = DecisionAnswer(*first, saved(*first));
      return Status::Ok();
    }
    XT_ASSIGN_OR_RETURN(auto result, txn.results().FindResult(d.result_id));
    std::optional<results::ResultHeader> header;
    if (result) {
      header = results::ResultHeader{result->result_id, result->psn_no, result->fixmedins_code,
                                     result->item_code, result->taken_at, result->reported_at};
    }
    XT_RETURN_IF_ERROR(results::ValidateDecision(book, d, header ? &*header : nullptr));
    XT_RETURN_IF_ERROR(txn.results().InsertResultDecision(row));
    XT_RETURN_IF_ERROR(Audit(txn, caller, "POST /api/v1/results/decisions", row.psn_no, "ok",
                             "decision_id " + row.decision_id + " " + row.kind + " result_id " + row.result_id));
    answer = DecisionAnswer(row, saved(row));
    return Status::Ok();
  });
  if (!st.ok()) return FromStatus(st);
  return ApiReply{200, std::move(answer), ""};
}

// ---- statistics

// Recognition statistics for a window: the parameters checked, the
// caller's scope applied (an agency sees its province), then one pass over
// the looks and one over the decisions. The two passes share the totals.
ApiReply ResultsApi::Statistics(const Caller& caller, const QueryParams& params) {
  store::ResultLookQuery q;
  q.region = Param(params, "region");
  q.fixmedins_code = Param(params, "fixmedins_code");
  if (!q.region.empty() && !IsProvince(q.region)) return BadParam("region is a province code such as 130000");
  if (q.fixmedins_code.size() > 30) return BadParam("fixmedins_code is a code");
  switch (caller.role) {
    case Role::kHospital:
      if (!NarrowToScope(&q.fixmedins_code, caller.scope)) return Forbidden("a hospital sees only its own statistics");
      break;
    case Role::kAgency:
      if (!NarrowToScope(&q.region, caller.scope)) return Forbidden("an agency sees only its own region");
      break;
    case Role::kResident: return Forbidden("statistics are for institutions, agencies and operators");
    case Role::kAdmin:
    case Role::kLocal: break;
  }
  if (auto from = Param(params, "from"); !from.empty()) {
    auto m = ParseMonth(from);
    if (!m) return BadParam("from must be a month yyyy-MM");
    q.time_from = StartOf(*m);
  }
  if (auto to = Param(params, "to"); !to.empty()) {
    auto m = ParseMonth(to);
    if (!m) return BadParam("to must be a month yyyy-MM");
    q.time_to = StartOf(NextMonth(*m));
  }
  if (q.time_from >= q.time_to) return BadParam("from must not be after to");

  std::vector<results::CheckEvent> checks;
  std::vector<results::Decision> decisions;
  bool too_many = false;
  Status st = store_->Read([&](store::ReadTxn& txn) -> Status {
    XT_RETURN_IF_ERROR(txn.results().ForEachResultCheck(q, [&](const store::ResultLookRow& r) {
      if (static_cast<int64_t>(checks.size()) >= kStatsRowsMax) return !(too_many = true);
      checks.push_back(results::CheckEvent{r.fixmedins_code, r.time, static_cast<uint32_t>(r.items_asked),
                                           static_cast<uint32_t>(r.items_recognised)});
      return true;
    }));
    return txn.results().ForEachResultDecision(q, [&](const store::ResultDecisionRow& r) {
      if (static_cast<int64_t>(decisions.size()) >= kStatsRowsMax) return !(too_many = true);
      results::Decision d;
      d.decision_id = r.decision_id;
      d.psn_no = r.psn_no;
      d.fixmedins_code = r.fixmedins_code;
      d.item_code = r.item_code;
      d.result_id = r.result_id;
      d.kind = results::ParseDecisionKind(r.kind).value_or(results::DecisionKind::kAccepted);
      d.reason = results::ParseRepeatReason(r.reason).value_or(results::RepeatReason::kNone);
      d.decided_at = r.decided_at;
      decisions.push_back(std::move(d));
      return true;
    });
  });
  if (!st.ok()) return FromStatus(st);
  if (too_many) return BadParam("more than 2,000,000 checks or decisions: ask for fewer months");
  auto rows = results::Statistics(ref_->recognition, &ref_->catalog, checks, decisions);
  if (!rows.ok()) return FromStatus(rows.status());

  JsonWriter w;
  w.BeginObject().Field("region", q.region.empty() ? "*" : q.region);
  w.Field("fixmedins_code", q.fixmedins_code.empty() ? "*" : q.fixmedins_code).Key("rows").BeginArray();
  results::StatsRow total;
  for (const auto& r : *rows) {
    w.BeginObject().Field("region", r.region).Field("fixmedins_code", r.fixmedins_code).Field("month", r.month);
    w.FieldInt("checks", r.checks).FieldInt("items_asked", r.items_asked);
    w.FieldInt("items_recognised", r.items_recognised).FieldInt("results_accepted", r.results_accepted);
    w.FieldInt("tests_avoided", r.tests_avoided).FieldInt("tests_repeated", r.tests_repeated);
    w.FieldInt("repeated_condition_changed", r.repeated_condition_changed);
    w.FieldInt("repeated_result_doubtful", r.repeated_result_doubtful);
    w.FieldInt("repeated_emergency", r.repeated_emergency).FieldInt("tests_unpriced", r.tests_unpriced);
    w.FieldInt("fees_saved_fen", r.fees_saved_fen).EndObject();
    total.checks += r.checks;
    total.results_accepted += r.results_accepted;
    total.tests_avoided += r.tests_avoided;
    total.tests_repeated += r.tests_repeated;
    total.fees_saved_fen += r.fees_saved_fen;
  }
  w.EndArray().Key("total").BeginObject().FieldInt("checks", total.checks);
  w.FieldInt("results_accepted", total.results_accepted).FieldInt("tests_avoided", total.tests_avoided);
  w.FieldInt("tests_repeated", total.tests_repeated).FieldInt("fees_saved_fen", total.fees_saved_fen);
  w.EndObject().EndObject();
  return ApiReply{200, w.Take(), ""};
}

}  // namespace xt::service

