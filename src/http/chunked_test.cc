// The chunked body decoder: bodies as clients send them, in one piece and
// byte by byte, and every way a body is refused.
#include "http/chunked.h"

#include <gtest/gtest.h>

#include <string>

namespace xt::http {
namespace {

struct Fed {
  ChunkedParse result;
  std::string body;
  size_t left;  // bytes of the input not consumed
};

// Feeds `in` in pieces of `step` bytes (0: all at once), as a connection
// would: what was not consumed stays in front of the next piece.
Fed FeedAll(const std::string& in, size_t step, size_t body_max = 1 << 20, size_t trailer_max = 1024) {
  ChunkedDecoder d(body_max, trailer_max);
  std::string buffer;
  size_t next = 0;
  while (true) {
    const size_t n = step == 0 ? in.size() - next : std::min(step, in.size() - next);
    buffer.append(in, next, n);
    next += n;
    size_t used = 0;
    const ChunkedParse r = d.Feed(buffer, &used);
    EXPECT_LE(used, buffer.size());
    buffer.erase(0, used);
    if (r != ChunkedParse::kIncomplete || next == in.size()) return {r, d.body(), buffer.size() + in.size() - next};
  }
}

TEST(Chunked, ReadsABodyInOnePieceAndByteByByte) {
  const std::string body = "{\"infno\":\"1101\",\"input\":{}}";
  ASSERT_EQ(body.size(), 27u);
  const std::string sent = "5\r\n" + body.substr(0, 5) + "\r\n" + "16;name=value\r\n" + body.substr(5) + "\r\n" +
                           "0\r\n\r\n" + "GET /next";  // a pipelined request follows
  for (size_t step : {0u, 1u, 2u, 7u}) {
    SCOPED_TRACE(step);
    const Fed f = FeedAll(sent, step);
    EXPECT_EQ(f.result, ChunkedParse::kDone);
    EXPECT_EQ(f.body, body);
    EXPECT_EQ(f.left, 9u) << "the next request is left for the head parser";
  }
}

TEST(Chunked, AcceptsBareLineFeedsUpperCaseHexAndTrailers) {
  EXPECT_EQ(FeedAll("A\nabcdefghij\n0\n\n", 0).body, "abcdefghij");
  const Fed f = FeedAll("a \t;ext\r\n0123456789\r\n0\r\nX-Trailer: 1\r\nY: 2\r\n\r\n", 3);
  EXPECT_EQ(f.result, ChunkedParse::kDone);
  EXPECT_EQ(f.body, "0123456789");
  EXPECT_EQ(f.left, 0u);
  EXPECT_EQ(FeedAll("0\r\n\r\n", 0).result, ChunkedParse::kDone) << "an empty body";
}

TEST(Chunked, WaitsForMore) {
  for (const char* partial : {"", "5", "5\r", "5\r\nab", "5\r\nabcde", "5\r\nabcde\r", "5\r\nabcde\r\n0\r\n",
                              "5\r\nabcde\r\n0\r\nX: 1\r\n"}) {
    EXPECT_EQ(FeedAll(partial, 0).result, ChunkedParse::kIncomplete) << partial;
  }
}

TEST(Chunked, RefusesWhatIsNotAChunkedBody) {
  for (const char* bad : {"x\r\n", "\r\n", ";ext\r\n", "5 x\r\nabcde\r\n", "5\r\nabcdeX\r\n0\r\n\r\n",
                          "5\r\nabcde\rX", "0\r\nno colon\r\n\r\n", "-1\r\n", "1234567890abcdef0\r\n"}) {
    EXPECT_EQ(FeedAll(bad, 0).result, ChunkedParse::kBad) << bad;
  }
  // A size line that never ends.
  EXPECT_EQ(FeedAll(std::string(kChunkLineBytesMax + 1, '1'), 0).result, ChunkedParse::kBad);
}

TEST(Chunked, BoundsTheBodyAndTheTrailers) {
  EXPECT_EQ(FeedAll("10\r\n0123456789abcdef\r\n0\r\n\r\n", 0, 16).result, ChunkedParse::kDone);
  EXPECT_EQ(FeedAll("10\r\n0123456789abcdef\r\n1\r\nx\r\n0\r\n\r\n", 0, 16).result, ChunkedParse::kTooLarge);
  // A huge declared size is refused before any of it arrives.
  EXPECT_EQ(FeedAll("fffffffffffffff\r\n", 0, 16).result, ChunkedParse::kTooLarge);
  const std::string trailers = "0\r\n" + std::string(40, 'a') + ": b\r\n\r\n";
  EXPECT_EQ(FeedAll(trailers, 0, 16, 64).result, ChunkedParse::kDone);
  EXPECT_EQ(FeedAll(trailers, 0, 16, 32).result, ChunkedParse::kTooLarge);
  EXPECT_EQ(FeedAll("0\r\n" + std::string(100, 'a'), 0, 16, 32).result, ChunkedParse::kTooLarge)
      << "a trailer line that never ends";
}

}  // namespace
}  // namespace xt::http
