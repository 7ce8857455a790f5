#include "service/detail_file.h"

#include <optional>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/zip_archive.h"
#include "service/errors.h"

namespace xt::service {

using nlohmann::json;

namespace {
// data's insutype or clr_type: the default of a record that has none. Only a
// string counts (3202 checks data's own fields apart).
std::string DefaultOf(const json& data, const char* name) {
  if (!data.is_object()) return {};
  auto it = data.find(name);
  return it != data.end() && it->is_string() ? it->get<std::string>() : std::string();
}
}  // namespace

Result<json> DetailRecordsOf(std::string_view file, const json& data, size_t max_bytes) {
  std::string unpacked;
  if (zip::LooksZipped(file)) {
    std::vector<zip::Entry> entries;
    std::string why;
    if (!zip::Unzip(file, max_bytes, &entries, &why)) return err::FileInvalid(why);
    if (entries.empty()) return err::FileInvalid("the zip archive holds no file");
    unpacked = std::move(entries.front().body);
    file = unpacked;
  }
  json out = json::array();
  size_t line_no = 0;
  for (size_t pos = 0; pos < file.size();) {
    size_t end = file.find('\n', pos);
    if (end == std::string_view::npos) end = file.size();
    std::string_view line = file.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.starts_with("setl_id")) continue;
    const char sep = line.find('\t') != std::string_view::npos  ? '\t'
                     : line.find('|') != std::string_view::npos ? '|'
                                                                : ',';
    std::vector<std::string> f;
    for (size_t a = 0;;) {
      const size_t b = line.find(sep, a);
      f.emplace_back(line.substr(a, b == std::string_view::npos ? std::string_view::npos : b - a));
      if (b == std::string_view::npos) break;
      a = b + 1;
    }
    if (f.size() < 7 || f.size() > 10) {
      return err::FileInvalid("line " + std::to_string(line_no) + " of the detail file has " +
                              std::to_string(f.size()) + " fields, not 7 to 10");
    }
    json money[3];
    static const char* const kMoneyNames[] = {"medfee_sumamt", "fund_pay_sumamt", "acct_pay"};
    for (int k = 0; k < 3; ++k) {
      const std::optional<int64_t> fen = ParseDecimal(f[3 + k], 2);
      if (!fen) {
        return err::FileInvalid("line " + std::to_string(line_no) + " of the detail file: " + kMoneyNames[k] +
                                " is not an amount of yuan with at most 2 places");
      }
      // 3202's records carry yuan as JSON numbers; fen below 2^53 convert
      // to the nearest double and back exactly.
      money[k] = static_cast<double>(*fen) / 100.0;
    }
    json r = {{"setl_id", f[0]}, {"mdtrt_id", f[1]}, {"psn_no", f[2]}, {"medfee_sumamt", money[0]},
              {"fund_pay_sumamt", money[1]}, {"acct_pay", money[2]}, {"refd_setl_flag", f[6]},
              {"insutype", f.size() > 7 && !f[7].empty() ? f[7] : DefaultOf(data, "insutype")},
              {"clr_type", f.size() > 8 && !f[8].empty() ? f[8] : DefaultOf(data, "clr_type")}};
    if (f.size() > 9 && !f[9].empty()) r["setl_time"] = f[9];
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace xt::service
