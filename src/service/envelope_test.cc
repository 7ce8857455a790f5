// Request envelope decoding: one good envelope, then one case per refusal,
// each a change to the good one and the code and message it must get.
#include "service/envelope.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace xt::service {
namespace {

using json = nlohmann::json;

json GoodEnvelope() {
  return json{{"infno", "2207"},
              {"msgid", "H12010300001202611290830000001"},
              {"mdtrtarea_admvs", "120103"},
              {"insuplc_admdvs", "130500"},
              {"fixmedins_code", "H12010300001"},
              {"opter", "demo"},
              {"inf_time", "2026-11-29 08:30:00"},
              {"input", {{"data", {{"mdtrt_id", "x"}}}}}};
}

TEST(Envelope, GoodEnvelopeIsDecodedFieldByField) {
  EnvelopeIds ids;
  Result<Envelope> env = DecodeEnvelope(GoodEnvelope().dump(), &ids);
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ(env->infno, "2207");
  EXPECT_EQ(env->msgid, "H12010300001202611290830000001");
  EXPECT_EQ(env->fixmedins_code, "H12010300001");
  EXPECT_EQ(env->mdtrtarea_admvs, "120103");
  EXPECT_EQ(env->insuplc_admdvs, "130500");
  EXPECT_EQ(env->opter, "demo");
  EXPECT_TRUE(env->input_status.ok());
  EXPECT_EQ(ids.infno, "2207");
  EXPECT_EQ(ids.msgid, "H12010300001202611290830000001");

  // The input stays reachable after the Envelope is moved.
  Envelope moved = std::move(env).value();
  const JsonValue* input = moved.input;
  ASSERT_NE(input, nullptr);
  ASSERT_NE(input->Find("data"), nullptr);
  ASSERT_NE(input->Find("data")->Find("mdtrt_id"), nullptr);
  EXPECT_EQ(input->Find("data")->Find("mdtrt_id")->string(), "x");
}

TEST(Envelope, OptionalFieldsMayBeAbsentOrNull) {
  for (const char* key : {"insuplc_admdvs", "opter"}) {
    for (bool null : {false, true}) {
      json j = GoodEnvelope();
      if (null) j[key] = nullptr;
      else j.erase(key);
      Result<Envelope> env = DecodeEnvelope(j.dump());
      ASSERT_TRUE(env.ok()) << key << ": " << env.status().ToString();
      EXPECT_EQ(key == std::string("opter") ? env->opter : env->insuplc_admdvs, "");
    }
  }
}

TEST(Envelope, InputThatIsNotAnObjectIsLeftToTheProcessorToRefuse) {
  for (json input : {json(), json::array(), json("x"), json(1)}) {
    json j = GoodEnvelope();
    if (input.is_null()) j.erase("input");
    else j["input"] = input;
    Result<Envelope> env = DecodeEnvelope(j.dump());
    ASSERT_TRUE(env.ok()) << env.status().ToString();
    EXPECT_EQ(env->input_status.code(), "XT-INP-001");
    EXPECT_EQ(env->input_status.message(), "input (an object) is required");
    EXPECT_EQ(env->input, nullptr);
  }
}

struct Refusal {
  const char* name;
  std::function<std::string()> request;
  const char* code;
  const char* message;
};

// The good envelope with `key` set to `value` (erased when value is null).
std::function<std::string()> With(const char* key, json value) {
  return [key, value] {
    json j = GoodEnvelope();
    if (value.is_null()) j.erase(key);
    else j[key] = value;
    return j.dump();
  };
}

std::function<std::string()> Text(std::string text) {
  return [text] { return text; };
}

// An object nested `levels` deep: {"x":{"x":...{}}}.
json Nested(int levels) {
  json j = json::object();
  for (int i = 1; i < levels; ++i) j = json{{"x", std::move(j)}};
  return j;
}

TEST(Envelope, NestingIsBoundedAndCountedOutsideStrings) {
  // Envelope 1 + input 31 = 32 levels: the most there may be.
  EXPECT_TRUE(DecodeEnvelope(With("input", Nested(31))()).ok());
  // Brackets and escaped quotes inside strings are text, not nesting.
  json j = GoodEnvelope();
  j["inf_time"] = std::string(100, '[') + "\"" + std::string(100, '{');
  j["input"] = Nested(31);
  EXPECT_TRUE(DecodeEnvelope(j.dump()).ok()) << j.dump();
}

TEST(Envelope, EachRefusalHasItsCodeAndMessage) {
  const std::string fix = "H12010300001";
  const std::vector<Refusal> cases = {
      {"not JSON", Text("{\"infno\":"), "XT-ENV-001", "the request is not valid JSON"},
      {"empty", Text(""), "XT-ENV-001", "the request is not valid JSON"},
      {"an array", Text("[1,2]"), "XT-ENV-002", "the request must be a JSON object"},
      {"a string", Text("\"2207\""), "XT-ENV-002", "the request must be a JSON object"},
      {"infno missing", With("infno", nullptr), "XT-ENV-002", "envelope.infno is required"},
      {"infno null", Text(R"({"infno":null})"), "XT-ENV-002", "envelope.infno is required"},
      {"infno a number", With("infno", 2207), "XT-ENV-002", "envelope.infno must be a string"},
      {"infno too long", With("infno", "22070"), "XT-ENV-002", "envelope.infno is longer than 4"},
      {"infno too short", With("infno", "220"), "XT-ENV-002", "envelope.infno must be 4 characters"},
      {"msgid missing", With("msgid", nullptr), "XT-ENV-002", "envelope.msgid is required"},
      {"msgid of 31", With("msgid", std::string(31, '7')), "XT-ENV-002", "envelope.msgid is longer than 30"},
      {"msgid empty", With("msgid", ""), "XT-ENV-004",
       "msgid must be 1 to 30 visible ASCII characters (letters, digits, punctuation; no spaces)"},
      {"msgid with a space", With("msgid", "H1201 0001"), "XT-ENV-004",
       "msgid must be 1 to 30 visible ASCII characters (letters, digits, punctuation; no spaces)"},
      {"msgid with a Chinese character", With("msgid", "流水0001"), "XT-ENV-004",
       "msgid must be 1 to 30 visible ASCII characters (letters, digits, punctuation; no spaces)"},
      {"fixmedins_code missing", With("fixmedins_code", nullptr), "XT-ENV-002",
       "envelope.fixmedins_code is required"},
      {"fixmedins_code an object", With("fixmedins_code", json::object()), "XT-ENV-002",
       "envelope.fixmedins_code must be a string"},
      {"mdtrtarea_admvs missing", With("mdtrtarea_admvs", nullptr), "XT-ENV-002",
       "envelope.mdtrtarea_admvs is required"},
      {"mdtrtarea_admvs of 5", With("mdtrtarea_admvs", "12010"), "XT-ENV-002",
       "envelope.mdtrtarea_admvs must be 6 characters"},
      {"insuplc_admdvs a number", With("insuplc_admdvs", 130500), "XT-ENV-002",
       "envelope.insuplc_admdvs must be a string"},
      {"insuplc_admdvs of 7", With("insuplc_admdvs", "1305000"), "XT-ENV-002",
       "envelope.insuplc_admdvs is longer than 6"},
      {"opter a number", With("opter", 7), "XT-ENV-002", "envelope.opter must be a string"},
      {"opter of 31", With("opter", std::string(31, 'o')), "XT-ENV-002", "envelope.opter is longer than 30"},
      {"mdtrtarea_admvs not digits", With("mdtrtarea_admvs", "12010x"), "XT-ENV-002",
       "region codes must be 6 digits"},
      {"insuplc_admdvs not digits", With("insuplc_admdvs", "13050x"), "XT-ENV-002",
       "region codes must be 6 digits"},
      // Found by fuzz/envelope_fuzz.cc: "at most 6" let 1 to 5 digits through.
      {"insuplc_admdvs of 2 digits", With("insuplc_admdvs", "13"), "XT-ENV-002", "region codes must be 6 digits"},
      {"insuplc_admdvs of 5 digits", With("insuplc_admdvs", "13050"), "XT-ENV-002", "region codes must be 6 digits"},
      // Found by fuzz/envelope_fuzz.cc: deep input overflowed the stack of
      // whatever serialised it.
      {"input nested 33 levels", With("input", Nested(32)), "XT-ENV-002",
       "the request is nested deeper than 32 levels"},
      {"deep and also not an object", Text(std::string(100000, '[') + std::string(100000, ']')), "XT-ENV-002",
       "the request must be a JSON object"},
  };
  for (const Refusal& c : cases) {
    SCOPED_TRACE(c.name);
    Result<Envelope> env = DecodeEnvelope(c.request());
    ASSERT_FALSE(env.ok());
    EXPECT_EQ(env.status().code(), c.code);
    EXPECT_EQ(env.status().message(), c.message);
  }
}

TEST(Envelope, FirstFailingCheckIsTheAnswer) {
  // Both infno and msgid are wrong: infno is checked first.
  json j = GoodEnvelope();
  j["infno"] = 1;
  j["msgid"] = 1;
  EXPECT_EQ(DecodeEnvelope(j.dump()).status().message(), "envelope.infno must be a string");
  // A field of the wrong type is refused before the msgid's layout.
  j = GoodEnvelope();
  j["msgid"] = "H99999999999202611290830000001";
  j["opter"] = 1;
  EXPECT_EQ(DecodeEnvelope(j.dump()).status().code(), "XT-ENV-002");
}

TEST(Envelope, IdsAreReportedAsFarAsTheyWereRead) {
  EnvelopeIds ids;
  ids.infno = "stale";
  EXPECT_FALSE(DecodeEnvelope("{oops", &ids).ok());
  EXPECT_EQ(ids.infno, "");
  EXPECT_EQ(ids.msgid, "");

  EXPECT_FALSE(DecodeEnvelope(With("msgid", std::string(31, '1'))(), &ids).ok());
  EXPECT_EQ(ids.infno, "2207");
  EXPECT_EQ(ids.msgid, "");

  EXPECT_FALSE(DecodeEnvelope(With("mdtrtarea_admvs", "12010x")(), &ids).ok());
  EXPECT_EQ(ids.infno, "2207");
  EXPECT_EQ(ids.msgid, "H12010300001202611290830000001");
}

}  // namespace
}  // namespace xt::service
