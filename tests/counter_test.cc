// The cashier's counter over the real HTTP server on 127.0.0.1 and a real
// SQLite file: the demo patient's visit at the demo hospital from the card
// to the receipt, checked against the settlement the store kept; a retried
// click, a key reused for another request, reversal with its reason, the
// day's reconciliation, another hospital kept out, the sign-in renewed when
// it was closed, and each bad input with its code.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "http_util.h"
#include "service/audit.h"
#include "service/verify.h"
#include "test_env.h"
#include "tools/demo.h"

namespace xt::testing {
namespace {

using json = nlohmann::json;

constexpr const char* kDemoCertno = "130502198503160248";  // the demo patient's ID number (data/README.md)

struct Answer {
  int status = 0;
  json body;
  std::string err() const { return body.is_object() ? body.value("err_code", "") : ""; }
};

class CounterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = std::make_unique<Env>(std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".db");
    server_ = std::make_unique<RunningServer>(*env_, TestOptions());
    hospital_ = env_->ref->registry.FindInstitution(service::kDemoFixmedinsCode);
    ASSERT_NE(hospital_, nullptr);
    key_ = env_->Key(service::Role::kHospital, hospital_->fixmedins_code);
    for (const auto& inst : env_->ref->registry.institutions()) {
      if (inst.fixmedins_code != hospital_->fixmedins_code && ProvinceOf(inst.admdvs) == "120000") {
        other_key_ = env_->Key(service::Role::kHospital, inst.fixmedins_code);
        break;
      }
    }
    ASSERT_FALSE(other_key_.empty());
  }

  void TearDown() override {
    server_.reset();
    auto rep = service::Verify(*env_->store, nullptr);
    ASSERT_TRUE(rep.ok()) << rep.status().ToString();
    for (const auto& p : rep->problems) ADD_FAILURE() << p;
    auto audit = service::VerifyAudit(*env_->store);
    ASSERT_TRUE(audit.ok());
    for (const auto& p : audit->problems) ADD_FAILURE() << p;
  }

  Answer Send(const std::string& method, const std::string& path, const std::string& idempotency_key = "",
              const std::string& body = "", const std::string& key = "") {
    httplib::Client cli("127.0.0.1", server_->port());
    cli.set_read_timeout(10, 0);
    httplib::Headers h{{"Authorization", "Bearer " + (key.empty() ? key_ : key)}};
    if (!idempotency_key.empty()) h.emplace("Idempotency-Key", idempotency_key);
    auto res = method == "GET" ? cli.Get(path, h) : cli.Post(path, h, body, "application/json");
    Answer a;
    if (!res) {
      ADD_FAILURE() << "no answer to " << method << " " << path;
      return a;
    }
    a.status = res->status;
    a.body = json::parse(res->body, nullptr, false);
    EXPECT_FALSE(a.body.is_discarded()) << method << " " << path << " " << res->status << ": " << res->body;
    if (a.body.is_discarded()) a.body = json::object();
    if (a.status != 200) {
      EXPECT_TRUE(a.body.contains("err_code") && a.body.contains("err_msg")) << res->body;
    }
    return a;
  }
  Answer Post(const std::string& path, const std::string& idempotency_key, const json& body,
              const std::string& key = "") {
    return Send("POST", path, idempotency_key, body.dump(), key);
  }

  // An item of the Tianjin catalogue in force today: of class `cls`, with
  // or without a price cap.
  const catalog::ItemVersion* Item(catalog::ChargeClass cls, bool capped) {
    const Date today = DateOf(env_->clock.NowLocal());
    for (const auto* it : env_->ref->catalog.ItemsOf("120000")) {
      if (it->charge_class == cls && it->validity.Contains(today) && it->price_cap_fen.has_value() == capped &&
          (!capped || (*it->price_cap_fen >= 100 && it->selfpay_prop_bp > 0))) {
        return it;
      }
    }
    ADD_FAILURE() << "no such item in the Tianjin catalogue";
    return nullptr;
  }

  // Card, outpatient visit and two fee lines: an 甲 drug at 10 x 25.80 and
  // an 乙 item billed 20% over its price cap. Returns the mdtrt_id and
  // the bill in fen.
  std::pair<std::string, Fen> VisitWithFees(const std::string& prefix) {
    const Answer person = Send("GET", std::string("/api/v1/counter/persons?certno=") + kDemoCertno);
    EXPECT_EQ(person.status, 200) << person.body;
    const Answer opened = Post("/api/v1/counter/visits", prefix + "-open",
                               {{"kind", "outpatient"},
                                {"psn_no", person.body.value("psn_no", "")},
                                {"insutype", person.body.value("insutype", "")},
                                {"insuplc_admdvs", person.body.value("insuplc_admdvs", "")},
                                {"med_type", "11"},
                                {"dise_codg", "J06.900"},
                                {"dise_name", "急性上呼吸道感染"},
                                {"begntime", FormatLocalTime(env_->clock.NowLocal() - 3600)}});
    EXPECT_EQ(opened.status, 200) << opened.body;
    const std::string mdtrt_id = opened.body.value("mdtrt_id", "");
    const auto* a = Item(catalog::ChargeClass::kA, false);
    const auto* b = Item(catalog::ChargeClass::kB, true);
    if (!a || !b) return {mdtrt_id, 0};
    const Fen b_price_fen = *b->price_cap_fen * 12 / 10;
    const Answer fees = Post("/api/v1/counter/visits/" + mdtrt_id + "/fees", prefix + "-fees",
                             {{"fees", json::array({{{"med_list_codg", a->code}, {"cnt", "10"}, {"pric", "25.80"}},
                                                    {{"med_list_codg", b->code}, {"cnt", 1}, {"pric_fen", b_price_fen}}})}});
    EXPECT_EQ(fees.status, 200) << fees.body;
    EXPECT_EQ(fees.body["result"].size(), 2u) << fees.body;
    if (fees.body["result"].size() == 2) {
      EXPECT_EQ(fees.body["result"][0].value("hilist_name", ""), a->name);
      EXPECT_EQ(fees.body["result"][1].value("overlmt_amt_fen", Fen{-1}), b_price_fen - *b->price_cap_fen)
          << "the part over the cap, as the interface split it";
    }
    return {mdtrt_id, 25800 + b_price_fen};
  }

  std::unique_ptr<Env> env_;
  std::unique_ptr<RunningServer> server_;
  const registry::Institution* hospital_ = nullptr;
  std::string key_;
  std::string other_key_;
};

// The receipt's money, field by field against the stored settlement (in
// fen) and against its own yuan text.
void ExpectReceiptIs(const json& receipt, const json& stored) {
  for (const char* k : {"medfee_sumamt", "fund_pay_sumamt", "act_pay_dedc", "inscp_scp_amt", "preselfpay_amt",
                        "overlmt_selfpay", "fulamt_ownpay_amt", "psn_part_amt", "acct_pay", "psn_cash_pay",
                        "hosp_part_amt", "balc"}) {
    const std::string fen_key = std::string(k) + "_fen";
    ASSERT_TRUE(receipt.contains(fen_key)) << k;
    EXPECT_EQ(receipt[fen_key].get<Fen>(), stored.value(fen_key, Fen{-999999})) << k;
    EXPECT_EQ(receipt.value(k, ""), FormatFen(receipt[fen_key].get<Fen>())) << k;
  }
  ASSERT_EQ(receipt["funds"].size(), stored["funds"].size());
  Fen funds_fen = 0;
  for (size_t i = 0; i < receipt["funds"].size(); ++i) {
    EXPECT_EQ(receipt["funds"][i].value("fund_payamt_fen", Fen{-1}), stored["funds"][i].value("fund_payamt_fen", Fen{-2}));
    EXPECT_EQ(receipt["funds"][i].value("fund_pay_type", ""), stored["funds"][i].value("fund_pay_type", "?"));
    funds_fen += receipt["funds"][i].value("fund_payamt_fen", Fen{0});
  }
  EXPECT_EQ(funds_fen, receipt.value("fund_pay_sumamt_fen", Fen{-1})) << "the funds' lines add up to their total";
}

TEST_F(CounterTest, DemoPatientFromCardToReceiptAsTheStoreKeptIt) {
  // The card: the person, where she is insured, her account.
  const Answer person = Send("GET", std::string("/api/v1/counter/persons?certno=") + kDemoCertno);
  ASSERT_EQ(person.status, 200) << person.body;
  EXPECT_EQ(person.body.value("psn_no", ""), service::kDemoPsnNo);
  EXPECT_EQ(person.body.value("insuplc_admdvs", "").substr(0, 2), "13") << "insured in Hebei";
  EXPECT_FALSE(person.body.value("insutype", "").empty());
  ASSERT_TRUE(person.body.contains("balc_fen"));
  EXPECT_EQ(person.body.value("balc", ""), FormatFen(person.body["balc_fen"].get<Fen>()));
  EXPECT_GE(person.body["insuinfo"].size(), 1u);

  // The fee-line form's search finds an item by its code, with its cap.
  const auto* capped = Item(catalog::ChargeClass::kB, true);
  ASSERT_NE(capped, nullptr);
  const Answer items = Send("GET", "/api/v1/counter/items?limit=5&q=" + capped->code);
  ASSERT_EQ(items.status, 200) << items.body;
  ASSERT_GE(items.body["items"].size(), 1u);
  EXPECT_EQ(items.body["items"][0].value("med_list_codg", ""), capped->code);
  EXPECT_EQ(items.body["items"][0].value("hilist_name", ""), capped->name);
  EXPECT_EQ(items.body["items"][0].value("pric_uplmt_amt_fen", Fen{-1}), *capped->price_cap_fen);
  EXPECT_EQ(Send("GET", "/api/v1/counter/items?limit=3").body["items"].size(), 3u);

  const auto [mdtrt_id, bill_fen] = VisitWithFees("journey");
  ASSERT_FALSE(mdtrt_id.empty());
  const Answer visit = Send("GET", "/api/v1/counter/visits/" + mdtrt_id);
  ASSERT_EQ(visit.status, 200) << visit.body;
  EXPECT_EQ(visit.body.value("state", ""), "registered");
  EXPECT_EQ(visit.body["fee_lines"].size(), 2u);
  EXPECT_EQ(visit.body.value("medfee_sumamt_fen", Fen{-1}), bill_fen);
  EXPECT_TRUE(visit.body["setl_id"].is_null());

  // Pre-settlement: the receipt to be, and nothing settled.
  const Answer pre = Post("/api/v1/counter/visits/" + mdtrt_id + "/presettle", "journey-pre", json::object());
  ASSERT_EQ(pre.status, 200) << pre.body;
  EXPECT_EQ(pre.body["receipt"].value("medfee_sumamt_fen", Fen{-1}), bill_fen);
  EXPECT_EQ(env_->Settlements(), 0);

  // Settlement: the receipt equals, to the fen, what the store kept.
  const Answer settled = Post("/api/v1/counter/visits/" + mdtrt_id + "/settle", "journey-settle", json::object());
  ASSERT_EQ(settled.status, 200) << settled.body;
  const std::string setl_id = settled.body.value("setl_id", "");
  ASSERT_FALSE(setl_id.empty());
  EXPECT_FALSE(settled.body.value("replayed", true));
  const json& receipt = settled.body["receipt"];
  EXPECT_EQ(receipt.value("medfee_sumamt_fen", Fen{-1}), bill_fen);
  EXPECT_GT(receipt.value("preselfpay_amt_fen", Fen{0}), 0) << "the 乙 item's upfront self-pay";
  EXPECT_GT(receipt.value("overlmt_selfpay_fen", Fen{0}), 0) << "the part over the price cap";
  EXPECT_GT(receipt.value("fund_pay_sumamt_fen", Fen{0}), 0) << "past the deductible, the fund pays";
  const Answer stored = Send("GET", "/api/v1/settlements/" + setl_id);
  ASSERT_EQ(stored.status, 200) << stored.body;
  ExpectReceiptIs(receipt, stored.body);
  EXPECT_EQ(pre.body["receipt"], receipt) << "the pre-settlement said what the settlement did";
  EXPECT_EQ(env_->Settlements(), 1);

  // The same click again: the same settlement, once.
  const Answer again = Post("/api/v1/counter/visits/" + mdtrt_id + "/settle", "journey-settle", json::object());
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.body.value("setl_id", ""), setl_id);
  EXPECT_TRUE(again.body.value("replayed", false));
  EXPECT_EQ(again.body["receipt"], receipt);
  EXPECT_EQ(env_->Settlements(), 1);
  // The key reused for another request; a new click on a settled visit.
  const Answer reused = Post("/api/v1/counter/visits/" + mdtrt_id + "/settle", "journey-settle",
                             {{"acct_used_flag", "0"}});
  EXPECT_EQ(reused.status, 409) << reused.body;
  EXPECT_EQ(reused.err(), "XT-ENV-006");
  const Answer reused_for_pre = Post("/api/v1/counter/visits/" + mdtrt_id + "/presettle", "journey-settle", json::object());
  EXPECT_EQ(reused_for_pre.status, 409) << reused_for_pre.body;
  EXPECT_EQ(reused_for_pre.err(), "XT-ENV-006");
  const Answer twice = Post("/api/v1/counter/visits/" + mdtrt_id + "/settle", "journey-settle-2", json::object());
  EXPECT_EQ(twice.status, 422) << twice.body;
  EXPECT_EQ(twice.err(), "XT-CTR-004");
  EXPECT_EQ(env_->Settlements(), 1);

  // The visit as the counter shows it now.
  const Answer after = Send("GET", "/api/v1/counter/visits/" + mdtrt_id);
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(after.body.value("state", ""), "settled");
  EXPECT_EQ(after.body.value("setl_id", ""), setl_id);
  EXPECT_EQ(after.body["settlement"]["receipt"], receipt);

  // Reversal needs its reason; then the money goes back.
  const Answer no_reason = Post("/api/v1/counter/settlements/" + setl_id + "/reverse", "journey-rev", json::object());
  EXPECT_EQ(no_reason.status, 400);
  EXPECT_EQ(no_reason.err(), "XT-CTR-001");
  const Answer reversed =
      Post("/api/v1/counter/settlements/" + setl_id + "/reverse", "journey-rev", {{"reason", "sample: wrong insutype"}});
  ASSERT_EQ(reversed.status, 200) << reversed.body;
  EXPECT_EQ(reversed.body.value("orig_setl_id", ""), setl_id);
  EXPECT_EQ(reversed.body["receipt"].value("medfee_sumamt_fen", Fen{0}), -bill_fen);
  EXPECT_EQ(reversed.body["receipt"].value("acct_pay_fen", Fen{1}), -receipt.value("acct_pay_fen", Fen{0}));
  EXPECT_EQ(Send("GET", "/api/v1/settlements/" + setl_id).body.value("state", ""), "reversed");
  EXPECT_EQ(Send("GET", "/api/v1/counter/visits/" + mdtrt_id).body.value("state", ""), "registered");
  auto rows = service::ReadAudit(*env_->store, 1, 10000);
  ASSERT_TRUE(rows.ok());
  bool reason_kept = false;
  for (const auto& r : *rows) {
    if (r.subject == service::kDemoPsnNo && r.detail.find("sample: wrong insutype") != std::string::npos) reason_kept = true;
  }
  EXPECT_TRUE(reason_kept) << "the reversal's reason is in the audit log";
  int looks = 0;
  for (const auto& r : *rows) {
    if (r.action == "GET /api/v1/counter/visits/{mdtrt_id}" && r.subject == service::kDemoPsnNo) ++looks;
  }
  EXPECT_EQ(looks, 3) << "each look at the visit is in the audit log";

  // The day balances: the settlement and its reversal on both sides.
  const Answer day = Post("/api/v1/counter/reconcile", "journey-day",
                          {{"stmt_date", FormatLocalTime(env_->clock.NowLocal()).substr(0, 10)}});
  ASSERT_EQ(day.status, 200) << day.body.dump();
  EXPECT_EQ(day.body.value("stmt_rslt", ""), "0") << day.body;
  EXPECT_EQ(day.body["hospital"].value("fixmedins_setl_cnt", 0), 2);
  EXPECT_EQ(day.body["exchange"].value("fixmedins_setl_cnt", 0), 2);
  EXPECT_EQ(day.body["exchange"].value("medfee_sumamt_fen", Fen{-1}), 0) << "settled and reversed: net zero";
  EXPECT_EQ(day.body["groups"].size(), 1u);
}

TEST_F(CounterTest, InpatientStayAdmittedDischargedAndSettled) {
  const Answer opened = Post("/api/v1/counter/visits", "stay-open",
                             {{"kind", "inpatient"},
                              {"psn_no", service::kDemoPsnNo},
                              {"insutype", "310"},
                              {"dise_codg", "K35.800"},
                              {"dise_name", "急性阑尾炎"},
                              {"begntime", FormatLocalTime(env_->clock.NowLocal() - 3 * 86400)}});
  ASSERT_EQ(opened.status, 200) << opened.body;
  const std::string mdtrt_id = opened.body.value("mdtrt_id", "");
  EXPECT_EQ(opened.body.value("med_type", ""), "21");
  const auto* a = Item(catalog::ChargeClass::kA, false);
  ASSERT_NE(a, nullptr);
  const std::string base = "/api/v1/counter/visits/" + mdtrt_id;
  ASSERT_EQ(Post(base + "/fees", "stay-fees", {{"fees", json::array({{{"med_list_codg", a->code}, {"cnt", "3"}, {"pric_fen", 39999}}})}}).status, 200);
  const Answer early = Post(base + "/settle", "stay-settle-early", json::object());
  EXPECT_EQ(early.status, 422) << "not discharged yet: " << early.body;
  EXPECT_EQ(early.err(), "XT-VIS-003") << early.body;
  const Answer out = Post(base + "/discharge", "stay-out", {{"endtime", FormatLocalTime(env_->clock.NowLocal())}});
  ASSERT_EQ(out.status, 200) << out.body;
  const Answer settled = Post(base + "/settle", "stay-settle", {{"medfee_sumamt_fen", 119997}, {"acct_used_flag", "0"}});
  ASSERT_EQ(settled.status, 200) << settled.body;
  EXPECT_EQ(settled.body["receipt"].value("medfee_sumamt", ""), "1199.97");
  EXPECT_GT(settled.body["receipt"].value("fund_pay_sumamt_fen", Fen{0}), 0) << "past the stay's deductible";
  EXPECT_EQ(settled.body["receipt"].value("acct_pay_fen", Fen{-1}), 0) << "the account was not to be used";
  const std::string setl_id = settled.body.value("setl_id", "");
  ExpectReceiptIs(settled.body["receipt"], Send("GET", "/api/v1/settlements/" + setl_id).body);
  // Reversed (2305), the stay is discharged again, ready to settle anew.
  const Answer reversed =
      Post("/api/v1/counter/settlements/" + setl_id + "/reverse", "stay-rev", {{"reason", "sample: bill corrected"}});
  ASSERT_EQ(reversed.status, 200) << reversed.body;
  EXPECT_EQ(reversed.body["receipt"].value("medfee_sumamt_fen", Fen{0}), -119997);
  EXPECT_EQ(Send("GET", base).body.value("state", ""), "discharged");
  const Answer again = Post("/api/v1/counter/settlements/" + setl_id + "/reverse", "stay-rev-2", {{"reason", "x"}});
  EXPECT_EQ(again.status, 422) << again.body;
  EXPECT_EQ(again.err(), "XT-SETL-006") << "already reversed: the interface's own refusal";
}

TEST_F(CounterTest, AnotherHospitalSeesNoVisitAndNoSettlement) {
  const auto [mdtrt_id, bill_fen] = VisitWithFees("mine");
  ASSERT_FALSE(mdtrt_id.empty());
  const Answer settled = Post("/api/v1/counter/visits/" + mdtrt_id + "/settle", "mine-settle", json::object());
  ASSERT_EQ(settled.status, 200) << settled.body;
  const std::string setl_id = settled.body.value("setl_id", "");
  const std::string base = "/api/v1/counter/visits/" + mdtrt_id;
  struct Case {
    std::string method, path, want;
  } cases[] = {
      {"GET", base, "XT-CTR-003"},
      {"POST", base + "/fees", "XT-CTR-003"},
      {"POST", base + "/presettle", "XT-CTR-003"},
      {"POST", base + "/settle", "XT-CTR-003"},
      {"POST", base + "/discharge", "XT-CTR-003"},
      {"POST", "/api/v1/counter/settlements/" + setl_id + "/reverse", "XT-CTR-005"},
      {"GET", "/api/v1/counter/visits/no-such-visit", "XT-CTR-003"},
  };
  const Answer none = Send("GET", "/api/v1/counter/visits/no-such-visit");
  EXPECT_EQ(none.status, 404);
  for (const auto& c : cases) {
    const Answer a = Send(c.method, c.path, "other-click", R"({"reason":"x","fees":[]})", other_key_);
    EXPECT_EQ(a.status, 404) << c.method << " " << c.path << " " << a.body;
    EXPECT_EQ(a.err(), c.want) << c.path;
    if (c.want == "XT-CTR-003") {
      EXPECT_EQ(a.body.value("err_msg", ""), none.body.value("err_msg", "?"))
          << "the same answer as for a visit that does not exist";
    }
  }
  EXPECT_EQ(Send("GET", "/api/v1/settlements/" + setl_id).body.value("state", ""), "settled") << "nothing reversed";
}

// A double click: the same key sent at once from several connections, and
// then keys of their own (the page makes one per click). One settlement
// either way; every answer names it or says the visit is settled.
TEST_F(CounterTest, ClicksAtOnceSettleTheVisitOnce) {
  for (const bool same_key : {true, false}) {
    const auto [mdtrt_id, bill_fen] = VisitWithFees(same_key ? "same" : "own");
    ASSERT_FALSE(mdtrt_id.empty());
    constexpr int kClicks = 4;
    std::vector<Answer> answers(kClicks);
    std::vector<std::thread> clicks;
    for (int i = 0; i < kClicks; ++i) {
      clicks.emplace_back([&, i, id = mdtrt_id] {
        answers[i] = Post("/api/v1/counter/visits/" + id + "/settle",
                          same_key ? std::string("click") : "click-" + std::to_string(i), json::object());
      });
    }
    for (auto& t : clicks) t.join();
    std::string setl_id;
    for (const Answer& a : answers) {
      if (a.status == 200) {
        if (setl_id.empty()) setl_id = a.body.value("setl_id", "");
        EXPECT_EQ(a.body.value("setl_id", ""), setl_id);
        EXPECT_EQ(a.body["receipt"].value("medfee_sumamt_fen", Fen{-1}), bill_fen);
      } else {
        EXPECT_FALSE(same_key) << "the same key is always the first answer: " << a.body;
        EXPECT_EQ(a.status, 422) << a.body;
        EXPECT_EQ(a.err(), "XT-CTR-004");
      }
    }
    EXPECT_FALSE(setl_id.empty());
  }
  EXPECT_EQ(env_->Settlements(), 2) << "one settlement per visit";
}

TEST_F(CounterTest, SignInRenewedWhenItWasClosed) {
  ASSERT_EQ(Send("GET", std::string("/api/v1/counter/persons?certno=") + kDemoCertno).status, 200);
  // Whoever holds the sign_no signs it out (9002) behind the counter's back.
  std::string sign_no;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(env_->path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT sign_no FROM sign_ins WHERE sign_out_time = 0", -1, &st, nullptr), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW) sign_no = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  ASSERT_EQ(sign_no.size(), 30u);
  auto client = env_->Client(*hospital_);
  const std::string out = env_->processor->Call(
      client.Envelope("9002", R"({"signOut":{"sign_no":")" + sign_no + R"(","opter_no":"x"}})", ""));
  ASSERT_EQ(json::parse(out)["infcode"], 0) << out;
  // The counter signs in again and the cashier sees nothing of it.
  const Answer again = Send("GET", std::string("/api/v1/counter/persons?certno=") + kDemoCertno);
  EXPECT_EQ(again.status, 200) << again.body;
}

TEST_F(CounterTest, BadInputIsRefusedWithItsCode) {
  const Answer no_fees = Post("/api/v1/counter/visits", "bad-open",
                              {{"kind", "outpatient"},
                               {"psn_no", service::kDemoPsnNo},
                               {"insutype", "310"},
                               {"begntime", FormatLocalTime(env_->clock.NowLocal())}});
  ASSERT_EQ(no_fees.status, 200) << no_fees.body;
  const std::string visit = "/api/v1/counter/visits/" + no_fees.body.value("mdtrt_id", "");
  const std::string tomorrow = FormatLocalTime(env_->clock.NowLocal() + 86400).substr(0, 10);
  struct Case {
    std::string method, path, key, body;
    int status;
    std::string code;
  } cases[] = {
      {"POST", "/api/v1/counter/visits", "", R"({"kind":"outpatient"})", 400, "XT-CTR-002"},
      {"POST", "/api/v1/counter/visits", std::string(65, 'k'), "{}", 400, "XT-CTR-002"},
      {"POST", "/api/v1/counter/visits", "two words", "{}", 400, "XT-CTR-002"},
      {"POST", "/api/v1/counter/visits", "k1", "not json", 400, "XT-CTR-001"},
      {"POST", "/api/v1/counter/visits", "k2", R"({"kind":"day"})", 400, "XT-CTR-001"},
      {"POST", "/api/v1/counter/visits", "k3", R"({"kind":"outpatient","insutype":"310"})", 400, "XT-CTR-001"},
      {"POST", "/api/v1/counter/visits", "k4",
       R"({"kind":"outpatient","psn_no":"1305000000000001","insutype":"310","begntime":"yesterday"})", 400, "XT-CTR-001"},
      {"POST", "/api/v1/counter/visits", "k5",
       R"({"kind":"outpatient","psn_no":"9999999999999999","insutype":"310","begntime":"2026-11-20 09:00:00"})", 404,
       "XT-PSN-001"},
      {"POST", visit + "/presettle", "k6", "{}", 422, "XT-CTR-004"},
      {"POST", visit + "/settle", "k7", "{}", 422, "XT-CTR-004"},
      {"POST", visit + "/discharge", "k8", R"({"endtime":"2026-11-20 10:00:00"})", 422, "XT-CTR-004"},
      {"POST", visit + "/fees", "k9", R"({"fees":[]})", 400, "XT-CTR-001"},
      {"POST", visit + "/fees", "k10", R"({"fees":[{"med_list_codg":"X","pric":"1.00"}]})", 400, "XT-CTR-001"},
      {"POST", visit + "/fees", "k11", R"({"fees":[{"med_list_codg":"X","cnt":"1","pric":"1.0000001"}]})", 400,
       "XT-CTR-001"},
      {"POST", visit + "/fees", "k12", R"({"fees":[{"med_list_codg":"NOT-LISTED","cnt":"1","pric":"1.00"}]})", 422,
       "XT-FEE-002"},
      {"POST", "/api/v1/counter/reconcile", "k14", R"({"stmt_date":"2026-13-01"})", 400, "XT-CTR-006"},
      {"POST", "/api/v1/counter/reconcile", "k15", R"({"stmt_date":")" + tomorrow + R"("})", 400, "XT-CTR-006"},
      {"POST", "/api/v1/counter/reconcile", "k16", "{}", 400, "XT-CTR-006"},
      {"POST", "/api/v1/counter/settlements/nope/reverse", "k17", R"({"reason":"x"})", 404, "XT-CTR-005"},
      {"GET", "/api/v1/counter/persons", "", "", 400, "XT-CTR-001"},
      {"GET", "/api/v1/counter/persons?certno=110101199003071233", "", "", 404, "XT-PSN-001"},
      {"GET", "/api/v1/counter/items?limit=0", "", "", 400, "XT-CTR-001"},
      {"GET", "/api/v1/counter/items?limit=101", "", "", 400, "XT-CTR-001"},
  };
  for (const auto& c : cases) {
    const Answer a = Send(c.method, c.path, c.key, c.body);
    EXPECT_EQ(a.status, c.status) << c.method << " " << c.path << " " << c.body << " -> " << a.body;
    EXPECT_EQ(a.err(), c.code) << c.method << " " << c.path << " " << c.body;
  }
  // Nothing was opened, charged or settled by any of them.
  const Answer v = Send("GET", visit);
  EXPECT_EQ(v.body["fee_lines"].size(), 0u);
  EXPECT_EQ(env_->Settlements(), 0);
}

}  // namespace
}  // namespace xt::testing
