// Request envelope decoding (envelope.h). The checks, their order and their
// messages are the ones clients already see: tests/service_test.cc and
// tests/http_test.cc pin the codes, and docs/errors.md lists them.
#include "service/envelope.h"

#include <utility>

#include "core/date.h"
#include "service/envelope_json.h"
#include "service/fast_json.h"
#include "service/errors.h"

namespace xt::service {

using json = nlohmann::json;

Envelope::Envelope() = default;
Envelope::Envelope(Envelope&&) noexcept = default;
Envelope& Envelope::operator=(Envelope&&) noexcept = default;
Envelope::~Envelope() = default;

namespace {

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) if (c < '0' || c > '9') return false;
  return true;
}

// Whether valid JSON text nests objects and arrays deeper than `depth_max`:
// its brackets outside strings, counted without building anything.
bool NestsDeeperThan(std::string_view text, int depth_max) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;  // the escaped character cannot end the string
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > depth_max) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

// A member of the envelope object; null counts as absent.
const json* Find(const json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string Path(const char* name) { return std::string("envelope.") + name; }

// A string field of at most `len_max` bytes (exactly, when `exact`); the
// messages are those of the input fields' (XT-INP-00x), under XT-ENV-002.
Status StringField(const json* v, const char* name, size_t len_max, bool exact, std::string* out) {
  if (!v) return err::BadEnvelope(err::MissingField(Path(name)).message());
  if (!v->is_string()) return err::BadEnvelope(err::BadField(Path(name), "must be a string").message());
  const std::string& s = v->get_ref<const std::string&>();
  if (s.size() > len_max) {
    return err::BadEnvelope(err::BadField(Path(name), "is longer than " + std::to_string(len_max)).message());
  }
  if (exact && s.size() != len_max) {
    return err::BadEnvelope(err::BadField(Path(name), "must be " + std::to_string(len_max) + " characters").message());
  }
  *out = s;
  return Status::Ok();
}

Status Required(const json& obj, const char* name, size_t len, std::string* out) {
  return StringField(Find(obj, name), name, len, true, out);
}

// Absent and null leave `*out` empty.
Status Optional(const json& obj, const char* name, size_t len_max, std::string* out) {
  const json* v = Find(obj, name);
  return v ? StringField(v, name, len_max, false, out) : Status::Ok();
}

}  // namespace

Result<Envelope> DecodeEnvelope(std::string_view request_json, EnvelopeIds* ids) {
  EnvelopeIds unused;
  if (!ids) ids = &unused;
  *ids = EnvelopeIds{};

  auto doc = std::make_unique<EnvelopeDocument>();
  // The fast path builds the same tree, or leaves the text to nlohmann
  // (which also words the refusal of malformed text).
  if (auto fast = FastParseJson(request_json)) {
    doc->request = std::move(*fast);
  } else {
    doc->request = json::parse(request_json, nullptr, /*allow_exceptions=*/false);
  }
  const json& req = doc->request;
  if (req.is_discarded()) return err::MalformedJson("parse failed");
  if (!req.is_object()) return err::BadEnvelope("the request must be a JSON object");
  if (NestsDeeperThan(request_json, kEnvelopeDepthMax)) {
    return err::BadEnvelope("the request is nested deeper than " + std::to_string(kEnvelopeDepthMax) + " levels");
  }

  Envelope env;
  Status st = Required(req, "infno", kInfnoLen, &env.infno);
  if (st.ok()) st = Required(req, "msgid", kMsgidLen, &env.msgid);
  if (st.ok()) st = Required(req, "fixmedins_code", kFixmedinsCodeLen, &env.fixmedins_code);
  if (st.ok()) st = Required(req, "mdtrtarea_admvs", kRegionCodeLen, &env.mdtrtarea_admvs);
  if (st.ok()) st = Optional(req, "insuplc_admdvs", kRegionCodeLen, &env.insuplc_admdvs);
  if (st.ok()) st = Optional(req, "opter", kOpterLenMax, &env.opter);
  if (st.ok()) st = Optional(req, "sign_no", kSignNoLenMax, &env.sign_no);
  ids->infno = env.infno;
  ids->msgid = env.msgid;
  if (!st.ok()) return st;

  const std::string_view msgid = env.msgid;
  if (msgid.substr(0, kFixmedinsCodeLen) != env.fixmedins_code) {
    return err::BadMsgid("msgid must start with the caller's fixmedins_code");
  }
  if (!ParseLocalTime(msgid.substr(kFixmedinsCodeLen, kMsgidTimeLen)) ||
      !IsDigits(msgid.substr(kFixmedinsCodeLen + kMsgidTimeLen, kMsgidSequenceLen))) {
    return err::BadMsgid("msgid must be fixmedins_code + yyyyMMddHHmmss + a 4-digit sequence");
  }
  // mdtrtarea_admvs has its 6 characters already; insuplc_admdvs only "at most 6".
  const bool insuplc_ok =
      env.insuplc_admdvs.empty() || (env.insuplc_admdvs.size() == kRegionCodeLen && IsDigits(env.insuplc_admdvs));
  if (!IsDigits(env.mdtrtarea_admvs) || !insuplc_ok) {
    return err::BadEnvelope("region codes must be 6 digits");
  }

  auto in = req.find("input");
  if (in != req.end() && in->is_object()) {
    doc->input = &*in;
  } else {
    env.input_status = err::MissingField("input (an object)");
  }
  env.document = std::move(doc);
  return env;
}

}  // namespace xt::service
