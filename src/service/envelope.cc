// Request envelope decoding (envelope.h). The checks, their order and their
// messages are the ones clients already see: tests/service_test.cc and
// tests/http_test.cc pin the codes, and docs/errors.md lists them.
#include "service/envelope.h"

#include <utility>

#include "service/errors.h"

namespace xt::service {

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

bool IsVisibleAscii(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) if (c < 0x21 || c > 0x7E) return false;
  return true;
}

// A member of the envelope object; null counts as absent.
const JsonValue* Find(const JsonValue& obj, const char* name) {
  const JsonValue* v = obj.Find(name);
  return v && !v->is_null() ? v : nullptr;
}

std::string Path(const char* name) { return std::string("envelope.") + name; }

// A string field of at most `len_max` bytes (exactly, when `exact`); the
// messages are those of the input fields' (XT-INP-00x), under XT-ENV-002.
Status StringField(const JsonValue* v, const char* name, size_t len_max, bool exact, std::string* out) {
  if (!v) return err::BadEnvelope(err::MissingField(Path(name)).message());
  if (!v->is_string()) return err::BadEnvelope(err::BadField(Path(name), "must be a string").message());
  const std::string_view s = v->string();
  if (s.size() > len_max) {
    return err::BadEnvelope(err::BadField(Path(name), "is longer than " + std::to_string(len_max)).message());
  }
  if (exact && s.size() != len_max) {
    return err::BadEnvelope(err::BadField(Path(name), "must be " + std::to_string(len_max) + " characters").message());
  }
  *out = std::string(s);
  return Status::Ok();
}

Status Required(const JsonValue& obj, const char* name, size_t len, std::string* out) {
  return StringField(Find(obj, name), name, len, true, out);
}

// Absent and null leave `*out` empty.
Status Optional(const JsonValue& obj, const char* name, size_t len_max, std::string* out) {
  const JsonValue* v = Find(obj, name);
  return v ? StringField(v, name, len_max, false, out) : Status::Ok();
}

}  // namespace

Result<Envelope> DecodeEnvelope(std::string_view request_json, EnvelopeIds* ids) {
  EnvelopeIds unused;
  if (!ids) ids = &unused;
  *ids = EnvelopeIds{};

  Envelope env;
  switch (env.document.Parse(request_json, kEnvelopeDepthMax)) {
    case JsonDoc::Parsed::kOk: break;
    case JsonDoc::Parsed::kMalformed: return err::MalformedJson("parse failed");
    case JsonDoc::Parsed::kTooDeep: {
      // Valid JSON, so its first character (after a byte-order mark and
      // white space) says whether it is an object.
      std::string_view t = request_json;
      if (t.starts_with("\xEF\xBB\xBF")) t.remove_prefix(3);
      const size_t first = t.find_first_not_of(" \t\r\n");
      if (first == std::string_view::npos || t[first] != '{') {
        return err::BadEnvelope("the request must be a JSON object");
      }
      return err::BadEnvelope("the request is nested deeper than " + std::to_string(kEnvelopeDepthMax) + " levels");
    }
  }
  const JsonValue& req = env.document.root();
  if (!req.is_object()) return err::BadEnvelope("the request must be a JSON object");

  Status st = Required(req, "infno", kInfnoLen, &env.infno);
  if (st.ok()) st = StringField(Find(req, "msgid"), "msgid", kMsgidLenMax, false, &env.msgid);
  if (st.ok()) st = Required(req, "fixmedins_code", kFixmedinsCodeLen, &env.fixmedins_code);
  if (st.ok()) st = Required(req, "mdtrtarea_admvs", kRegionCodeLen, &env.mdtrtarea_admvs);
  if (st.ok()) st = Optional(req, "insuplc_admdvs", kRegionCodeLen, &env.insuplc_admdvs);
  if (st.ok()) st = Optional(req, "opter", kOpterLenMax, &env.opter);
  if (st.ok()) st = Optional(req, "sign_no", kSignNoLenMax, &env.sign_no);
  ids->infno = env.infno;
  ids->msgid = env.msgid;
  if (!st.ok()) return st;

  if (!IsVisibleAscii(env.msgid)) {
    return err::BadMsgid("msgid must be 1 to 30 visible ASCII characters (letters, digits, punctuation; no spaces)");
  }
  // mdtrtarea_admvs has its 6 characters already; insuplc_admdvs only "at most 6".
  const bool insuplc_ok =
      env.insuplc_admdvs.empty() || (env.insuplc_admdvs.size() == kRegionCodeLen && IsDigits(env.insuplc_admdvs));
  if (!IsDigits(env.mdtrtarea_admvs) || !insuplc_ok) {
    return err::BadEnvelope("region codes must be 6 digits");
  }

  const JsonValue* in = req.Find("input");
  if (in && in->is_object()) {
    env.input = in;
  } else {
    env.input_status = err::MissingField("input (an object)");
  }
  return env;
}

std::string MessageKey(std::string_view fixmedins_code, std::string_view msgid) {
  if (msgid.starts_with(fixmedins_code)) return std::string(msgid);
  std::string key;
  key.reserve(fixmedins_code.size() + 1 + msgid.size());
  key.append(fixmedins_code).append(1, ':').append(msgid);
  return key;
}

}  // namespace xt::service
