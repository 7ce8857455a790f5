#include "core/crypto.h"

#include <sodium.h>

#include <cstdlib>
#include <vector>

namespace xt::crypto {

namespace {

void EnsureInit() {
  static const bool ok = sodium_init() >= 0;
  // Without a working random generator no key can be issued safely.
  if (!ok) std::abort();
}

std::string ToHex(const unsigned char* data, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.pop_back();
  return out;
}

}  // namespace

std::string HashHex(std::string_view data) {
  EnsureInit();
  unsigned char out[crypto_generichash_BYTES];
  static_assert(crypto_generichash_BYTES == 32, "audit hashes and key hashes are 32 bytes");
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(data.data()), data.size(), nullptr, 0);
  return ToHex(out, sizeof out);
}

std::string RandomHex(size_t bytes) {
  EnsureInit();
  std::vector<unsigned char> buf(bytes);
  randombytes_buf(buf.data(), buf.size());
  return ToHex(buf.data(), buf.size());
}

bool EqualConstantTime(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace xt::crypto
