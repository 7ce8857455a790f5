// Region codes (admdvs, 行政区划代码): six digits, the first two the province.
#pragma once

#include <string>
#include <string_view>

namespace xt {

// The province (six digits, "130000") of a region code, or "" for a code too
// short to name one.
inline std::string ProvinceOf(std::string_view admdvs) {
  if (admdvs.size() < 2) return std::string();
  std::string out(admdvs.substr(0, 2));
  out.append("0000");
  return out;
}

}  // namespace xt
