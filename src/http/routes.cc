#include "http/routes.h"

namespace xt::http {

extern const char kOpenApiJsonText[];  // generated from docs/openapi.json by CMake

const std::vector<RouteSpec>& RouteTable() {
  static const std::vector<RouteSpec> table = {
      {Route::kCallService, "POST", kCallServicePath, Access::kCredential},
      {Route::kHealthz, "GET", kHealthzPath, Access::kPublic},
      {Route::kMetrics, "GET", kMetricsPath, Access::kAdmin},
      {Route::kOpenApi, "GET", RouteLabel(Route::kOpenApi), Access::kPublic},
      {Route::kMe, "GET", RouteLabel(Route::kMe), Access::kCredential},
      {Route::kSettlements, "GET", RouteLabel(Route::kSettlements), Access::kCredential},
      {Route::kSettlement, "GET", RouteLabel(Route::kSettlement), Access::kCredential},
      {Route::kPersonSettlements, "GET", RouteLabel(Route::kPersonSettlements), Access::kCredential},
      {Route::kFunds, "GET", RouteLabel(Route::kFunds), Access::kCredential},
      {Route::kInstitutionBalance, "GET", RouteLabel(Route::kInstitutionBalance), Access::kCredential},
      {Route::kAccountStatement, "GET", RouteLabel(Route::kAccountStatement), Access::kCredential},
      {Route::kResultsPublish, "POST", RouteLabel(Route::kResultsPublish), Access::kCredential},
      {Route::kResultsRecognised, "GET", RouteLabel(Route::kResultsRecognised), Access::kCredential},
      {Route::kResultLooks, "GET", RouteLabel(Route::kResultLooks), Access::kCredential},
      {Route::kResultDecisions, "POST", RouteLabel(Route::kResultDecisions), Access::kCredential},
      {Route::kResultStatistics, "GET", RouteLabel(Route::kResultStatistics), Access::kCredential},
      // clearing; close before report: its POST must be installed before the
      // report's 405 answer to POST on the same pattern.
      {Route::kClearingMonths, "GET", RouteLabel(Route::kClearingMonths), Access::kCredential},
      {Route::kClearingMonth, "GET", RouteLabel(Route::kClearingMonth), Access::kCredential},
      {Route::kClearingClose, "POST", RouteLabel(Route::kClearingClose), Access::kAdmin},
      {Route::kClearingReport, "GET", RouteLabel(Route::kClearingReport), Access::kCredential},
      {Route::kClearingPrepaid, "GET", RouteLabel(Route::kClearingPrepaid), Access::kCredential},
  };
  return table;
}

std::string_view OpenApiJson() { return kOpenApiJsonText; }

}  // namespace xt::http
