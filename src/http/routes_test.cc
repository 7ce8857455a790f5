// The route table and docs/openapi.json (served at /openapi.json) say the
// same: every route is documented with its method, path and operationId,
// and every documented operation is a route. The one test that holds them
// together; the authorization matrix (tests/security_test.cc) covers every
// row by its operationId.
#include "http/routes.h"

#include <gtest/gtest.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>

namespace xt::http {
namespace {

using json = nlohmann::json;
using Operation = std::tuple<std::string, std::string, std::string>;  // method, path, operationId

TEST(Routes, OpenApiDocumentIsTheRouteTable) {
  const json doc = json::parse(OpenApiJson());
  ASSERT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  std::set<Operation> documented;
  for (const auto& [path, ops] : doc["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      if (method == "parameters") continue;
      std::string m = method;
      for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert({m, path, op.value("operationId", std::string("(no operationId)"))});
    }
  }
  std::set<Operation> served;
  std::set<std::string_view> ids;
  for (const RouteSpec& spec : RouteTable()) {
    served.insert({std::string(spec.method), std::string(spec.path), std::string(spec.operation_id)});
    EXPECT_TRUE(ids.insert(spec.operation_id).second) << "operationId used twice: " << spec.operation_id;
    EXPECT_EQ(spec.serves == Serves::kRest, spec.rest != nullptr) << spec.path;
  }
  for (const auto& op : served) {
    EXPECT_TRUE(documented.count(op)) << "served but not documented: " << std::get<0>(op) << " " << std::get<1>(op)
                                      << " (" << std::get<2>(op) << ")";
  }
  for (const auto& op : documented) {
    EXPECT_TRUE(served.count(op)) << "documented but not served: " << std::get<0>(op) << " " << std::get<1>(op)
                                  << " (" << std::get<2>(op) << ")";
  }
  EXPECT_EQ(RouteTable()[EnvelopeRoute()].path, kEnvelopePath);
}

TEST(Routes, RolesAreNamedInRefusals) {
  EXPECT_EQ(DescribeRoles(kOperators), "operators");
  EXPECT_EQ(DescribeRoles(kHospitals | kAgencies | kOperators), "hospitals, agencies and operators");
  EXPECT_EQ(DescribeDuties(kSystems | kCashiers), "systems and cashiers");
  EXPECT_EQ(DescribeDuties(kAnyDuty), "systems, cashiers and doctors");
}

// Of a hospital's callers, doctors reach the results routes and the plain
// reads both need; cashiers the rest; a system everything.
TEST(Routes, DutiesOfTheHospitalRoutes) {
  const std::set<std::string_view> clinic = {"publishResult", "getRecognisedResults", "recordResultDecision"};
  const std::set<std::string_view> any = {"getMe", "getResultStatistics"};
  for (const RouteSpec& spec : RouteTable()) {
    if (!(spec.roles & kHospitals)) continue;
    EXPECT_TRUE(spec.duties & kSystems) << spec.operation_id;
    if (clinic.count(spec.operation_id)) {
      EXPECT_EQ(spec.duties, kSystems | kDoctors) << spec.operation_id;
    } else if (any.count(spec.operation_id) || spec.path == "/api/v1/session") {
      EXPECT_EQ(spec.duties, kAnyDuty) << spec.operation_id;
    } else {
      EXPECT_EQ(spec.duties, kSystems | kCashiers) << spec.operation_id;
    }
  }
}

}  // namespace
}  // namespace xt::http
