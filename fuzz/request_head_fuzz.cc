// libFuzzer target for reading HTTP request heads (src/http/request_head.h),
// the first code every byte a client sends reaches: any bytes in, and
// ParseRequestHead must neither crash nor read past its input, must stop at
// its size limit, and a head it accepts must hold what the server relies on
// (a path starting with '/', a consumed length inside the input and after
// the limit check, a Content-Length that is not negative). The same bytes
// also go to the chunked body decoder (src/http/chunked.h), whole and in two
// pieces, which must agree. Run by
// scripts/fuzz.sh; docs/fuzzing.md says how to run it longer.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "http/chunked.h"
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
  // The same bytes as a chunked body, fed whole and then in two pieces (as
  // a connection would, unconsumed bytes kept in front of the next piece):
  // the two must agree, and stay inside their bounds.
  constexpr size_t kBodyMax = 4096, kTrailerMax = 256;
  xt::http::ChunkedDecoder whole(kBodyMax, kTrailerMax);
  size_t used = 0;
  const auto rw = whole.Feed(in, &used);
  Require(used <= in.size(), "a chunked body consumed within the input");
  Require(whole.body().size() <= kBodyMax, "a chunked body within its bound");
  if (rw == xt::http::ChunkedParse::kIncomplete) Require(used <= in.size(), "incomplete keeps what it must");
  const size_t cut = in.empty() ? 0 : static_cast<uint8_t>(in[0]) % (in.size() + 1);
  xt::http::ChunkedDecoder split(kBodyMax, kTrailerMax);
  std::string buffer(in.substr(0, cut));
  size_t used1 = 0;
  auto rs = split.Feed(buffer, &used1);
  if (rs == xt::http::ChunkedParse::kIncomplete) {
    buffer.erase(0, used1);
    buffer.append(in.substr(cut));
    size_t used2 = 0;
    rs = split.Feed(buffer, &used2);
  }
  Require(rs == rw, "the same result in two pieces");
  if (rw == xt::http::ChunkedParse::kDone) Require(split.body() == whole.body(), "the same body in two pieces");
  return 0;
}
