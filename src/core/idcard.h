// Resident identity numbers (GB 11643-1999): 18 characters = region code 6 +
// birth date 8 + sequence 3 (odd: male) + check character.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/date.h"

namespace xt {

// The check character for the first 17 digits ('0'-'9' or 'X');
// nullopt when `first17` is not 17 digits.
std::optional<char> IdCheckChar(std::string_view first17);

struct IdNumberInfo {
  std::string region_code;  // 6 digits (GB/T 2260)
  Date birth;
  bool male = false;
};

// Parses and checks a full 18-character number: digits, a real birth date,
// and the check character (upper-case 'X' only). nullopt when invalid.
std::optional<IdNumberInfo> ParseIdNumber(std::string_view id);
inline bool IsValidIdNumber(std::string_view id) { return ParseIdNumber(id).has_value(); }

}  // namespace xt
