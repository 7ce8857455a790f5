// The route table. Each REST row's handler only unpacks the request for its
// use case; the rules are the use case's (src/service/).
#include "http/routes.h"

#include "service/accounts.h"
#include "service/clearing_service.h"
#include "service/counter_service.h"
#include "service/operator_service.h"
#include "service/rest.h"
#include "service/results_service.h"

namespace xt::http {

extern const char kOpenApiJsonText[];  // generated from docs/openapi.json by CMake

namespace {

using service::ApiReply;
using S = const Services&;
using R = const RestRequest&;

// What a hospital's caller does on most of its routes: its system (an API
// key) and its cashiers (the national interface, the counter, the money).
constexpr Duties kTill = kSystems | kCashiers;
// The recognised results and their decisions: its system and its doctors.
constexpr Duties kClinic = kSystems | kDoctors;

// A REST row: method, path, operationId, roles, handler. Of a hospital's
// callers, a row admits systems and cashiers unless it says otherwise, so
// that a new route is closed to doctors until it is meant for them.
RouteSpec Rest(std::string_view method, std::string_view path, std::string_view operation_id, Roles roles,
               RestHandler handler, bool audit_refusals = false, Duties duties = kTill) {
  return RouteSpec{method, path, operation_id, roles, Serves::kRest, handler, audit_refusals, duties};
}

// The operator's routes of a server built without them.
ApiReply NoOperators() { return service::api::Error(503, "XT-AUTH-016", "this server has no operator routes"); }

// The session routes of a server built without staff accounts.
ApiReply NoAccounts() { return service::api::Error(503, "XT-AUTH-016", "this server has no staff sign-in"); }

std::vector<RouteSpec> MakeTable() {
  constexpr Roles kStaff = kHospitals | kAgencies | kOperators;
  constexpr Roles kOverseers = kAgencies | kOperators;
  return {
      // The national interface: any envelope URL a HIS posts to lands here
      // (server.cc, IsEnvelopePath). Refusals are envelopes too.
      {"POST", kEnvelopePath, "callService", kHospitals, Serves::kEnvelope, nullptr, false, kTill},
      {"GET", "/healthz", "getHealth", kNoCredential, Serves::kHealth},
      {"GET", "/metrics", "getMetrics", kOperators, Serves::kMetrics},
      {"GET", "/openapi.json", "getOpenApi", kNoCredential, Serves::kOpenApi},

      // Settlements, balances and statements (service/rest.h).
      Rest("GET", "/api/v1/me", "getMe", kEveryRole, [](S s, R r) { return s.api->Me(r.caller); }, false, kAnyDuty),
      Rest("GET", "/api/v1/settlements", "listSettlements", kEveryRole,
           [](S s, R r) { return s.api->ListSettlements(r.caller, r.params); }),
      Rest("GET", "/api/v1/settlements/{setl_id}", "getSettlement", kEveryRole,
           [](S s, R r) { return s.api->GetSettlement(r.caller, r.arg(0)); }),
      Rest("GET", "/api/v1/persons/{psn_no}/settlements", "listPersonSettlements", kAgencies | kResidents | kOperators,
           [](S s, R r) { return s.api->PersonSettlements(r.caller, r.arg(0), r.params); }),
      Rest("GET", "/api/v1/funds", "listFunds", kOverseers,
           [](S s, R r) { return s.api->FundBalances(r.caller, r.params); }),
      Rest("GET", "/api/v1/institutions/{fixmedins_code}/balance", "getInstitutionBalance", kStaff,
           [](S s, R r) { return s.api->InstitutionBalance(r.caller, r.arg(0)); }),
      Rest("GET", "/api/v1/accounts/{account}/statement", "getAccountStatement", kEveryRole,
           [](S s, R r) { return s.api->AccountStatement(r.caller, r.arg(0), r.params); }),

      // Mutual recognition of results (service/results_service.h); POST
      // bodies are bounded by ServerOptions::payload_bytes_max.
      Rest("POST", "/api/v1/results", "publishResult", kHospitals,
           [](S s, R r) { return s.results->Publish(r.caller, r.body); }, false, kClinic),
      Rest("GET", "/api/v1/persons/{psn_no}/recognised", "getRecognisedResults", kHospitals,
           [](S s, R r) { return s.results->Recognised(r.caller, r.arg(0), r.params); }, true, kClinic),
      Rest("GET", "/api/v1/persons/{psn_no}/results", "listPersonResults", kResidents | kOperators,
           [](S s, R r) { return s.results->PersonResults(r.caller, r.arg(0)); }),
      Rest("GET", "/api/v1/persons/{psn_no}/result-looks", "listResultLooks", kAgencies | kResidents | kOperators,
           [](S s, R r) { return s.results->Looks(r.caller, r.arg(0), r.params); }),
      Rest("POST", "/api/v1/results/decisions", "recordResultDecision", kHospitals,
           [](S s, R r) { return s.results->Decide(r.caller, r.body); }, false, kClinic),
      Rest("GET", "/api/v1/results/statistics", "getResultStatistics", kStaff,
           [](S s, R r) { return s.results->Statistics(r.caller, r.params); }, false, kAnyDuty),

      // Clearing (service/clearing_service.h).
      Rest("GET", "/api/v1/clearing/months", "listClearingMonths", kStaff,
           [](S s, R r) { return s.clearing->ListMonths(r.caller); }),
      Rest("GET", "/api/v1/clearing/months/{setlym}", "getClearingMonth", kStaff,
           [](S s, R r) { return s.clearing->Report(r.caller, r.arg(0), "", r.param("format")); }),
      Rest("POST", "/api/v1/clearing/months/{setlym}/close", "closeClearingMonth", kOperators,
           [](S s, R r) { return s.clearing->CloseReply(r.caller, r.arg(0)); }),
      Rest("GET", "/api/v1/clearing/months/{setlym}/{report}", "getClearingReport", kStaff,
           [](S s, R r) { return s.clearing->Report(r.caller, r.arg(0), r.arg(1), r.param("format")); }),
      Rest("GET", "/api/v1/clearing/prepaid", "listPrepaidFunds", kOverseers,
           [](S s, R r) { return s.clearing->PrepaidReply(r.caller, r.param("region")); }),
      Rest("GET", "/api/v1/clearing/reconciliations", "listReconciliations", kStaff,
           [](S s, R r) { return s.clearing->Reconciliations(r.caller, r.params); }),

      // The cashier's counter (service/counter_service.h); each POST takes
      // an Idempotency-Key.
      Rest("GET", "/api/v1/counter/persons", "lookUpPerson", kHospitals,
           [](S s, R r) { return s.counter->LookUpPerson(r.caller, r.params); }),
      Rest("GET", "/api/v1/counter/items", "listCounterItems", kHospitals,
           [](S s, R r) { return s.counter->ListItems(r.caller, r.params); }),
      Rest("POST", "/api/v1/counter/visits", "openVisit", kHospitals,
           [](S s, R r) { return s.counter->OpenVisit(r.caller, r.idempotency_key, r.body); }),
      Rest("GET", "/api/v1/counter/visits/{mdtrt_id}", "getCounterVisit", kHospitals,
           [](S s, R r) { return s.counter->GetVisit(r.caller, r.arg(0)); }),
      Rest("POST", "/api/v1/counter/visits/{mdtrt_id}/fees", "addVisitFees", kHospitals,
           [](S s, R r) { return s.counter->AddFees(r.caller, r.arg(0), r.idempotency_key, r.body); }),
      Rest("POST", "/api/v1/counter/visits/{mdtrt_id}/discharge", "dischargeVisit", kHospitals,
           [](S s, R r) { return s.counter->Discharge(r.caller, r.arg(0), r.idempotency_key, r.body); }),
      Rest("POST", "/api/v1/counter/visits/{mdtrt_id}/presettle", "presettleVisit", kHospitals,
           [](S s, R r) { return s.counter->Presettle(r.caller, r.arg(0), r.idempotency_key, r.body); }),
      Rest("POST", "/api/v1/counter/visits/{mdtrt_id}/settle", "settleVisit", kHospitals,
           [](S s, R r) { return s.counter->Settle(r.caller, r.arg(0), r.idempotency_key, r.body); }),
      Rest("POST", "/api/v1/counter/settlements/{setl_id}/reverse", "reverseSettlement", kHospitals,
           [](S s, R r) { return s.counter->Reverse(r.caller, r.arg(0), r.idempotency_key, r.body); }),
      Rest("POST", "/api/v1/counter/reconcile", "reconcileDay", kHospitals,
           [](S s, R r) { return s.counter->Reconcile(r.caller, r.idempotency_key, r.body); }),
      // Staff sign-in (service/accounts.h): the session cookie and its CSRF
      // token. Signing in asks no credential; the session's own routes take
      // the cookie's value as the request carried it.
      Rest("POST", "/api/v1/session", "createSession", kNoCredential,
           [](S s, R r) { return s.accounts ? s.accounts->SignInReply(r.body, r.session_token) : NoAccounts(); },
           false, kAnyDuty),
      Rest("GET", "/api/v1/session", "getSession", kEveryRole,
           [](S s, R r) { return s.accounts ? s.accounts->SessionReply(r.session_token) : NoAccounts(); }, false,
           kAnyDuty),
      Rest("DELETE", "/api/v1/session", "deleteSession", kEveryRole,
           [](S s, R r) { return s.accounts ? s.accounts->SignOutReply(r.session_token) : NoAccounts(); }, false,
           kAnyDuty),

      // The operator's staff accounts, keys and checks
      // (service/operator_service.h).
      Rest("GET", "/api/v1/admin/accounts", "listStaffAccounts", kOperators,
           [](S s, R r) { return s.operators ? s.operators->ListAccounts(r.caller) : NoOperators(); }),
      Rest("POST", "/api/v1/admin/accounts", "addStaffAccount", kOperators,
           [](S s, R r) { return s.operators ? s.operators->AddAccount(r.caller, r.body) : NoOperators(); }),
      Rest("POST", "/api/v1/admin/accounts/{username}/disable", "disableStaffAccount", kOperators,
           [](S s, R r) { return s.operators ? s.operators->DisableAccount(r.caller, r.arg(0)) : NoOperators(); }),
      Rest("POST", "/api/v1/admin/accounts/{username}/reset", "resetStaffPassword", kOperators,
           [](S s, R r) {
             return s.operators ? s.operators->ResetPassword(r.caller, r.arg(0), r.body) : NoOperators();
           }),
      Rest("GET", "/api/v1/admin/credentials", "listCredentials", kOperators,
           [](S s, R r) { return s.operators ? s.operators->ListCredentials(r.caller) : NoOperators(); }),
      Rest("POST", "/api/v1/admin/verify", "runVerify", kOperators,
           [](S s, R r) { return s.operators ? s.operators->RunVerify(r.caller) : NoOperators(); }),
      Rest("POST", "/api/v1/admin/audit/verify", "runAuditVerify", kOperators,
           [](S s, R r) { return s.operators ? s.operators->RunAuditVerify(r.caller) : NoOperators(); }),
  };
}

}  // namespace

const std::string& RestRequest::arg(size_t i) const {
  static const std::string kNone;
  return i < args.size() ? args[i] : kNone;
}

std::string RestRequest::param(const char* name) const { return service::api::Param(params, name); }

std::string DescribeRoles(Roles roles) {
  static constexpr struct {
    Roles bit;
    std::string_view name;
  } kNames[] = {{kHospitals, "hospitals"}, {kAgencies, "agencies"}, {kResidents, "residents"}, {kOperators, "operators"}};
  std::vector<std::string_view> names;
  for (const auto& n : kNames) {
    if (roles & n.bit) names.push_back(n.name);
  }
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += names[i];
  }
  return out;
}

std::string DescribeDuties(Duties duties) {
  static constexpr struct {
    Duties bit;
    std::string_view name;
  } kNames[] = {{kSystems, "systems"}, {kCashiers, "cashiers"}, {kDoctors, "doctors"}};
  std::vector<std::string_view> names;
  for (const auto& n : kNames) {
    if (duties & n.bit) names.push_back(n.name);
  }
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += names[i];
  }
  return out;
}

const std::vector<RouteSpec>& RouteTable() {
  static const std::vector<RouteSpec> table = MakeTable();
  return table;
}

std::vector<std::string_view> RouteLabels() {
  std::vector<std::string_view> labels;
  for (const RouteSpec& spec : RouteTable()) labels.push_back(spec.path);
  return labels;
}

RouteId EnvelopeRoute() { return 0; }  // the table's first row

std::string_view OpenApiJson() { return kOpenApiJsonText; }

}  // namespace xt::http
