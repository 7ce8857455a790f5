// Calendar dates and times as plain integers, for rules with effective dates.
//
// Date is a count of days since 1970-01-01 (proleptic Gregorian), so ranges
// and comparisons are integer operations. Times are seconds since the epoch in
// China Standard Time (UTC+8, no daylight saving): the interface's
// "yyyy-MM-dd HH:mm:ss" strings are local times of the three regions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xt {

struct Date {
  int32_t days = 0;  // since 1970-01-01
  auto operator<=>(const Date&) const = default;
  static Date FromCivil(int year, int month, int day);
  void ToCivil(int* year, int* month, int* day) const;
  int Year() const;
  // "yyyy-MM-dd"
  std::string ToString() const;
  // "yyyyMMdd"
  std::string ToCompact() const;
};

// Accepts "yyyy-MM-dd" and "yyyyMMdd"; checks the day exists.
std::optional<Date> ParseDate(std::string_view text);
bool IsValidCivilDate(int year, int month, int day);

// Whole years of age on `on` for someone born on `birth`.
int AgeOn(Date birth, Date on);

// Seconds since the epoch, local time UTC+8.
using LocalSeconds = int64_t;
// Accepts "yyyy-MM-dd HH:mm:ss" (also with 'T' for the space, and with a
// fraction of a second, ".SSS", which is dropped), "yyyy-MM-dd" and
// "yyyyMMdd" (midnight) and "yyyyMMddHHmmss". No time zone: local time.
std::optional<LocalSeconds> ParseLocalTime(std::string_view text);
std::string FormatLocalTime(LocalSeconds t);          // yyyy-MM-dd HH:mm:ss
std::string FormatLocalCompact(LocalSeconds t);       // yyyyMMddHHmmss
Date DateOf(LocalSeconds t);
LocalSeconds StartOf(Date d);

// A half-open validity period [begin, end): end absent means open-ended.
struct Validity {
  Date begin;
  std::optional<Date> end;
  bool Contains(Date d) const { return begin <= d && (!end || d < *end); }
  // Whether the two periods share a day.
  bool Overlaps(const Validity& other) const {
    return (!other.end || begin < *other.end) && (!end || other.begin < *end);
  }
  // "[2026-01-01, 2027-01-01)" or "[2026-01-01, open)", for messages.
  std::string ToString() const;
};

}  // namespace xt
