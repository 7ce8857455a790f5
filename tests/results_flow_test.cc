// Mutual recognition of results over the running system: a real SQLite
// file and the HTTP server on 127.0.0.1, called as the hospitals, the
// patient and the agencies would. Hospitals publish a Xingtai patient's lab
// result and CT; a Tianjin hospital with an open visit checks them before
// ordering (a day before and a day after expiry), an institution that lost
// its qualification, an item Beijing recognises but Hebei does not yet, a
// look refused without a visit, the audit of every look and the patient's
// list of them, decisions, statistics. Then the same from the command line.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "http/routes.h"
#include "http/server.h"
#include "results/book.h"
#include "service/results_service.h"
#include "test_env.h"

namespace xt::testing {
namespace {

using json = nlohmann::json;

constexpr const char* kPatient = "1305000000000001";   // Xingtai, Hebei (data/README.md)
constexpr const char* kTianjin = "H12010300001";       // the treating hospital, Tianjin, level 3
constexpr const char* kHebei = "H13010200001";         // Shijiazhuang, level 3: made the first tests
constexpr const char* kBeijing = "H11010100001";       // Beijing, level 3
constexpr const char* kShahe = "H13058200001";         // loses its qualification on 2024-07-01
constexpr const char* kOtherTianjin = "H12010100001";  // no visit of the patient

class ResultsFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = std::make_unique<Env>(std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".db",
                                 "2024-05-07 08:00:00");
    http::ServerOptions o;
    o.port = 0;
    o.threads = 4;
    o.access_log = false;
    server_ = std::make_unique<http::HttpServer>(env_->Services(), o);
    ASSERT_TRUE(server_->Bind().ok());
    thread_ = std::thread([this] { (void)server_->Serve(); });
  }
  void TearDown() override {
    server_->Stop();
    thread_.join();
  }

  httplib::Client Client(const std::string& key) {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(10, 0);
    c.set_bearer_token_auth(key);
    return c;
  }
  std::string Hospital(const char* code) { return env_->Key(service::Role::kHospital, code); }

  // A visit of the patient at `inst`, registered at `begin`, open unless `state` says otherwise.
  void OpenVisit(const std::string& inst, const char* begin, const char* state = "registered",
                 const std::string& psn_no = kPatient) {
    store::VisitRow v;
    v.mdtrt_id = "V" + inst + psn_no + std::to_string(++visits_);
    v.psn_no = psn_no;
    v.fixmedins_code = inst;
    v.insutype = "310";
    v.med_type = "11";
    v.begntime = *ParseLocalTime(begin);
    v.state = state;
    if (std::string(state) != "registered") v.endtime = v.begntime + 3600;
    ASSERT_TRUE(env_->store->Write([&](store::WriteTxn& txn) { return txn.settlements().InsertVisit(v); }).ok());
  }

  static json Lab(const std::string& id, const std::string& inst, const std::string& item, const std::string& unit,
                  const char* taken) {
    const LocalSeconds t = *ParseLocalTime(taken);
    return json{{"result_id", id},        {"kind", "lab"},     {"psn_no", kPatient},
                {"fixmedins_code", inst}, {"item_code", item},  {"taken_at", taken},
                {"reported_at", FormatLocalTime(t + 3 * 3600)}, {"value", "4.12"},
                {"unit", unit},           {"reference_range", "3.5-5.3"}};
  }
  static json HeadCt(const std::string& id, const std::string& inst, const char* taken) {
    const LocalSeconds t = *ParseLocalTime(taken);
    return json{{"result_id", id},       {"kind", "imaging"},          {"psn_no", kPatient},
                {"fixmedins_code", inst}, {"item_code", "JC12001"},    {"taken_at", taken},
                {"reported_at", FormatLocalTime(t + 2 * 3600)},         {"modality", "CT"},
                {"body_part", "头颅"},   {"findings", "脑实质未见明显异常密度影。"},
                {"image_ref", "1.2.840.113619.2.55.3.1"}};
  }

  // POSTs as the institution that made the test; the answer's JSON.
  json Publish(const json& body, int want_status = 200) {
    auto c = Client(Hospital(body["fixmedins_code"].get<std::string>().c_str()));
    auto res = c.Post("/api/v1/results", body.dump(), "application/json");
    EXPECT_TRUE(res);
    if (!res) return json();
    EXPECT_EQ(res->status, want_status) << res->body;
    return json::parse(res->body);
  }

  std::pair<int, json> Check(const std::string& key, const std::string& items, const std::string& at,
                             const std::string& psn_no = kPatient) {
    auto c = Client(key);
    auto res = c.Get("/api/v1/persons/" + psn_no + "/recognised", httplib::Params{{"items", items}, {"at", at}}, httplib::Headers{});
    EXPECT_TRUE(res);
    if (!res) return {0, json()};
    return {res->status, json::parse(res->body)};
  }

  std::vector<store::AuditRow> Audit(const std::string& action) {
    std::vector<store::AuditRow> out;
    EXPECT_TRUE(env_->store->Read([&](store::ReadTxn& txn) {
      return txn.access().ForEachAudit(1, [&](const store::AuditRow& r) {
        if (r.action == action) out.push_back(r);
        return true;
      });
    }).ok());
    return out;
  }

  std::unique_ptr<Env> env_;
  std::unique_ptr<http::HttpServer> server_;
  std::thread thread_;
  int visits_ = 0;
};

TEST_F(ResultsFlowTest, LabAndImagingOfOnePatientRecognisedUntilTheyExpire) {
  // Published in Hebei on 2024-05-01: potassium (7 days) and a head CT (30 days).
  json k = Publish(Lab("H13010200001-L0001", kHebei, "JY01001", "mmol/L", "2024-05-01 08:00:00"));
  EXPECT_EQ(k["hr_mark"], true);
  EXPECT_EQ(k["origin"], "marked");
  EXPECT_EQ(k["abbr"], "K");
  json ct = Publish(HeadCt("H13010200001-C0001", kHebei, "2024-05-01 09:00:00"));
  EXPECT_EQ(ct["hr_mark"], true);
  EXPECT_EQ(ct["kind"], "imaging");

  OpenVisit(kTianjin, "2024-05-07 07:30:00");
  const std::string doctor = Hospital(kTianjin);
  // A day before K expires (2024-05-08 08:00:00): both recognised, each saying why.
  auto [status, a] = Check(doctor, "K,Na,CT-HEAD", "2024-05-07 08:00:00");
  ASSERT_EQ(status, 200) << a.dump();
  ASSERT_EQ(a["items"].size(), 3u);
  EXPECT_EQ(a["region"], "120000");
  const json& kk = a["items"][0];
  EXPECT_EQ(kk["abbr"], "K");
  EXPECT_EQ(kk["status"], "recognised");
  ASSERT_EQ(kk["recognised"].size(), 1u);
  EXPECT_EQ(kk["recognised"][0]["result_id"], "H13010200001-L0001");
  EXPECT_EQ(kk["recognised"][0]["expires_at"], "2024-05-08 08:00:00");
  EXPECT_NE(kk["recognised"][0]["why"].get<std::string>().find("HR-marked"), std::string::npos);
  EXPECT_EQ(a["items"][1]["abbr"], "Na");
  EXPECT_EQ(a["items"][1]["refusal"], "no_result");
  EXPECT_FALSE(a["items"][1]["why_not"].get<std::string>().empty());
  EXPECT_EQ(a["items"][2]["abbr"], "CT-HEAD");
  EXPECT_EQ(a["items"][2]["status"], "recognised");
  EXPECT_EQ(a["items"][2]["recognised"][0]["expires_at"], "2024-05-31 09:00:00");

  // The last second, and a day after: expired, the CT still good.
  auto [s1, last] = Check(doctor, "K", "2024-05-08 07:59:59");
  EXPECT_EQ(last["items"][0]["status"], "recognised");
  auto [s2, after] = Check(doctor, "K,CT-HEAD", "2024-05-09 08:00:00");
  ASSERT_EQ(s2, 200);
  EXPECT_EQ(after["items"][0]["refusal"], "expired");
  EXPECT_EQ(after["items"][0]["closest_result_id"], "H13010200001-L0001");
  EXPECT_EQ(after["items"][1]["status"], "recognised");

  // Newest first when there are two.
  Publish(Lab("H13010200001-L0002", kHebei, "JY01001", "mmol/L", "2024-05-03 08:00:00"));
  auto [s3, two] = Check(doctor, "k", "2024-05-07 08:00:00");
  ASSERT_EQ(two["items"][0]["recognised"].size(), 2u);
  EXPECT_EQ(two["items"][0]["recognised"][0]["result_id"], "H13010200001-L0002");
}

TEST_F(ResultsFlowTest, PublishingIsIdempotentAndOnlyForTheOwnInstitution) {
  const json body = Lab("H13010200001-L0100", kHebei, "JY01001", "mmol/L", "2024-05-01 08:00:00");
  const json first = Publish(body);
  env_->clock.AdvanceMillis(60'000);
  EXPECT_EQ(Publish(body), first);  // a retry: the first answer, word for word
  json changed = body;
  changed["value"] = "5.01";
  EXPECT_EQ(Publish(changed, 409)["err_code"], "XT-RES-010");
  // Another hospital's key cannot publish for Hebei's hospital.
  auto c = Client(Hospital(kTianjin));
  auto res = c.Post("/api/v1/results", body.dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  // Field errors of the module: a unit that is not the item's.
  EXPECT_EQ(Publish(Lab("H13010200001-L0101", kHebei, "JY01001", "mg/dL", "2024-05-01 08:00:00"), 400)["err_code"],
            "XT-RES-004");
  // A resident's key may not publish.
  auto r = Client(env_->Key(service::Role::kResident, kPatient)).Post("/api/v1/results", body.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  // GET on the POST route: 405.
  auto g = c.Get("/api/v1/results");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->status, 405);
}

TEST_F(ResultsFlowTest, AnInstitutionThatLostItsQualification) {
  env_->clock.Set(*ParseLocalTime("2024-07-03 10:00:00"));
  // Taken the last day it was qualified, and the day after it lost it.
  json before = Publish(Lab("H13058200001-L1", kShahe, "JY01001", "mmol/L", "2024-06-30 08:00:00"));
  EXPECT_EQ(before["hr_mark"], true);
  json after = Publish(Lab("H13058200001-L2", kShahe, "JY01002", "mmol/L", "2024-07-02 08:00:00"));
  EXPECT_EQ(after["hr_mark"], false);
  EXPECT_EQ(after["origin"], "not_qualified");

  OpenVisit(kTianjin, "2024-07-03 09:00:00");
  auto [status, a] = Check(Hospital(kTianjin), "K,Na", "2024-07-03 10:00:00");
  ASSERT_EQ(status, 200) << a.dump();
  EXPECT_EQ(a["items"][0]["status"], "recognised");  // the mark belongs to the day of the test
  EXPECT_EQ(a["items"][1]["refusal"], "not_qualified");
  EXPECT_EQ(a["items"][1]["closest_result_id"], "H13058200001-L2");
}

TEST_F(ResultsFlowTest, AnItemRecognisedInBeijingButNotYetInHebei) {
  // Homocysteine, Beijing, 2024-05-01: Tianjin lists it; Hebei only from 2025-01-01.
  json hcy = Publish(Lab("H11010100001-L1", kBeijing, "JY01024", "umol/L", "2024-05-01 08:00:00"));
  EXPECT_EQ(hcy["hr_mark"], true);
  OpenVisit(kTianjin, "2024-05-07 07:00:00");
  OpenVisit(kHebei, "2024-05-07 07:00:00");
  auto [s1, tianjin] = Check(Hospital(kTianjin), "Hcy", "2024-05-07 08:00:00");
  ASSERT_EQ(s1, 200);
  EXPECT_EQ(tianjin["items"][0]["status"], "recognised");
  auto [s2, hebei] = Check(Hospital(kHebei), "Hcy", "2024-05-07 08:00:00");
  ASSERT_EQ(s2, 200);
  EXPECT_EQ(hebei["region"], "130000");
  EXPECT_EQ(hebei["items"][0]["refusal"], "not_listed_here");
}

TEST_F(ResultsFlowTest, EveryLookIsAuditedAndThePatientSeesWhoLooked) {
  Publish(Lab("H13010200001-L0001", kHebei, "JY01001", "mmol/L", "2024-05-01 08:00:00"));
  OpenVisit(kTianjin, "2024-05-07 07:30:00");
  OpenVisit(kOtherTianjin, "2024-05-01 07:30:00", "settled");  // ended: no longer open

  auto [ok_status, ok] = Check(Hospital(kTianjin), "K", "2024-05-07 08:00:00");
  EXPECT_EQ(ok_status, 200);
  auto [refused_status, refused] = Check(Hospital(kOtherTianjin), "K", "2024-05-07 08:00:00");
  EXPECT_EQ(refused_status, 403);
  EXPECT_EQ(refused["err_code"], "XT-RES-001");
  auto [agency_status, agency] = Check(env_->Key(service::Role::kAgency, "120000"), "K", "2024-05-07 08:00:00");
  EXPECT_EQ(agency_status, 403);

  // The audit log holds every one, allowed or refused, with its outcome.
  const auto audit = Audit("GET /api/v1/persons/{psn_no}/recognised");
  ASSERT_EQ(audit.size(), 3u);
  EXPECT_EQ(audit[0].outcome, "ok");
  EXPECT_EQ(audit[0].subject, kPatient);
  EXPECT_EQ(audit[1].outcome, "XT-RES-001");
  EXPECT_NE(audit[1].detail.find(kOtherTianjin), std::string::npos);
  EXPECT_EQ(audit[2].outcome, "XT-AUTH-003");

  // The patient lists who looked, newest first.
  auto me = Client(env_->Key(service::Role::kResident, kPatient));
  auto res = me.Get(std::string("/api/v1/persons/") + kPatient + "/result-looks");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const json looks = json::parse(res->body)["looks"];
  ASSERT_EQ(looks.size(), 2u);
  EXPECT_EQ(looks[0]["fixmedins_code"], kOtherTianjin);
  EXPECT_EQ(looks[0]["outcome"], "XT-RES-001");
  EXPECT_EQ(looks[1]["fixmedins_code"], kTianjin);
  EXPECT_EQ(looks[1]["outcome"], "ok");
  EXPECT_EQ(looks[1]["items"], "JY01001");
  EXPECT_FALSE(looks[1]["fixmedins_name"].get<std::string>().empty());
  // Reading the list is audited too; another resident may not read it.
  EXPECT_EQ(Audit("GET /api/v1/persons/{psn_no}/result-looks").size(), 1u);
  auto other = Client(env_->Key(service::Role::kResident, "1305000000000002"))
                   .Get(std::string("/api/v1/persons/") + kPatient + "/result-looks");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403);
  // Tianjin's agency sees the looks of Tianjin's institutions; Hebei's sees none of them.
  auto tj = Client(env_->Key(service::Role::kAgency, "120000"))
                .Get(std::string("/api/v1/persons/") + kPatient + "/result-looks");
  ASSERT_TRUE(tj);
  EXPECT_EQ(json::parse(tj->body)["looks"].size(), 2u);
  auto hb = Client(env_->Key(service::Role::kAgency, "130000"))
                .Get(std::string("/api/v1/persons/") + kPatient + "/result-looks");
  ASSERT_TRUE(hb);
  EXPECT_EQ(json::parse(hb->body)["looks"].size(), 0u);
  // The chain still verifies with all of these in it.
  EXPECT_GE(Audit("POST /api/v1/results").size(), 1u);
}

TEST_F(ResultsFlowTest, DecisionsAndStatistics) {
  Publish(Lab("H13010200001-L0001", kHebei, "JY01001", "mmol/L", "2024-05-01 08:00:00"));
  Publish(HeadCt("H13010200001-C0001", kHebei, "2024-05-01 09:00:00"));
  OpenVisit(kTianjin, "2024-05-07 07:30:00");
  const std::string doctor = Hospital(kTianjin);
  auto [s, a] = Check(doctor, "K,CT-HEAD", "2024-05-07 08:00:00");
  ASSERT_EQ(s, 200);

  auto c = Client(doctor);
  auto post = [&](const json& body) {
    auto res = c.Post("/api/v1/results/decisions", body.dump(), "application/json");
    EXPECT_TRUE(res);
    return res ? std::make_pair(res->status, json::parse(res->body)) : std::make_pair(0, json());
  };
  const json accept = {{"decision_id", "D-1"}, {"psn_no", kPatient}, {"item_code", "JY01001"},
                       {"result_id", "H13010200001-L0001"}, {"kind", "accepted"}};
  auto [d1s, d1] = post(accept);
  ASSERT_EQ(d1s, 200) << d1.dump();
  EXPECT_EQ(d1["fixmedins_code"], kTianjin);
  EXPECT_EQ(post(accept), std::make_pair(200, d1));  // a retry
  json other = accept;
  other["kind"] = "repeated";
  other["reason"] = "emergency";
  EXPECT_EQ(post(other).first, 409);  // same decision_id, another body
  const json repeat = {{"decision_id", "D-2"},         {"psn_no", kPatient},         {"item_code", "CT-HEAD"},
                       {"result_id", "H13010200001-C0001"}, {"kind", "repeated"},   {"reason", "condition_changed"}};
  auto [rs, rj] = post(repeat);
  EXPECT_EQ(rs, 200);
  EXPECT_EQ(rj["fee_saved_fen"], 0) << "a repeated test saves nothing";
  json bad = accept;
  bad["decision_id"] = "D-3";
  bad["reason"] = "emergency";  // accepted with a reason
  auto [bs, bj] = post(bad);
  EXPECT_EQ(bs, 400);
  EXPECT_EQ(bj["err_code"], "XT-RES-006");
  json wrong = accept;
  wrong["decision_id"] = "D-4";
  wrong["result_id"] = "nope";
  EXPECT_EQ(post(wrong).second["err_code"], "XT-RES-007");
  // Without an open visit there is nothing to decide.
  auto other_doctor = Client(Hospital(kOtherTianjin));
  json elsewhere = accept;
  elsewhere["decision_id"] = "D-5";
  auto res = other_doctor.Post("/api/v1/results/decisions", elsewhere.dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);

  // Statistics of May 2024: Tianjin's agency, the hospital itself.
  const Fen k_price = env_->ref->recognition
                          .PriceOf(&env_->ref->catalog, env_->ref->recognition.FindItem("JY01001"), "120103",
                                   DateOf(env_->clock.NowLocal()))
                          .price_fen;
  ASSERT_GT(k_price, 0);
  // The doctor is told what the accepted result spared, priced as the
  // statistics price it.
  EXPECT_EQ(d1["fee_saved_fen"], k_price);
  EXPECT_EQ(d1["fee_priced"], true);
  for (const std::string& key : {env_->Key(service::Role::kAgency, "120000"), doctor}) {
    auto st = Client(key).Get("/api/v1/results/statistics", httplib::Params{{"from", "2024-05"}, {"to", "2024-05"}}, httplib::Headers{});
    ASSERT_TRUE(st);
    ASSERT_EQ(st->status, 200) << st->body;
    const json j = json::parse(st->body);
    ASSERT_EQ(j["rows"].size(), 1u) << j.dump();
    const json& row = j["rows"][0];
    EXPECT_EQ(row["region"], "120000");
    EXPECT_EQ(row["fixmedins_code"], kTianjin);
    EXPECT_EQ(row["month"], "2024-05");
    EXPECT_EQ(row["checks"], 1);
    EXPECT_EQ(row["items_recognised"], 2);
    EXPECT_EQ(row["results_accepted"], 1);
    EXPECT_EQ(row["tests_avoided"], 1);
    EXPECT_EQ(row["tests_repeated"], 1);
    EXPECT_EQ(row["repeated_condition_changed"], 1);
    EXPECT_EQ(row["fees_saved_fen"], k_price);
  }
  // Hebei's agency sees nothing of Tianjin's; asking for Tianjin is refused.
  auto hb = Client(env_->Key(service::Role::kAgency, "130000"));
  auto none = hb.Get("/api/v1/results/statistics");
  ASSERT_TRUE(none);
  EXPECT_EQ(json::parse(none->body)["rows"].size(), 0u);
  auto refused = hb.Get("/api/v1/results/statistics", httplib::Params{{"region", "120000"}}, httplib::Headers{});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  // Another month: empty.
  auto june = Client(doctor).Get("/api/v1/results/statistics", httplib::Params{{"from", "2024-06"}}, httplib::Headers{});
  ASSERT_TRUE(june);
  EXPECT_EQ(json::parse(june->body)["rows"].size(), 0u);
}

// The command line, as the local operator, on a database file.
TEST(ResultsCliTest, PublishCheckDecideStats) {
  const std::string db = FreshDbPath("results-cli.db");
  auto run = [&](const std::string& args) {
    std::string out;
    FILE* p = ::popen((std::string(XT_BINARY) + " " + args + " --db '" + db + "' 2>/dev/null").c_str(), "r");
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int rc = ::pclose(p);
    return std::make_pair(WEXITSTATUS(rc), out);
  };
  ASSERT_EQ(run("init --json").first, 0);
  const std::string file = db + ".results.jsonl";
  {
    std::ofstream f(file);
    f << R"({"result_id":"CLI-1","kind":"lab","psn_no":"1305000000000001","fixmedins_code":"H13010200001",)"
         R"("item_code":"JY01001","taken_at":"2024-05-01 08:00:00","reported_at":"2024-05-01 11:00:00",)"
         R"("value":"4.1","unit":"mmol/L"})"
      << "\n";
  }
  auto [rc, out] = run("results publish " + file);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("\"hr_mark\":true"), std::string::npos) << out;
  // No open visit at the checking institution: refused, exit 1.
  auto [crc, cout_] = run("results check 1305000000000001 --items K --fixmedins H12010300001 --at '2024-05-02 08:00:00'");
  EXPECT_EQ(crc, 1);
  EXPECT_NE(cout_.find("XT-RES-001"), std::string::npos) << cout_;
  auto [lrc, lout] = run("results looks 1305000000000001");
  EXPECT_EQ(lrc, 0);
  EXPECT_NE(lout.find("XT-RES-001"), std::string::npos) << lout;
  auto [src, sout] = run("results stats --region 120000");
  EXPECT_EQ(src, 0);
  EXPECT_NE(sout.find("\"rows\":[]"), std::string::npos) << sout;
}

// The patient's own list: each result with where it counts now, from her
// own key; nobody else's list, and no institution's look at it this way.
TEST_F(ResultsFlowTest, TheResidentSeesHerResultsAndWhereEachCounts) {
  Publish(Lab("H13010200001-L0001", kHebei, "JY01001", "mmol/L", "2024-05-01 08:00:00"));  // K: 7 days
  Publish(HeadCt("H13010200001-C0001", kHebei, "2024-05-06 09:00:00"));                   // CT: 30 days
  // The demo clock is 2024-05-07 08:00: K expires 2024-05-08 08:00.
  auto res = Client(env_->Key(service::Role::kResident, kPatient)).Get(std::string("/api/v1/persons/") + kPatient + "/results");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const json j = json::parse(res->body);
  ASSERT_EQ(j["results"].size(), 2u) << j.dump();
  std::map<std::string, json> by_id;
  for (const json& r : j["results"]) by_id[r["result_id"]] = r;
  const json& k = by_id["H13010200001-L0001"];
  EXPECT_EQ(k["abbr"], "K");
  EXPECT_EQ(k["fixmedins_code"], kHebei);
  EXPECT_FALSE(k["fixmedins_name"].get<std::string>().empty());
  ASSERT_EQ(k["recognition"].size(), 3u);
  for (const json& where : k["recognition"]) {
    EXPECT_EQ(where["status"], "recognised") << where.dump();
    EXPECT_EQ(where["expires_at"], "2024-05-08 08:00:00") << where.dump();
  }
  EXPECT_EQ(by_id["H13010200001-C0001"]["recognition"][1]["expires_at"], "2024-06-05 09:00:00");
  // Audited as a read of her data.
  EXPECT_EQ(Audit("GET /api/v1/persons/{psn_no}/results").size(), 1u);

  // Another resident, an agency, a hospital: refused.
  auto other = Client(env_->Key(service::Role::kResident, "1100000000000001")).Get(std::string("/api/v1/persons/") + kPatient + "/results");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403);
  auto agency = Client(env_->Key(service::Role::kAgency, "130000")).Get(std::string("/api/v1/persons/") + kPatient + "/results");
  ASSERT_TRUE(agency);
  EXPECT_EQ(agency->status, 403);
}

}  // namespace
}  // namespace xt::testing
