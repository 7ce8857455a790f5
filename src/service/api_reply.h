// What every REST use case answers with (ApiReply), and the small pieces
// they all share to build one: JSON error bodies with their HTTP status,
// query parameters read, and the checks of a province code or a number.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace xt::service {

struct ApiReply {
  int http_status = 200;
  std::string body;      // JSON; on an error {"err_code": ..., "err_msg": ...}
  std::string err_code;  // empty on success
  std::string content_type = "application/json";  // "text/csv; charset=utf-8" for CSV reports
  // The refusal's internal detail (Status::detail), for the server's access
  // log only: never part of the body.
  std::string detail = {};
  // Headers the answer carries beyond Content-Type and Content-Length
  // (Set-Cookie of a sign-in, Retry-After of a lockout).
  std::vector<std::pair<std::string, std::string>> headers = {};
};

using QueryParams = std::map<std::string, std::string>;

namespace api {

ApiReply Error(int http_status, const std::string& code, const std::string& message);
inline ApiReply BadParam(const std::string& m) { return Error(400, "XT-API-001", m); }
inline ApiReply Forbidden(const std::string& m) { return Error(403, "XT-AUTH-003", m); }
inline ApiReply NotFound(const std::string& m) { return Error(404, "XT-API-002", m); }
// A refused Status as an answer: its code and message in the body, its
// detail kept apart for the log.
inline ApiReply Refused(int http_status, const Status& st) {
  ApiReply reply = Error(http_status, st.code(), st.message());
  reply.detail = st.detail();
  return reply;
}
inline ApiReply Failed(const Status& st) { return Refused(500, st); }

// A filter that the caller's scope fixes and the caller may not widen:
// false when the request asked for another value (answer 403); otherwise
// the filter is set to the scope.
inline bool NarrowToScope(std::string* filter, const std::string& scope) {
  if (!filter->empty() && *filter != scope) return false;
  *filter = scope;
  return true;
}

// The value of a query parameter, empty when absent.
std::string Param(const QueryParams& params, const char* name);
// A whole decimal number and nothing else.
std::optional<int64_t> ToInt(std::string_view s);
// A province code: two digits then "0000" (110000, 120000, 130000).
bool IsProvince(std::string_view code);

}  // namespace api
}  // namespace xt::service
