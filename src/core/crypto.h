// The few cryptographic pieces the platform needs, from libsodium: a hash
// (BLAKE2b-256, for API-key secrets and the audit log's chain), random
// tokens (API keys, sign-in numbers) and a comparison in constant time.
//
// Thread-safe. libsodium is initialised on first use.
#pragma once

#include <string>
#include <string_view>

namespace xt::crypto {

// Hex of BLAKE2b with a 32-byte output over `data`.
std::string HashHex(std::string_view data);

// `bytes` random bytes from the operating system's generator, as lowercase
// hex (2 * bytes characters).
std::string RandomHex(size_t bytes);

// Standard base64 (RFC 4648, with padding), as the interface carries a
// file's bytes (9101's `in`, 9102's answer).
std::string Base64Encode(std::string_view bytes);
// Decodes standard base64; white space (line breaks) is ignored. False on
// anything else.
bool Base64Decode(std::string_view text, std::string* bytes);

// True when a and b are equal; the time taken does not depend on where
// they differ (only on their lengths).
bool EqualConstantTime(std::string_view a, std::string_view b);

}  // namespace xt::crypto
