// The money rules a cashier and an auditor check, through the transaction
// processor on a real SQLite file: a fee line's arithmetic, partial refunds
// uploaded after their charge, the order of reversals within a year, one
// bed at a time, and 2601 undoing an inpatient settlement. Each case reads
// like the session at the desk; docs/settlement.md ("Decisions") says why
// each rule is what it is.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/zip_archive.h"
#include "service/refdata.h"
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

class MoneyRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = std::make_unique<Env>(std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".db");
    hospital_ = &env_->Hospital("120000", 3);
    client_ = std::make_unique<service::HospitalClient>(env_->Client(*hospital_));
    drv_ = std::make_unique<FlowDriver>(env_->processor.get(), client_.get());
  }

  // An item of the Tianjin catalogue in force now, without a price cap; for
  // 乙 one whose upfront share rounds (a ratio that is not a whole percent
  // of 12.35 yuan).
  const catalog::ItemVersion* Item(catalog::ChargeClass cls) {
    const Date today = DateOf(env_->clock.NowLocal());
    for (const auto* it : env_->ref->catalog.ItemsOf("120000")) {
      if (it->charge_class != cls || !it->validity.Contains(today) || it->price_cap_fen) continue;
      if (cls == catalog::ChargeClass::kB && (1235 * it->selfpay_prop_bp) % kWholeBp == 0) continue;
      return it;
    }
    ADD_FAILURE() << "no such item in the Tianjin catalogue";
    return nullptr;
  }

  // A Beijing employee in service: 1,300.00 deductible for the year's first
  // stay, 650.00 for each later one.
  std::pair<std::string, std::string> BeijingEmployee() {
    auto persons = service::LoadPersonsFile(DataDir(), env_->ref->registry);
    EXPECT_TRUE(persons.ok());
    const Date today = DateOf(env_->clock.NowLocal());
    for (const auto& p : *persons) {
      for (const auto& e : p.enrollments) {
        if (e.insutype == "310" && e.psn_type == "1101" && e.psn_insu_stas == "1" && e.validity.Contains(today) &&
            e.insuplc_admdvs.starts_with("11")) {
          return {p.psn_no, e.insuplc_admdvs};
        }
      }
    }
    ADD_FAILURE() << "no Beijing employee in the dataset";
    return {};
  }

  Visit Open(bool inpatient, const std::string& begntime = "2026-11-18 09:00:00", const std::string& psn = kDemoPsn,
             const std::string& insuplc = "130500") {
    Visit v{psn, "310", insuplc, inpatient, ""};
    CallResult r = drv_->Open(&v, begntime);
    EXPECT_EQ(r.infcode, 0) << r.response;
    last_open_msgid_ = json::parse(r.request)["msgid"];
    return v;
  }

  // Uploads, discharges a stay, and settles; returns the settlement answer.
  CallResult SettleVisit(Visit& v, const std::vector<FlowLine>& lines) {
    EXPECT_EQ(drv_->Upload(v, lines, "2026-11-18 09:10:00").infcode, 0);
    if (v.inpatient) {
      EXPECT_EQ(drv_->Discharge(v, "2026-11-19 09:00:00").infcode, 0);
    }
    Fen total = 0;
    for (const auto& l : lines) total += FlowDriver::LineAmountFen(l);
    CallResult s = drv_->Settle(v, total, false, false);
    EXPECT_EQ(s.infcode, 0) << s.response;
    return s;
  }

  // The person's accumulators of the year, as a map.
  std::map<std::string, int64_t> Year(const std::string& psn = kDemoPsn) {
    std::map<std::string, int64_t> out;
    EXPECT_TRUE(env_->store->Read([&](store::ReadTxn& txn) -> Status {
                          XT_ASSIGN_OR_RETURN(auto acc, txn.ledger().GetAccumulators(psn, 2026));
                          for (const auto& a : acc) {
                            if (a.value != 0) out[a.key] = a.value;
                          }
                          return Status::Ok();
                        }).ok());
    return out;
  }

  void ExpectVerifies() {
    auto rep = service::Verify(*env_->store, nullptr);
    ASSERT_TRUE(rep.ok()) << rep.status().ToString();
    for (const auto& p : rep->problems) ADD_FAILURE() << p;
  }

  static Fen OutFen(const json& line, const char* field) { return *ScaledFromDouble(line[field].get<double>(), 2); }

  std::unique_ptr<Env> env_;
  const registry::Institution* hospital_ = nullptr;
  std::unique_ptr<service::HospitalClient> client_;
  std::unique_ptr<FlowDriver> drv_;
  std::string last_open_msgid_;
};

TEST_F(MoneyRulesTest, LineOneFenOffCntTimesPricIsRefused) {
  Visit v = Open(false);
  const std::string code = Item(catalog::ChargeClass::kA)->code;
  for (const char* billed : {"100.01", "99.99"}) {
    const json in = {{"feedetail",
                      {{{"feedetl_sn", "1"}, {"mdtrt_id", v.mdtrt_id}, {"psn_no", kDemoPsn}, {"chrg_bchno", "1"},
                        {"med_list_codg", code}, {"medins_list_codg", code}, {"det_item_fee_sumamt", billed},
                        {"cnt", 1}, {"pric", 100.00}, {"fee_ocur_time", "2026-11-18 09:10:00"}}}}};
    CallResult r = drv_->Call("2204", in.dump(), "130500");
    EXPECT_EQ(r.err_code, "XT-FEE-001") << r.response;
    EXPECT_NE(r.err_msg.find("det_item_fee_sumamt"), std::string::npos) << r.err_msg;
    EXPECT_NE(r.err_msg.find("100.00"), std::string::npos) << "names the amount it should be: " << r.err_msg;
  }
  // Nothing of the refused lines was kept: the visit settles its own line.
  CallResult s = SettleVisit(v, {{"1", code, 10000, 100000000}});
  EXPECT_EQ(SetlInfo(s.response)["medfee_sumamt"], 10000);
}

TEST_F(MoneyRulesTest, PartialRefundsUploadedLaterEndAsIfNeverCharged) {
  // The cashier charges a 乙 drug 2 x 12.35, then refunds one box, then the
  // other, each in an upload of its own; beside it a 100.00 line of the same
  // drug. The settlement equals that of the 100.00 line alone, and each
  // refund's upload answered the split the settlement then made.
  const catalog::ItemVersion* drug = Item(catalog::ChargeClass::kB);
  ASSERT_NE(drug, nullptr);
  Visit with = Open(false);
  ASSERT_EQ(drv_->Upload(with, {{"1", drug->code, 10000, 100000000}, {"2", drug->code, 20000, 12350000}},
                         "2026-11-18 09:10:00")
                .infcode,
            0);
  CallResult r1 = drv_->Upload(with, {{"3", drug->code, -10000, 12350000}}, "2026-11-18 09:20:00");
  CallResult r2 = drv_->Upload(with, {{"4", drug->code, -10000, 12350000}}, "2026-11-18 09:30:00");
  ASSERT_EQ(r1.infcode, 0) << r1.response;
  ASSERT_EQ(r2.infcode, 0) << r2.response;
  const json a1 = json::parse(r1.response)["output"]["result"][0];
  const json a2 = json::parse(r2.response)["output"]["result"][0];
  const Fen whole = ApplyRatio(2470, drug->selfpay_prop_bp);
  const Fen half = ApplyRatio(1235, drug->selfpay_prop_bp);
  EXPECT_EQ(OutFen(a1, "preselfpay_amt"), half - whole);
  EXPECT_EQ(OutFen(a2, "preselfpay_amt"), -half);
  EXPECT_EQ(OutFen(a1, "preselfpay_amt") + OutFen(a2, "preselfpay_amt"), -whole) << "the refunds undo the charge";
  CallResult pre = drv_->Settle(with, 10000, false, /*pre=*/true);
  ASSERT_EQ(pre.infcode, 0) << pre.response;
  const auto m = SetlInfo(pre.response);
  EXPECT_EQ(m.at("preselfpay_amt"), ApplyRatio(10000, drug->selfpay_prop_bp));
  EXPECT_EQ(m.at("inscp_scp_amt"), 10000 - ApplyRatio(10000, drug->selfpay_prop_bp));
  // The settlement's lines hold the same split as the uploads answered.
  CallResult s = drv_->Settle(with, 10000, false, false);
  ASSERT_EQ(s.infcode, 0) << s.response;
  for (const auto& [k, val] : SetlInfo(pre.response)) {
    if (k != "balc") {
      EXPECT_EQ(SetlInfo(s.response)[k], val) << k;
    }
  }
  ExpectVerifies();
}

TEST_F(MoneyRulesTest, RefundBeyondWhatTheVisitWasChargedIsRefusedAtUpload) {
  const catalog::ItemVersion* drug = Item(catalog::ChargeClass::kB);
  Visit v = Open(false);
  ASSERT_EQ(drv_->Upload(v, {{"1", drug->code, 20000, 12350000}}, "2026-11-18 09:10:00").infcode, 0);
  CallResult r = drv_->Upload(v, {{"2", drug->code, -30000, 12350000}}, "2026-11-18 09:20:00");
  EXPECT_EQ(r.err_code, "XT-FEE-005") << r.response;
  EXPECT_NE(r.err_msg.find(drug->code), std::string::npos);
  // The refused refund was not kept: the visit still settles 24.70.
  CallResult s = drv_->Settle(v, 2470, false, false);
  ASSERT_EQ(s.infcode, 0) << s.response;
  EXPECT_EQ(SetlInfo(s.response)["medfee_sumamt"], 2470);
}

TEST_F(MoneyRulesTest, YearTotalsDoNotDependOnTheOrderOfOperations) {
  // Two stays of the year. Reversing the first while the second stands is
  // refused: the second was adjudicated as a later stay on the first's
  // deductible and bands. Reversing both, latest first, and settling them
  // again in order gives the year exactly the totals it had.
  const std::string code = Item(catalog::ChargeClass::kA)->code;
  const auto [psn, insuplc] = BeijingEmployee();
  Visit first = Open(true, "2026-11-01 09:00:00", psn, insuplc);
  CallResult s1 = SettleVisit(first, {{"1", code, 10000, 3000000000}});  // 3,000.00
  Visit second = Open(true, "2026-11-10 09:00:00", psn, insuplc);
  CallResult s2 = SettleVisit(second, {{"1", code, 10000, 2000000000}});  // 2,000.00
  const auto year = Year(psn);
  ASSERT_FALSE(year.empty());
  const std::string id1 = service::OutputString(s1.response, {"setlinfo", "setl_id"});
  const std::string id2 = service::OutputString(s2.response, {"setlinfo", "setl_id"});
  const Fen dedc_first = SetlInfo(s1.response)["act_pay_dedc"];
  const Fen dedc_later = SetlInfo(s2.response)["act_pay_dedc"];
  EXPECT_GT(dedc_first, dedc_later) << "a later stay has the lower deductible";

  CallResult refused = drv_->Reverse(first, id1);
  EXPECT_EQ(refused.err_code, "XT-SETL-010") << refused.response;
  EXPECT_NE(refused.err_msg.find(id2), std::string::npos) << "names the later settlement: " << refused.err_msg;
  EXPECT_EQ(Year(psn), year) << "a refused reversal changes nothing";

  ASSERT_EQ(drv_->Reverse(second, id2).infcode, 0);
  ASSERT_EQ(drv_->Reverse(first, id1).infcode, 0);
  EXPECT_TRUE(Year(psn).empty()) << "both reversed: nothing left of the year";
  CallResult again1 = drv_->Settle(first, 300000, false, false);
  CallResult again2 = drv_->Settle(second, 200000, false, false);
  ASSERT_EQ(again1.infcode, 0) << again1.response;
  ASSERT_EQ(again2.infcode, 0) << again2.response;
  EXPECT_EQ(Year(psn), year);
  EXPECT_EQ(dedc_first + dedc_later, 195000) << "the year's deductible: 1,300.00 + 650.00";
  EXPECT_EQ(SetlInfo(again1.response)["act_pay_dedc"], dedc_first);
  EXPECT_EQ(SetlInfo(again2.response)["act_pay_dedc"], dedc_later);
  EXPECT_EQ(SetlInfo(again1.response)["hifp_pay"], SetlInfo(s1.response)["hifp_pay"]);
  EXPECT_EQ(SetlInfo(again2.response)["hifp_pay"], SetlInfo(s2.response)["hifp_pay"]);
  ExpectVerifies();
}

TEST_F(MoneyRulesTest, APersonInHospitalIsNotAdmittedASecondTime) {
  // In hospital in Tianjin; a Hebei hospital's admission is refused and
  // says where she lies. Once discharged, she may be admitted again.
  Visit stay = Open(true, "2026-11-18 09:00:00");
  const registry::Institution& hebei = env_->Hospital("130000", 3);
  service::HospitalClient other_client = env_->Client(hebei);
  FlowDriver other(env_->processor.get(), &other_client);
  Visit second{kDemoPsn, "310", "130500", true, ""};
  CallResult r = other.Open(&second, "2026-11-19 08:00:00");
  EXPECT_EQ(r.err_code, "XT-VIS-006") << r.response;
  EXPECT_NE(r.err_msg.find(hospital_->fixmedins_code), std::string::npos) << r.err_msg;
  // An outpatient visit elsewhere is not a bed: it is registered.
  Visit outpatient{kDemoPsn, "310", "130500", false, ""};
  EXPECT_EQ(other.Open(&outpatient, "2026-11-19 08:30:00").infcode, 0);
  ASSERT_EQ(drv_->Discharge(stay, "2026-11-19 09:00:00").infcode, 0);
  EXPECT_EQ(other.Open(&second, "2026-11-19 10:00:00").infcode, 0);
}

TEST_F(MoneyRulesTest, Redo2601ReversesAnInpatientSettlement) {
  const std::string code = Item(catalog::ChargeClass::kA)->code;
  Visit stay = Open(true);
  CallResult s = SettleVisit(stay, {{"1", code, 10000, 500000000}});
  const json settled = json::parse(s.request);
  const json in = {{"data", {{"omsgid", settled["msgid"]}, {"oinfno", "2304"}, {"psn_no", kDemoPsn}}}};
  CallResult r = drv_->Call("2601", in.dump(), "130500");
  ASSERT_EQ(r.infcode, 0) << r.response;
  EXPECT_EQ(json::parse(r.response)["output"]["result"], "reversed");
  EXPECT_TRUE(Year().empty());
  // The stay is open for settlement again.
  EXPECT_EQ(drv_->Settle(stay, 50000, false, false).infcode, 0);
  ExpectVerifies();
}

TEST_F(MoneyRulesTest, VisitInformationSetsTheMedTypeThatSettlementMustName) {
  // 2203 makes the visit outpatient chronic disease (14); a 2206 that names
  // ordinary outpatient (11) is refused rather than settled as either.
  const std::string code = Item(catalog::ChargeClass::kA)->code;
  Visit v = Open(false);
  const json info = {{"mdtrtinfo", {{"mdtrt_id", v.mdtrt_id}, {"psn_no", kDemoPsn}, {"med_type", "14"},
                                    {"begntime", "2026-11-18 09:00:00"}}},
                     {"diseinfo", {{{"diag_type", "1"}, {"diag_srt_no", 1}, {"diag_code", "E11.900"},
                                    {"diag_name", "2型糖尿病"}}}}};
  CallResult r = drv_->Call("2203", info.dump(), "130500");
  ASSERT_EQ(r.infcode, 0) << r.response;
  ASSERT_EQ(drv_->Upload(v, {{"1", code, 10000, 100000000}}, "2026-11-18 09:10:00").infcode, 0);
  const json pre = {{"data", {{"mdtrt_id", v.mdtrt_id}, {"psn_no", kDemoPsn}, {"medfee_sumamt", "100.00"},
                              {"med_type", "11"}, {"insutype", "310"}}}};
  CallResult refused = drv_->Call("2206", pre.dump(), "130500");
  EXPECT_EQ(refused.err_code, "XT-VIS-007") << refused.response;
  EXPECT_NE(refused.err_msg.find("2203"), std::string::npos) << refused.err_msg;
  json same = pre;
  same["data"]["med_type"] = "14";
  // The visit is now settled as 14, under its own policy (the dataset's
  // sample for Xingtai's chronic-disease outpatients: 80% in service), and
  // 14 is not deemed filed: unfiled, cut by 10 points to 70%.
  CallResult as14 = drv_->Call("2206", same.dump(), "130500");
  ASSERT_EQ(as14.infcode, 0) << as14.response;
  const json si = json::parse(as14.response)["output"]["setlinfo"];
  EXPECT_EQ(si["med_type"], "14");
  EXPECT_EQ(si["pool_prop_selfpay"], 0.7);
  EXPECT_NE(si["setl_proc_info"].get<std::string>().find("policy 130500-310-14-0-2019"), std::string::npos);
  // The diagnoses are kept with the visit: 5201 reads them back.
  const json q = {{"data", {{"psn_no", kDemoPsn}, {"mdtrt_id", v.mdtrt_id}}}};
  const json visits = json::parse(drv_->Call("5201", q.dump(), "130500").response)["output"]["mdtrtinfo"];
  ASSERT_EQ(visits.size(), 1u);
  EXPECT_EQ(visits[0]["diseinfo"][0]["diag_code"], "E11.900");
  EXPECT_EQ(visits[0]["med_type"], "14");
  // A diagnosis without its code is refused, naming the field.
  json bad = info;
  bad["diseinfo"][0].erase("diag_code");
  EXPECT_EQ(drv_->Call("2203", bad.dump(), "130500").err_code, "XT-INP-001");
}

TEST_F(MoneyRulesTest, AStayIsChangedCancelledAndItsDischargeUndone) {
  const std::string code = Item(catalog::ChargeClass::kA)->code;
  Visit stay = Open(true, "2026-11-18 09:00:00");
  ASSERT_EQ(drv_->Upload(stay, {{"1", code, 10000, 100000000}}, "2026-11-18 10:00:00").infcode, 0);
  // 2403: the admission time corrected.
  const json change = {{"adminfo", {{"mdtrt_id", stay.mdtrt_id}, {"psn_no", kDemoPsn},
                                    {"begntime", "2026-11-18 08:30:00"}, {"ipt_otp_no", "ZY0001"}}}};
  ASSERT_EQ(drv_->Call("2403", change.dump(), "130500").infcode, 0);
  // 2405 before a discharge is refused; after one the stay is open again.
  const json undo = {{"data", {{"mdtrt_id", stay.mdtrt_id}, {"psn_no", kDemoPsn}}}};
  EXPECT_EQ(drv_->Call("2405", undo.dump(), "130500").err_code, "XT-VIS-003");
  ASSERT_EQ(drv_->Discharge(stay, "2026-11-19 09:00:00").infcode, 0);
  ASSERT_EQ(drv_->Call("2405", undo.dump(), "130500").infcode, 0);
  EXPECT_EQ(drv_->Upload(stay, {{"2", code, 10000, 50000000}}, "2026-11-19 10:00:00").infcode, 0)
      << "fees are accepted again";
  // 2404 while admitted: the stay and its fees are gone; a settlement of it
  // is refused, and the person may be admitted elsewhere.
  ASSERT_EQ(drv_->Call("2404", undo.dump(), "130500").infcode, 0);
  EXPECT_EQ(drv_->Settle(stay, 15000, false, /*pre=*/true).err_code, "XT-VIS-003");
  Visit next = Open(true, "2026-11-20 09:00:00");
  EXPECT_FALSE(next.mdtrt_id.empty());
  // A settled stay cannot be cancelled, nor its discharge undone.
  ASSERT_EQ(drv_->Upload(next, {{"1", code, 10000, 100000000}}, "2026-11-20 10:00:00").infcode, 0);
  ASSERT_EQ(drv_->Discharge(next, "2026-11-20 11:00:00").infcode, 0);
  ASSERT_EQ(drv_->Settle(next, 10000, false, false).infcode, 0);
  const json undo_next = {{"data", {{"mdtrt_id", next.mdtrt_id}, {"psn_no", kDemoPsn}}}};
  EXPECT_EQ(drv_->Call("2405", undo_next.dump(), "130500").err_code, "XT-VIS-003");
  EXPECT_EQ(drv_->Call("2404", undo_next.dump(), "130500").err_code, "XT-VIS-003");
  ExpectVerifies();
}

TEST_F(MoneyRulesTest, RetriedAdmissionUnderAFreshMsgidIsTheSameStay) {
  // A 2401 whose answer was lost, sent again with a new msgid: the same
  // stay, not a second admission (nor the one-bed refusal).
  const json in = {{"mdtrtinfo", {{"psn_no", kDemoPsn}, {"insutype", "310"}, {"med_type", "21"}, {"ipt_no", "ZY2026001"},
                                  {"begntime", "2026-11-18 09:00:00"}}},
                   {"diseinfo", json::array()}};
  CallResult first = drv_->Call("2401", in.dump(), "130500");
  CallResult again = drv_->Call("2401", in.dump(), "130500");  // the driver gives each call a new msgid
  ASSERT_EQ(first.infcode, 0) << first.response;
  ASSERT_EQ(again.infcode, 0) << again.response;
  EXPECT_NE(json::parse(first.request)["msgid"], json::parse(again.request)["msgid"]);
  EXPECT_EQ(service::OutputString(again.response, {"result", "mdtrt_id"}),
            service::OutputString(first.response, {"result", "mdtrt_id"}));
  // Another hospital number is another admission: refused, one bed.
  json other = in;
  other["mdtrtinfo"]["ipt_no"] = "ZY2026002";
  EXPECT_EQ(drv_->Call("2401", other.dump(), "130500").err_code, "XT-VIS-006");
}

TEST_F(MoneyRulesTest, Redo2601CancelsAnAdmission) {
  Visit stay = Open(true);
  // The 2401's msgid is the one the driver sent last before this call.
  const json in = {{"data", {{"omsgid", last_open_msgid_}, {"oinfno", "2401"}, {"psn_no", kDemoPsn}}}};
  CallResult r = drv_->Call("2601", in.dump(), "130500");
  ASSERT_EQ(r.infcode, 0) << r.response;
  EXPECT_EQ(json::parse(r.response)["output"]["result"], "cancelled");
  Visit next = Open(true, "2026-11-19 09:00:00");
  EXPECT_NE(next.mdtrt_id, stay.mdtrt_id) << "the person may be admitted again";
}

TEST_F(MoneyRulesTest, QueriesReadBackWhatWasSettledAndWhoLiesInHospital) {
  // The cashier lost the 2207 answer: 5201 finds the visit, 5203 the
  // settlement as it was answered, 5204 the lines with their split.
  const std::string code = Item(catalog::ChargeClass::kA)->code;
  Visit v = Open(false);
  CallResult s = SettleVisit(v, {{"1", code, 20000, 150000000}});
  const std::string setl_id = service::OutputString(s.response, {"setlinfo", "setl_id"});
  const json q = {{"data", {{"psn_no", kDemoPsn}, {"mdtrt_id", v.mdtrt_id}, {"setl_id", setl_id}}}};
  CallResult visits = drv_->Call("5201", q.dump(), "130500");
  ASSERT_EQ(visits.infcode, 0) << visits.response;
  const json vj = json::parse(visits.response)["output"]["mdtrtinfo"];
  ASSERT_EQ(vj.size(), 1u);
  EXPECT_EQ(vj[0]["mdtrt_id"], v.mdtrt_id);
  EXPECT_EQ(vj[0]["vis_stas"], "settled");
  EXPECT_EQ(vj[0]["gend"], "2") << "the demo patient's ID number is a woman's";
  EXPECT_EQ(vj[0]["mdtrt_cert_type"], "02") << "the certificate the visit opened with";
  const json si = json::parse(s.response)["output"]["setlinfo"];
  EXPECT_EQ(si["mdtrt_cert_type"], "02");
  EXPECT_EQ(si["cvlserv_flag"], "0");
  EXPECT_EQ(si["age"], 41);
  CallResult setl = drv_->Call("5203", q.dump(), "130500");
  ASSERT_EQ(setl.infcode, 0) << setl.response;
  EXPECT_EQ(SetlInfo(setl.response), SetlInfo(s.response)) << "the settlement as it was answered";
  const json detail = json::parse(setl.response)["output"]["setldetail"];
  ASSERT_FALSE(detail.empty());
  EXPECT_EQ(detail[0]["fund_pay_type_name"], "基本医疗保险统筹基金") << "as the receipt prints it";
  // The pooled fund's inscp_scp_amt: what is in scope above the deductible
  // (no cap is near), which it paid its share of.
  const auto fen = [](const json& v) { return std::llround(v.get<double>() * 100); };
  EXPECT_EQ(fen(detail[0]["inscp_scp_amt"]), fen(si["inscp_scp_amt"]) - fen(si["act_pay_dedc"])) << detail;
  EXPECT_GT(fen(detail[0]["inscp_scp_amt"]), 0);
  CallResult fees = drv_->Call("5204", q.dump(), "130500");
  ASSERT_EQ(fees.infcode, 0) << fees.response;
  const json fj = json::parse(fees.response)["output"]["feedetail"];
  ASSERT_EQ(fj.size(), 1u);
  EXPECT_EQ(fj[0]["det_item_fee_sumamt"], 300.0);
  EXPECT_EQ(fj[0]["inscp_scp_amt"], 300.0);
  // Another hospital sees neither the settlement nor the visit.
  const registry::Institution& hebei = env_->Hospital("130000", 3);
  service::HospitalClient other_client = env_->Client(hebei);
  FlowDriver other(env_->processor.get(), &other_client);
  EXPECT_EQ(other.Call("5203", q.dump(), "130500").err_code, "XT-SETL-009");
  EXPECT_EQ(json::parse(other.Call("5201", q.dump(), "130500").response)["output"]["mdtrtinfo"].size(), 0u);
  // 5303: in hospital here, seen from the other hospital by institution
  // and day only.
  Visit stay = Open(true, "2026-11-19 08:00:00");
  const json who = {{"data", {{"psn_no", kDemoPsn}}}};
  const json here = json::parse(drv_->Call("5303", who.dump(), "130500").response)["output"]["data"];
  const json there = json::parse(other.Call("5303", who.dump(), "130500").response)["output"]["data"];
  ASSERT_EQ(here.size(), 1u);
  ASSERT_EQ(there.size(), 1u);
  EXPECT_EQ(here[0]["mdtrt_id"], stay.mdtrt_id);
  EXPECT_EQ(there[0]["mdtrt_id"], "");
  EXPECT_EQ(there[0]["fixmedins_code"], hospital_->fixmedins_code);
  EXPECT_EQ(there[0]["out_flag"], "1") << "insured in Hebei, in hospital in Tianjin";
}

TEST_F(MoneyRulesTest, ASettlementNamesTheVisitsWholeBatchOrNone) {
  const std::string code = Item(catalog::ChargeClass::kA)->code;
  Visit v = Open(false);
  ASSERT_EQ(drv_->Upload(v, {{"1", code, 10000, 100000000}}, "2026-11-18 09:10:00", "B1").infcode, 0);
  auto pre = [&](const char* bchno) {
    const json in = {{"data", {{"mdtrt_id", v.mdtrt_id}, {"psn_no", kDemoPsn}, {"medfee_sumamt", 100.00},
                               {"chrg_bchno", bchno}, {"insutype", "310"}}}};
    return drv_->Call("2206", in.dump(), "130500");
  };
  EXPECT_EQ(pre("B1").infcode, 0) << "the visit's only batch";
  EXPECT_EQ(pre("B9").err_code, "XT-SETL-011") << "a batch the visit does not hold";
  ASSERT_EQ(drv_->Upload(v, {{"2", code, 10000, 50000000}}, "2026-11-18 09:20:00", "B2").infcode, 0);
  const json both = {{"data", {{"mdtrt_id", v.mdtrt_id}, {"psn_no", kDemoPsn}, {"medfee_sumamt", 150.00},
                               {"chrg_bchno", "B2"}, {"insutype", "310"}}}};
  CallResult part = drv_->Call("2206", both.dump(), "130500");
  EXPECT_EQ(part.err_code, "XT-SETL-011") << part.response;
  EXPECT_NE(part.err_msg.find("B1, B2"), std::string::npos) << part.err_msg;
  json all = both;
  all["data"]["chrg_bchno"] = "0000";
  EXPECT_EQ(drv_->Call("2206", all.dump(), "130500").infcode, 0) << "0000: every batch";
}

TEST_F(MoneyRulesTest, CatalogueQueryPagesTheTreatmentPlacesCatalogueInForce) {
  const Date today = DateOf(env_->clock.NowLocal());
  int64_t in_force = 0;
  for (const auto* it : env_->ref->catalog.ItemsOf("120000")) in_force += it->validity.Contains(today) ? 1 : 0;
  ASSERT_GT(in_force, 2);
  const json page = {{"data", {{"page_num", 1}, {"page_size", 2}}}};
  CallResult r = drv_->Call("1312", page.dump(), "");
  ASSERT_EQ(r.infcode, 0) << r.response;
  const json out = json::parse(r.response)["output"];
  EXPECT_EQ(out["recordCounts"], in_force);
  EXPECT_EQ(out["data"].size(), 2u);
  EXPECT_EQ(out["pages"], (in_force + 1) / 2);
  // One item by its code, with its class and cap as the catalogue holds them.
  const catalog::ItemVersion* drug = Item(catalog::ChargeClass::kB);
  const json one = {{"data", {{"hilist_code", drug->code}, {"query_date", "2026-11-20"}}}};
  const json hit = json::parse(drv_->Call("1312", one.dump(), "").response)["output"]["data"];
  ASSERT_EQ(hit.size(), 1u);
  EXPECT_EQ(hit[0]["chrgitm_lv"], "02");
  EXPECT_EQ(hit[0]["hilist_name"], drug->name);
  EXPECT_EQ(hit[0]["insu_admdvs"], "120000") << "the treatment place's catalogue";
  const json bad = {{"data", {{"page_size", 0}}}};
  EXPECT_EQ(drv_->Call("1312", bad.dump(), "").err_code, "XT-INP-002");
}

TEST_F(MoneyRulesTest, AReferralFilingMakesTheVisitsThereFiled) {
  // A Hebei hospital files the Xingtai patient for treatment in Tianjin
  // (2501); her Tianjin visit is then filed (已备案), not only deemed filed;
  // once the filing is cancelled (2502), the next visit is deemed filed again.
  const registry::Institution& hebei = env_->Hospital("130000", 3);
  service::HospitalClient hebei_client = env_->Client(hebei);
  FlowDriver referrer(env_->processor.get(), &hebei_client);
  auto refmedin = [](const char* area, const char* begin, const char* end) {
    return json{{"refmedin", {{"psn_no", kDemoPsn}, {"insutype", "310"}, {"mdtrtarea_admdvs", area},
                              {"diag_code", "I25.103"}, {"diag_name", "冠状动脉粥样硬化性心脏病"}, {"refl_type", "1"},
                              {"refl_rea", "需上级医院介入治疗"}, {"begndate", begin}, {"enddate", end}}}}
        .dump();
  };
  CallResult filed = referrer.Call("2501", refmedin("120000", "2026-11-01", "2026-12-31"), "130500");
  ASSERT_EQ(filed.infcode, 0) << filed.response;
  const std::string sn = service::OutputString(filed.response, {"result", "trt_dcla_detl_sn"});
  ASSERT_FALSE(sn.empty());
  EXPECT_EQ(referrer.Call("2501", refmedin("130500", "2026-11-01", "2026-12-31"), "130500").err_code, "XT-FIL-001")
      << "her own province needs no filing";
  EXPECT_EQ(referrer.Call("2501", refmedin("120000", "2026-12-31", "2026-11-01"), "130500").err_code, "XT-FIL-001");

  const std::string code = Item(catalog::ChargeClass::kA)->code;
  Visit v = Open(false);
  CallResult s = SettleVisit(v, {{"1", code, 10000, 100000000}});
  const std::string trace = json::parse(s.response)["output"]["setlinfo"]["setl_proc_info"];
  EXPECT_NE(trace.find("filed 已备案"), std::string::npos) << trace;

  const json cancel = {{"data", {{"trt_dcla_detl_sn", sn}, {"psn_no", kDemoPsn}}}};
  EXPECT_EQ(drv_->Call("2502", cancel.dump(), "130500").err_code, "XT-FIL-002") << "not the Tianjin hospital's filing";
  ASSERT_EQ(referrer.Call("2502", cancel.dump(), "130500").infcode, 0);
  EXPECT_EQ(referrer.Call("2502", cancel.dump(), "130500").err_code, "XT-FIL-001") << "already cancelled";
  Visit later = Open(false, "2026-11-19 09:00:00");
  CallResult s2 = SettleVisit(later, {{"1", code, 10000, 100000000}});
  const std::string trace2 = json::parse(s2.response)["output"]["setlinfo"]["setl_proc_info"];
  EXPECT_NE(trace2.find("deemed filed 视同备案"), std::string::npos) << trace2;
}

TEST_F(MoneyRulesTest, DetailReconciliationReadsTheFileUploadedWith9101) {
  // The hospital writes its settlements of the period into a file, uploads
  // it (9101, base64), and names it in 3202 as the national interface does.
  const std::string code = Item(catalog::ChargeClass::kA)->code;
  Visit v = Open(false);
  CallResult s = SettleVisit(v, {{"1", code, 20000, 150000000}});
  const auto m = SetlInfo(s.response);
  const std::string setl_id = service::OutputString(s.response, {"setlinfo", "setl_id"});
  const std::string file = "setl_id\tmdtrt_id\tpsn_no\tmedfee_sumamt\tfund_pay_sumamt\tacct_pay\trefd_setl_flag\n" +
                           setl_id + "\t" + v.mdtrt_id + "\t" + kDemoPsn + "\t" + FormatFen(m.at("medfee_sumamt")) +
                           "\t" + FormatFen(m.at("fund_pay_sumamt")) + "\t" + FormatFen(m.at("acct_pay")) + "\t0\n";
  const json up = {{"fsUploadIn", {{"in", crypto::Base64Encode(file)}, {"filename", "3202_202611.txt"},
                                   {"fixmedins_code", hospital_->fixmedins_code}}}};
  CallResult uploaded = drv_->Call("9101", up.dump(), "");
  ASSERT_EQ(uploaded.infcode, 0) << uploaded.response;
  const std::string no = service::OutputString(uploaded.response, {"file_qury_no"});
  ASSERT_FALSE(no.empty());
  const json stmt = {{"data", {{"file_qury_no", no}, {"stmt_begndate", "2026-11-01"}, {"stmt_enddate", "2026-11-30"},
                               {"insutype", "310"}, {"clr_type", "11"}}}};
  CallResult rec = drv_->Call("3202", stmt.dump(), "");
  ASSERT_EQ(rec.infcode, 0) << rec.response;
  const json out = json::parse(rec.response)["output"]["stmtinfo"];
  EXPECT_EQ(out["stmt_rslt"], "0") << rec.response;
  EXPECT_EQ(out["matched"], 1);
  // The file comes back whole with 9102, to its owner only.
  const json down = {{"fsDownloadIn", {{"file_qury_no", no}, {"filename", "3202_202611.txt"}}}};
  CallResult back = drv_->Call("9102", down.dump(), "");
  ASSERT_EQ(back.infcode, 0) << back.response;
  std::string bytes;
  ASSERT_TRUE(crypto::Base64Decode(service::OutputString(back.response, {"data"}), &bytes));
  EXPECT_EQ(bytes, file);
  const registry::Institution& hebei = env_->Hospital("130000", 3);
  service::HospitalClient other_client = env_->Client(hebei);
  FlowDriver other(env_->processor.get(), &other_client);
  EXPECT_EQ(other.Call("9102", down.dump(), "").err_code, "XT-FILE-002");
  // Zipped, as most systems upload it, it reconciles the same; a damaged
  // archive is refused.
  const std::string zipped = zip::ZipOne("3202_202611.txt", file, 0);
  json up_zip = up;
  up_zip["fsUploadIn"]["in"] = crypto::Base64Encode(zipped);
  up_zip["fsUploadIn"]["filename"] = "3202_202611.zip";
  json stmt_zip = stmt;
  stmt_zip["data"]["file_qury_no"] = service::OutputString(drv_->Call("9101", up_zip.dump(), "").response, {"file_qury_no"});
  CallResult rec_zip = drv_->Call("3202", stmt_zip.dump(), "");
  ASSERT_EQ(rec_zip.infcode, 0) << rec_zip.response;
  EXPECT_EQ(json::parse(rec_zip.response)["output"]["stmtinfo"]["matched"], 1) << rec_zip.response;
  std::string damaged = zipped;
  damaged[damaged.size() / 2] ^= 0x5a;
  up_zip["fsUploadIn"]["in"] = crypto::Base64Encode(damaged);
  stmt_zip["data"]["file_qury_no"] = service::OutputString(drv_->Call("9101", up_zip.dump(), "").response, {"file_qury_no"});
  EXPECT_EQ(drv_->Call("3202", stmt_zip.dump(), "").err_code, "XT-FILE-001");
  // A line that is not a record is refused, naming it.
  const json bad = {{"fsUploadIn", {{"in", crypto::Base64Encode("only\tthree\tfields\n")}, {"filename", "x.txt"}}}};
  const std::string bad_no = service::OutputString(drv_->Call("9101", bad.dump(), "").response, {"file_qury_no"});
  json bad_stmt = stmt;
  bad_stmt["data"]["file_qury_no"] = bad_no;
  CallResult refused = drv_->Call("3202", bad_stmt.dump(), "");
  EXPECT_EQ(refused.err_code, "XT-FILE-001") << refused.response;
  EXPECT_NE(refused.err_msg.find("line 1"), std::string::npos);
  EXPECT_EQ(drv_->Call("9101", json{{"fsUploadIn", {{"in", "not base64!"}, {"filename", "x"}}}}.dump(), "").err_code,
            "XT-INP-002");
}

TEST_F(MoneyRulesTest, CatalogueDownloadsAreFilesOfTheTreatmentPlacesCatalogue) {
  // 1301 (drugs) answers a file_qury_no; 9102 gives the file: a header and
  // one tab-separated line per version, data_cnt of them.
  CallResult r = drv_->Call("1301", json{{"data", {{"ver", "0"}}}}.dump(), "");
  ASSERT_EQ(r.infcode, 0) << r.response;
  const json out = json::parse(r.response)["output"];
  const std::string no = out["file_qury_no"];
  int64_t drugs = 0;
  for (const auto* it : env_->ref->catalog.ItemsOf("120000")) drugs += it->kind == catalog::ItemKind::kDrug ? 1 : 0;
  EXPECT_EQ(out["data_cnt"], drugs);
  EXPECT_EQ(out["filename"], "1301_120000_0.zip");
  CallResult file = drv_->Call("9102", json{{"fsDownloadIn", {{"file_qury_no", no}, {"fixmedins_code", "plc"}}}}.dump(), "");
  ASSERT_EQ(file.infcode, 0) << file.response;
  std::string zipped;
  ASSERT_TRUE(crypto::Base64Decode(service::OutputString(file.response, {"data"}), &zipped));
  // A zip archive, as vendors save and unpack it, of one text file.
  std::vector<zip::Entry> entries;
  std::string why;
  ASSERT_TRUE(zip::Unzip(zipped, size_t{64} << 20, &entries, &why)) << why;
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].name, "1301_120000_0.txt");
  const std::string& text = entries[0].body;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), drugs + 1);
  const catalog::ItemVersion* drug = Item(catalog::ChargeClass::kB);
  EXPECT_NE(text.find(drug->code + "\t" + drug->name + "\tdrug\t02\t"), std::string::npos);
  // The same download gives the same bytes.
  CallResult again = drv_->Call("9102", json{{"fsDownloadIn", {{"file_qury_no", no}}}}.dump(), "");
  EXPECT_EQ(service::OutputString(again.response, {"data"}), service::OutputString(file.response, {"data"}));
  // A version stamp newer than every version: nothing new.
  CallResult none = drv_->Call("1301", json{{"data", {{"ver", "20991231000000"}}}}.dump(), "");
  EXPECT_EQ(json::parse(none.response)["output"]["data_cnt"], 0);
  EXPECT_EQ(drv_->Call("1301", json{{"data", {{"ver", "x"}}}}.dump(), "").err_code, "XT-INP-002");
  // Every download a HIS runs at night answers, each with its own items:
  // 1318 the capped ones, 1319 the 乙 ones; diagnoses (1307), which the
  // exchange does not keep, a file with the header only.
  int64_t capped = 0, class_b = 0;
  for (const auto* it : env_->ref->catalog.ItemsOf("120000")) {
    capped += it->price_cap_fen ? 1 : 0;
    class_b += it->charge_class == catalog::ChargeClass::kB ? 1 : 0;
  }
  const std::map<std::string, int64_t> expected = {{"1318", capped}, {"1319", class_b}, {"1307", 0}, {"1302", 0}};
  for (int n = 1301; n <= 1319; ++n) {
    if (n == 1312) continue;
    const std::string infno = std::to_string(n);
    CallResult d = drv_->Call(infno, json{{"data", {{"ver", "0"}}}}.dump(), "");
    ASSERT_EQ(d.infcode, 0) << infno << ": " << d.response;
    const json o = json::parse(d.response)["output"];
    if (expected.count(infno)) {
      EXPECT_EQ(o["data_cnt"], expected.at(infno)) << infno;
    }
    CallResult f = drv_->Call("9102", json{{"fsDownloadIn", {{"file_qury_no", o["file_qury_no"]}}}}.dump(), "");
    ASSERT_EQ(f.infcode, 0) << infno << ": " << f.response;
    std::string z;
    ASSERT_TRUE(crypto::Base64Decode(service::OutputString(f.response, {"data"}), &z));
    ASSERT_TRUE(zip::Unzip(z, size_t{64} << 20, &entries, &why)) << infno << ": " << why;
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(std::count(entries[0].body.begin(), entries[0].body.end(), '\n'), o["data_cnt"].get<int64_t>() + 1)
        << infno;
  }
  EXPECT_EQ(drv_->Call("9102", json{{"fsDownloadIn", {{"file_qury_no", "plc/1312/120000/0"}}}}.dump(), "").err_code,
            "XT-FILE-002");
}

TEST_F(MoneyRulesTest, AChronicDiseaseFilingIsRecordedAndReadBack) {
  const json filing = {{"data", {{"psn_no", kDemoPsn}, {"insutype", "310"}, {"opsp_dise_code", "M00500"},
                                 {"opsp_dise_name", "糖尿病"}, {"ide_fixmedins_no", hospital_->fixmedins_code},
                                 {"hosp_ide_date", "2026-11-01"}, {"begndate", "2026-11-01"},
                                 {"enddate", "2027-10-31"}}}};
  CallResult r = drv_->Call("2503", filing.dump(), "130500");
  ASSERT_EQ(r.infcode, 0) << r.response;
  const std::string sn = service::OutputString(r.response, {"result", "trt_dcla_detl_sn"});
  const json who = {{"data", {{"psn_no", kDemoPsn}}}};
  json held = json::parse(drv_->Call("5301", who.dump(), "130500").response)["output"]["feedetail"];
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0]["opsp_dise_code"], "M00500");
  EXPECT_EQ(held[0]["enddate"], "2027-10-31");
  // 5302: the person is designated to the hospital the filing names.
  const json designated = json::parse(
      drv_->Call("5302", json{{"data", {{"psn_no", kDemoPsn}, {"biz_appy_type", "99"}}}}.dump(), "130500").response);
  ASSERT_EQ(designated["output"]["psnfixmedin"].size(), 1u) << designated;
  const json& fix = designated["output"]["psnfixmedin"][0];
  EXPECT_EQ(fix["fixmedins_code"], hospital_->fixmedins_code);
  EXPECT_EQ(fix["fixmedins_name"], hospital_->name);
  EXPECT_EQ(fix["fix_srt_no"], "1");
  EXPECT_EQ(fix["begndate"], "2026-11-01");
  EXPECT_EQ(fix["enddate"], "2027-10-31");
  EXPECT_NE(fix["memo"].get<std::string>().find("M00500"), std::string::npos) << fix;
  // A 2502 does not cancel it (it is not a referral); a 2504 does.
  const json cancel = {{"data", {{"trt_dcla_detl_sn", sn}, {"psn_no", kDemoPsn}}}};
  EXPECT_EQ(drv_->Call("2502", cancel.dump(), "130500").err_code, "XT-FIL-002");
  ASSERT_EQ(drv_->Call("2504", cancel.dump(), "130500").infcode, 0);
  held = json::parse(drv_->Call("5301", who.dump(), "130500").response)["output"]["feedetail"];
  EXPECT_EQ(held.size(), 0u);
  EXPECT_EQ(json::parse(drv_->Call("5302", who.dump(), "130500").response)["output"]["psnfixmedin"].size(), 0u)
      << "a cancelled filing designates no one";
  json no_code = filing;
  no_code["data"].erase("opsp_dise_code");
  EXPECT_EQ(drv_->Call("2503", no_code.dump(), "130500").err_code, "XT-INP-001");
}

TEST_F(MoneyRulesTest, ChronicDiseaseDrugsDispensedElsewhereAreReadBackAndAFilingLiftsTheCut) {
  // Outpatient chronic disease (14) in Tianjin for the Xingtai patient:
  // not deemed filed, so unfiled (70%) until a Hebei hospital files her for
  // Tianjin (2501), then filed (80%). A Hebei hospital then reads what was
  // dispensed in Tianjin (5205).
  const catalog::ItemVersion* drug = Item(catalog::ChargeClass::kA);
  for (const auto* it : env_->ref->catalog.ItemsOf("120000")) {
    if (it->kind == catalog::ItemKind::kDrug && it->charge_class == catalog::ChargeClass::kA && !it->price_cap_fen &&
        it->validity.Contains(DateOf(env_->clock.NowLocal()))) {
      drug = it;
      break;
    }
  }
  ASSERT_EQ(drug->kind, catalog::ItemKind::kDrug);
  auto settle14 = [&](const std::string& begntime) {
    Visit v = Open(false, begntime);
    const json info = {{"mdtrtinfo", {{"mdtrt_id", v.mdtrt_id}, {"psn_no", kDemoPsn}, {"med_type", "14"}}}};
    EXPECT_EQ(drv_->Call("2203", info.dump(), "130500").infcode, 0);
    CallResult s = SettleVisit(v, {{"1", drug->code, 20000, 50000000}});  // 2 x 50.00
    return json::parse(s.response)["output"]["setlinfo"];
  };
  const json unfiled = settle14("2026-11-18 09:00:00");
  EXPECT_EQ(unfiled["pool_prop_selfpay"], 0.7);
  EXPECT_EQ(unfiled["hifp_pay"], 70.0);
  const registry::Institution& hebei = env_->Hospital("130000", 3);
  service::HospitalClient hebei_client = env_->Client(hebei);
  FlowDriver hebei_drv(env_->processor.get(), &hebei_client);
  ASSERT_EQ(hebei_drv.SignIn().infcode, 0);
  const json refmedin = {{"refmedin", {{"psn_no", kDemoPsn}, {"insutype", "310"}, {"mdtrtarea_admdvs", "120000"},
                                       {"begndate", "2026-11-01"}, {"enddate", "2026-12-31"}}}};
  ASSERT_EQ(hebei_drv.Call("2501", refmedin.dump(), "130500").infcode, 0);
  const json filed = settle14("2026-11-19 09:00:00");
  EXPECT_EQ(filed["pool_prop_selfpay"], 0.8);
  EXPECT_EQ(filed["hifp_pay"], 80.0);
  const json who = {{"data", {{"psn_no", kDemoPsn}, {"begntime", "2026-11-01 00:00:00"}}}};
  CallResult drugs = hebei_drv.Call("5205", who.dump(), "130500");
  ASSERT_EQ(drugs.infcode, 0) << drugs.response;
  const json lines = json::parse(drugs.response)["output"]["feedetail"];
  ASSERT_EQ(lines.size(), 2u) << "both Tianjin visits' drug lines";
  EXPECT_EQ(lines[0]["hilist_code"], drug->code);
  EXPECT_EQ(lines[0]["fixmedins_code"], hospital_->fixmedins_code);
  EXPECT_EQ(lines[0]["cnt"], 2.0);
}

}  // namespace
}  // namespace xt::testing
