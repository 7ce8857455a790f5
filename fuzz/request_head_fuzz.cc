// libFuzzer target for reading HTTP request heads (src/http/request_head.h),
// the first code every byte a client sends reaches: any bytes in, and
// ParseRequestHead must neither crash nor read past its input, must stop at
// its size limit, and a head it accepts must hold what the server relies on
// (a path starting with '/', a consumed length inside the input and after
// the limit check, a Content-Length that is not negative). Run by
// scripts/fuzz.sh; docs/fuzzing.md says how to run it longer.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "http/request_head.h"

namespace {

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "property failed: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The input goes into a buffer of exactly its size, so AddressSanitizer
  // catches a read one past the end.
  std::vector<char> bytes(data, data + size);
  const std::string_view in(bytes.data(), bytes.size());
  for (size_t limit : {size_t{64}, size_t{4096}}) {
    xt::http::RequestHead head;
    size_t consumed = 0;
    const auto r = xt::http::ParseRequestHead(in, limit, &head, &consumed);
    if (r == xt::http::HeadParse::kDone) {
      Require(consumed <= in.size(), "consumed within the input");
      Require(consumed <= limit, "a head within the limit");
      Require(!head.path.empty() && head.path[0] == '/', "an origin-form path");
      Require(head.content_length >= 0, "a Content-Length not negative");
      Require(head.has_content_length || head.content_length == 0, "no length without the header");
      std::vector<std::pair<std::string, std::string>> query;
      (void)xt::http::ParseQuery(head.query, &query);
    } else if (r == xt::http::HeadParse::kIncomplete) {
      Require(in.size() <= limit, "incomplete only below the limit");
    }
  }
  return 0;
}
