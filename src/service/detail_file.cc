// The detail file of a 3202 read into its records (detail_file.h).
#include "service/detail_file.h"

#include <optional>
#include <string>
#include <vector>

#include "core/json_writer.h"
#include "core/money.h"
#include "core/zip_archive.h"
#include "service/errors.h"

namespace xt::service {

namespace {
// data's insutype or clr_type: the default of a record that has none. Only a
// string counts (3202 checks data's own fields apart).
std::string DefaultOf(const JsonValue& data, const char* name) {
  const JsonValue* v = data.Find(name);
  return v && v->is_string() ? std::string(v->string()) : std::string();
}
}  // namespace

Result<std::string> DetailRecordsJson(std::string_view file, const JsonValue& data, size_t max_bytes) {
  std::string unpacked;
  if (zip::LooksZipped(file)) {
    std::vector<zip::Entry> entries;
    std::string why;
    if (!zip::Unzip(file, max_bytes, &entries, &why)) return err::FileInvalid(why);
    if (entries.empty()) return err::FileInvalid("the zip archive holds no file");
    unpacked = std::move(entries.front().body);
    file = unpacked;
  }
  JsonWriter out;
  out.BeginArray();
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
    Fen money[3];
    static const char* const kMoneyNames[] = {"medfee_sumamt", "fund_pay_sumamt", "acct_pay"};
    for (int k = 0; k < 3; ++k) {
      const std::optional<int64_t> fen = ParseDecimal(f[3 + k], 2);
      if (!fen) {
        return err::FileInvalid("line " + std::to_string(line_no) + " of the detail file: " + kMoneyNames[k] +
                                " is not an amount of yuan with at most 2 places");
      }
      money[k] = *fen;
    }
    // 3202's records carry yuan as JSON numbers, written from the fen as
    // exact decimal text (3202 reads them back from that text).
    out.BeginObject().Field("setl_id", f[0]).Field("mdtrt_id", f[1]).Field("psn_no", f[2]);
    out.FieldMoney("medfee_sumamt", money[0]).FieldMoney("fund_pay_sumamt", money[1]);
    out.FieldMoney("acct_pay", money[2]).Field("refd_setl_flag", f[6]);
    out.Field("insutype", f.size() > 7 && !f[7].empty() ? f[7] : DefaultOf(data, "insutype"));
    out.Field("clr_type", f.size() > 8 && !f[8].empty() ? f[8] : DefaultOf(data, "clr_type"));
    if (f.size() > 9 && !f[9].empty()) out.Field("setl_time", f[9]);
    out.EndObject();
  }
  out.EndArray();
  return out.Take();
}

}  // namespace xt::service
