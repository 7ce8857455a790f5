// A fast path for reading request envelopes into nlohmann::json: the common
// shape of what hospitals send (objects, arrays, plain UTF-8 strings,
// integers, decimals) parsed in one pass without nlohmann's character-by-
// character lexer, which costs about two thirds of its parse time.
//
// It either builds exactly the tree nlohmann::json::parse would build, or
// gives up (std::nullopt) and the caller parses with nlohmann, which then
// also gives the refusal for malformed text. It gives up on anything
// unusual: escapes in strings, exponents, integers beyond int64, nesting
// deeper than kFastJsonDepthMax, a byte-order mark, and every malformed
// input. The envelope fuzz target checks the "exactly" on every input.
//
// Included only by .cc files that already work with nlohmann/json.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace xt::service {

inline constexpr int kFastJsonDepthMax = 64;

std::optional<nlohmann::json> FastParseJson(std::string_view text);

}  // namespace xt::service
