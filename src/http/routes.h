// Every route of the HTTP server, declared once: its method, its path
// template (which is also its label in /metrics and the access log), its
// OpenAPI operationId, the roles that may call it (and, of a hospital's
// callers, the duties), and what answers it.
// The server routes and refuses by this table, /metrics labels requests by
// it, one test holds docs/openapi.json (served at /openapi.json) to it in
// both directions, and the authorization matrix covers every row of it.
//
// Adding a REST route: one row here (routes.cc), its use case in
// src/service/, its operation in docs/openapi.json. A row of hospitals is
// for their systems and cashiers unless it names other duties.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "service/api_reply.h"
#include "service/caller.h"

namespace xt::service {
class Accounts;
class Api;
class Authenticator;
class ClearingService;
class CounterService;
class OperatorService;
class Processor;
class ResultsApi;
}  // namespace xt::service

namespace xt::http {

// The use cases the server answers with. Whoever runs the server builds
// them (cli/serve.cc, the tests) and hands them over; the server builds
// none and reads no store of its own. Each must outlive the server.
struct Services {
  service::Processor* processor = nullptr;   // the national interface (envelopes)
  service::Authenticator* auth = nullptr;    // API keys to callers
  service::Api* api = nullptr;               // settlements, balances, statements, readiness, audit
  service::ResultsApi* results = nullptr;    // mutual recognition of results
  service::ClearingService* clearing = nullptr;  // closed months, reports, prepaid funds
  service::CounterService* counter = nullptr;    // the cashier's counter (/api/v1/counter)
  service::Accounts* accounts = nullptr;     // staff sign-in: session cookies to callers
  service::OperatorService* operators = nullptr;  // staff accounts, keys and checks (/api/v1/admin)
};

// The roles that may call a route, as a set of bits.
using Roles = unsigned;
constexpr Roles RoleBit(service::Role role) { return 1u << static_cast<unsigned>(role); }
inline constexpr Roles kNoCredential = 0;  // anyone, no credential asked (/healthz, /openapi.json)
inline constexpr Roles kHospitals = RoleBit(service::Role::kHospital);
inline constexpr Roles kAgencies = RoleBit(service::Role::kAgency);
inline constexpr Roles kResidents = RoleBit(service::Role::kResident);
inline constexpr Roles kOperators = RoleBit(service::Role::kAdmin);
inline constexpr Roles kEveryRole = kHospitals | kAgencies | kResidents | kOperators;

// "hospitals, agencies and operators": for the refusal's message.
std::string DescribeRoles(Roles roles);

// The duties of a hospital's callers that may call a route, as a set of
// bits (service::Duty): an API key is a system, a staff account a cashier
// or a doctor. Callers of other roles have no duty to check.
using Duties = unsigned;
constexpr Duties DutyBit(service::Duty duty) { return 1u << static_cast<unsigned>(duty); }
inline constexpr Duties kSystems = DutyBit(service::Duty::kSystem);
inline constexpr Duties kCashiers = DutyBit(service::Duty::kCashier);
inline constexpr Duties kDoctors = DutyBit(service::Duty::kDoctor);
inline constexpr Duties kAnyDuty = kSystems | kCashiers | kDoctors;

// "systems and cashiers": for the refusal's message.
std::string DescribeDuties(Duties duties);

// What a REST use case is handed: the caller (admitted, of one of the
// route's roles), the path's {parameters} in order, the query and the body;
// the session cookie's value and the X-CSRF-Token header as the request
// carried them (empty when absent), for the session's own routes.
struct RestRequest {
  const service::Caller& caller;
  const std::vector<std::string>& args;
  const service::QueryParams& params;
  const std::string& body;
  std::string_view idempotency_key = {};  // the Idempotency-Key header, "" when absent
  std::string_view session_token = {};
  std::string_view csrf_token = {};

  const std::string& arg(size_t i) const;  // "" when the path has fewer
  std::string param(const char* name) const;  // "" when absent
};
using RestHandler = service::ApiReply (*)(const Services&, const RestRequest&);

// What serves a route. The first four are the server's own; a REST route
// runs its handler on a pool thread, since it may wait on the store.
enum class Serves {
  kEnvelope,  // the national interface: the processor, without holding a thread
  kHealth,    // readiness, on the event loop
  kMetrics,   // the Prometheus text, on the event loop
  kOpenApi,   // the document, on the event loop
  kRest,      // `rest`, on a pool thread
};

struct RouteSpec {
  std::string_view method;        // GET, POST or DELETE
  std::string_view path;          // "/api/v1/settlements/{setl_id}"
  std::string_view operation_id;  // "getSettlement", as in docs/openapi.json
  Roles roles;                    // kNoCredential, or who may call it
  Serves serves;
  RestHandler rest = nullptr;     // for Serves::kRest
  // A refusal by role or duty is written to the audit log too (routes
  // that disclose personal data and whose every look is recorded).
  bool audit_refusals = false;
  // Of a hospital's callers, the duties admitted; another is refused 403
  // XT-AUTH-017 (on the national interface, as an envelope).
  Duties duties = kAnyDuty;
};

// A route is known by its index in this table.
using RouteId = size_t;
const std::vector<RouteSpec>& RouteTable();
// The labels of the routes, in the table's order (what /metrics counts by).
std::vector<std::string_view> RouteLabels();
// The national interface's route (the envelope URLs hospitals post to).
RouteId EnvelopeRoute();
inline constexpr std::string_view kEnvelopePath = "/fsi/api/callService";

// The OpenAPI 3 document (docs/openapi.json, compiled in).
std::string_view OpenApiJson();

}  // namespace xt::http
