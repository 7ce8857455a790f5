// The parsed document behind an Envelope (envelope.h), for the .cc files
// that already work with nlohmann/json (the processor, the envelope's tests
// and fuzz target). Not for other headers: it includes nlohmann/json.
#pragma once

#include <nlohmann/json.hpp>

#include "service/envelope.h"

namespace xt::service {

struct EnvelopeDocument {
  nlohmann::json request;                  // the whole request, an object
  const nlohmann::json* input = nullptr;   // request["input"] when that is an object
};

// The envelope's `input` object, or null when input_status is not ok.
// Valid while `env` lives (moving the Envelope keeps it valid).
inline const nlohmann::json* InputOf(const Envelope& env) { return env.document ? env.document->input : nullptr; }

}  // namespace xt::service
