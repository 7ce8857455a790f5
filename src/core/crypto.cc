#include "core/crypto.h"

#include <sodium.h>

#include <cstdint>
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

bool PasswordHash(std::string_view password, std::string* hash) {
  EnsureInit();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return false;
  }
  hash->assign(out);
  return true;
}

bool PasswordVerify(std::string_view hash, std::string_view password) {
  EnsureInit();
  // crypto_pwhash_str_verify reads a NUL-terminated string of at most
  // crypto_pwhash_STRBYTES bytes.
  if (hash.size() >= crypto_pwhash_STRBYTES) return false;
  char text[crypto_pwhash_STRBYTES] = {};
  hash.copy(text, hash.size());
  return crypto_pwhash_str_verify(text, password.data(), password.size()) == 0;
}

std::string RandomPassword(size_t chars) {
  EnsureInit();
  static constexpr char kAlphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  constexpr uint32_t kSize = sizeof kAlphabet - 1;
  std::string out;
  out.reserve(chars);
  for (size_t i = 0; i < chars; ++i) out += kAlphabet[randombytes_uniform(kSize)];
  return out;
}

}  // namespace xt::crypto
