// The fast writer's output parses back to what was written.
#include "core/json_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace xt {
namespace {

TEST(JsonWriter, WritesNestedDocumentsThatParseBack) {
  JsonWriter w;
  w.BeginObject().FieldInt("infcode", 0).Field("err_msg", "quote \" slash \\ newline \n tab \t bell \x07 中文");
  w.Key("output").BeginObject().FieldMoney("medfee_sumamt", 12345).FieldMoney("refund", -5);
  w.Key("list").BeginArray().Int(1).String("two").Null().Bool(true).BeginObject().EndObject().EndArray();
  w.Key("ratio").Decimal(9550, 4).Key("raw").Raw("[1,2]");
  w.EndObject().EndObject();
  const auto j = nlohmann::json::parse(w.str());
  EXPECT_EQ(j["infcode"], 0);
  EXPECT_EQ(j["err_msg"], "quote \" slash \\ newline \n tab \t bell \x07 中文");
  EXPECT_EQ(j["output"]["medfee_sumamt"], 123.45);
  EXPECT_EQ(j["output"]["refund"], -0.05);
  EXPECT_EQ(j["output"]["list"].size(), 5u);
  EXPECT_EQ(j["output"]["ratio"], 0.955);
  EXPECT_EQ(j["output"]["raw"][1], 2);
  // Keys keep the order they were written in.
  EXPECT_EQ(w.str().rfind("{\"infcode\":0,", 0), 0u);
}

}  // namespace
}  // namespace xt
