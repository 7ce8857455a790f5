// The chunked body decoder (chunked.h).
#include "http/chunked.h"

#include <algorithm>

#include "core/hex.h"

namespace xt::http {

bool ChunkedDecoder::Line(std::string_view in, std::string_view* line, size_t* used) {
  const size_t lf = in.find('\n');
  if (lf == std::string_view::npos) return false;
  size_t end = lf;
  if (end > 0 && in[end - 1] == '\r') --end;
  *line = in.substr(0, end);
  *used = lf + 1;
  return true;
}

// One state machine over the bytes received so far (RFC 9112 section 7.1:
// size line, data, CRLF, ..., last chunk, trailers): each case is short,
// and a resumable parser is clearest as one loop over its states.
ChunkedParse ChunkedDecoder::Feed(std::string_view in, size_t* consumed) {
  size_t pos = 0;
  auto give = [&](ChunkedParse r) {
    *consumed = pos;
    return r;
  };
  while (true) {
    const std::string_view rest = in.substr(pos);
    switch (state_) {
      case State::kSize: {
        std::string_view line;
        size_t used = 0;
        if (!Line(rest, &line, &used)) {
          if (rest.size() > kChunkLineBytesMax) return give(ChunkedParse::kBad);
          // The partial line is left unconsumed: it is read whole next time.
          return give(ChunkedParse::kIncomplete);
        }
        if (used > kChunkLineBytesMax) return give(ChunkedParse::kBad);
        // chunk-size [ ";" chunk-ext ]: hex digits, then optional white
        // space and extensions, which are skipped.
        uint64_t size = 0;
        size_t i = 0;
        for (; i < line.size(); ++i) {
          const int d = HexDigitValue(line[i]);
          if (d < 0) break;
          if (i >= 15) return give(ChunkedParse::kBad);  // more than 15 hex digits
          size = size * 16 + static_cast<uint64_t>(d);
        }
        if (i == 0) return give(ChunkedParse::kBad);
        for (; i < line.size() && (line[i] == ' ' || line[i] == '\t'); ++i) {
        }
        if (i < line.size() && line[i] != ';') return give(ChunkedParse::kBad);
        pos += used;
        if (size > body_bytes_max_ - std::min(body_bytes_max_, body_.size())) return give(ChunkedParse::kTooLarge);
        if (size == 0) {
          state_ = State::kTrailer;
        } else {
          chunk_left_ = size;
          state_ = State::kData;
        }
        break;
      }
      case State::kData: {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(chunk_left_, rest.size()));
        body_.append(rest.data(), n);
        pos += n;
        chunk_left_ -= n;
        if (chunk_left_ > 0) return give(ChunkedParse::kIncomplete);
        state_ = State::kDataEnd;
        break;
      }
      case State::kDataEnd: {
        // The CRLF (or bare LF) after a chunk's data.
        if (rest.empty()) return give(ChunkedParse::kIncomplete);
        if (rest[0] == '\n') {
          pos += 1;
        } else if (rest[0] == '\r') {
          if (rest.size() < 2) return give(ChunkedParse::kIncomplete);
          if (rest[1] != '\n') return give(ChunkedParse::kBad);
          pos += 2;
        } else {
          return give(ChunkedParse::kBad);
        }
        state_ = State::kSize;
        break;
      }
      case State::kTrailer: {
        std::string_view line;
        size_t used = 0;
        if (!Line(rest, &line, &used)) {
          if (trailer_bytes_ + rest.size() > trailer_bytes_max_) return give(ChunkedParse::kTooLarge);
          return give(ChunkedParse::kIncomplete);
        }
        trailer_bytes_ += used;
        if (trailer_bytes_ > trailer_bytes_max_) return give(ChunkedParse::kTooLarge);
        pos += used;
        if (line.empty()) return give(ChunkedParse::kDone);
        if (line.find(':') == std::string_view::npos) return give(ChunkedParse::kBad);
        break;  // a trailer field, dropped
      }
    }
  }
}

}  // namespace xt::http
