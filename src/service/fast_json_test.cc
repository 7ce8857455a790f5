#include "service/fast_json.h"

#include <gtest/gtest.h>

#include <string>

namespace xt::service {
namespace {

using json = nlohmann::json;

// The fast path's tree for `text` is nlohmann's, type for type.
void ExpectSameAsNlohmann(const std::string& text) {
  auto fast = FastParseJson(text);
  ASSERT_TRUE(fast.has_value()) << "gave up on " << text;
  const json slow = json::parse(text);
  EXPECT_EQ(*fast, slow) << text;
  EXPECT_EQ(fast->dump(), slow.dump()) << text;
  EXPECT_EQ(fast->type(), slow.type()) << text;
}

TEST(FastJson, BuildsTheTreeNlohmannBuilds) {
  ExpectSameAsNlohmann(R"({"infno":"2204","input":{"feedetail":[{"cnt":2,"pric":62.75,"amt":-125.5}]}})");
  ExpectSameAsNlohmann(R"( { "a" : [ 1 , -2 , 0 , -0 , 0.1 , 123456789012345678 , true , false , null ] } )");
  ExpectSameAsNlohmann("{\"psn_name\":\"\xe5\xbc\xa0\xe4\xb8\x89\",\"emoji\":\"\xf0\x9f\x98\x80\"}");  // UTF-8
  ExpectSameAsNlohmann(R"({"k":1,"k":2})");  // a repeated key keeps its last value
  ExpectSameAsNlohmann(R"([[],{},"",[{}]])");
  ExpectSameAsNlohmann("\t\r\n 7 \n");
  // Integers without a sign are unsigned, as in nlohmann's lexer.
  EXPECT_TRUE(FastParseJson("5")->is_number_unsigned());
  EXPECT_TRUE(FastParseJson("-5")->is_number_integer());
  EXPECT_FALSE(FastParseJson("-5")->is_number_unsigned());
}

TEST(FastJson, GivesUpOnWhatItLeavesToNlohmann) {
  const char* cases[] = {
      "",                          // empty
      R"({"a":"x\"y"})",           // an escape
      R"({"a":1e3})",              // an exponent
      "1234567890123456789",       // 19 digits
      "\xEF\xBB\xBF{}",            // a byte-order mark
      R"({"a":1,})",               // malformed: trailing comma
      R"({"a" 1})",                // malformed: no colon
      "{} {}",                     // two values
      "01",                        // a leading zero
      "1.",                        // no decimals
      "[1,2",                      // unfinished
      "\"\xC0\xAF\"",              // overlong UTF-8
      "\"\xED\xA0\x80\"",          // an encoded surrogate
      "\"\xF4\x90\x80\x80\"",      // beyond U+10FFFF
      "\"\xE5\xBC\"",              // cut short
      "\"a\x01\"",                 // a control character
      "tru",                       // a cut literal
      "/* no */ 1",                // a comment
  };
  for (const char* text : cases) EXPECT_FALSE(FastParseJson(text).has_value()) << text;
  std::string deep(kFastJsonDepthMax + 1, '[');
  deep += std::string(kFastJsonDepthMax + 1, ']');
  EXPECT_FALSE(FastParseJson(deep).has_value()) << "deeper than the limit";
  std::string ok(kFastJsonDepthMax, '[');
  ok += std::string(kFastJsonDepthMax, ']');
  ExpectSameAsNlohmann(ok);
}

}  // namespace
}  // namespace xt::service
