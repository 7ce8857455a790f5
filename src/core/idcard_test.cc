// GB 11643 check character: known-valid numbers, every kind of invalid one.
#include "core/idcard.h"

#include <gtest/gtest.h>

namespace xt {
namespace {

TEST(IdCard, PublishedExampleIsValid) {
  // The standard's own example: check character X.
  EXPECT_EQ(IdCheckChar("11010519491231002"), 'X');
  auto info = ParseIdNumber("11010519491231002X");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->region_code, "110105");
  EXPECT_EQ(info->birth, Date::FromCivil(1949, 12, 31));
  EXPECT_FALSE(info->male);  // sequence 002: even
}

TEST(IdCard, CheckCharacterTable) {
  struct Case {
    const char* first17;
    char check;
  };
  // Sums worked by hand: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2.
  const Case cases[] = {
      {"11010519491231002", 'X'},  // sum 167, 167 mod 11 = 2 -> X
      {"00000000000000000", '1'},  // sum 0 -> 1
  };
  EXPECT_EQ(IdCheckChar(cases[0].first17), cases[0].check);
  EXPECT_EQ(IdCheckChar(cases[1].first17), cases[1].check);
  // 1 x 7 = 7; remainder 7 maps to '5' ("10X98765432"[7]).
  EXPECT_EQ(IdCheckChar("10000000000000000"), '5');
  // 1 in the last place: weight 2 -> remainder 2 -> 'X'.
  EXPECT_EQ(IdCheckChar("00000000000000001"), 'X');
}

TEST(IdCard, RejectsWrongCheckCharacter) {
  EXPECT_FALSE(IsValidIdNumber("110105194912310021"));
  EXPECT_FALSE(IsValidIdNumber("11010519491231002x"));  // lower-case x is not the standard's form
}

TEST(IdCard, RejectsBadShapes) {
  EXPECT_FALSE(IsValidIdNumber(""));
  EXPECT_FALSE(IsValidIdNumber("11010519491231002"));     // 17 characters
  EXPECT_FALSE(IsValidIdNumber("11010519491231002X1"));   // 19 characters
  EXPECT_FALSE(IsValidIdNumber("1101051949123A002X"));    // a letter inside
  EXPECT_FALSE(IdCheckChar("1101051949123100").has_value());
}

TEST(IdCard, RejectsImpossibleBirthDates) {
  // Valid check characters on impossible dates must still be refused.
  for (const char* body : {"11010519490230001", "11010519491301001", "11010520230229001"}) {
    std::string id = std::string(body) + *IdCheckChar(body);
    EXPECT_FALSE(IsValidIdNumber(id)) << id;
  }
  const char* leap = "11010520240229001";  // 2024-02-29 exists
  EXPECT_TRUE(IsValidIdNumber(std::string(leap) + *IdCheckChar(leap)));
}

TEST(IdCard, SexFromSequenceParity) {
  const char* odd = "13050319850612003";
  auto info = ParseIdNumber(std::string(odd) + *IdCheckChar(odd));
  ASSERT_TRUE(info.has_value());
  EXPECT_TRUE(info->male);
  EXPECT_EQ(info->region_code, "130503");
}

}  // namespace
}  // namespace xt
