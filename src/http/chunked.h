// Reading a request body sent with "Transfer-Encoding: chunked" (RFC 9112
// section 7.1), as some hospital systems' HTTP clients send when they stream
// a request. Incremental: the bytes are fed as they arrive, and what was
// already read is not read again. Pure (no sockets), so it is tested and
// fuzzed on its own.
//
// Chunk extensions are skipped; trailer fields are read and dropped (they
// never carry what the national interface needs). Bounded: the decoded body
// by `body_bytes_max`, a chunk-size line by kChunkLineBytesMax, the trailer
// section by `trailer_bytes_max`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace xt::http {

inline constexpr size_t kChunkLineBytesMax = 1024;

enum class ChunkedParse {
  kIncomplete,  // all of `in` consumed; more bytes are needed
  kDone,        // the body is whole; bytes after it (a pipelined request) are left
  kTooLarge,    // the body is over body_bytes_max, or the trailers over theirs
  kBad,         // not a chunked body
};

class ChunkedDecoder {
 public:
  ChunkedDecoder(size_t body_bytes_max, size_t trailer_bytes_max)
      : body_bytes_max_(body_bytes_max), trailer_bytes_max_(trailer_bytes_max) {}

  // Reads from the start of `in`; `*consumed` is how many bytes were used
  // (all of them unless kDone, or an error). The decoded body grows in
  // body(). After kDone, kTooLarge or kBad, Feed must not be called again.
  ChunkedParse Feed(std::string_view in, size_t* consumed);

  const std::string& body() const { return body_; }
  std::string TakeBody() { return std::move(body_); }

 private:
  enum class State { kSize, kData, kDataEnd, kTrailer };

  // A whole line (CRLF or LF ended) at the start of `in`, or false.
  static bool Line(std::string_view in, std::string_view* line, size_t* used);

  const size_t body_bytes_max_;
  const size_t trailer_bytes_max_;
  State state_ = State::kSize;
  uint64_t chunk_left_ = 0;  // data bytes of the current chunk still to come
  size_t trailer_bytes_ = 0;
  std::string body_;
};

}  // namespace xt::http
