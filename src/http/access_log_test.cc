// The batched access-log writer: every line arrives, in order, once; a full
// buffer drops and counts instead of blocking.
#include "http/access_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace xt::http {
namespace {

std::string ReadAll(std::FILE* f) {
  std::rewind(f);
  std::string s;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}

TEST(AccessLogWriter, WritesEveryLineInOrderByTheTimeItIsDestroyed) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    AccessLogWriter log(fileno(f));
    for (int i = 0; i < 1000; ++i) log.Append("{\"n\":" + std::to_string(i) + "}");
    EXPECT_EQ(log.dropped(), 0);
  }
  const std::string text = ReadAll(f);
  std::string want;
  for (int i = 0; i < 1000; ++i) want += "{\"n\":" + std::to_string(i) + "}\n";
  EXPECT_EQ(text, want);
  std::fclose(f);
}

TEST(AccessLogWriter, ALineThatDoesNotFitIsDroppedAndCounted) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  int64_t dropped = 0;
  {
    AccessLogWriter log(fileno(f), 100, 60000);  // 100 bytes of room
    log.Append(std::string(150, 'x'));           // never fits
    log.Append("fits");
    dropped = log.dropped();
  }
  EXPECT_EQ(dropped, 1);
  EXPECT_EQ(ReadAll(f), "fits\n");
  std::fclose(f);
}

}  // namespace
}  // namespace xt::http
