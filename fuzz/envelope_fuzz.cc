// libFuzzer target for request envelope decoding (src/service/envelope.h)
// and its JSON document (src/core/json_doc.h, checked against nlohmann):
// any bytes in, and DecodeEnvelope must neither crash nor leak, must refuse
// only with the envelope's codes, and whatever it accepts must hold every
// property the processor relies on afterwards. Built and run by
// scripts/fuzz.sh; docs/fuzzing.md says how to run it longer.
//
// An input is either the request text itself (the seeds are), or, when it
// starts with byte 0x01, the recipe for an envelope built field by field
// (Structured below): random bytes rarely keep a msgid valid while changing
// a region code, and a recipe does so in one mutation.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>
#include <nlohmann/json.hpp>

#include "core/date.h"
#include "core/money.h"
#include "core/json_doc.h"
#include "service/envelope.h"

namespace {

using json = nlohmann::json;
using xt::JsonDoc;
using xt::JsonValue;
using xt::service::Envelope;

// A failed property: print it and abort, which libFuzzer reports as a crash
// and saves the input for.
#define FUZZ_CHECK(cond)                                                             \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "envelope_fuzz: %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)

bool AllDigits(std::string_view s) {
  for (char c : s) if (c < '0' || c > '9') return false;
  return true;
}

// The document's nesting depth, without recursion (the property under test
// is that recursion over the document is safe, so this must not rely on it).
int DepthOf(const JsonValue& root) {
  int depth_max = 0;
  std::vector<std::pair<const JsonValue*, int>> stack{{&root, 1}};
  while (!stack.empty()) {
    auto [v, depth] = stack.back();
    stack.pop_back();
    if (!v->is_array() && !v->is_object()) continue;
    if (depth > depth_max) depth_max = depth;
    for (const JsonValue& e : v->elements()) stack.push_back({&e, depth + 1});
    for (const xt::JsonMember& m : v->members()) stack.push_back({&m.value, depth + 1});
  }
  return depth_max;
}

// `v` holds what `j` holds, type for type, members in nlohmann's order
// (without recursion: nlohmann may hold any depth).
bool SameAs(const JsonValue& root_v, const json& root_j) {
  std::vector<std::pair<const JsonValue*, const json*>> stack{{&root_v, &root_j}};
  while (!stack.empty()) {
    auto [v, j] = stack.back();
    stack.pop_back();
    switch (j->type()) {
      case json::value_t::null: if (!v->is_null()) return false; break;
      case json::value_t::boolean: if (!v->is_boolean() || v->boolean() != j->get<bool>()) return false; break;
      case json::value_t::number_integer:
        if (v->type() != JsonValue::Type::kInteger || v->int64() != j->get<int64_t>()) return false;
        break;
      case json::value_t::number_unsigned:
        if (!v->is_number_unsigned() || v->Dump() != j->dump()) return false;
        break;
      case json::value_t::number_float: {
        const double a = v->number_float(), b = j->get<double>();
        if (!v->is_number_float() || std::memcmp(&a, &b, sizeof a) != 0) return false;
        break;
      }
      case json::value_t::string:
        if (!v->is_string() || v->string() != j->get_ref<const std::string&>()) return false;
        break;
      case json::value_t::array:
        if (!v->is_array() || v->size() != j->size()) return false;
        for (size_t i = 0; i < j->size(); ++i) stack.push_back({&(*v)[i], &(*j)[i]});
        break;
      case json::value_t::object: {
        if (!v->is_object() || v->size() != j->size()) return false;
        size_t i = 0;
        for (const auto& [key, value] : j->items()) {
          const xt::JsonMember& m = v->members()[i++];
          if (m.key != key) return false;
          stack.push_back({&m.value, &value});
        }
        break;
      }
      default: return false;
    }
  }
  return true;
}

// The field as the document holds it: the decoded value must be exactly it.
std::string FieldOf(const JsonValue& request, const char* name) {
  const JsonValue* v = request.Find(name);
  if (!v || v->is_null()) return std::string();
  FUZZ_CHECK(v->is_string());
  return std::string(v->string());
}

void CheckAccepted(const Envelope& env) {
  const JsonValue& request = env.document.root();
  FUZZ_CHECK(request.is_object());

  FUZZ_CHECK(env.infno.size() == xt::service::kInfnoLen);
  FUZZ_CHECK(!env.msgid.empty() && env.msgid.size() <= xt::service::kMsgidLenMax);
  for (char c : env.msgid) FUZZ_CHECK(c >= 0x21 && c <= 0x7E);
  // Message keys of different senders never meet.
  const std::string key = xt::service::MessageKey(env.fixmedins_code, env.msgid);
  FUZZ_CHECK(key.starts_with(env.fixmedins_code));
  FUZZ_CHECK(key == env.msgid || key == env.fixmedins_code + ":" + env.msgid);
  FUZZ_CHECK(env.fixmedins_code.size() == xt::service::kFixmedinsCodeLen);
  FUZZ_CHECK(env.mdtrtarea_admvs.size() == xt::service::kRegionCodeLen && AllDigits(env.mdtrtarea_admvs));
  FUZZ_CHECK(env.insuplc_admdvs.empty() ||
             (env.insuplc_admdvs.size() == xt::service::kRegionCodeLen && AllDigits(env.insuplc_admdvs)));
  FUZZ_CHECK(env.opter.size() <= xt::service::kOpterLenMax);

  // The input fields' decoders on text the fuzzer controls (the msgid and
  // the opter): a time that parses prints back to a time that parses to
  // the same second; a decimal that parses prints back to itself, and
  // dropping places rounds half away from zero.
  for (const std::string& text : {env.msgid, env.opter}) {
    if (const auto t = xt::ParseLocalTime(text)) {
      FUZZ_CHECK(xt::ParseLocalTime(xt::FormatLocalTime(*t)) == t);
      FUZZ_CHECK(xt::ParseLocalTime(xt::FormatLocalCompact(*t)) == t);
    }
    if (const auto v = xt::ParseDecimal(text, 6)) {
      FUZZ_CHECK(xt::ParseDecimal(xt::FormatDecimal(*v, 6), 6) == v);
      const int64_t dropped = xt::DropDecimals(*v, 4);
      const __int128 back = static_cast<__int128>(dropped) * 10000 - *v;  // what rounding moved, in 1e-6
      FUZZ_CHECK(back <= 5000 && back >= -5000);
      if (back == 5000 || back == -5000) FUZZ_CHECK((back > 0) == (*v > 0));  // a half goes away from zero
    }
  }

  FUZZ_CHECK(FieldOf(request, "infno") == env.infno);
  FUZZ_CHECK(FieldOf(request, "msgid") == env.msgid);
  FUZZ_CHECK(FieldOf(request, "fixmedins_code") == env.fixmedins_code);
  FUZZ_CHECK(FieldOf(request, "mdtrtarea_admvs") == env.mdtrtarea_admvs);
  FUZZ_CHECK(FieldOf(request, "insuplc_admdvs") == env.insuplc_admdvs);
  FUZZ_CHECK(FieldOf(request, "opter") == env.opter);

  // input: an object reachable through the document, or a refusal kept for
  // the processor.
  const JsonValue* input = env.input;
  if (env.input_status.ok()) {
    FUZZ_CHECK(input != nullptr && input->is_object());
    FUZZ_CHECK(input == request.Find("input"));
  } else {
    FUZZ_CHECK(input == nullptr);
    FUZZ_CHECK(env.input_status.code() == "XT-INP-001");
  }

  // The processor serialises the input for the request hash (recursively)
  // and handlers walk it: the depth is bounded, and serialising works.
  FUZZ_CHECK(DepthOf(request) <= xt::service::kEnvelopeDepthMax);
  if (input) {
    const std::string text = input->Dump();
    FUZZ_CHECK(!text.empty() && text.front() == '{');
  }
}

// The bytes' choices default to a good envelope: a recipe that runs out of
// bytes (every further value 0) still builds one, so coverage feedback can
// walk one field at a time past each check.

std::string Digits(FuzzedDataProvider& fdp, size_t len) {
  std::string s;
  for (size_t i = 0; i < len; ++i) s += static_cast<char>('0' + fdp.ConsumeIntegralInRange<int>(0, 9));
  return s;
}

// `good` when the next choice is 0, otherwise a value in [lo, hi].
int Part(FuzzedDataProvider& fdp, int good, int lo, int hi) {
  const int v = fdp.ConsumeIntegralInRange<int>(0, hi - lo + 1);
  return v == 0 ? good : lo + v - 1;
}

std::string TwoDigits(int v) { return std::string(1, static_cast<char>('0' + v / 10)) + static_cast<char>('0' + v % 10); }

// A value for one envelope field: mostly the good value; else absent, null,
// another type, digits of any length, or any string.
void PutField(FuzzedDataProvider& fdp, json& env, const char* name, const std::string& good) {
  switch (fdp.ConsumeIntegralInRange<int>(0, 9)) {
    case 4: return;
    case 5: env[name] = nullptr; return;
    case 6: env[name] = fdp.ConsumeIntegral<int32_t>(); return;
    case 7: env[name] = json::array({good}); return;
    case 8: env[name] = Digits(fdp, fdp.ConsumeIntegralInRange<size_t>(0, 8)); return;
    case 9: env[name] = fdp.ConsumeRandomLengthString(40); return;
    default: env[name] = good; return;
  }
}

// An input object nested `depth` levels (built without copying the inside).
json Nested(FuzzedDataProvider& fdp, int depth) {
  json inner = json::object({{"psn_no", "1305000000000001"}});
  for (int i = 1; i < depth; ++i) {
    json outer = fdp.ConsumeBool() ? json::array() : json::object();
    if (outer.is_array()) outer.push_back(std::move(inner));
    else outer["x"] = std::move(inner);
    inner = std::move(outer);
  }
  return json::object({{"data", std::move(inner)}});
}

std::string Structured(FuzzedDataProvider& fdp) {
  const std::string fixmedins_code =
      fdp.ConsumeBool() ? fdp.ConsumeRandomLengthString(14) : std::string("H12010300001");
  // A time that is often real and sometimes just past a boundary.
  const std::string time = std::to_string(Part(fdp, 2026, 1790, 2210)) + TwoDigits(Part(fdp, 11, 0, 13)) +
                           TwoDigits(Part(fdp, 29, 0, 32)) + TwoDigits(Part(fdp, 8, 0, 24)) +
                           TwoDigits(Part(fdp, 30, 0, 60)) + TwoDigits(Part(fdp, 0, 0, 60));
  json env = json::object();
  PutField(fdp, env, "infno", fdp.PickValueInArray({"2207", "1101", "2201", "2402", "9999"}));
  PutField(fdp, env, "msgid", fixmedins_code + time + Digits(fdp, 4));
  PutField(fdp, env, "fixmedins_code", fixmedins_code);
  PutField(fdp, env, "mdtrtarea_admvs", "120103");
  PutField(fdp, env, "insuplc_admdvs", fdp.ConsumeBool() ? "" : "130503");
  PutField(fdp, env, "opter", "demo");
  switch (fdp.ConsumeIntegralInRange<int>(0, 3)) {
    case 0: env["input"] = Nested(fdp, 1); break;
    case 1: env["input"] = fdp.ConsumeRandomLengthString(20); break;
    case 2: break;
    default: env["input"] = Nested(fdp, fdp.ConsumeIntegralInRange<int>(1, 300)); break;
  }
  return env.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string built;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (size > 0 && data[0] == 0x01) {
    FuzzedDataProvider fdp(data + 1, size - 1);
    built = Structured(fdp);
    text = built;
  }
  // JsonDoc accepts what nlohmann accepts, holds the same values and dumps
  // them to the same bytes (the request hash is taken over the dump).
  {
    JsonDoc doc;
    const JsonDoc::Parsed parsed = doc.Parse(text, 64);
    const json slow = json::parse(text, nullptr, /*allow_exceptions=*/false);
    FUZZ_CHECK((parsed == JsonDoc::Parsed::kMalformed) == slow.is_discarded());
    if (parsed == JsonDoc::Parsed::kOk) {
      FUZZ_CHECK(SameAs(doc.root(), slow));
      FUZZ_CHECK(doc.root().Dump() == slow.dump());
    }
  }
  xt::service::EnvelopeIds ids;
  xt::Result<Envelope> env = xt::service::DecodeEnvelope(text, &ids);
  FUZZ_CHECK(ids.infno.empty() || ids.infno.size() == xt::service::kInfnoLen);
  FUZZ_CHECK(ids.msgid.size() <= xt::service::kMsgidLenMax);
  if (!env.ok()) {
    const std::string& code = env.status().code();
    FUZZ_CHECK(code == "XT-ENV-001" || code == "XT-ENV-002" || code == "XT-ENV-004");
    FUZZ_CHECK(!env.status().message().empty());
    return 0;
  }
  FUZZ_CHECK(ids.infno == env->infno && ids.msgid == env->msgid);
  CheckAccepted(*env);
  // Moving keeps the input reachable (the processor holds the Envelope).
  const JsonValue* input = env->input;
  Envelope moved = std::move(env).value();
  FUZZ_CHECK(moved.input == input);
  return 0;
}
