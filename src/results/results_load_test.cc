// The recognition data: data/recognition.json loads against the real
// registry and catalogue, holds the published item lists, and differs where
// data/README.md says it does; each kind of bad document is refused with its
// code and leaves the book as it was.
#include <gtest/gtest.h>

#include <set>

#include "results/test_data.h"

namespace xt::results {
namespace {

using testing::Data;
using testing::Item;
using testing::ReadDataFile;
using testing::Region;

Date D(int y, int m, int d) { return Date::FromCivil(y, m, d); }

std::set<std::string> AbbrsOf(const std::string& category) {
  std::set<std::string> out;
  for (const results::Item& it : Data().book.items()) {
    if (it.category == category) out.insert(it.abbr);
  }
  return out;
}

TEST(RecognitionData, HoldsThePublishedItemLists) {
  EXPECT_EQ(AbbrsOf("biochemistry"),
            (std::set<std::string>{"K", "Na", "Cl", "Ca", "P", "TP", "Alb", "TC", "TG", "Cre", "Urea", "UA",
                                   "Glu", "ALT", "AST", "GGT", "LDH", "CK", "HDL-C", "LDL-C", "HbA1c", "Amy",
                                   "ALP", "Hcy"}));
  EXPECT_EQ(AbbrsOf("immunology").size(), 19u);
  EXPECT_TRUE(AbbrsOf("immunology").count("HBsAg") && AbbrsOf("immunology").count("beta-HCG"));
  EXPECT_EQ(AbbrsOf("blood_cell").size(), 5u);
  EXPECT_EQ(AbbrsOf("xray").size(), 7u);
  EXPECT_EQ(AbbrsOf("ct").size(), 5u);
  EXPECT_EQ(AbbrsOf("mri").size(), 5u);
  EXPECT_EQ(Data().book.regions(), (std::vector<std::string>{"110000", "120000", "130000"}));
  EXPECT_EQ(Data().book.institution_count(), Data().registry.institutions().size());
}

TEST(RecognitionData, EveryItemHasAUnitOrAModalityAndASampleValidity) {
  for (const results::Item& it : Data().book.items()) {
    SCOPED_TRACE(it.code);
    EXPECT_TRUE(it.sample);
    if (it.kind == ItemKind::kLab) {
      EXPECT_FALSE(it.unit.empty());
    } else {
      EXPECT_NE(it.modality, Modality::kNone);
      EXPECT_FALSE(it.body_part.empty());
    }
    ASSERT_NE(Data().book.VersionOn(static_cast<ItemId>(&it - Data().book.items().data()), D(2024, 6, 1)), nullptr);
  }
  // HbA1c's validity changes on 2024-07-01 (60 -> 90 days).
  EXPECT_EQ(Data().book.VersionOn(Item("HbA1c"), D(2024, 6, 30))->validity_days, 60);
  EXPECT_EQ(Data().book.VersionOn(Item("HbA1c"), D(2024, 7, 1))->validity_days, 90);
}

TEST(RecognitionData, HcyIsRecognisedInBeijingButNotYetInHebei) {
  const Book& b = Data().book;
  EXPECT_TRUE(b.Listed(Region("110000"), Item("Hcy"), D(2024, 6, 1)));
  EXPECT_TRUE(b.Listed(Region("120000"), Item("Hcy"), D(2024, 6, 1)));
  EXPECT_FALSE(b.Listed(Region("130000"), Item("Hcy"), D(2024, 6, 1)));
  EXPECT_FALSE(b.Listed(Region("130000"), Item("Hcy"), D(2024, 12, 31)));
  EXPECT_TRUE(b.Listed(Region("130000"), Item("Hcy"), D(2025, 1, 1)));
  // PCT: Beijing only.
  EXPECT_TRUE(b.Listed(Region("110000"), Item("PCT"), D(2024, 6, 1)));
  EXPECT_FALSE(b.Listed(Region("120000"), Item("PCT"), D(2024, 6, 1)));
}

TEST(RecognitionData, ShaheTownshipHospitalLosesItsQualificationOn20240701) {
  const Book& b = Data().book;
  const InstitutionId shahe = b.FindInstitution("H13058200001");
  ASSERT_NE(shahe, kNoInstitution);
  EXPECT_TRUE(b.Qualified(shahe, Item("K"), D(2024, 6, 30)));
  EXPECT_FALSE(b.Qualified(shahe, Item("K"), D(2024, 7, 1)));
  // Level 1: no imaging.
  EXPECT_FALSE(b.Qualified(shahe, Item("CT-HEAD"), D(2024, 6, 30)));
  // Level 3: everything.
  EXPECT_TRUE(b.Qualified(b.FindInstitution("H12010300001"), Item("MR-KNEE"), D(2024, 6, 30)));
}

TEST(RecognitionData, EveryListedItemHasAPriceWhereItIsListed) {
  const Book& b = Data().book;
  for (const char* region : {"110000", "120000", "130000"}) {
    for (size_t i = 0; i < b.items().size(); ++i) {
      const ItemId item = static_cast<ItemId>(i);
      if (!b.Listed(Region(region), item, D(2024, 6, 1))) continue;
      const Price p = b.PriceOf(&Data().catalog, item, region, D(2024, 6, 1));
      EXPECT_NE(p.source, PriceSource::kNone) << region << " " << b.item(item).abbr;
      EXPECT_GT(p.price_fen, 0) << region << " " << b.item(item).abbr;
      // Items linked to the catalogue are priced from it.
      EXPECT_EQ(p.source == PriceSource::kCatalog, !b.item(item).catalog_code.empty()) << b.item(item).abbr;
    }
  }
}

// A minimal valid document, changed by each case into a bad one.
std::string Doc(const std::string& item_extra = "", const std::string& listing_begin = "2023-01-01",
                const std::string& extra_listing = "", const std::string& qual_inst = "H12010300001",
                int validity_days = 7) {
  return R"({"items": [{"code":"JY01001","abbr":"K","name":"钾","kind":"lab","category":"biochemistry","modality":null,)"
         R"("body_part":null,"unit":"mmol/L","catalog_code":null,"sample":true,"validity_days":)" +
         std::to_string(validity_days) + R"(,"begin":"2023-01-01","end":null)" + item_extra + R"(}],
  "listings": [{"region":"120000","items":["JY01001"],"begin":")" + listing_begin +
         R"(","end":null,"source":"sample"})" + extra_listing + R"(],
  "qualifications": [{"fixmedins_code":")" + qual_inst + R"(","items":["JY01001"],"begin":"2023-01-01","end":null}],
  "prices": [{"region":"120000","item":"JY01001","price_fen":600,"begin":"2023-01-01","end":null}]})";
}

TEST(RecognitionLoad, AMinimalDocumentLoads) {
  Book book;
  const Status s = LoadRecognitionJson(Doc(), Data().registry, &book);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(book.items().size(), 1u);
  EXPECT_TRUE(book.Qualified(book.FindInstitution("H12010300001"), 0, D(2024, 1, 1)));
}

TEST(RecognitionLoad, RefusesBadDocumentsWithStableCodes) {
  struct Case {
    const char* name;
    std::string doc;
    const char* code;
  };
  const Case cases[] = {
      {"not JSON", "{", "XT-DATA-001"},
      {"unknown field", Doc(R"(,"colour":"red")"), "XT-DATA-002"},
      {"missing part", R"({"items": [], "listings": [], "qualifications": []})", "XT-DATA-002"},
      {"validity 0 days", Doc("", "2023-01-01", "", "H12010300001", 0), "XT-DATA-003"},
      {"bad date", Doc("", "2023-02-30"), "XT-DATA-003"},
      {"overlapping listing",
       Doc("", "2023-01-01", R"(,{"region":"120000","items":["JY01001"],"begin":"2024-01-01","end":null,"source":"x"})"),
       "XT-DATA-004"},
      {"unknown institution", Doc("", "2023-01-01", "", "H99999900001"), "XT-DATA-005"},
      {"unknown item in listing",
       Doc("", "2023-01-01", R"(,{"region":"110000","items":["JY09999"],"begin":"2023-01-01","end":null,"source":"x"})"),
       "XT-DATA-005"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Book book;
    ASSERT_TRUE(LoadRecognitionJson(Doc(), Data().registry, &book).ok());
    const Status s = LoadRecognitionJson(c.doc, Data().registry, &book);
    EXPECT_EQ(s.code(), c.code) << s.ToString();
    EXPECT_EQ(book.items().size(), 1u) << "a refused document changes nothing";
  }
}

TEST(RecognitionLoad, TheRealFileIsWhatItsGeneratorMakes) {
  // The byte-for-byte check is data/tools/check_generated.sh (CTest
  // data_generated_reproducible); here only that the file is there and loads.
  Book book;
  EXPECT_TRUE(LoadRecognitionJson(ReadDataFile("recognition.json"), Data().registry, &book).ok());
  EXPECT_EQ(book.items().size(), Data().book.items().size());
}

}  // namespace
}  // namespace xt::results
