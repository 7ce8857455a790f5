// The prepaid-fund policies read from their JSON document (prepaid_load.h).
#include "clearing/prepaid_load.h"

#include <nlohmann/json.hpp>
#include <string>

namespace xt::clearing {

namespace {

using json = nlohmann::json;

Status BadPolicy(const std::string& why) { return Status::Error("XT-CLR-009", "invalid prepaid policy: " + why); }

// A text field, "" when absent or not text (then refused by the caller).
std::string TextField(const json& p, const char* name) {
  const auto it = p.find(name);
  return it != p.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A whole number of months within 0..1200 (a century), or an error.
Status MonthsField(const json& p, const char* name, const std::string& id, int32_t* out) {
  const auto it = p.find(name);
  if (it == p.end()) return Status::Ok();
  if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 1200) {
    return BadPolicy(id + ": " + name + " is a whole number of months, 0 to 1200");
  }
  *out = static_cast<int32_t>(it->get<int64_t>());
  return Status::Ok();
}

}  // namespace

Result<std::vector<PrepaidPolicy>> ParsePrepaidPolicies(std::string_view text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) return BadPolicy("the document is not a JSON array");
  std::vector<PrepaidPolicy> out;
  for (const auto& p : doc) {
    if (!p.is_object()) return BadPolicy("a policy is not an object");
    PrepaidPolicy pol;
    pol.id = TextField(p, "id");
    pol.province = TextField(p, "province");
    auto from = ParseDate(TextField(p, "effective_from"));
    if (pol.id.empty() || !IsProvinceCode(pol.province) || !from) {
      return BadPolicy("id, province (a province code) and effective_from (yyyy-MM-dd) are required");
    }
    pol.effective_from = *from;
    if (p.contains("threshold_fen")) {
      const json& t = p["threshold_fen"];
      if (!t.is_number_integer() || (t.is_number_unsigned() && t.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))) {
        return BadPolicy(pol.id + ": threshold_fen is whole fen");
      }
      pol.threshold_fen = t.get<int64_t>();
    }
    XT_RETURN_IF_ERROR(MonthsField(p, "months_of_average_spend", pol.id, &pol.months_of_average_spend));
    XT_RETURN_IF_ERROR(MonthsField(p, "average_window_months", pol.id, &pol.average_window_months));
    XT_RETURN_IF_ERROR(CheckPrepaidPolicy(pol));
    out.push_back(std::move(pol));
  }
  return out;
}

}  // namespace xt::clearing
