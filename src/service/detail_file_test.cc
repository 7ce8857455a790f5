// The detail file of a 3202: each amount reaches the records 3202 reads as
// the file's own decimal text, also where a double could not hold it.
#include "service/detail_file.h"

#include <gtest/gtest.h>

#include <string>

namespace xt::service {
namespace {

TEST(DetailFile, AmountsAreWrittenDigitForDigit) {
  JsonDoc data;
  ASSERT_EQ(data.Parse(R"({"insutype":"310","clr_type":"11"})", 4), JsonDoc::Parsed::kOk);
  // 0.29 and 0.30 have no exact double; 2^53 + 1 fen and 16 digits of yuan
  // (the most ParseDecimal takes) have no double of their own at all.
  for (const char* amount : {"0.29", "0.30", "-0.01", "12345678901.23", "90071992547409.93",
                             "9999999999999999.99"}) {
    const std::string file = std::string("S1\tM1\tP1\t") + amount + "\t0.10\t" + amount + "\t0\n";
    auto records = DetailRecordsJson(file, data.root(), 1 << 20);
    ASSERT_TRUE(records.ok()) << records.status().ToString();
    JsonDoc doc;
    ASSERT_EQ(doc.Parse(*records, 8), JsonDoc::Parsed::kOk) << *records;
    ASSERT_EQ(doc.root().size(), 1u);
    const JsonValue& r = doc.root()[0];
    EXPECT_EQ(r.Find("medfee_sumamt")->number_text(), amount) << *records;
    EXPECT_EQ(r.Find("acct_pay")->number_text(), amount) << *records;
    EXPECT_EQ(r.Find("fund_pay_sumamt")->number_text(), "0.10") << *records;
    EXPECT_EQ(r.Find("insutype")->string(), "310");
    EXPECT_EQ(r.Find("clr_type")->string(), "11");
  }
}

TEST(DetailFile, AnAmountOfThreePlacesIsRefusedNamingTheLine) {
  JsonDoc data;
  ASSERT_EQ(data.Parse("{}", 4), JsonDoc::Parsed::kOk);
  auto records = DetailRecordsJson("setl_id\nS1\tM1\tP1\t1.234\t0\t0\t0\n", data.root(), 1 << 20);
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), "XT-FILE-001");
  EXPECT_NE(records.status().message().find("line 2"), std::string::npos) << records.status().message();
}

}  // namespace
}  // namespace xt::service
