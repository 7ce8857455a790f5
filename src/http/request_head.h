// Reading an HTTP/1.1 request's head (its request line and header fields,
// RFC 9112) from the bytes a connection has received so far. Pure: no
// sockets, so it is tested and fuzzed on its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xt::http {

struct RequestHead {
  std::string method;  // as sent: GET, POST ...
  std::string path;    // percent-decoded, without the query
  std::string query;   // as sent, after '?' (still encoded)
  int minor = 1;       // HTTP/1.<minor>
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, values trimmed
  size_t header_bytes = 0;   // names and values together
  int64_t content_length = 0;
  bool has_content_length = false;
  bool chunked = false;           // Transfer-Encoding present
  bool chunked_only = false;      // ... and exactly one, "chunked": the only coding accepted
  bool keep_alive = true;         // HTTP/1.1 unless "Connection: close"; 1.0 only with keep-alive
  bool expect_continue = false;   // "Expect: 100-continue"

  // The first value of a header (name in lower case), or "".
  std::string_view Header(std::string_view lower_name) const;
};

enum class HeadParse {
  kIncomplete,  // more bytes needed (and the limit not reached)
  kDone,        // *head filled; *consumed = bytes of the head, CRLFCRLF included
  kTooLarge,    // the head is over `bytes_max` without ending
  kBad,         // not an HTTP/1.x request head
};

// Reads one request head at the start of `in`. Bare LF line ends are
// accepted; obsolete line folding is not.
HeadParse ParseRequestHead(std::string_view in, size_t bytes_max, RequestHead* head, size_t* consumed);

// Whether `value` equals `lower` (in lower case) ignoring ASCII case: for
// header names and tokens.
bool EqualsLower(std::string_view value, std::string_view lower);

// "%41+b" -> "A b" (plus as space only when `plus_is_space`). False when a
// percent escape is malformed.
bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out);

// "a=1&b=x%20y" -> {a:1, b:"x y"}, in order; false on a malformed escape.
bool ParseQuery(std::string_view query, std::vector<std::pair<std::string, std::string>>* out);

}  // namespace xt::http
