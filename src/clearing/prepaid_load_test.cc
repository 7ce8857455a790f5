// The prepaid-policy loader: data/prepaid.json loads as published, and each
// kind of bad document is refused with XT-CLR-009 (nothing half-read).
#include "clearing/prepaid_load.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace xt::clearing {
namespace {

std::string ReadDataFile(const std::string& name) {
  std::ifstream in(std::string(XT_SOURCE_DIR) + "/data/" + name, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ClearingPrepaidLoad, TheSampleFileLoads) {
  auto policies = ParsePrepaidPolicies(ReadDataFile("prepaid.json"));
  ASSERT_TRUE(policies.ok()) << policies.status().ToString();
  ASSERT_EQ(policies->size(), 3u);
  const PrepaidPolicy& hebei = (*policies)[2];
  EXPECT_EQ(hebei.id, "PREPAID-130000-2024");
  EXPECT_EQ(hebei.province, "130000");
  EXPECT_EQ(hebei.effective_from, Date::FromCivil(2024, 1, 1));
  EXPECT_EQ(hebei.months_of_average_spend, 2);
  EXPECT_EQ(hebei.average_window_months, 12);
  EXPECT_FALSE(hebei.threshold_fen.has_value());
}

TEST(ClearingPrepaidLoad, AFixedThresholdIsWholeFen) {
  auto policies = ParsePrepaidPolicies(
      R"([{"id":"HB-fixed","province":"130000","effective_from":"2025-01-01","threshold_fen":500000000}])");
  ASSERT_TRUE(policies.ok()) << policies.status().ToString();
  ASSERT_EQ(policies->size(), 1u);
  EXPECT_EQ((*policies)[0].threshold_fen, std::optional<Fen>(500000000));
}

TEST(ClearingPrepaidLoad, BadDocumentsAreRefused) {
  const char* const kBad[] = {
      R"({"id":"not an array"})",
      R"(not json)",
      R"([1])",
      R"([{"province":"130000","effective_from":"2024-01-01","months_of_average_spend":2}])",
      R"([{"id":"city","province":"130100","effective_from":"2024-01-01","months_of_average_spend":2}])",
      R"([{"id":"date","province":"130000","effective_from":"2024-13-01","months_of_average_spend":2}])",
      R"([{"id":"yuan","province":"130000","effective_from":"2024-01-01","threshold_fen":50.5}])",
      R"([{"id":"both","province":"130000","effective_from":"2024-01-01","threshold_fen":1,)"
      R"("months_of_average_spend":2}])",
      R"([{"id":"neither","province":"130000","effective_from":"2024-01-01"}])",
      R"([{"id":"window","province":"130000","effective_from":"2024-01-01","months_of_average_spend":2,)"
      R"("average_window_months":"12"}])",
      // Fields of the wrong type are refused, not thrown on.
      R"([{"id":7,"province":"130000","effective_from":"2024-01-01","months_of_average_spend":2}])",
      R"([{"id":"p","province":130000,"effective_from":"2024-01-01","months_of_average_spend":2}])",
      R"([{"id":"p","province":"130000","effective_from":20240101,"months_of_average_spend":2}])",
      // Numbers past their field's range are refused, not cut to 32 bits
      // (4294967298 would have read as 2).
      R"([{"id":"wrap","province":"130000","effective_from":"2024-01-01","months_of_average_spend":4294967298}])",
      R"([{"id":"wrap","province":"130000","effective_from":"2024-01-01","months_of_average_spend":2,)"
      R"("average_window_months":4294967308}])",
      R"([{"id":"huge","province":"130000","effective_from":"2024-01-01","threshold_fen":18446744073709551615}])",
  };
  for (const char* text : kBad) {
    auto policies = ParsePrepaidPolicies(text);
    EXPECT_FALSE(policies.ok()) << text;
    if (!policies.ok()) {
      EXPECT_EQ(policies.status().code(), "XT-CLR-009") << text;
    }
  }
}

}  // namespace
}  // namespace xt::clearing
