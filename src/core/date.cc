// Civil-date arithmetic (Howard Hinnant's days_from_civil algorithm).
#include "core/date.h"

#include <cstdio>

namespace xt {

namespace {

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = static_cast<int>(yy + (*m <= 2));
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}


}  // namespace

bool IsValidCivilDate(int year, int month, int day) {
  if (year < 1800 || year > 2200 || month < 1 || month > 12 || day < 1) return false;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int max_day = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= max_day;
}

Date Date::FromCivil(int year, int month, int day) {
  return Date{static_cast<int32_t>(DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)))};
}

void Date::ToCivil(int* year, int* month, int* day) const { CivilFromDays(days, year, month, day); }

int Date::Year() const {
  int y, m, d;
  ToCivil(&y, &m, &d);
  return y;
}

std::string Date::ToString() const {
  int y, m, d;
  ToCivil(&y, &m, &d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

std::string Date::ToCompact() const {
  int y, m, d;
  ToCivil(&y, &m, &d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", y, m, d);
  return buf;
}

std::optional<Date> ParseDate(std::string_view s) {
  int y, m, d;
  if (s.size() == 10 && s[4] == '-' && s[7] == '-') {
    if (!Digits(s, 0, 4, &y) || !Digits(s, 5, 2, &m) || !Digits(s, 8, 2, &d)) return std::nullopt;
  } else if (s.size() == 8) {
    if (!Digits(s, 0, 4, &y) || !Digits(s, 4, 2, &m) || !Digits(s, 6, 2, &d)) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (!IsValidCivilDate(y, m, d)) return std::nullopt;
  return Date::FromCivil(y, m, d);
}

int AgeOn(Date birth, Date on) {
  int by, bm, bd, y, m, d;
  birth.ToCivil(&by, &bm, &bd);
  on.ToCivil(&y, &m, &d);
  int age = y - by;
  if (m < bm || (m == bm && d < bd)) --age;
  return age;
}

std::optional<LocalSeconds> ParseLocalTime(std::string_view s) {
  int hh = 0, mi = 0, ss = 0;
  std::optional<Date> date;
  // ISO 8601's T between date and time, and fractions of a second (".000",
  // as Java and C# clients write them): the fraction is dropped.
  if (s.size() > 20 && s.size() <= 26 && s[19] == '.') {
    for (size_t i = 20; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
    }
    s = s.substr(0, 19);
  }
  if (s.size() == 19 && (s[10] == ' ' || s[10] == 'T') && s[13] == ':' && s[16] == ':') {
    date = ParseDate(s.substr(0, 10));
    if (!Digits(s, 11, 2, &hh) || !Digits(s, 14, 2, &mi) || !Digits(s, 17, 2, &ss)) return std::nullopt;
  } else if (s.size() == 14) {
    date = ParseDate(s.substr(0, 8));
    if (!Digits(s, 8, 2, &hh) || !Digits(s, 10, 2, &mi) || !Digits(s, 12, 2, &ss)) return std::nullopt;
  } else if (s.size() == 10 || s.size() == 8) {
    date = ParseDate(s);
  } else {
    return std::nullopt;
  }
  if (!date || hh > 23 || mi > 59 || ss > 59) return std::nullopt;
  return StartOf(*date) + hh * 3600 + mi * 60 + ss;
}

Date DateOf(LocalSeconds t) {
  int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
  return Date{static_cast<int32_t>(days)};
}

LocalSeconds StartOf(Date d) { return static_cast<LocalSeconds>(d.days) * 86400; }

std::string FormatLocalTime(LocalSeconds t) {
  const Date d = DateOf(t);
  const int64_t sod = t - StartOf(d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s %02d:%02d:%02d", d.ToString().c_str(), static_cast<int>(sod / 3600),
                static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60));
  return buf;
}

std::string FormatLocalCompact(LocalSeconds t) {
  const Date d = DateOf(t);
  const int64_t sod = t - StartOf(d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%02d%02d%02d", d.ToCompact().c_str(), static_cast<int>(sod / 3600),
                static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60));
  return buf;
}

std::string Validity::ToString() const {
  return "[" + begin.ToString() + ", " + (end ? end->ToString() : std::string("open")) + ")";
}

}  // namespace xt
