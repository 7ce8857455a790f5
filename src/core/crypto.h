// The few cryptographic pieces the platform needs, from libsodium: a hash
// (BLAKE2b-256, for API-key secrets and the audit log's chain), random
// tokens (API keys, sign-in numbers, sessions), a comparison in constant
// time, and the slow password hash of staff accounts (Argon2id).
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

// A password's Argon2id hash as libsodium's crypto_pwhash_str writes it
// ("$argon2id$v=19$m=65536,t=2,p=1$<salt>$<hash>": the parameters and a
// random salt travel with it), with OPSLIMIT_INTERACTIVE and
// MEMLIMIT_INTERACTIVE (2 passes over 64 MiB). False when the memory could
// not be had. Takes tens of milliseconds, on purpose.
bool PasswordHash(std::string_view password, std::string* hash);
// True when `password` is the one `hash` was made from (crypto_pwhash_str_verify,
// which compares in constant time). False on a malformed hash too.
bool PasswordVerify(std::string_view hash, std::string_view password);
// Random text of `chars` characters from an alphabet without look-alikes
// (no 0/O, 1/l/I), for passwords handed to people.
std::string RandomPassword(size_t chars);

}  // namespace xt::crypto
