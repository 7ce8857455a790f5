// The catalogue loader: data/catalog.json loads, shares a core of codes
// across the three regions, differs where data/README.md says it does, and
// honours effective dates; each kind of bad document is refused with its code.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "catalog/catalog.h"

namespace xt::catalog {
namespace {

using Json = nlohmann::json;

std::string ReadDataFile(const std::string& name) {
  std::ifstream in(std::string(XT_SOURCE_DIR) + "/data/" + name, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open data/" << name;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Date D(int y, int m, int d) { return Date::FromCivil(y, m, d); }

class CatalogDataTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    catalog_ = new Catalog;
    const Status s = LoadCatalogJson(ReadDataFile("catalog.json"), catalog_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  static void TearDownTestSuite() {
    delete catalog_;
    catalog_ = nullptr;
  }
  // The code of the item of this name in a region (first version).
  static std::string CodeOf(const std::string& region, const std::string& name) {
    for (const ItemVersion* v : catalog_->ItemsOf(region)) {
      if (v->name == name) return v->code;
    }
    ADD_FAILURE() << "no item " << name << " in " << region;
    return {};
  }
  static Catalog* catalog_;
};
Catalog* CatalogDataTest::catalog_ = nullptr;

const char* const kRegions[] = {"110000", "120000", "130000"};

TEST_F(CatalogDataTest, EachRegionListsAtLeast200ItemsOfEveryKind) {
  EXPECT_EQ(catalog_->Regions(), (std::vector<std::string>{"110000", "120000", "130000"}));
  for (const char* region : kRegions) {
    std::set<std::string> codes;
    std::map<ItemKind, int> kinds;
    for (const ItemVersion* v : catalog_->ItemsOf(region)) {
      codes.insert(v->code);
      ++kinds[v->kind];
      // Only 乙 carries an upfront self-pay share.
      if (v->charge_class != ChargeClass::kB) { EXPECT_EQ(v->selfpay_prop_bp, 0) << region << " " << v->code; }
      if (v->kind == ItemKind::kConsumable) { EXPECT_TRUE(v->price_cap_fen.has_value()) << v->code; }
    }
    EXPECT_GE(codes.size(), 200u) << region;
    EXPECT_GE(kinds[ItemKind::kDrug], 100) << region;
    EXPECT_GE(kinds[ItemKind::kService], 40) << region;
    EXPECT_GE(kinds[ItemKind::kConsumable], 20) << region;
  }
}

TEST_F(CatalogDataTest, ACoreOfCodesIsSharedAndSomeCodesAreLocal) {
  std::map<std::string, int> regions_of;
  for (const char* region : kRegions) {
    std::set<std::string> codes;
    for (const ItemVersion* v : catalog_->ItemsOf(region)) codes.insert(v->code);
    for (const std::string& c : codes) ++regions_of[c];
  }
  int shared = 0, local = 0;
  for (const auto& [code, n] : regions_of) {
    if (n == 3) ++shared;
    if (n == 1) ++local;
  }
  EXPECT_GE(shared, 200);
  EXPECT_GE(local, 6);
}

TEST_F(CatalogDataTest, HebeiClassBSharesFollowThePublishedRatios) {
  // 5% for ordinary 乙 items since 2021-03-01; 20% for negotiated tumour drugs.
  int ordinary = 0, tumour = 0;
  for (const ItemVersion* v : catalog_->ItemsOf("130000")) {
    if (v->charge_class != ChargeClass::kB) continue;
    EXPECT_TRUE(v->selfpay_prop_bp == 500 || v->selfpay_prop_bp == 2000) << v->code;
    (v->selfpay_prop_bp == 500 ? ordinary : tumour)++;
    EXPECT_GE(v->validity.begin, D(2021, 3, 1)) << v->code;
  }
  EXPECT_GE(ordinary, 100);
  EXPECT_GE(tumour, 5);
  const ItemVersion* osimertinib = catalog_->Find("130503", CodeOf("130000", "甲磺酸奥希替尼片"), D(2023, 6, 1));
  ASSERT_NE(osimertinib, nullptr);
  EXPECT_EQ(osimertinib->selfpay_prop_bp, 2000);
  EXPECT_TRUE(osimertinib->price_cap_fen.has_value());
}

TEST_F(CatalogDataTest, TheTreatmentPlaceDecides) {
  const Date on = D(2023, 6, 1);
  // Glucosamine: 乙 in Beijing, 丙 in Tianjin and Hebei.
  const std::string glucosamine = CodeOf("110000", "硫酸氨基葡萄糖胶囊");
  ASSERT_NE(catalog_->Find("110105", glucosamine, on), nullptr);
  EXPECT_EQ(catalog_->Find("110105", glucosamine, on)->charge_class, ChargeClass::kB);
  EXPECT_EQ(catalog_->Find("120103", glucosamine, on)->charge_class, ChargeClass::kC);
  EXPECT_EQ(catalog_->Find("130502", glucosamine, on)->charge_class, ChargeClass::kC);

  // Acupuncture: 甲 in Beijing; 乙 at 5% in Tianjin and Hebei; caps follow local prices.
  const std::string acupuncture = CodeOf("110000", "普通针刺");
  const ItemVersion* bj = catalog_->Find("110000", acupuncture, on);
  const ItemVersion* tj = catalog_->Find("120000", acupuncture, on);
  const ItemVersion* he = catalog_->Find("130000", acupuncture, on);
  ASSERT_TRUE(bj && tj && he);
  EXPECT_EQ(bj->charge_class, ChargeClass::kA);
  EXPECT_EQ(tj->charge_class, ChargeClass::kB);
  EXPECT_EQ(tj->selfpay_prop_bp, 500);
  EXPECT_EQ(he->selfpay_prop_bp, 500);
  EXPECT_GT(*bj->price_cap_fen, *tj->price_cap_fen);
  EXPECT_GT(*tj->price_cap_fen, *he->price_cap_fen);

  // A code listed in one region only.
  const std::string village = CodeOf("130000", "村卫生室一般诊疗费");
  EXPECT_NE(catalog_->Find("130500", village, on), nullptr);
  EXPECT_EQ(catalog_->Find("120103", village, on), nullptr);
  EXPECT_EQ(catalog_->Find("110000", village, on), nullptr);
  // A region outside the catalogue lists nothing.
  EXPECT_EQ(catalog_->Find("140100", acupuncture, on), nullptr);
}

TEST_F(CatalogDataTest, VersionsChangeOnTheirDates) {
  const std::string liraglutide = CodeOf("120000", "利拉鲁肽注射液");
  const ItemVersion* before = catalog_->Find("120103", liraglutide, D(2023, 12, 31));
  const ItemVersion* after = catalog_->Find("120103", liraglutide, D(2024, 1, 1));
  ASSERT_TRUE(before && after);
  EXPECT_EQ(before->charge_class, ChargeClass::kC);
  EXPECT_EQ(after->charge_class, ChargeClass::kB);
  EXPECT_EQ(after->selfpay_prop_bp, 1000);

  const std::string vitamin_e = CodeOf("130000", "维生素E软胶囊");
  EXPECT_NE(catalog_->Find("130000", vitamin_e, D(2023, 12, 31)), nullptr);
  EXPECT_EQ(catalog_->Find("130000", vitamin_e, D(2024, 1, 1)), nullptr) << "dropped by the 2023 edition";

  const std::string semaglutide = CodeOf("110000", "司美格鲁肽注射液");
  EXPECT_EQ(catalog_->Find("110000", semaglutide, D(2023, 12, 31)), nullptr);
  EXPECT_NE(catalog_->Find("110000", semaglutide, D(2024, 1, 1)), nullptr) << "listed by the 2023 edition";
}

// ---- Bad documents.

Json GoodItem() {
  return Json::parse(R"({"code": "XJ01CAA040A001010102699", "name": "阿莫西林胶囊", "kind": "drug",
                         "class": "乙", "price_cap_fen": null, "selfpay_prop_bp": 500,
                         "begin": "2021-03-01", "end": null})");
}

TEST(CatalogLoadTest, AValidDocumentLoads) {
  Json later = GoodItem();
  later["begin"] = "2024-01-01";
  later["class"] = "甲";
  later["selfpay_prop_bp"] = 0;
  Json first = GoodItem();
  first["end"] = "2024-01-01";
  Json service = GoodItem();
  service["code"] = "001102000010000";
  service["kind"] = "service";
  service["price_cap_fen"] = 1000;
  Json consumable = GoodItem();
  consumable["code"] = "C01010100100000000000000000";
  consumable["kind"] = "consumable";
  const Json doc = {{"130000", Json::array({later, first, service, consumable})}};
  Catalog c;
  const Status s = LoadCatalogJson(doc.dump(), &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.item_count(), 4u);
  EXPECT_EQ(c.Find("130500", "XJ01CAA040A001010102699", D(2023, 1, 1))->charge_class, ChargeClass::kB);
  EXPECT_EQ(c.Find("130500", "XJ01CAA040A001010102699", D(2024, 1, 1))->charge_class, ChargeClass::kA);
  EXPECT_EQ(*c.Find("130000", "001102000010000", D(2024, 1, 1))->price_cap_fen, 1000);
}

TEST(CatalogLoadTest, BadDocumentsAreRefused) {
  struct Mutation {
    const char* what;
    std::function<void(Json&)> change;
    const char* code;
  };
  const std::vector<Mutation> cases = {
      {"missing class", [](Json& i) { i.erase("class"); }, "XT-DATA-002"},
      {"unknown field", [](Json& i) { i["memo"] = ""; }, "XT-DATA-002"},
      {"cap as a string", [](Json& i) { i["price_cap_fen"] = "100"; }, "XT-DATA-002"},
      {"ratio as a decimal", [](Json& i) { i["selfpay_prop_bp"] = 500.5; }, "XT-DATA-002"},
      {"end as a number", [](Json& i) { i["end"] = 20240101; }, "XT-DATA-002"},
      {"ratio above 10000", [](Json& i) { i["selfpay_prop_bp"] = 10001; }, "XT-DATA-003"},
      {"negative ratio", [](Json& i) { i["selfpay_prop_bp"] = -1; }, "XT-DATA-003"},
      {"甲 with a self-pay share", [](Json& i) { i["class"] = "甲"; }, "XT-DATA-003"},
      {"丙 with a self-pay share", [](Json& i) { i["class"] = "丙"; }, "XT-DATA-003"},
      {"unknown class", [](Json& i) { i["class"] = "丁"; }, "XT-DATA-003"},
      {"unknown kind", [](Json& i) { i["kind"] = "device"; }, "XT-DATA-003"},
      {"drug code of 22 characters", [](Json& i) { i["code"] = "XJ01CAA040A00101010269"; }, "XT-DATA-003"},
      {"lower-case code", [](Json& i) { i["code"] = "xj01caa040a001010102699"; }, "XT-DATA-003"},
      {"consumable not starting with C",
       [](Json& i) {
         i["kind"] = "consumable";
         i["code"] = "D01010100100000000000000000";
       },
       "XT-DATA-003"},
      {"service code of 51 characters",
       [](Json& i) {
         i["kind"] = "service";
         i["code"] = std::string(51, '1');
       },
       "XT-DATA-003"},
      {"negative cap", [](Json& i) { i["price_cap_fen"] = -1; }, "XT-DATA-003"},
      {"impossible date", [](Json& i) { i["begin"] = "2021-02-30"; }, "XT-DATA-003"},
      {"compact date", [](Json& i) { i["begin"] = "20210301"; }, "XT-DATA-003"},
      {"end before begin", [](Json& i) { i["end"] = "2021-03-01"; }, "XT-DATA-003"},
      {"empty name", [](Json& i) { i["name"] = ""; }, "XT-DATA-003"},
  };
  for (const Mutation& c : cases) {
    Json item = GoodItem();
    c.change(item);
    Catalog cat;
    const Status s = LoadCatalogJson(Json{{"120000", Json::array({item})}}.dump(), &cat);
    EXPECT_EQ(s.code(), c.code) << c.what << ": " << s.ToString();
    EXPECT_NE(s.message().find("catalog 120000 item"), std::string::npos) << c.what << ": " << s.message();
    EXPECT_EQ(cat.item_count(), 0u) << c.what << ": a refused document adds nothing";
  }

  struct DocCase {
    const char* what;
    std::string doc;
    const char* code;
  };
  Json overlapping = GoodItem();
  overlapping["begin"] = "2023-01-01";
  Json other_kind = GoodItem();
  other_kind["begin"] = "2030-01-01";
  other_kind["kind"] = "service";
  const std::vector<DocCase> docs = {
      {"not JSON", "{\"110000\": [", "XT-DATA-001"},
      {"an array at the top", "[]", "XT-DATA-002"},
      {"an empty object", "{}", "XT-DATA-002"},
      {"items not an array", R"({"110000": {}})", "XT-DATA-002"},
      {"a city as region", Json{{"130500", Json::array({GoodItem()})}}.dump(), "XT-DATA-003"},
      {"a region key of letters", Json{{"beijing", Json::array({GoodItem()})}}.dump(), "XT-DATA-003"},
      {"overlapping versions", Json{{"110000", Json::array({GoodItem(), overlapping})}}.dump(), "XT-DATA-004"},
      {"the same version twice", Json{{"110000", Json::array({GoodItem(), GoodItem()})}}.dump(), "XT-DATA-004"},
      {"versions of different kinds", Json{{"110000", Json::array({GoodItem(), other_kind})}}.dump(), "XT-DATA-003"},
  };
  for (const DocCase& c : docs) {
    Catalog cat;
    const Status s = LoadCatalogJson(c.doc, &cat);
    EXPECT_EQ(s.code(), c.code) << c.what << ": " << s.ToString();
    EXPECT_EQ(cat.item_count(), 0u) << c.what;
  }
}

}  // namespace
}  // namespace xt::catalog
