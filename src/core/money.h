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

// A fee line's amount: cnt (x 10,000) times pric (x 1,000,000), rounded
// half away from zero to the fen (cnt_e4 * pric_e6 is in 1e-8 fen).
constexpr Fen LineAmountFen(int64_t cnt_e4, int64_t pric_e6) {
  const __int128 p = static_cast<__int128>(cnt_e4) * pric_e6;
  constexpr __int128 kUnit = 100000000;  // 1e-8 fen per fen
  return static_cast<Fen>(p >= 0 ? (p + kUnit / 2) / kUnit : -((-p + kUnit / 2) / kUnit));
}
static_assert(LineAmountFen(20000, 12350000) == 2470, "2 x 12.35 = 24.70");
static_assert(LineAmountFen(30000, 3333333) == 1000, "3 x 3.333333 = 9.999999 -> 10.00");
static_assert(LineAmountFen(-10000, 12345000) == -1235, "-1 x 12.345 = -12.345 -> -12.35");

// Drops the last `extra` decimal places of a scaled value, rounding half
// away from zero: 24.7050 read at scale 4 (247050) is 24.71 at scale 2
// (DropDecimals(247050, 2) == 2471).
constexpr int64_t DropDecimals(int64_t scaled, int extra) {
  int64_t p = 1;
  for (int i = 0; i < extra; ++i) p *= 10;
  const int64_t half = p / 2;
  if (p == 1) return scaled;
  return scaled >= 0 ? (scaled + half) / p : -((-scaled + half) / p);
}
static_assert(DropDecimals(247000, 4) == 25, "24.7000 at scale 4 is 25 at scale 0");
static_assert(DropDecimals(2470500, 4) == 247, "");
static_assert(DropDecimals(-2470500, 4) == -247, "symmetric");
static_assert(DropDecimals(1235, 1) == 124, "half away from zero");
static_assert(DropDecimals(247050, 2) == 2471, "");

// "123.45" -> 12345. Accepts an optional sign and up to `scale` decimals.
// Returns nullopt on anything else (no exponents, no spaces).
std::optional<int64_t> ParseDecimal(std::string_view text, int scale);
// 12345 -> "123.45" (scale 2); -5 -> "-0.05".
std::string FormatDecimal(int64_t scaled, int scale);
inline std::string FormatFen(Fen fen) { return FormatDecimal(fen, 2); }
// A JSON number read as double (already parsed) to a scaled integer, exact
// when the value has at most `scale` decimals; nullopt otherwise. For
// what only a double is given for (the tests' readers of answers); inputs
// are read from their text (ScaledFromNumberText).
std::optional<int64_t> ScaledFromDouble(double value, int scale);

// A JSON number's text ("24.70", "-3", "0.30000000000000004") to a scaled
// integer, from the digits, never through a double. At most `scale`
// decimals: exact. More: accepted only when they are the noise of binary
// floating point, within a few units in the last place of the value
// rounded to `scale` decimals, as ScaledFromDouble tolerates (a client that
// computed 0.1 + 0.2 in doubles sends 0.30000000000000004 for 0.30); the
// value is then that rounding, made from the digits. Anything
// else (a real third decimal, an exponent, not a number) is nullopt.
std::optional<int64_t> ScaledFromNumberText(std::string_view text, int scale);

}  // namespace xt
