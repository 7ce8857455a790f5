// The registry's loaders: the default dataset under data/ loads and meets its
// counts (and the demo person and hospital are there), and each kind of bad
// document is refused with its stable code.
#include "registry/registry.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/idcard.h"
#include "policy/policy.h"

namespace xt::registry {
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

class RegistryDataTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registry_ = new Registry;
    ASSERT_TRUE(LoadRegionsJson(ReadDataFile("regions.json"), registry_).ok());
    ASSERT_TRUE(LoadInstitutionsJson(ReadDataFile("institutions.json"), registry_).ok());
  }
  static void TearDownTestSuite() {
    delete registry_;
    registry_ = nullptr;
  }
  static Registry* registry_;
};
Registry* RegistryDataTest::registry_ = nullptr;

TEST_F(RegistryDataTest, RegionsCoverTheThreeProvincesInCodeOrder) {
  const auto& regions = registry_->regions();
  ASSERT_GE(regions.size(), 200u);
  std::map<int, int> per_level;
  for (size_t i = 0; i < regions.size(); ++i) {
    ++per_level[regions[i].level];
    if (i > 0) { EXPECT_LT(regions[i - 1].code, regions[i].code); }
    const std::string province = regions[i].code.substr(0, 2);
    EXPECT_TRUE(province == "11" || province == "12" || province == "13") << regions[i].code;
  }
  EXPECT_EQ(per_level[1], 3);
  EXPECT_EQ(per_level[2], 13);  // Beijing and Tianjin 市辖区, Hebei's 11 cities

  const Region* xingtai = registry_->FindRegion("130500");
  ASSERT_NE(xingtai, nullptr);
  EXPECT_EQ(xingtai->name, "邢台市");
  EXPECT_EQ(xingtai->parent, "130000");
  EXPECT_EQ(xingtai->level, 2);
  const Region* hebei = registry_->FindRegion("130000");
  ASSERT_NE(hebei, nullptr);
  EXPECT_EQ(hebei->name, "河北省");
  EXPECT_EQ(hebei->parent, "");
  const Region* hexi = registry_->FindRegion("120103");
  ASSERT_NE(hexi, nullptr);
  EXPECT_EQ(hexi->name, "河西区");
  EXPECT_EQ(hexi->level, 3);
  EXPECT_EQ(registry_->FindRegion("140000"), nullptr);  // Shanxi is not in the dataset
}

TEST_F(RegistryDataTest, InstitutionsSpanTheThreeRegions) {
  const auto& all = registry_->institutions();
  ASSERT_GE(all.size(), 30u);
  std::map<std::string, int> per_province;
  int xingtai = 0, shijiazhuang = 0;
  for (const Institution& i : all) {
    ++per_province[i.admdvs.substr(0, 2)];
    if (i.admdvs.starts_with("1305")) ++xingtai;
    if (i.admdvs.starts_with("1301")) ++shijiazhuang;
    EXPECT_TRUE(i.sample) << i.fixmedins_code;
    EXPECT_NE(i.name.find("样例"), std::string::npos) << i.name << " must read as a sample";
    const Region* r = registry_->FindRegion(i.admdvs);
    ASSERT_NE(r, nullptr) << i.fixmedins_code;
    EXPECT_EQ(r->level, 3) << i.fixmedins_code << " sits in a district";
  }
  EXPECT_GE(per_province["11"], 9);
  EXPECT_GE(per_province["12"], 9);
  EXPECT_GE(per_province["13"], 9);
  EXPECT_GE(xingtai, 3);
  EXPECT_GE(shijiazhuang, 3);

  // The demo hospital: a level-3 hospital in Tianjin's Hexi district.
  const Institution* demo = registry_->FindInstitution("H12010300001");
  ASSERT_NE(demo, nullptr);
  EXPECT_EQ(demo->name, "天津市第一样例医院");
  EXPECT_EQ(demo->admdvs, "120103");
  EXPECT_EQ(demo->hosp_lv, 3);
  EXPECT_EQ(registry_->FindInstitution("H99999999999"), nullptr);
}

TEST_F(RegistryDataTest, PersonsAreManyValidAndVaried) {
  std::vector<Person> persons;
  const Status s = LoadPersonsJson(ReadDataFile("persons.json"), *registry_, &persons);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_GE(persons.size(), 1000u);

  const Date on = D(2024, 6, 1);
  std::map<std::string, int> per_type, per_insuplc;
  std::set<policy::PersonCategory> categories;
  int with_filings = 0, retired_70 = 0;
  for (const Person& p : persons) {
    const auto id = ParseIdNumber(p.certno);
    ASSERT_TRUE(id.has_value()) << p.psn_no;
    EXPECT_EQ(id->birth, p.birth) << p.psn_no;
    EXPECT_EQ(id->male, p.gend == "1") << p.psn_no;
    EXPECT_EQ(p.card_no, p.certno) << p.psn_no;
    const Enrollment& current = p.enrollments.back();
    EXPECT_EQ(p.psn_no.substr(0, 6), current.insuplc_admdvs) << p.psn_no;
    ++per_type[current.psn_type];
    ++per_insuplc[current.insuplc_admdvs];
    const auto cat = policy::CategoryOf(current.psn_type, p.birth, on);
    ASSERT_TRUE(cat.has_value()) << p.psn_no;
    categories.insert(*cat);
    if (*cat == policy::PersonCategory::kRetired70) ++retired_70;
    if (!p.filings.empty()) ++with_filings;
    if (current.insutype == "390") { EXPECT_EQ(current.opening_acct_balance_fen, 0) << p.psn_no; }
  }
  for (const char* t : {"1101", "1201", "1401", "1402", "1403", "1404"}) EXPECT_GE(per_type[t], 20) << t;
  EXPECT_EQ(categories.size(), policy::kCategoryCount);
  EXPECT_GE(retired_70, 20);
  EXPECT_GE(with_filings, 50);
  for (const char* r : {"110000", "120000", "130100", "130500", "130200", "130400", "130600"}) {
    EXPECT_GE(per_insuplc[r], 20) << r;
  }
  for (const auto& [r, n] : per_insuplc) {
    const Region* region = registry_->FindRegion(r);
    ASSERT_NE(region, nullptr);
    // Beijing and Tianjin insure at the province, Hebei at its cities.
    EXPECT_EQ(region->level, r.starts_with("13") ? 2 : 1) << r;
  }

  // The first person is the demo scenario: a Xingtai employee in service.
  const Person& demo = persons.front();
  EXPECT_EQ(demo.psn_no, "1305000000000001");
  EXPECT_TRUE(demo.certno.starts_with("1305")) << "born in a Xingtai district";
  EXPECT_EQ(demo.gend, "2");
  ASSERT_EQ(demo.enrollments.size(), 1u);
  EXPECT_EQ(demo.enrollments[0].insutype, "310");
  EXPECT_EQ(demo.enrollments[0].insuplc_admdvs, "130500");
  EXPECT_EQ(demo.enrollments[0].psn_type, "1101");
  EXPECT_EQ(demo.enrollments[0].psn_insu_stas, "1");
  EXPECT_EQ(demo.enrollments[0].opening_acct_balance_fen, 300000);
  EXPECT_TRUE(demo.enrollments[0].validity.Contains(D(2023, 3, 1)));
  EXPECT_TRUE(demo.filings.empty());
}

// ---- Bad documents: each refused with its stable code.

struct BadCase {
  const char* what;
  std::string doc;
  const char* code;
};

std::string Regions(const Json& extra) {
  Json doc = Json::array({{{"code", "990000"}, {"name", "测试省"}, {"parent", ""}, {"level", 1}}});
  for (const Json& r : extra) doc.push_back(r);
  return doc.dump();
}

TEST(RegistryLoadTest, BadRegionDocumentsAreRefused) {
  const Json city = {{"code", "990100"}, {"name", "测试市"}, {"parent", "990000"}, {"level", 2}};
  auto with = [&](const char* key, const Json& value) {
    Json c = city;
    c[key] = value;
    return Regions(Json::array({c}));
  };
  Json missing_name = city;
  missing_name.erase("name");
  Json extra_field = city;
  extra_field["population"] = 1;
  const std::vector<BadCase> cases = {
      {"not JSON", "[{\"code\": ", "XT-DATA-001"},
      {"not an array", "{}", "XT-DATA-002"},
      {"missing name", Regions(Json::array({missing_name})), "XT-DATA-002"},
      {"unknown field", Regions(Json::array({extra_field})), "XT-DATA-002"},
      {"level as a string", with("level", "2"), "XT-DATA-002"},
      {"code of 5 digits", with("code", "99010"), "XT-DATA-003"},
      {"code with a letter", with("code", "99010A"), "XT-DATA-003"},
      {"level 4", with("level", 4), "XT-DATA-003"},
      {"parent not one level up", with("parent", "990001"), "XT-DATA-003"},
      {"code not fitting its level", with("code", "990101"), "XT-DATA-003"},
      {"duplicate code", Regions(Json::array({city, city})), "XT-DATA-004"},
      {"unknown parent", Regions(Json::array({{{"code", "980100"}, {"name", "无省市"}, {"parent", "980000"}, {"level", 2}}})),
       "XT-DATA-005"},
  };
  for (const BadCase& c : cases) {
    Registry reg;
    const Status s = LoadRegionsJson(c.doc, &reg);
    EXPECT_EQ(s.code(), c.code) << c.what << ": " << s.ToString();
    EXPECT_TRUE(reg.regions().empty()) << c.what << ": a refused document adds nothing";
  }
  Registry reg;
  ASSERT_TRUE(LoadRegionsJson(Regions(Json::array({city})), &reg).ok());
  EXPECT_EQ(reg.regions().size(), 2u);
}

TEST(RegistryLoadTest, BadInstitutionDocumentsAreRefused) {
  Registry reg;
  ASSERT_TRUE(LoadRegionsJson(Regions(Json::array({{{"code", "990100"}, {"name", "测试市"}, {"parent", "990000"}, {"level", 2}},
                                                    {{"code", "990101"}, {"name", "测试区"}, {"parent", "990100"}, {"level", 3}}})),
                              &reg)
                  .ok());
  const Json good = {{"fixmedins_code", "H99010100001"}, {"name", "测试样例医院"}, {"admdvs", "990101"},
                     {"hosp_lv", 3}, {"sample", true}};
  auto with = [&](const char* key, const Json& value) {
    Json i = good;
    i[key] = value;
    return Json::array({i}).dump();
  };
  Json missing_lv = good;
  missing_lv.erase("hosp_lv");
  const std::vector<BadCase> cases = {
      {"not JSON", "[", "XT-DATA-001"},
      {"missing hosp_lv", Json::array({missing_lv}).dump(), "XT-DATA-002"},
      {"sample as a string", with("sample", "yes"), "XT-DATA-002"},
      {"code of 11 characters", with("fixmedins_code", "H9901010001"), "XT-DATA-003"},
      {"code without H", with("fixmedins_code", "X99010100001"), "XT-DATA-003"},
      {"code not carrying its admdvs", with("fixmedins_code", "H99010200001"), "XT-DATA-003"},
      {"level 0", with("hosp_lv", 0), "XT-DATA-003"},
      {"empty name", with("name", ""), "XT-DATA-003"},
      {"duplicate code", Json::array({good, good}).dump(), "XT-DATA-004"},
      {"unknown region",
       Json::array({{{"fixmedins_code", "H99010900001"}, {"name", "测试样例医院"}, {"admdvs", "990109"}, {"hosp_lv", 3},
                     {"sample", true}}})
           .dump(),
       "XT-DATA-005"},
  };
  for (const BadCase& c : cases) {
    const Status s = LoadInstitutionsJson(c.doc, &reg);
    EXPECT_EQ(s.code(), c.code) << c.what << ": " << s.ToString();
    EXPECT_TRUE(reg.institutions().empty()) << c.what;
  }
  ASSERT_TRUE(LoadInstitutionsJson(Json::array({good}).dump(), &reg).ok());
  // Loading the same institution again is a duplicate of what is held.
  EXPECT_EQ(LoadInstitutionsJson(Json::array({good}).dump(), &reg).code(), "XT-DATA-004");
}

class RegistryPersonLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(LoadRegionsJson(ReadDataFile("regions.json"), &registry_).ok());
  }
  // A valid person: 11010519491231002X is the worked example of GB 11643.
  static Json Good() {
    return Json::parse(R"({
      "psn_no": "1100000000009999", "certno": "11010519491231002X", "psn_name": "测试人",
      "gend": "2", "birth": "1949-12-31", "card_no": "11010519491231002X", "card_sn": "A00000001",
      "enrollments": [{"insutype": "310", "insuplc_admdvs": "110000", "psn_type": "1201",
                       "psn_insu_stas": "1", "cvlserv_flag": false, "begin": "1999-01-01", "end": null,
                       "opening_acct_balance_fen": 123456}],
      "filings": [{"mdtrtarea_admvs": "130000", "kind": "residence", "begin": "2020-05-01", "end": null}]
    })");
  }
  Status Load(const Json& doc) {
    std::vector<Person> out;
    const Status s = LoadPersonsJson(doc.dump(), registry_, &out);
    if (!s.ok()) { EXPECT_TRUE(out.empty()) << "a refused document adds nothing"; }
    return s;
  }
  Registry registry_;
};

TEST_F(RegistryPersonLoadTest, AValidPersonLoads) {
  std::vector<Person> out;
  const Status s = LoadPersonsJson(Json::array({Good()}).dump(), registry_, &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].birth, D(1949, 12, 31));
  EXPECT_EQ(out[0].enrollments[0].opening_acct_balance_fen, 123456);
  EXPECT_FALSE(out[0].enrollments[0].validity.end.has_value());
  ASSERT_EQ(out[0].filings.size(), 1u);
  EXPECT_EQ(out[0].filings[0].kind, "residence");
}

TEST_F(RegistryPersonLoadTest, BadPersonDocumentsAreRefused) {
  struct Mutation {
    const char* what;
    std::function<void(Json&)> change;
    const char* code;
  };
  const std::vector<Mutation> cases = {
      {"missing enrollments", [](Json& p) { p.erase("enrollments"); }, "XT-DATA-002"},
      {"unknown field", [](Json& p) { p["nickname"] = "x"; }, "XT-DATA-002"},
      {"cvlserv_flag as 0", [](Json& p) { p["enrollments"][0]["cvlserv_flag"] = 0; }, "XT-DATA-002"},
      {"balance as a decimal", [](Json& p) { p["enrollments"][0]["opening_acct_balance_fen"] = 12.5; }, "XT-DATA-002"},
      {"wrong check character", [](Json& p) { p["certno"] = "110105194912310021"; }, "XT-DATA-003"},
      {"lower-case x", [](Json& p) { p["certno"] = "11010519491231002x"; }, "XT-DATA-003"},
      {"birth not matching the ID", [](Json& p) { p["birth"] = "1949-12-30"; }, "XT-DATA-003"},
      {"gender not matching the ID", [](Json& p) { p["gend"] = "1"; }, "XT-DATA-003"},
      {"impossible birth date", [](Json& p) { p["birth"] = "1949-02-30"; }, "XT-DATA-003"},
      {"psn_no of 15 digits", [](Json& p) { p["psn_no"] = "110000000000999"; }, "XT-DATA-003"},
      {"resident with a balance",
       [](Json& p) {
         p["enrollments"][0]["insutype"] = "390";
         p["enrollments"][0]["psn_type"] = "1403";
       },
       "XT-DATA-003"},
      {"employee with a resident type", [](Json& p) { p["enrollments"][0]["psn_type"] = "1404"; }, "XT-DATA-003"},
      {"insutype 320", [](Json& p) { p["enrollments"][0]["insutype"] = "320"; }, "XT-DATA-003"},
      {"end before begin", [](Json& p) { p["enrollments"][0]["end"] = "1998-12-31"; }, "XT-DATA-003"},
      {"enrolled before birth", [](Json& p) { p["enrollments"][0]["begin"] = "1940-01-01"; }, "XT-DATA-003"},
      {"negative balance", [](Json& p) { p["enrollments"][0]["opening_acct_balance_fen"] = -1; }, "XT-DATA-003"},
      {"status 3", [](Json& p) { p["enrollments"][0]["psn_insu_stas"] = "3"; }, "XT-DATA-003"},
      {"filing to a city", [](Json& p) { p["filings"][0]["mdtrtarea_admvs"] = "130500"; }, "XT-DATA-003"},
      {"filing of an unknown kind", [](Json& p) { p["filings"][0]["kind"] = "holiday"; }, "XT-DATA-003"},
      {"overlapping enrollments",
       [](Json& p) { p["enrollments"].push_back(p["enrollments"][0]); },
       "XT-DATA-004"},
      {"unknown insurance region", [](Json& p) { p["enrollments"][0]["insuplc_admdvs"] = "140100"; }, "XT-DATA-005"},
      {"psn_no of an unknown region", [](Json& p) { p["psn_no"] = "1400000000009999"; }, "XT-DATA-005"},
      {"filing to an unknown province", [](Json& p) { p["filings"][0]["mdtrtarea_admvs"] = "140000"; }, "XT-DATA-005"},
  };
  for (const Mutation& c : cases) {
    Json person = Good();
    c.change(person);
    const Status s = Load(Json::array({person}));
    EXPECT_EQ(s.code(), c.code) << c.what << ": " << s.ToString();
    EXPECT_NE(s.message().find("person"), std::string::npos) << c.what << ": the message names the record";
  }

  EXPECT_EQ(Load(Json::parse("{}")).code(), "XT-DATA-002");
  std::vector<Person> out;
  EXPECT_EQ(LoadPersonsJson("[{\"psn_no\": 1", registry_, &out).code(), "XT-DATA-001");
  Json twin = Good();
  EXPECT_EQ(Load(Json::array({Good(), twin})).code(), "XT-DATA-004") << "same psn_no";
  twin["psn_no"] = "1100000000009998";
  EXPECT_EQ(Load(Json::array({Good(), twin})).code(), "XT-DATA-004") << "same certno";
}

TEST_F(RegistryPersonLoadTest, MessagesNameTheRecordAndField) {
  Json person = Good();
  person["enrollments"][0]["opening_acct_balance_fen"] = -5;
  const Status s = Load(Json::array({person}));
  EXPECT_EQ(s.code(), "XT-DATA-003");
  EXPECT_NE(s.message().find("1100000000009999"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("enrollment #1"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("opening_acct_balance_fen"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace xt::registry
