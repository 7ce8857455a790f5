// Decoding of a request envelope of the national interface
// (../docs/interface.md, "Envelope"): the JSON text parsed and the head
// fields checked, before anything is looked up. It is a pure function of the
// text (no clock, store or reference data), so it is tested by tables
// (envelope_test.cc) and fuzzed (fuzz/envelope_fuzz.cc). The processor then
// checks what needs reference data: the institution, its region, the infno.
//
// The document is a JsonDoc (core/json_doc.h), which reads and hashes like
// nlohmann::json without its header or its cost.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/json_doc.h"
#include "core/status.h"

namespace xt::service {

// Bounds on an envelope, in the interface's lengths.
inline constexpr size_t kInfnoLen = 4;
// The specification's msgid is fixmedins_code (12) + yyyyMMddHHmmss (14) +
// a 4-digit sequence, 30 characters; real systems send shorter keys, other
// prefixes and letters (tests/corpus/README.md). It is an opaque
// idempotency key of at most 30 visible ASCII characters, scoped to the
// sending institution (MessageKey).
inline constexpr size_t kMsgidLenMax = 30;
inline constexpr size_t kFixmedinsCodeLen = 12;
inline constexpr size_t kRegionCodeLen = 6;  // mdtrtarea_admvs, insuplc_admdvs
inline constexpr size_t kOpterLenMax = 30;
inline constexpr size_t kSignNoLenMax = 40;  // the sign_no of a 9001 sign-in
// Nesting of objects and arrays in the whole request, the envelope itself
// being level 1. The deepest input of the interface (a fee line in
// input.feedetail[]) is at level 4. The parser reads any depth without
// recursion, but serialising the input for the request hash recurses once
// per level: 100,000 levels (a 200 KB body) overflowed the stack and killed
// the server (found by fuzz/envelope_fuzz.cc).
inline constexpr int kEnvelopeDepthMax = 32;

// infno and msgid as far as they could be read, also from an envelope that
// is refused: for the caller's logs and metrics.
struct EnvelopeIds {
  std::string infno;
  std::string msgid;
};

// A request envelope whose head fields passed every check of DecodeEnvelope.
// Movable, not copyable. It owns the parsed document: `input` and other
// pointers into it are valid while the Envelope lives (also once moved).
struct Envelope {
  Envelope();
  Envelope(Envelope&&) noexcept;
  Envelope& operator=(Envelope&&) noexcept;
  ~Envelope();

  std::string infno;            // 4 characters (whether it is a known transaction is the processor's check)
  std::string msgid;            // 1 to 30 visible ASCII characters (0x21-0x7E)
  std::string fixmedins_code;   // 12 characters (whether it is known is the processor's check)
  std::string mdtrtarea_admvs;  // 6 digits
  std::string insuplc_admdvs;   // empty (absent, null or "") or 6 digits
  std::string opter;            // at most 30 characters; empty when absent or null
  std::string sign_no;          // at most 40 characters; empty when absent or null

  // Ok when the envelope's `input` is an object; otherwise the refusal
  // (XT-INP-001). DecodeEnvelope does not refuse for it because the
  // processor refuses an unknown institution, region or infno first.
  Status input_status;
  // The whole request, an object.
  JsonDoc document;
  // The request's `input` object; null when input_status is not ok.
  const JsonValue* input = nullptr;
};

// Parses `request_json` and checks, in this order (the first failure is the
// answer):
//   XT-ENV-001  not JSON
//   XT-ENV-002  not an object; nested deeper than kEnvelopeDepthMax
//   XT-ENV-002  infno, msgid, fixmedins_code, mdtrtarea_admvs (in this
//               order) missing or null, not a string, or not of their
//               length (msgid: at most 30); then insuplc_admdvs (when not null) not a string or
//               over 6; then opter (when not null) not a string or over 30, then sign_no over 40
//   XT-ENV-004  msgid empty, or holding a character that is not visible ASCII
//   XT-ENV-002  mdtrtarea_admvs, or a non-empty insuplc_admdvs, not 6 digits
// `*ids`, when not null, receives infno and msgid, each once it passed its
// own check (so also when a later check refuses). Never throws.
Result<Envelope> DecodeEnvelope(std::string_view request_json, EnvelopeIds* ids = nullptr);

// The key a message is kept under in the message log, so that one
// institution's msgids never meet another's: a msgid that starts with the
// sender's fixmedins_code (the specification's shape) is its own key; any
// other is prefixed with the code and ':'. Keys of two institutions start
// with different codes, and a specification-shaped msgid has no ':' after
// its code, so no two messages of different senders share a key.
std::string MessageKey(std::string_view fixmedins_code, std::string_view msgid);

}  // namespace xt::service
