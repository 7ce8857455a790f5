// The in-memory catalogue: versions by date, lookups by any code of the
// treatment province, refusal of overlapping versions.
#include "catalog/catalog.h"

#include <gtest/gtest.h>

namespace xt::catalog {
namespace {

Date D(int y, int m, int d) { return Date::FromCivil(y, m, d); }

ItemVersion Item(std::string code, ChargeClass cls, Date begin, std::optional<Date> end = std::nullopt) {
  ItemVersion v;
  v.code = std::move(code);
  v.name = "test item";
  v.charge_class = cls;
  v.validity = Validity{begin, end};
  return v;
}

TEST(CatalogTest, FindsTheVersionInForceByAnyCodeOfTheProvince) {
  Catalog c;
  // 甲 until 2023-04-01, 乙 from then on.
  ASSERT_TRUE(c.Add("120000", Item("X1", ChargeClass::kA, D(2021, 1, 1), D(2023, 4, 1))).ok());
  ASSERT_TRUE(c.Add("120000", Item("X1", ChargeClass::kB, D(2023, 4, 1))).ok());
  EXPECT_EQ(c.item_count(), 2u);

  struct Row {
    std::string region;
    Date on;
    std::optional<ChargeClass> want;  // nullopt: not listed
  };
  const Row rows[] = {
      {"120000", D(2020, 12, 31), std::nullopt},     // before the first version
      {"120000", D(2021, 1, 1), ChargeClass::kA},    // first day
      {"120104", D(2023, 3, 31), ChargeClass::kA},   // a district of Tianjin, last day of 甲
      {"120104", D(2023, 4, 1), ChargeClass::kB},    // end is exclusive
      {"129900", D(2030, 1, 1), ChargeClass::kB},    // open-ended
      {"110000", D(2023, 6, 1), std::nullopt},       // another province's catalogue
      {"1", D(2023, 6, 1), std::nullopt},            // not a region code
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.region + " " + r.on.ToString());
    const ItemVersion* v = c.Find(r.region, "X1", r.on);
    ASSERT_EQ(v != nullptr, r.want.has_value());
    if (v) {
      EXPECT_EQ(v->charge_class, *r.want);
    }
  }
  EXPECT_EQ(c.Find("120000", "X2", D(2023, 6, 1)), nullptr);
}

TEST(CatalogTest, GapsBetweenVersionsAreNotListed) {
  Catalog c;
  ASSERT_TRUE(c.Add("130000", Item("G", ChargeClass::kA, D(2021, 1, 1), D(2022, 1, 1))).ok());
  ASSERT_TRUE(c.Add("130000", Item("G", ChargeClass::kA, D(2023, 1, 1))).ok());
  EXPECT_NE(c.Find("130500", "G", D(2021, 6, 1)), nullptr);
  EXPECT_EQ(c.Find("130500", "G", D(2022, 6, 1)), nullptr);
  EXPECT_NE(c.Find("130500", "G", D(2023, 6, 1)), nullptr);
}

TEST(CatalogTest, RefusesOverlappingVersions) {
  Catalog c;
  ASSERT_TRUE(c.Add("110000", Item("O", ChargeClass::kA, D(2021, 1, 1), D(2023, 1, 1))).ok());
  const Status open = c.Add("110000", Item("O", ChargeClass::kB, D(2022, 12, 31)));
  EXPECT_EQ(open.code(), "XT-DATA-004") << open.ToString();
  const Status inside = c.Add("110000", Item("O", ChargeClass::kB, D(2021, 6, 1), D(2021, 7, 1)));
  EXPECT_EQ(inside.code(), "XT-DATA-004");
  // Touching is not overlapping; the same code in another province is another item.
  EXPECT_TRUE(c.Add("110000", Item("O", ChargeClass::kB, D(2023, 1, 1))).ok());
  EXPECT_TRUE(c.Add("120000", Item("O", ChargeClass::kB, D(2021, 1, 1))).ok());
  // Added out of order, still found by date.
  EXPECT_TRUE(c.Add("110000", Item("O", ChargeClass::kC, D(2019, 1, 1), D(2020, 1, 1))).ok());
  EXPECT_EQ(c.Find("110000", "O", D(2019, 5, 1))->charge_class, ChargeClass::kC);
  EXPECT_EQ(c.Find("110000", "O", D(2024, 5, 1))->charge_class, ChargeClass::kB);
}

TEST(CatalogTest, RefusesMalformedEntries) {
  Catalog c;
  EXPECT_EQ(c.Add("xx", Item("A", ChargeClass::kA, D(2021, 1, 1))).code(), "XT-DATA-003");
  EXPECT_EQ(c.Add("110000", Item("", ChargeClass::kA, D(2021, 1, 1))).code(), "XT-DATA-003");
  EXPECT_EQ(c.Add("110000", Item("A", ChargeClass::kA, D(2021, 1, 1), D(2021, 1, 1))).code(), "XT-DATA-003");
  ItemVersion bad_ratio = Item("A", ChargeClass::kB, D(2021, 1, 1));
  bad_ratio.selfpay_prop_bp = 10001;
  EXPECT_EQ(c.Add("110000", bad_ratio).code(), "XT-DATA-003");
  EXPECT_EQ(c.item_count(), 0u);
}

TEST(CatalogTest, RegionsAndItemsInOrder) {
  Catalog c;
  ASSERT_TRUE(c.Add("130000", Item("B", ChargeClass::kA, D(2022, 1, 1))).ok());
  ASSERT_TRUE(c.Add("110000", Item("Z", ChargeClass::kA, D(2021, 1, 1))).ok());
  ASSERT_TRUE(c.Add("110000", Item("A", ChargeClass::kA, D(2022, 1, 1))).ok());
  ASSERT_TRUE(c.Add("110000", Item("A", ChargeClass::kB, D(2020, 1, 1), D(2022, 1, 1))).ok());
  EXPECT_EQ(c.Regions(), (std::vector<std::string>{"110000", "130000"}));
  const std::vector<const ItemVersion*> items = c.ItemsOf("110105");
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0]->code, "A");
  EXPECT_EQ(items[0]->validity.begin, D(2020, 1, 1));
  EXPECT_EQ(items[1]->code, "A");
  EXPECT_EQ(items[1]->validity.begin, D(2022, 1, 1));
  EXPECT_EQ(items[2]->code, "Z");
  EXPECT_TRUE(c.ItemsOf("120000").empty());
}

TEST(CatalogTest, NamesAndCodes) {
  EXPECT_EQ(ProvinceOf("130503"), "130000");
  EXPECT_EQ(ProvinceOf("110000"), "110000");
  EXPECT_EQ(ItemKindName(ItemKind::kDrug), "drug");
  EXPECT_EQ(ItemKindName(ItemKind::kService), "service");
  EXPECT_EQ(ItemKindName(ItemKind::kConsumable), "consumable");
  EXPECT_EQ(ChargeClassName(ChargeClass::kA), "甲");
  EXPECT_EQ(ChargeClassName(ChargeClass::kB), "乙");
  EXPECT_EQ(ChargeClassName(ChargeClass::kC), "丙");
  EXPECT_EQ(ChargeClassCode(ChargeClass::kA), "01");
  EXPECT_EQ(ChargeClassCode(ChargeClass::kB), "02");
  EXPECT_EQ(ChargeClassCode(ChargeClass::kC), "03");
}

}  // namespace
}  // namespace xt::catalog
