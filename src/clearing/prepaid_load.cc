// The prepaid-fund policies read from their JSON document (prepaid_load.h).
#include "clearing/prepaid_load.h"

#include <nlohmann/json.hpp>
#include <string>

namespace xt::clearing {

namespace {

using json = nlohmann::json;

Status BadPolicy(const std::string& why) { return Status::Error("XT-CLR-009", "invalid prepaid policy: " + why); }

}  // namespace

Result<std::vector<PrepaidPolicy>> ParsePrepaidPolicies(std::string_view text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) return BadPolicy("the document is not a JSON array");
  std::vector<PrepaidPolicy> out;
  for (const auto& p : doc) {
    if (!p.is_object()) return BadPolicy("a policy is not an object");
    PrepaidPolicy pol;
    pol.id = p.value("id", "");
    pol.province = p.value("province", "");
    auto from = ParseDate(p.value("effective_from", ""));
    if (pol.id.empty() || !IsProvinceCode(pol.province) || !from) {
      return BadPolicy("id, province (a province code) and effective_from (yyyy-MM-dd) are required");
    }
    pol.effective_from = *from;
    if (p.contains("threshold_fen")) {
      if (!p["threshold_fen"].is_number_integer()) return BadPolicy(pol.id + ": threshold_fen is whole fen");
      pol.threshold_fen = p["threshold_fen"].get<int64_t>();
    }
    if (p.contains("months_of_average_spend")) {
      if (!p["months_of_average_spend"].is_number_integer()) return BadPolicy(pol.id + ": months_of_average_spend");
      pol.months_of_average_spend = p["months_of_average_spend"].get<int32_t>();
    }
    if (p.contains("average_window_months")) {
      if (!p["average_window_months"].is_number_integer()) return BadPolicy(pol.id + ": average_window_months");
      pol.average_window_months = p["average_window_months"].get<int32_t>();
    }
    XT_RETURN_IF_ERROR(CheckPrepaidPolicy(pol));
    out.push_back(std::move(pol));
  }
  return out;
}

}  // namespace xt::clearing
