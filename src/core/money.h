// Money: int64_t fen (1 yuan = 100 fen) everywhere; no floating point touches
// money. Ratios are basis points (1/10,000): 95.5% is 9550.
//
// The one rounding rule (docs/rounding.md): a product of an amount and a
// ratio is rounded half away from zero to the fen. It is symmetric, so a
// refund line of -x gives exactly the negation of the line of +x.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xt {

using Fen = int64_t;
using BasisPoints = int32_t;  // 10000 = 100%
inline constexpr BasisPoints kWholeBp = 10000;

// amount_fen * ratio_bp / 10000, rounded half away from zero.
constexpr Fen ApplyRatio(Fen amount_fen, BasisPoints ratio_bp) {
  const __int128 p = static_cast<__int128>(amount_fen) * ratio_bp;
  const __int128 half = kWholeBp / 2;
  return static_cast<Fen>(p >= 0 ? (p + half) / kWholeBp : -((-p + half) / kWholeBp));
}
static_assert(ApplyRatio(5, 5000) == 3, "half rounds away from zero");
static_assert(ApplyRatio(-5, 5000) == -3, "symmetric for refunds");

// Smallest amount x >= 0 with ApplyRatio(x, ratio_bp) >= pay_fen, for
// pay_fen >= 0 and ratio_bp > 0: the in-scope amount a fund payment covers.
constexpr Fen AmountCoveredBy(Fen pay_fen, BasisPoints ratio_bp) {
  // ApplyRatio(x) >= pay  <=>  x*r + 5000 >= pay*10000  <=>  x >= (pay*10000 - 5000) / r
  const __int128 need = static_cast<__int128>(pay_fen) * kWholeBp - kWholeBp / 2;
  if (need <= 0) return 0;
  return static_cast<Fen>((need + ratio_bp - 1) / ratio_bp);
}
static_assert(AmountCoveredBy(3, 5000) == 5, "");
static_assert(AmountCoveredBy(0, 9000) == 0, "");

// "123.45" -> 12345. Accepts an optional sign and up to `scale` decimals.
// Returns nullopt on anything else (no exponents, no spaces).
std::optional<int64_t> ParseDecimal(std::string_view text, int scale);
// 12345 -> "123.45" (scale 2); -5 -> "-0.05".
std::string FormatDecimal(int64_t scaled, int scale);
inline std::string FormatFen(Fen fen) { return FormatDecimal(fen, 2); }
// A JSON number read as double (already parsed) to a scaled integer, exact
// when the value has at most `scale` decimals; nullopt otherwise.
std::optional<int64_t> ScaledFromDouble(double value, int scale);

}  // namespace xt
