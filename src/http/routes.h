// Every route of the HTTP server, with its method and path template: the
// server installs its handlers from this table, /metrics labels requests by
// it, and a test holds docs/openapi.json (served at /openapi.json) to it in
// both directions.
#pragma once

#include <string_view>
#include <vector>

#include "http/metrics.h"

namespace xt::http {

// Who may call a route.
enum class Access {
  kPublic,      // no credential (/healthz, /openapi.json)
  kAdmin,       // an operator's credential (/metrics)
  kCredential,  // any credential; the use case decides by role and scope
};

struct RouteSpec {
  Route route;
  std::string_view method;         // GET or POST
  std::string_view path_template;  // "/api/v1/settlements/{setl_id}"
  Access access;
};

const std::vector<RouteSpec>& RouteTable();

// The OpenAPI 3 document (docs/openapi.json, compiled in).
std::string_view OpenApiJson();

}  // namespace xt::http
