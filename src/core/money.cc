// Decimal text <-> scaled integers, for the wire format (2 decimals for
// money, 4 for counts, 6 for unit prices).
#include "core/money.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <cstdlib>

namespace xt {

namespace {
constexpr int64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
}

std::optional<int64_t> ParseDecimal(std::string_view text, int scale) {
  if (scale < 0 || scale > 8 || text.empty()) return std::nullopt;
  bool negative = false;
  size_t i = 0;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    i = 1;
  }
  __int128 whole = 0;
  int digits = 0;
  for (; i < text.size() && text[i] != '.'; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    whole = whole * 10 + (text[i] - '0');
    if (++digits > 16) return std::nullopt;
  }
  int64_t frac = 0;
  int frac_digits = 0;
  if (i < text.size()) {
    ++i;  // '.'
    if (i == text.size()) return std::nullopt;
    for (; i < text.size(); ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      if (++frac_digits > scale) return std::nullopt;
      frac = frac * 10 + (text[i] - '0');
    }
  }
  if (digits == 0 && frac_digits == 0) return std::nullopt;
  frac *= kPow10[scale - frac_digits];
  __int128 v = whole * kPow10[scale] + frac;
  if (v > std::numeric_limits<int64_t>::max()) return std::nullopt;  // 16 digits at scale 8 would wrap
  return static_cast<int64_t>(negative ? -v : v);
}

std::string FormatDecimal(int64_t scaled, int scale) {
  const bool negative = scaled < 0;
  const unsigned __int128 mag = negative ? -static_cast<__int128>(scaled) : scaled;
  const uint64_t p = kPow10[scale];
  std::string whole = std::to_string(static_cast<uint64_t>(mag / p));
  std::string out = negative ? "-" + whole : whole;
  if (scale > 0) {
    std::string frac = std::to_string(static_cast<uint64_t>(mag % p));
    out += '.';
    out.append(scale - frac.size(), '0');
    out += frac;
  }
  return out;
}

std::optional<int64_t> ScaledFromDouble(double value, int scale) {
  if (!std::isfinite(value) || scale < 0 || scale > 8) return std::nullopt;
  const double scaled = value * static_cast<double>(kPow10[scale]);
  if (std::fabs(scaled) > 9.0e15) return std::nullopt;
  const double rounded = std::round(scaled);
  // A value that had more decimals than allowed is refused, not rounded.
  if (std::fabs(scaled - rounded) > std::max(1e-6, std::fabs(scaled) * 2e-15)) return std::nullopt;
  return static_cast<int64_t>(rounded);
}

std::optional<int64_t> ScaledFromNumberText(std::string_view text, int scale) {
  if (auto exact = ParseDecimal(text, scale)) return exact;
  if (scale < 0 || scale > 8) return std::nullopt;
  // -?digits.digits with more than `scale` decimals: round half away from
  // zero at `scale` (the first dropped digit decides), then ask whether the
  // two texts read as the same double.
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos || text.size() - dot - 1 <= static_cast<size_t>(scale) || text.size() > 40) {
    return std::nullopt;
  }
  for (size_t i = (text[0] == '-' ? 1 : 0); i < text.size(); ++i) {
    if (i != dot && (text[i] < '0' || text[i] > '9')) return std::nullopt;
  }
  auto kept = ParseDecimal(text.substr(0, scale == 0 ? dot : dot + 1 + scale), scale);
  if (!kept) return std::nullopt;
  const bool negative = text[0] == '-';
  if (text[dot + 1 + scale] >= '5') *kept += negative ? -1 : 1;
  // Noise is what ScaledFromDouble tolerates: within a few units in the
  // last place of a value with `scale` decimals.
  double read = 0.0;
  std::from_chars(text.data(), text.data() + text.size(), read);
  if (ScaledFromDouble(read, scale) != kept) return std::nullopt;
  return kept;
}

}  // namespace xt
