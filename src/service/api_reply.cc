#include "service/api_reply.h"

#include <charconv>

#include "core/json_writer.h"

namespace xt::service::api {

ApiReply Error(int http_status, const std::string& code, const std::string& message) {
  JsonWriter w;
  w.BeginObject().Field("err_code", code).Field("err_msg", message).EndObject();
  return ApiReply{http_status, w.Take(), code};
}

std::string Param(const QueryParams& params, const char* name) {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

std::optional<int64_t> ToInt(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

bool IsProvince(std::string_view code) {
  return code.size() == 6 && code.substr(2) == "0000" && code[0] >= '1' && code[0] <= '9' && code[1] >= '0' &&
         code[1] <= '9';
}

}  // namespace xt::service::api
