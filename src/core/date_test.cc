// Civil dates, ages and the interface's time formats.
#include "core/date.h"

#include <gtest/gtest.h>

namespace xt {
namespace {

TEST(Date, RoundTripsEveryDayOverCenturies) {
  for (int32_t d = Date::FromCivil(1900, 1, 1).days; d < Date::FromCivil(2100, 1, 1).days; ++d) {
    int y, m, dd;
    Date{d}.ToCivil(&y, &m, &dd);
    ASSERT_EQ(Date::FromCivil(y, m, dd).days, d);
  }
  EXPECT_EQ(Date::FromCivil(1970, 1, 1).days, 0);
}

TEST(Date, ParsesBothForms) {
  EXPECT_EQ(ParseDate("2023-04-01"), Date::FromCivil(2023, 4, 1));
  EXPECT_EQ(ParseDate("20230401"), Date::FromCivil(2023, 4, 1));
  EXPECT_FALSE(ParseDate("2023-02-29").has_value());
  EXPECT_FALSE(ParseDate("2023-4-1").has_value());
  EXPECT_EQ(ParseDate("2023-04-01")->ToString(), "2023-04-01");
}

TEST(Date, AgeCountsWholeYears) {
  const Date birth = Date::FromCivil(1956, 6, 15);
  EXPECT_EQ(AgeOn(birth, Date::FromCivil(2026, 6, 14)), 69);
  EXPECT_EQ(AgeOn(birth, Date::FromCivil(2026, 6, 15)), 70);
}

TEST(Date, LocalTimes) {
  auto t = ParseLocalTime("2026-11-29 08:30:05");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatLocalTime(*t), "2026-11-29 08:30:05");
  EXPECT_EQ(FormatLocalCompact(*t), "20261129083005");
  EXPECT_EQ(ParseLocalTime("20261129083005"), t);
  EXPECT_FALSE(ParseLocalTime("2026-11-29 24:00:00").has_value());
  EXPECT_EQ(DateOf(*t), Date::FromCivil(2026, 11, 29));
}

TEST(Date, LocalTimesInTheFormsHospitalSystemsSend) {
  const LocalSeconds t = *ParseLocalTime("2026-11-29 08:30:05");
  const LocalSeconds midnight = *ParseLocalTime("2026-11-29 00:00:00");
  struct Form {
    const char* text;
    std::optional<LocalSeconds> want;
  };
  const Form forms[] = {
      {"2026-11-29T08:30:05", t},        {"2026-11-29 08:30:05.123", t}, {"2026-11-29T08:30:05.1", t},
      {"2026-11-29T08:30:05.123456", t}, {"20261129083005", t},          {"2026-11-29", midnight},
      {"20261129", midnight},            {"2026-11-29T08:30:05.", std::nullopt},
      {"2026-11-29T08:30:05.12a", std::nullopt}, {"2026-11-29X08:30:05", std::nullopt},
      {"2026-11-29 08:30:05Z", std::nullopt},    {"2026-11-31", std::nullopt},
  };
  for (const Form& f : forms) EXPECT_EQ(ParseLocalTime(f.text), f.want) << f.text;
}

TEST(Date, ValidityIsHalfOpen) {
  Validity v{Date::FromCivil(2023, 4, 1), Date::FromCivil(2024, 1, 1)};
  EXPECT_FALSE(v.Contains(Date::FromCivil(2023, 3, 31)));
  EXPECT_TRUE(v.Contains(Date::FromCivil(2023, 4, 1)));
  EXPECT_TRUE(v.Contains(Date::FromCivil(2023, 12, 31)));
  EXPECT_FALSE(v.Contains(Date::FromCivil(2024, 1, 1)));
}

}  // namespace
}  // namespace xt
