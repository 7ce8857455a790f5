#include "service/fast_json.h"

#include <cstdlib>
#include <cstring>
#include <string>

namespace xt::service {

namespace {

using json = nlohmann::json;

class Parser {
 public:
  explicit Parser(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  // The whole text as one value, or false (give up).
  bool Document(json* out) {
    SkipSpace();
    if (!Value(out, 0)) return false;
    SkipSpace();
    return p_ == end_;
  }

 private:
  void SkipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool Literal(const char* word, size_t n) {
    if (static_cast<size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
    p_ += n;
    return true;
  }

  bool Value(json* out, int depth) {
    if (p_ >= end_) return false;
    switch (*p_) {
      case '{': return Object(out, depth + 1);
      case '[': return Array(out, depth + 1);
      case '"': {
        std::string s;
        if (!String(&s)) return false;
        *out = std::move(s);
        return true;
      }
      case 't':
        if (!Literal("true", 4)) return false;
        *out = true;
        return true;
      case 'f':
        if (!Literal("false", 5)) return false;
        *out = false;
        return true;
      case 'n':
        if (!Literal("null", 4)) return false;
        *out = nullptr;
        return true;
      default: return Number(out);
    }
  }

  bool Object(json* out, int depth) {
    if (depth > kFastJsonDepthMax) return false;
    *out = json::object();
    bool closed = Open('}');
    while (!closed) {
      if (p_ >= end_ || *p_ != '"') return false;
      std::string key;
      if (!String(&key)) return false;
      SkipSpace();
      if (p_ >= end_ || *p_ != ':') return false;
      ++p_;
      SkipSpace();
      // A repeated key keeps its last value, as nlohmann's own parser does.
      if (!Value(&(*out)[key], depth) || !AfterElement('}', &closed)) return false;
    }
    return true;
  }

  bool Array(json* out, int depth) {
    if (depth > kFastJsonDepthMax) return false;
    *out = json::array();
    bool closed = Open(']');
    while (!closed) {
      json item;
      if (!Value(&item, depth)) return false;
      out->push_back(std::move(item));
      if (!AfterElement(']', &closed)) return false;
    }
    return true;
  }

  // Past the opening bracket; true when `close` follows at once (empty).
  bool Open(char close) {
    ++p_;
    SkipSpace();
    const bool empty = p_ < end_ && *p_ == close;
    if (empty) ++p_;
    return empty;
  }

  // After an element: ',' (another follows) or `close` (*closed); anything
  // else is malformed.
  bool AfterElement(char close, bool* closed) {
    SkipSpace();
    if (p_ >= end_) return false;
    if (*p_ == ',') {
      ++p_;
      SkipSpace();
      return true;
    }
    if (*p_ != close) return false;
    ++p_;
    *closed = true;
    return true;
  }

  // Plain strings only: no escapes, no control characters, well-formed
  // UTF-8 (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF).
  bool String(std::string* out) {
    ++p_;  // '"'
    const char* begin = p_;
    while (p_ < end_) {
      const unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out->assign(begin, static_cast<size_t>(p_ - begin));
        ++p_;
        return true;
      }
      if (c < 0x20 || c == '\\') return false;
      if (c < 0x80) {
        ++p_;
        continue;
      }
      const size_t left = static_cast<size_t>(end_ - p_);
      auto cont = [&](size_t i) { return i < left && (static_cast<unsigned char>(p_[i]) & 0xC0) == 0x80; };
      const unsigned char c1 = left > 1 ? static_cast<unsigned char>(p_[1]) : 0;
      if (c >= 0xC2 && c <= 0xDF) {
        if (!cont(1)) return false;
        p_ += 2;
      } else if (c >= 0xE0 && c <= 0xEF) {
        if (!cont(1) || !cont(2)) return false;
        if (c == 0xE0 && c1 < 0xA0) return false;  // overlong
        if (c == 0xED && c1 > 0x9F) return false;  // a surrogate
        p_ += 3;
      } else if (c >= 0xF0 && c <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3)) return false;
        if (c == 0xF0 && c1 < 0x90) return false;  // overlong
        if (c == 0xF4 && c1 > 0x8F) return false;  // beyond U+10FFFF
        p_ += 4;
      } else {
        return false;
      }
    }
    return false;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)? : integers of at most 18 digits,
  // decimals as the double strtod gives for the same text, as nlohmann's
  // lexer does. Exponents are left to nlohmann.
  bool Number(json* out) {
    const char* begin = p_;
    if (p_ < end_ && *p_ == '-') ++p_;
    if (p_ >= end_ || *p_ < '0' || *p_ > '9') return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    bool decimal = false;
    if (p_ < end_ && *p_ == '.') {
      decimal = true;
      ++p_;
      const char* digits = p_;
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
      if (p_ == digits) return false;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) return false;
    const size_t n = static_cast<size_t>(p_ - begin);
    if (n >= 64) return false;
    char buf[64];
    std::memcpy(buf, begin, n);
    buf[n] = '\0';
    if (decimal) {
      char* stop = nullptr;
      const double d = std::strtod(buf, &stop);
      if (stop != buf + n) return false;
      *out = d;
      return true;
    }
    // At most 18 digits always fit; longer ones go to nlohmann. Like
    // nlohmann's lexer: unsigned without a sign, signed with one.
    const bool negative = buf[0] == '-';
    const size_t digits = n - (negative ? 1 : 0);
    if (digits > 18) return false;
    if (negative) {
      *out = static_cast<json::number_integer_t>(std::strtoll(buf, nullptr, 10));
    } else {
      *out = static_cast<json::number_unsigned_t>(std::strtoull(buf, nullptr, 10));
    }
    return true;
  }

  const char* p_;
  const char* end_;
};

}  // namespace

std::optional<nlohmann::json> FastParseJson(std::string_view text) {
  json out;
  Parser parser(text);
  if (!parser.Document(&out)) return std::nullopt;
  return out;
}

}  // namespace xt::service
