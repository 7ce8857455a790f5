// The transaction processor end to end on a real SQLite file: whole
// outpatient and inpatient visits, idempotent retries, refusals with their
// stable codes, reversal and settlement again, and verify after each.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/idcard.h"
#include "ledger/ledger.h"
#include "service/verify.h"
#include "test_env.h"

namespace xt::testing {
namespace {

using json = nlohmann::json;
using service::CallResult;
using service::FlowDriver;
using service::FlowLine;
using service::Visit;

constexpr const char* kDemoPsn = "1305000000000001";  // the Xingtai employee of data/README.md

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = std::make_unique<Env>(std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".db");
    hospital_ = &env_->Hospital("120000", 3);
    client_ = std::make_unique<service::HospitalClient>(env_->Client(*hospital_));
    drv_ = std::make_unique<FlowDriver>(env_->processor.get(), client_.get());
  }

  // In-scope items of the Tianjin catalogue in force now: one of each class.
  const catalog::ItemVersion* Item(catalog::ChargeClass cls, size_t skip = 0) {
    const Date today = DateOf(env_->clock.NowLocal());
    for (const auto* it : env_->ref->catalog.ItemsOf("120000")) {
      if (it->charge_class == cls && it->validity.Contains(today) && !it->price_cap_fen) {
        if (skip-- == 0) return it;
      }
    }
    ADD_FAILURE() << "no item of that class";
    return nullptr;
  }

  std::vector<FlowLine> Lines() {
    return {{"1", Item(catalog::ChargeClass::kA)->code, 20000, 150000000},
            {"2", Item(catalog::ChargeClass::kB)->code, 10000, 880000000},
            {"3", Item(catalog::ChargeClass::kC)->code, 10000, 400000000}};
  }

  static Fen Total(const std::vector<FlowLine>& lines) {
    Fen t = 0;
    for (const auto& l : lines) t += FlowDriver::LineAmountFen(l);
    return t;
  }

  Visit OpenedVisit(bool inpatient, const std::string& psn = kDemoPsn, const std::string& insutype = "310",
                    const std::string& insuplc = "130500") {
    Visit v{psn, insutype, insuplc, inpatient, ""};
    CallResult r = drv_->Open(&v, "2026-11-18 09:00:00");
    EXPECT_EQ(r.infcode, 0) << r.response;
    return v;
  }

  Fen Balance(const std::string& psn) {
    Fen b = 0;
    EXPECT_TRUE(env_->store->Read([&](store::ReadTxn& txn) -> Status {
                          XT_ASSIGN_OR_RETURN(auto a, txn.ledger().GetAccount(ledger::PersonalAccount(psn)));
                          b = a ? a->balance_fen() : 0;
                          return Status::Ok();
                        }).ok());
    return b;
  }

  std::vector<store::AccumDelta> Accumulators(const std::string& psn) {
    std::vector<store::AccumDelta> out;
    EXPECT_TRUE(env_->store->Read([&](store::ReadTxn& txn) -> Status {
                          XT_ASSIGN_OR_RETURN(out, txn.ledger().GetAccumulators(psn, 2026));
                          return Status::Ok();
                        }).ok());
    return out;
  }

  int64_t Settlements() { return env_->Settlements(); }

  void ExpectVerifies() {
    auto rep = service::Verify(*env_->store, nullptr);
    ASSERT_TRUE(rep.ok()) << rep.status().ToString();
    for (const auto& p : rep->problems) ADD_FAILURE() << p;
  }

  std::unique_ptr<Env> env_;
  const registry::Institution* hospital_ = nullptr;
  std::unique_ptr<service::HospitalClient> client_;
  std::unique_ptr<FlowDriver> drv_;
};

TEST_F(ServiceTest, OutpatientVisitSettlesAgainstTheInsurancePlaceAndBalances) {
  Visit v = OpenedVisit(false);
  const auto lines = Lines();
  CallResult up = drv_->Upload(v, lines, "2026-11-18 09:10:00");
  ASSERT_EQ(up.infcode, 0) << up.response;
  // The upload answers each line as the treatment place's catalogue splits it.
  const json upj = json::parse(up.response);
  ASSERT_EQ(upj["output"]["result"].size(), 3u);
  EXPECT_EQ(upj["output"]["result"][0]["chrgitm_lv"], "01");
  EXPECT_EQ(upj["output"]["result"][2]["chrgitm_lv"], "03");
  EXPECT_EQ(upj["output"]["result"][2]["fulamt_ownpay_amt"], 400.0);

  const Fen before = Balance(kDemoPsn);
  CallResult pre = drv_->Settle(v, Total(lines), true, /*pre=*/true);
  ASSERT_EQ(pre.infcode, 0) << pre.response;
  EXPECT_EQ(Balance(kDemoPsn), before) << "pre-settlement changes nothing";
  EXPECT_EQ(Settlements(), 0);

  CallResult s = drv_->Settle(v, Total(lines), true, false);
  ASSERT_EQ(s.infcode, 0) << s.response;
  auto m = SetlInfo(s.response);
  auto p = SetlInfo(pre.response);
  for (const auto& [k, val] : p) EXPECT_EQ(m[k], val) << k << ": pre-settlement and settlement agree";
  EXPECT_EQ(m["medfee_sumamt"], Total(lines));
  EXPECT_EQ(m["medfee_sumamt"], m["fulamt_ownpay_amt"] + m["overlmt_selfpay"] + m["preselfpay_amt"] + m["inscp_scp_amt"]);
  EXPECT_EQ(m["fulamt_ownpay_amt"], 40000);  // the 丙 line
  EXPECT_EQ(m["psn_part_amt"], m["medfee_sumamt"] - m["fund_pay_sumamt"]);
  EXPECT_EQ(m["psn_cash_pay"], m["psn_part_amt"] - m["acct_pay"]);
  EXPECT_GT(m["acct_pay"], 0);
  EXPECT_EQ(Balance(kDemoPsn), before - m["acct_pay"]);
  EXPECT_EQ(m["balc"], before - m["acct_pay"]);
  const json sj = json::parse(s.response);
  EXPECT_EQ(sj["output"]["setlinfo"]["insuplc_admdvs"], "130500");
  EXPECT_FALSE(sj["output"]["setlinfo"]["setl_proc_info"].get<std::string>().empty());
  EXPECT_GE(sj["output"]["setldetail"].size(), 1u);
  ExpectVerifies();
}

TEST_F(ServiceTest, InpatientStayNeedsDischargeThenSettles) {
  Visit v = OpenedVisit(true);
  const auto lines = Lines();
  ASSERT_EQ(drv_->Upload(v, lines, "2026-11-18 10:00:00").infcode, 0);
  CallResult early = drv_->Settle(v, Total(lines), false, false);
  EXPECT_EQ(early.err_code, "XT-VIS-003") << early.response;
  ASSERT_EQ(drv_->Discharge(v, "2026-11-20 09:00:00").infcode, 0);
  CallResult s = drv_->Settle(v, Total(lines), false, false);
  ASSERT_EQ(s.infcode, 0) << s.response;
  auto m = SetlInfo(s.response);
  EXPECT_EQ(m["acct_pay"], 0) << "acct_used_flag 0: the account is not touched";
  EXPECT_GT(m["act_pay_dedc"], 0) << "the first stay of the year meets the deductible";
  ExpectVerifies();
}

TEST_F(ServiceTest, SameMsgidReturnsTheFirstAnswerAndHasNoSecondEffect) {
  Visit v = OpenedVisit(false);
  const auto lines = Lines();
  ASSERT_EQ(drv_->Upload(v, lines, "2026-11-18 09:10:00").infcode, 0);
  json in = {{"data", {{"psn_no", v.psn_no}, {"mdtrt_id", v.mdtrt_id}, {"medfee_sumamt", Total(lines) / 100.0},
                       {"acct_used_flag", "1"}, {"insutype", "310"}}}};
  const std::string request = client_->Envelope("2207", in.dump(), "130500");
  const std::string first = env_->processor->Call(request);
  ASSERT_EQ(json::parse(first)["infcode"], 0) << first;
  const Fen balance = Balance(kDemoPsn);
  env_->clock.AdvanceMillis(5000);
  const std::string again = env_->processor->Call(request);
  EXPECT_EQ(again, first) << "a retry gets the first answer, byte for byte";
  EXPECT_EQ(Balance(kDemoPsn), balance);
  EXPECT_EQ(Settlements(), 1);
  EXPECT_EQ(env_->processor->stats().replays, 1);

  // The same msgid with a different request is refused, not replayed.
  json other = in;
  other["data"]["acct_used_flag"] = "0";
  const std::string msgid = json::parse(request)["msgid"];
  const std::string changed = env_->processor->Call(client_->Envelope("2207", other.dump(), "130500", msgid));
  EXPECT_EQ(json::parse(changed)["err_code"], "XT-ENV-006");
  ExpectVerifies();
}

// A fee upload's answer is kept compactly with the upload, not whole in the
// message log; a retry renders it again, the same bytes, with no second
// effect, also after one of its lines was cancelled.
TEST_F(ServiceTest, RetriedUploadGetsItsFirstAnswerRenderedFromTheUpload) {
  Visit v = OpenedVisit(false);
  const CallResult first = drv_->Upload(v, Lines(), "2026-11-18 09:10:00");
  ASSERT_EQ(first.infcode, 0) << first.response;
  const std::string msgid = json::parse(first.request)["msgid"];
  std::optional<store::MessageRow> logged;
  ASSERT_TRUE(env_->store->Read([&](store::ReadTxn& txn) -> Status {
                        XT_ASSIGN_OR_RETURN(logged, txn.messages().FindMessage(msgid));
                        return Status::Ok();
                      }).ok());
  ASSERT_TRUE(logged.has_value());
  EXPECT_TRUE(logged->response.ends_with("\"output\":null}")) << logged->response;
  EXPECT_LT(logged->response.size(), first.response.size() / 2) << "the output is not logged twice";
  EXPECT_EQ(logged->setl_id, "fee-upload " + v.mdtrt_id + " " + msgid);

  env_->clock.AdvanceMillis(5000);
  const std::string again = env_->processor->Call(first.request);
  EXPECT_EQ(again, first.response) << "a retry gets the first answer, byte for byte";
  EXPECT_EQ(env_->processor->stats().replays, 1);
  const json cancel = {{"data", {{"mdtrt_id", v.mdtrt_id}, {"psn_no", v.psn_no}, {"feedetl_sn", Lines()[0].feedetl_sn}}}};
  ASSERT_EQ(drv_->Call("2205", cancel.dump(), v.insuplc_admdvs).infcode, 0);
  EXPECT_EQ(env_->processor->Call(first.request), first.response) << "a cancelled line does not change the answer";
  std::vector<store::FeeLineRow> lines;
  ASSERT_TRUE(env_->store->Read([&](store::ReadTxn& txn) -> Status {
                        XT_ASSIGN_OR_RETURN(lines, txn.settlements().FeeLinesOfVisit(v.mdtrt_id));
                        return Status::Ok();
                      }).ok());
  EXPECT_EQ(lines.size(), Lines().size()) << "the retries uploaded nothing";
  ExpectVerifies();
}

TEST_F(ServiceTest, DoubleSettlementHasNoSecondEffect) {
  Visit v = OpenedVisit(false);
  const auto lines = Lines();
  ASSERT_EQ(drv_->Upload(v, lines, "2026-11-18 09:10:00").infcode, 0);
  CallResult first = drv_->Settle(v, Total(lines), true, false);
  ASSERT_EQ(first.infcode, 0);
  const Fen balance = Balance(kDemoPsn);
  // The same settlement under a fresh msgid (a retry after a lost answer):
  // the first answer again, nothing paid twice.
  CallResult retry = drv_->Settle(v, Total(lines), true, false);
  ASSERT_EQ(retry.infcode, 0) << retry.response;
  EXPECT_EQ(service::OutputString(retry.response, {"setlinfo", "setl_id"}),
            service::OutputString(first.response, {"setlinfo", "setl_id"}));
  EXPECT_EQ(SetlInfo(retry.response), SetlInfo(first.response));
  // Another total for the settled visit is refused.
  CallResult second = drv_->Settle(v, Total(lines) + 100, true, false);
  EXPECT_EQ(second.infcode, -1);
  EXPECT_EQ(second.err_code, "XT-SETL-004");
  EXPECT_FALSE(second.err_msg.empty());
  EXPECT_EQ(Balance(kDemoPsn), balance);
  EXPECT_EQ(Settlements(), 1);
  // Nor can fee details be added to a settled visit.
  EXPECT_EQ(drv_->Upload(v, {{"9", lines[0].med_list_codg, 10000, 1000000}}, "2026-11-18 09:30:00").err_code,
            "XT-VIS-003");
  ExpectVerifies();
}

TEST_F(ServiceTest, ReversalRestoresEverythingExactlyAndTheVisitSettlesAgain) {
  const auto acc_before = Accumulators(kDemoPsn);
  const Fen balance_before = Balance(kDemoPsn);
  Visit v = OpenedVisit(false);
  const auto lines = Lines();
  ASSERT_EQ(drv_->Upload(v, lines, "2026-11-18 09:10:00").infcode, 0);
  CallResult s = drv_->Settle(v, Total(lines), true, false);
  ASSERT_EQ(s.infcode, 0) << s.response;
  const std::string setl_id = service::OutputString(s.response, {"setlinfo", "setl_id"});
  EXPECT_NE(Balance(kDemoPsn), balance_before);

  CallResult r = drv_->Reverse(v, setl_id);
  ASSERT_EQ(r.infcode, 0) << r.response;
  auto rm = SetlInfo(r.response);
  auto sm = SetlInfo(s.response);
  EXPECT_EQ(rm["medfee_sumamt"], -sm["medfee_sumamt"]);
  EXPECT_EQ(rm["fund_pay_sumamt"], -sm["fund_pay_sumamt"]);
  EXPECT_EQ(rm["acct_pay"], -sm["acct_pay"]);
  EXPECT_EQ(Balance(kDemoPsn), balance_before);
  auto acc_after = Accumulators(kDemoPsn);
  std::map<std::string, int64_t> before, after;
  for (const auto& a : acc_before) before[a.key] = a.value;
  for (const auto& a : acc_after) if (a.value != 0 || before.count(a.key)) after[a.key] = a.value;
  EXPECT_EQ(after, before) << "accumulators restored exactly";

  EXPECT_EQ(drv_->Reverse(v, setl_id).err_code, "XT-SETL-006");
  CallResult again = drv_->Settle(v, Total(lines), true, false);
  ASSERT_EQ(again.infcode, 0) << again.response;
  auto am = SetlInfo(again.response);
  for (const char* k : {"medfee_sumamt", "fund_pay_sumamt", "act_pay_dedc", "acct_pay", "psn_cash_pay"}) {
    EXPECT_EQ(am[k], sm[k]) << k << ": the same visit settles to the same figures";
  }
  EXPECT_NE(service::OutputString(again.response, {"setlinfo", "setl_id"}), setl_id);
  EXPECT_EQ(Settlements(), 3);
  ExpectVerifies();
}

TEST_F(ServiceTest, UnknownPersonAndUnknownItemAreRefusedWithStableCodes) {
  // A valid ID number that is nobody's in the dataset.
  const char* body = "11010119990101123";
  std::string id = std::string(body) + *IdCheckChar(body);
  CallResult who = drv_->PersonInfo(id);
  EXPECT_EQ(who.err_code, "XT-PSN-001") << who.response;
  EXPECT_EQ(drv_->PersonInfo("110101199901011230").err_code, "XT-INP-002") << "a bad check character";
  Visit ghost{"9999999999999999", "310", "130500", false, ""};
  EXPECT_EQ(drv_->Open(&ghost, "2026-11-18 09:00:00").err_code, "XT-PSN-001");

  Visit v = OpenedVisit(false);
  auto lines = Lines();
  ASSERT_EQ(drv_->Upload(v, {lines[0]}, "2026-11-18 09:10:00").infcode, 0);
  // One unknown code sinks its whole upload; the line accepted before stays.
  std::vector<FlowLine> bad = {lines[1], {"7", "XX0000000000000000000NO", 10000, 1000000}};
  CallResult r = drv_->Upload(v, bad, "2026-11-18 09:20:00");
  EXPECT_EQ(r.err_code, "XT-FEE-002") << r.response;
  CallResult s = drv_->Settle(v, FlowDriver::LineAmountFen(lines[0]), false, false);
  ASSERT_EQ(s.infcode, 0) << s.response;
  EXPECT_EQ(SetlInfo(s.response)["medfee_sumamt"], FlowDriver::LineAmountFen(lines[0]));
  ExpectVerifies();
}

TEST_F(ServiceTest, RefundLinesNetInsideTheClaim) {
  Visit v = OpenedVisit(false);
  auto lines = Lines();
  lines.push_back({"4", lines[1].med_list_codg, -10000, 880000000});  // the 乙 drug returned
  ASSERT_EQ(drv_->Upload(v, lines, "2026-11-18 09:10:00").infcode, 0);
  CallResult s = drv_->Settle(v, Total(lines), false, false);
  ASSERT_EQ(s.infcode, 0) << s.response;
  auto m = SetlInfo(s.response);
  EXPECT_EQ(m["medfee_sumamt"], 30000 + 40000);
  EXPECT_EQ(m["preselfpay_amt"], 0) << "the refunded 乙 line cancels its own upfront self-pay";
  ExpectVerifies();
}

TEST_F(ServiceTest, AnotherInstitutionCannotTouchTheVisit) {
  Visit v = OpenedVisit(false);
  ASSERT_EQ(drv_->Upload(v, Lines(), "2026-11-18 09:10:00").infcode, 0);
  const auto& other = env_->Hospital("110000", 3);
  auto client = env_->Client(other);
  FlowDriver intruder(env_->processor.get(), &client);
  EXPECT_EQ(intruder.Settle(v, Total(Lines()), true, false).err_code, "XT-VIS-002");
  EXPECT_EQ(Settlements(), 0);
}

TEST_F(ServiceTest, TotalThatDisagreesWithTheFeeDetailsIsRefused) {
  Visit v = OpenedVisit(false);
  ASSERT_EQ(drv_->Upload(v, Lines(), "2026-11-18 09:10:00").infcode, 0);
  EXPECT_EQ(drv_->Settle(v, Total(Lines()) + 1, true, false).err_code, "XT-SETL-007");
  EXPECT_EQ(Settlements(), 0);
}

// A write's input is serialised for the request hash, recursively: 100,000
// levels used to overflow the stack and kill the process (found by fuzzing,
// docs/fuzzing.md). Now refused before anything walks it.
TEST_F(ServiceTest, DeeplyNestedInputIsRefusedNotACrash) {
  const size_t levels = 100000;
  const std::string input = "{\"data\":" + std::string(levels, '[') + std::string(levels, ']') + "}";
  const json r = json::parse(env_->processor->Call(client_->Envelope("2201", input, "130503")));
  EXPECT_EQ(r["err_code"], "XT-ENV-002");
  EXPECT_EQ(r["err_msg"], "the request is nested deeper than 32 levels");
}

TEST_F(ServiceTest, BadEnvelopesAreRefusedWithStableCodes) {
  auto call = [&](const std::string& text) { return json::parse(env_->processor->Call(text)); };
  EXPECT_EQ(call("{not json")["err_code"], "XT-ENV-001");
  EXPECT_EQ(call("[1,2]")["err_code"], "XT-ENV-002");
  json base = json::parse(client_->Envelope("1101", R"({"data":{"mdtrt_cert_type":"02","mdtrt_cert_no":"x"}})", ""));
  auto with = [&](const char* key, json value) {
    json j = base;
    if (value.is_null()) j.erase(key);
    else j[key] = value;
    return call(j.dump());
  };
  EXPECT_EQ(with("infno", nullptr)["err_code"], "XT-ENV-002");
  EXPECT_EQ(with("infno", 1101)["err_code"], "XT-ENV-002");
  EXPECT_EQ(with("infno", "9999")["err_code"], "XT-ENV-003");
  EXPECT_EQ(with("msgid", std::string(31, '1'))["err_code"], "XT-ENV-002");
  EXPECT_EQ(with("msgid", "")["err_code"], "XT-ENV-004");
  EXPECT_EQ(with("msgid", "two words")["err_code"], "XT-ENV-004");
  // msgid is an opaque key of the sender: other shapes than the
  // specification's get past the envelope (the input is what is refused here).
  EXPECT_EQ(with("msgid", "short")["err_code"], "XT-INP-002");
  EXPECT_EQ(with("msgid", "H99999999999" + std::string("20261120100000") + "0001")["err_code"], "XT-INP-002");
  EXPECT_EQ(with("fixmedins_code", "H99999999999")["err_code"], "XT-ENV-005");
  EXPECT_EQ(with("mdtrtarea_admvs", "110000")["err_code"], "XT-ENV-007");
  EXPECT_EQ(with("input", nullptr)["err_code"], "XT-INP-001");
  EXPECT_EQ(with("input", json::object())["err_code"], "XT-INP-001");
  EXPECT_EQ(with("input", json{{"data", {{"mdtrt_cert_type", 2}}}})["err_code"], "XT-INP-002");
  EXPECT_EQ(with("input", json{{"data", {{"mdtrt_cert_type", "99"}, {"mdtrt_cert_no", "x"}}}})["err_code"], "XT-PSN-003");
  json unknown_inst = base;
  unknown_inst["fixmedins_code"] = "H99999999999";
  unknown_inst["msgid"] = "H99999999999" + std::string("20261120100000") + "0001";
  EXPECT_EQ(call(unknown_inst.dump())["err_code"], "XT-ENV-005");
  // Every refusal is a complete envelope with a plain message.
  const json r = call("{not json");
  EXPECT_EQ(r["infcode"], -1);
  EXPECT_FALSE(r["err_msg"].get<std::string>().empty());
  EXPECT_TRUE(r.contains("inf_refmsgid"));
}

TEST_F(ServiceTest, BadFeeLinesAreRefusedAndNothingIsStored) {
  Visit v = OpenedVisit(false);
  const auto good = Lines();
  auto upload_with = [&](const char* key, json value) {
    json line = {{"feedetl_sn", "1"}, {"mdtrt_id", v.mdtrt_id}, {"psn_no", v.psn_no}, {"chrg_bchno", "1"},
                 {"med_list_codg", good[0].med_list_codg}, {"medins_list_codg", "x"}, {"det_item_fee_sumamt", 30.0},
                 {"cnt", 2}, {"pric", 15.0}, {"fee_ocur_time", "2026-11-18 09:10:00"}};
    if (value.is_null()) line.erase(key);
    else line[key] = value;
    json in = {{"feedetail", json::array({line})}};
    return json::parse(env_->processor->Call(client_->Envelope("2204", in.dump(), "130500")));
  };
  EXPECT_EQ(upload_with("cnt", nullptr)["err_code"], "XT-INP-001");
  EXPECT_EQ(upload_with("cnt", "two")["err_code"], "XT-INP-002");
  EXPECT_EQ(upload_with("det_item_fee_sumamt", "30.0000001")["err_code"], "XT-INP-002") << "over 6 places";
  EXPECT_EQ(upload_with("det_item_fee_sumamt", "30.0051")["err_code"], "XT-FEE-001") << "30.01: not 2 x 15.00";
  EXPECT_EQ(upload_with("det_item_fee_sumamt", 31.0)["err_code"], "XT-FEE-001") << "amount is not cnt x pric";
  EXPECT_EQ(upload_with("cnt", 0)["err_code"], "XT-FEE-001");
  EXPECT_EQ(upload_with("fee_ocur_time", "yesterday")["err_code"], "XT-INP-002");
  EXPECT_EQ(upload_with("mdtrt_id", "120000999")["err_code"], "XT-VIS-001");
  EXPECT_EQ(upload_with("psn_no", "1100000000000001")["err_code"], "XT-VIS-004");
  ASSERT_EQ(upload_with("cnt", 2)["infcode"], 0);
  EXPECT_EQ(upload_with("cnt", 2)["err_code"], "XT-FEE-003") << "the same feedetl_sn twice";
  std::vector<store::FeeLineRow> rows;
  ASSERT_TRUE(env_->store->Read([&](store::ReadTxn& txn) -> Status {
                         XT_ASSIGN_OR_RETURN(rows, txn.settlements().ActiveFeeLines(v.mdtrt_id));
                         return Status::Ok();
                       }).ok());
  EXPECT_EQ(rows.size(), 1u);
}

}  // namespace
}  // namespace xt::testing
