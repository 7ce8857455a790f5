#include "http/request_head.h"

#include <gtest/gtest.h>

namespace xt::http {
namespace {

HeadParse Parse(std::string_view in, RequestHead* head, size_t* consumed, size_t max = 4096) {
  return ParseRequestHead(in, max, head, consumed);
}

TEST(RequestHead, ReadsTheRequestLineHeadersAndBodyLength) {
  const std::string in =
      "POST /fsi/api/callService?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n"
      "Authorization:  Bearer xt_k  \r\n\r\n{\"infno\":1}";
  RequestHead h;
  size_t consumed = 0;
  ASSERT_EQ(Parse(in, &h, &consumed), HeadParse::kDone);
  EXPECT_EQ(h.method, "POST");
  EXPECT_EQ(h.path, "/fsi/api/callService");
  EXPECT_EQ(h.query, "x=1");
  EXPECT_EQ(h.minor, 1);
  EXPECT_TRUE(h.has_content_length);
  EXPECT_EQ(h.content_length, 12);
  EXPECT_EQ(h.Header("authorization"), "Bearer xt_k") << "values are trimmed, names matched in lower case";
  EXPECT_EQ(h.headers.size(), 3u);
  EXPECT_EQ(h.header_bytes, std::string("host" "a" "content-length" "12" "authorization" "Bearer xt_k").size());
  EXPECT_TRUE(h.keep_alive);
  EXPECT_EQ(in.substr(consumed), "{\"infno\":1}");
}

TEST(RequestHead, WaitsForTheWholeHeadAndRefusesOneTooLarge) {
  RequestHead h;
  size_t consumed = 0;
  const std::string full = "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n";
  for (size_t n = 0; n < full.size(); ++n) {
    EXPECT_EQ(Parse(full.substr(0, n), &h, &consumed), HeadParse::kIncomplete) << n;
  }
  EXPECT_EQ(Parse(full, &h, &consumed), HeadParse::kDone);
  EXPECT_EQ(consumed, full.size());
  const std::string big = "GET / HTTP/1.1\r\nX: " + std::string(5000, 'a');
  EXPECT_EQ(Parse(big, &h, &consumed), HeadParse::kTooLarge) << "no end in sight past the limit";
  EXPECT_EQ(Parse(big + "\r\n\r\n", &h, &consumed), HeadParse::kTooLarge) << "ended, but past the limit";
}

TEST(RequestHead, ConnectionExpectAndTransferEncoding) {
  RequestHead h;
  size_t consumed = 0;
  ASSERT_EQ(Parse("GET / HTTP/1.1\r\nConnection: Keep-Alive, Close\r\n\r\n", &h, &consumed), HeadParse::kDone);
  EXPECT_FALSE(h.keep_alive);
  ASSERT_EQ(Parse("GET / HTTP/1.0\r\n\r\n", &h, &consumed), HeadParse::kDone);
  EXPECT_FALSE(h.keep_alive) << "HTTP/1.0 closes unless asked";
  ASSERT_EQ(Parse("GET / HTTP/1.0\r\nconnection: keep-alive\r\n\r\n", &h, &consumed), HeadParse::kDone);
  EXPECT_TRUE(h.keep_alive);
  ASSERT_EQ(Parse("POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 5\r\n\r\n", &h, &consumed),
            HeadParse::kDone);
  EXPECT_TRUE(h.expect_continue);
  ASSERT_EQ(Parse("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n", &h, &consumed), HeadParse::kDone);
  EXPECT_TRUE(h.chunked);
  EXPECT_TRUE(h.chunked_only);
  // Another coding, or a second Transfer-Encoding line: not chunked alone.
  ASSERT_EQ(Parse("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", &h, &consumed), HeadParse::kDone);
  EXPECT_TRUE(h.chunked);
  EXPECT_FALSE(h.chunked_only);
  ASSERT_EQ(Parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", &h,
                  &consumed),
            HeadParse::kDone);
  EXPECT_FALSE(h.chunked_only);
  ASSERT_EQ(Parse("GET / HTTP/1.1\nHost: a\n\n", &h, &consumed), HeadParse::kDone) << "bare LF line ends";
}

TEST(RequestHead, MalformedHeadsAreRefused) {
  const char* bad[] = {
      "GET\r\n\r\n",
      "GET / HTTP/2.0\r\n\r\n",
      "GET / FTP/1.1\r\n\r\n",
      "GET http://example.org/ HTTP/1.1\r\n\r\n",  // absolute form is for proxies
      "GET /a b HTTP/1.1\r\n\r\n",
      "G(T / HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.1\r\nNo colon\r\n\r\n",
      "GET / HTTP/1.1\r\nName : v\r\n\r\n",
      "GET / HTTP/1.1\r\nA: 1\r\n folded\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "GET /%zz HTTP/1.1\r\n\r\n",
  };
  for (const char* in : bad) {
    RequestHead h;
    size_t consumed = 0;
    EXPECT_EQ(Parse(in, &h, &consumed), HeadParse::kBad) << in;
  }
}

TEST(RequestHead, PercentDecodingAndQueries) {
  std::string out;
  ASSERT_TRUE(PercentDecode("/api/v1/settlements/%41%62+c", false, &out));
  EXPECT_EQ(out, "/api/v1/settlements/Ab+c");
  ASSERT_TRUE(PercentDecode("a+b%20c", true, &out));
  EXPECT_EQ(out, "a b c");
  EXPECT_FALSE(PercentDecode("%4", true, &out));
  EXPECT_FALSE(PercentDecode("%", true, &out));
  std::vector<std::pair<std::string, std::string>> q;
  ASSERT_TRUE(ParseQuery("region=13&&from=2026-01-01&flag&to=2026%2D12", &q));
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[0], (std::pair<std::string, std::string>{"region", "13"}));
  EXPECT_EQ(q[1].second, "2026-01-01");
  EXPECT_EQ(q[2], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_EQ(q[3].second, "2026-12");
  EXPECT_FALSE(ParseQuery("a=%G0", &q));
}

}  // namespace
}  // namespace xt::http
