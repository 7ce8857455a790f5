// The one rounding rule and the decimal wire format.
#include "core/money.h"

#include <gtest/gtest.h>

namespace xt {
namespace {

TEST(Money, ApplyRatioRoundsHalfAwayFromZero) {
  EXPECT_EQ(ApplyRatio(100, 8500), 85);
  EXPECT_EQ(ApplyRatio(1, 5000), 1);     // 0.5 fen -> 1
  EXPECT_EQ(ApplyRatio(-1, 5000), -1);   // symmetric
  EXPECT_EQ(ApplyRatio(3, 3333), 1);     // 0.9999 -> 1
  EXPECT_EQ(ApplyRatio(12345, 9550), 11789);  // 11789.475 -> 11789
  for (Fen a = -2000; a <= 2000; a += 7) {
    for (BasisPoints r : {0, 1, 500, 3333, 5000, 8500, 9999, 10000}) {
      EXPECT_EQ(ApplyRatio(-a, r), -ApplyRatio(a, r)) << a << " " << r;
    }
  }
}

TEST(Money, AmountCoveredByIsTheSmallestAmountPayingThatMuch) {
  for (BasisPoints r : {1, 333, 5000, 8500, 9550, 10000}) {
    for (Fen pay = 0; pay < 3000; pay += 13) {
      const Fen x = AmountCoveredBy(pay, r);
      EXPECT_GE(ApplyRatio(x, r), pay);
      if (x > 0) {
        EXPECT_LT(ApplyRatio(x - 1, r), pay);
      }
    }
  }
}

TEST(Money, ParseDecimal) {
  EXPECT_EQ(ParseDecimal("123.45", 2), 12345);
  EXPECT_EQ(ParseDecimal("123.4", 2), 12340);
  EXPECT_EQ(ParseDecimal("-0.05", 2), -5);
  EXPECT_EQ(ParseDecimal("7", 4), 70000);
  EXPECT_FALSE(ParseDecimal("1.234", 2).has_value());  // more places than allowed
  EXPECT_FALSE(ParseDecimal("1e3", 2).has_value());
  EXPECT_FALSE(ParseDecimal("", 2).has_value());
  EXPECT_FALSE(ParseDecimal(".", 2).has_value());
  EXPECT_FALSE(ParseDecimal("12.", 2).has_value());
  EXPECT_FALSE(ParseDecimal(" 1", 2).has_value());
}

TEST(Money, FormatDecimal) {
  EXPECT_EQ(FormatFen(12345), "123.45");
  EXPECT_EQ(FormatFen(-5), "-0.05");
  EXPECT_EQ(FormatFen(0), "0.00");
  EXPECT_EQ(FormatDecimal(15, 4), "0.0015");
}

TEST(Money, ScaledFromDoubleIsExactForTwoPlaces) {
  for (Fen f = -100000; f <= 100000; f += 37) {
    EXPECT_EQ(ScaledFromDouble(static_cast<double>(f) / 100.0, 2), f);
  }
  EXPECT_FALSE(ScaledFromDouble(0.125, 2).has_value());
  EXPECT_EQ(ScaledFromDouble(0.125, 4), 1250);
}

}  // namespace
}  // namespace xt

namespace xt {
namespace {

// Amounts are read from the number's text: exact at any size the wire
// allows, where a double would round.
TEST(Money, ScaledFromNumberTextReadsTheDigits) {
  EXPECT_EQ(ScaledFromNumberText("24.70", 2), 2470);
  EXPECT_EQ(ScaledFromNumberText("-3", 2), -300);
  EXPECT_EQ(ScaledFromNumberText("12.35", 2), 1235);
  // 16 digits: beyond a double's exact integers (2^53 is about 9.007e15).
  EXPECT_EQ(ScaledFromNumberText("90071992547409.93", 2), 9007199254740993);
  EXPECT_EQ(ScaledFromNumberText("24.7000", 6), 24700000);
}

// A client that adds in doubles sends 0.1 + 0.2 as 0.30000000000000004:
// that is 0.30, the noise of binary floating point. A real third decimal
// is not money, and is refused, not rounded.
TEST(Money, ScaledFromNumberTextAcceptsOnlyFloatNoise) {
  EXPECT_EQ(ScaledFromNumberText("0.30000000000000004", 2), 30);
  EXPECT_EQ(ScaledFromNumberText("12.349999999999999", 2), 1235);
  EXPECT_EQ(ScaledFromNumberText("-12.349999999999999", 2), -1235);
  EXPECT_FALSE(ScaledFromNumberText("12.345", 2).has_value());
  EXPECT_FALSE(ScaledFromNumberText("12.3449", 2).has_value());
  EXPECT_FALSE(ScaledFromNumberText("-0.005", 2).has_value());
  EXPECT_FALSE(ScaledFromNumberText("1e2", 2).has_value());
  EXPECT_FALSE(ScaledFromNumberText("12.3a", 2).has_value());
  EXPECT_FALSE(ScaledFromNumberText("", 2).has_value());
}

}  // namespace
}  // namespace xt
