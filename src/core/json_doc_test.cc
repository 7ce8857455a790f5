// JsonDoc against nlohmann::json, which it stands in for: the same texts
// accepted, the same values of the same types, and Dump byte for byte
// nlohmann's dump() (the message log's request hashes are taken over it).
#include "core/json_doc.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

namespace xt {
namespace {

using json = nlohmann::json;

// `v` holds what `j` holds, type for type.
void ExpectSame(const JsonValue& v, const json& j, const std::string& where) {
  switch (j.type()) {
    case json::value_t::null: EXPECT_TRUE(v.is_null()) << where; break;
    case json::value_t::boolean:
      ASSERT_TRUE(v.is_boolean()) << where;
      EXPECT_EQ(v.boolean(), j.get<bool>()) << where;
      break;
    case json::value_t::number_integer:
      ASSERT_EQ(v.type(), JsonValue::Type::kInteger) << where;
      EXPECT_EQ(v.int64(), j.get<int64_t>()) << where;
      break;
    case json::value_t::number_unsigned:
      ASSERT_TRUE(v.is_number_unsigned()) << where;
      EXPECT_EQ(v.Dump(), j.dump()) << where;
      break;
    case json::value_t::number_float:
      ASSERT_TRUE(v.is_number_float()) << where;
      EXPECT_EQ(v.number_float(), j.get<double>()) << where;
      break;
    case json::value_t::string:
      ASSERT_TRUE(v.is_string()) << where;
      EXPECT_EQ(v.string(), j.get_ref<const std::string&>()) << where;
      break;
    case json::value_t::array:
      ASSERT_TRUE(v.is_array()) << where;
      ASSERT_EQ(v.size(), j.size()) << where;
      for (size_t i = 0; i < j.size(); ++i) ExpectSame(v[i], j[i], where + "[" + std::to_string(i) + "]");
      break;
    case json::value_t::object: {
      ASSERT_TRUE(v.is_object()) << where;
      ASSERT_EQ(v.size(), j.size()) << where;
      size_t i = 0;
      for (const auto& [key, value] : j.items()) {
        EXPECT_EQ(v.members()[i].key, key) << where;  // the same order: nlohmann's
        const JsonValue* found = v.Find(key);
        ASSERT_NE(found, nullptr) << where << "." << key;
        ExpectSame(*found, value, where + "." + key);
        ++i;
      }
      break;
    }
    default: FAIL() << where << ": unexpected type";
  }
}

// Parses `text` both ways; `one_pass`: which way JsonDoc must have taken.
void ExpectAsNlohmann(const std::string& text, bool one_pass) {
  SCOPED_TRACE(text);
  JsonDoc doc;
  ASSERT_EQ(doc.Parse(text, 64), JsonDoc::Parsed::kOk);
  EXPECT_EQ(doc.parsed_in_one_pass(), one_pass);
  const json j = json::parse(text);
  ExpectSame(doc.root(), j, "$");
  EXPECT_EQ(doc.root().Dump(), j.dump());
}

TEST(JsonDoc, ReadsWhatNlohmannReadsInOnePass) {
  ExpectAsNlohmann(R"({"infno":"2204","input":{"feedetail":[{"cnt":2,"pric":62.75,"amt":-125.5}]}})", true);
  ExpectAsNlohmann(R"( { "a" : [ 1 , -2 , 0 , -0 , 0.1 , 123456789012345678 , true , false , null ] } )", true);
  ExpectAsNlohmann("{\"psn_name\":\"\xe5\xbc\xa0\xe4\xb8\x89\",\"emoji\":\"\xf0\x9f\x98\x80\"}", true);  // UTF-8
  ExpectAsNlohmann(R"({"k":1,"k":2})", true);                     // a repeated key keeps its last value
  ExpectAsNlohmann(R"({"b":1,"a":{"z":[],"y":{}},"b":{"c":3}})", true);  // out of order, and repeated
  ExpectAsNlohmann(R"([[],{},"",[{}]])", true);
  ExpectAsNlohmann("\t\r\n 7 \n", true);
  ExpectAsNlohmann(R"(["1.0","12.50",12.50,1.0,-0.0,0.30000000000000004,100.25])", true);
  // Escapes, decoded in place; \u of a BMP character is UTF-8 again.
  ExpectAsNlohmann(R"({"a":"x\"y\\z\/\b\f\n\r\t","n":"\u5f20\u4e09","c":"\u0001\u001f\u007f\u0000"})", true);
  ExpectAsNlohmann(R"({"\u006b\u0065y":"\u00e9\u0800\uFFFF"})", true);
  // Integers without a sign are unsigned, as in nlohmann's lexer.
  JsonDoc doc;
  ASSERT_EQ(doc.Parse("[5,-5]", 8), JsonDoc::Parsed::kOk);
  EXPECT_TRUE(doc.root()[0].is_number_unsigned());
  EXPECT_EQ(doc.root()[1].type(), JsonValue::Type::kInteger);
}

TEST(JsonDoc, ReadsTheUnusualThroughNlohmann) {
  ExpectAsNlohmann(R"({"a":1e3,"b":-2.5E-3,"c":1E300})", false);  // exponents
  ExpectAsNlohmann("1234567890123456789", false);                  // 19 digits: unsigned
  ExpectAsNlohmann("18446744073709551616", false);                 // beyond uint64: a float
  ExpectAsNlohmann("-9223372036854775809", false);                 // beyond int64: a float
  ExpectAsNlohmann("\xEF\xBB\xBF{\"a\":1}", false);                // a byte-order mark
  ExpectAsNlohmann(R"(["\ud83d\ude00"])", false);                  // a surrogate pair
}

TEST(JsonDoc, RefusesWhatNlohmannRefuses) {
  const char* cases[] = {
      "",                      // empty
      R"({"a":1,})",           // a trailing comma
      R"({"a" 1})",            // no colon
      "{} {}",                 // two values
      "01",                    // a leading zero
      "1.",                    // no decimals
      "[1,2",                  // unfinished
      "\"\xC0\xAF\"",          // overlong UTF-8
      "\"\xED\xA0\x80\"",      // an encoded surrogate
      "\"\xF4\x90\x80\x80\"",  // beyond U+10FFFF
      "\"\xE5\xBC\"",          // cut short
      "\"a\x01\"",             // a raw control character
      R"("\x")",               // an unknown escape
      R"("\u12")",             // a short \u
      R"("\udc00")",           // a lone low surrogate
      R"("\ud800x")",          // a high surrogate alone
      "tru",                   // a cut literal
      "/* no */ 1",            // a comment
      "1E400",                 // beyond double
      "-1e999",                // beyond double
  };
  for (const char* text : cases) {
    JsonDoc doc;
    EXPECT_EQ(doc.Parse(text, 64), JsonDoc::Parsed::kMalformed) << text;
    EXPECT_TRUE(doc.root().is_null()) << text;
    EXPECT_TRUE(json::parse(text, nullptr, false).is_discarded()) << text;
  }
}

TEST(JsonDoc, BoundsTheNesting) {
  JsonDoc doc;
  const std::string ok = std::string(32, '[') + std::string(32, ']');
  EXPECT_EQ(doc.Parse(ok, 32), JsonDoc::Parsed::kOk);
  const std::string deep = std::string(33, '[') + std::string(33, ']');
  EXPECT_EQ(doc.Parse(deep, 32), JsonDoc::Parsed::kTooDeep);
  EXPECT_TRUE(doc.root().is_null());
  // Malformed comes first, however deep.
  EXPECT_EQ(doc.Parse(std::string(100000, '['), 32), JsonDoc::Parsed::kMalformed);
  // Brackets in strings are not nesting.
  EXPECT_EQ(doc.Parse("[\"" + std::string(100, '[') + "\"]", 2), JsonDoc::Parsed::kOk);
}

TEST(JsonDoc, DumpsAsNlohmannDumps) {
  // Every control character, and the characters nlohmann leaves as they are.
  std::string all;
  for (int c = 1; c < 0x80; ++c) all += static_cast<char>(c);
  all += "\xe5\xbc\xa0";
  const json j = {{"s", all}, {all, 1}, {"f", {0.1, 1.5, 100.0, 1e-7, 1e21, 123456789.125, -0.0}}};
  JsonDoc doc;
  ASSERT_EQ(doc.Parse(j.dump(), 8), JsonDoc::Parsed::kOk);
  EXPECT_EQ(doc.root().Dump(), j.dump());
}

TEST(JsonDoc, AccessorsSayWhatIsNotThere) {
  JsonDoc doc;
  ASSERT_EQ(doc.Parse(R"({"a":[1],"big":18446744073709551615,"s":"x","n":null})", 8), JsonDoc::Parsed::kOk);
  const JsonValue& root = doc.root();
  EXPECT_EQ(root.Find("missing"), nullptr);
  ASSERT_NE(root.Find("n"), nullptr);
  EXPECT_TRUE(root.Find("n")->is_null());
  EXPECT_EQ(root.Find("a")->Find("x"), nullptr);  // not an object
  EXPECT_EQ(root.Find("a")->size(), 1u);
  EXPECT_EQ(root.Find("s")->size(), 0u);          // a string has no elements
  EXPECT_EQ(root.Find("big")->int64(), std::nullopt);
  EXPECT_EQ(root.Find("s")->int64(), std::nullopt);
  EXPECT_EQ(root.Find("a")->string(), "");
}

TEST(JsonDoc, MovingKeepsValuesInPlace) {
  JsonDoc doc;
  ASSERT_EQ(doc.Parse(R"({"input":{"data":{"psn_no":"P1"}}})", 8), JsonDoc::Parsed::kOk);
  const JsonValue* input = doc.root().Find("input");
  JsonDoc moved = std::move(doc);
  EXPECT_EQ(moved.root().Find("input"), input);
  EXPECT_EQ(input->Find("data")->Find("psn_no")->string(), "P1");
  EXPECT_TRUE(doc.root().is_null()) << "the moved-from document is empty";  // NOLINT(bugprone-use-after-move)
  JsonDoc assigned;
  ASSERT_EQ(assigned.Parse("[1]", 8), JsonDoc::Parsed::kOk);
  assigned = std::move(moved);
  EXPECT_EQ(assigned.root().Find("input"), input);
  EXPECT_TRUE(moved.root().is_null());  // NOLINT(bugprone-use-after-move)
}

TEST(JsonDoc, LargeDocumentsSpanSeveralBlocks) {
  json j = json::array();
  for (int i = 0; i < 5000; ++i) j.push_back({{"k" + std::to_string(i % 7), i}, {"s", std::string(i % 50, 'x')}});
  ExpectAsNlohmann(j.dump(), true);
  ExpectAsNlohmann(j.dump(2), true);  // indented: more text than values
  j.push_back(1e300);                 // an exponent: through nlohmann
  ExpectAsNlohmann(j.dump(), false);
  // Small values, many of them: several times the text's size.
  ExpectAsNlohmann(json(std::vector<int>(20000, 0)).dump(), true);
}

}  // namespace
}  // namespace xt

namespace xt {
namespace {

// A decimal keeps the text it was sent as, so that money is read from the
// digits; through nlohmann (an exponent) it is nlohmann's shortest text.
TEST(JsonDoc, DecimalsKeepTheirText) {
  JsonDoc doc;
  ASSERT_EQ(doc.Parse(R"({"a":24.7000,"b":-0.30000000000000004,"c":90071992547409.93})", 8), JsonDoc::Parsed::kOk);
  EXPECT_EQ(doc.root().Find("a")->number_text(), "24.7000");
  EXPECT_EQ(doc.root().Find("a")->number_float(), 24.7);
  EXPECT_EQ(doc.root().Find("b")->number_text(), "-0.30000000000000004");
  EXPECT_EQ(doc.root().Find("c")->number_text(), "90071992547409.93");
  EXPECT_EQ(doc.root().Dump(), R"({"a":24.7,"b":-0.30000000000000004,"c":90071992547409.94})");
  JsonDoc exp;
  ASSERT_EQ(exp.Parse(R"({"a":2.47e1})", 8), JsonDoc::Parsed::kOk);
  EXPECT_EQ(exp.root().Find("a")->number_text(), "24.7");
}

}  // namespace
}  // namespace xt

