// GB 11643 check character: weights 2^(17-i) mod 11 over the first 17 digits,
// sum mod 11 mapped through "10X98765432".
#include "core/idcard.h"

namespace xt {

std::optional<char> IdCheckChar(std::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kMap[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  if (first17.size() != 17) return std::nullopt;
  int sum = 0;
  for (int i = 0; i < 17; ++i) {
    const char c = first17[i];
    if (c < '0' || c > '9') return std::nullopt;
    sum += (c - '0') * kWeights[i];
  }
  return kMap[sum % 11];
}

std::optional<IdNumberInfo> ParseIdNumber(std::string_view id) {
  if (id.size() != 18) return std::nullopt;
  const auto check = IdCheckChar(id.substr(0, 17));
  if (!check || *check != id[17]) return std::nullopt;
  const auto birth = ParseDate(id.substr(6, 8));
  if (!birth) return std::nullopt;
  IdNumberInfo info;
  info.region_code = std::string(id.substr(0, 6));
  info.birth = *birth;
  info.male = (id[16] - '0') % 2 == 1;
  return info;
}

}  // namespace xt
