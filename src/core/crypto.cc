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

std::string Base64Encode(std::string_view bytes) {
  EnsureInit();
  const size_t len = sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  std::string out(len, '\0');
  sodium_bin2base64(out.data(), len, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(len - 1);  // the terminating NUL
  return out;
}

bool Base64Decode(std::string_view text, std::string* bytes) {
  EnsureInit();
  bytes->assign(text.size() / 4 * 3 + 3, '\0');
  size_t n = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes->data()), bytes->size(), text.data(), text.size(),
                        " \t\r\n", &n, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return false;
  }
  bytes->resize(n);
  return true;
}

bool EqualConstantTime(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace xt::crypto
