// Clearing on a real SQLite file: a month of settlements between Beijing,
// Tianjin and Hebei made through the real processor, closed, and its figures
// checked against sums of the settlement answers; a settlement of the next
// month recorded before the close; a late reversal landing in the next
// month; an idempotent re-close; 3201-3204 over the national interface;
// prepaid deposits and the warning; the REST routes with their access
// rules on the real server; the 3201/3202 outcomes kept and read by the
// agency of the institution's province; verify after it all.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "clearing/month.h"
#include "clearing/reconcile.h"
#include "core/crypto.h"
#include "http/routes.h"
#include "http/server.h"
#include "service/clearing_service.h"
#include "service/verify.h"
#include "service/audit.h"
#include "test_env.h"

namespace xt::testing {
namespace {

using json = nlohmann::json;
using service::CallResult;
using service::FlowDriver;
using service::FlowLine;
using service::Visit;

// What one settlement answer says, in fen.
struct Settled {
  std::string setl_id;
  Visit visit;
  std::string fixmedins_code;
  Fen medfee = 0, fund = 0, acct = 0, cash = 0;
  Fen owed() const { return fund + acct; }
};

class ClearingFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = std::make_unique<Env>(std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".db");
    clearing_ = std::make_unique<service::ClearingService>(env_->store.get(), &env_->clock);
  }

  void At(const char* time) { env_->clock.Set(*ParseLocalTime(time)); }

  std::vector<FlowLine> Lines(const std::string& province, int64_t cnt_e4) {
    const Date today = DateOf(env_->clock.NowLocal());
    std::vector<FlowLine> out;
    int sn = 1;
    for (auto cls : {catalog::ChargeClass::kA, catalog::ChargeClass::kB}) {
      for (const auto* it : env_->ref->catalog.ItemsOf(province)) {
        if (it->charge_class == cls && it->validity.Contains(today) && !it->price_cap_fen) {
          out.push_back({std::to_string(sn++), it->code, cnt_e4 * 20, 150000000});
          break;
        }
      }
    }
    EXPECT_EQ(out.size(), 2u);
    return out;
  }

  FlowDriver& Driver(const registry::Institution& inst) {
    auto& slot = drivers_[inst.fixmedins_code];
    if (!slot.second) {
      slot.first = std::make_unique<service::HospitalClient>(env_->Client(inst));
      slot.second = std::make_unique<FlowDriver>(env_->processor.get(), slot.first.get());
    }
    return *slot.second;
  }

  // An outpatient visit of `psn` (insured in `insuplc`) at `inst`, settled.
  Settled Settle(const registry::Institution& inst, const std::string& psn, const std::string& insuplc,
                 int64_t cnt_e4) {
    FlowDriver& d = Driver(inst);
    Settled s;
    s.visit = Visit{psn, "310", insuplc, false, ""};
    s.fixmedins_code = inst.fixmedins_code;
    const std::string now = FormatLocalTime(env_->clock.NowLocal());
    EXPECT_EQ(d.Open(&s.visit, now).infcode, 0);
    const auto lines = Lines(inst.admdvs.substr(0, 2) + "0000", cnt_e4);
    EXPECT_EQ(d.Upload(s.visit, lines, now).infcode, 0);
    Fen total = 0;
    for (const auto& l : lines) total += FlowDriver::LineAmountFen(l);
    CallResult r = d.Settle(s.visit, total, true, false);
    EXPECT_EQ(r.infcode, 0) << r.response;
    auto info = SetlInfo(r.response);
    s.setl_id = service::OutputString(r.response, {"setlinfo", "setl_id"});
    s.medfee = info["medfee_sumamt"];
    s.fund = info["fund_pay_sumamt"];
    s.acct = info["acct_pay"];
    s.cash = info["psn_cash_pay"];
    EXPECT_GT(s.fund, 0) << r.response;
    return s;
  }

  void ExpectVerifies() {
    auto rep = service::Verify(*env_->store, nullptr);
    ASSERT_TRUE(rep.ok()) << rep.status().ToString();
    for (const auto& p : rep->problems) ADD_FAILURE() << p;
  }

  static std::map<std::pair<std::string, std::string>, Fen> Flows(const clearing::MonthResult& m) {
    std::map<std::pair<std::string, std::string>, Fen> out;
    for (const auto& f : m.flows) out[{f.insuplc_province, f.mdtrtarea_province}] = f.total_fen();
    return out;
  }

  clearing::MonthResult Parsed(const std::string& report_json) {
    auto m = clearing::ParseMonthJson(report_json);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? *m : clearing::MonthResult{};
  }

  CallResult Call(const registry::Institution& inst, const std::string& infno, const json& input) {
    return Driver(inst).Call(infno, input.dump(), "");
  }

  json DetailJson(const std::string& setl_id) {
    std::optional<store::SettlementRow> row;
    EXPECT_TRUE(env_->store->Read([&](store::ReadTxn& txn) -> Status {
                           XT_ASSIGN_OR_RETURN(row, txn.settlements().FindSettlement(setl_id));
                           return Status::Ok();
                         }).ok());
    EXPECT_TRUE(row.has_value());
    const auto d = clearing::DetailOf(*row);
    return {{"setl_id", d.setl_id}, {"mdtrt_id", d.mdtrt_id}, {"psn_no", d.psn_no}, {"insutype", d.insutype},
            {"clr_type", d.clr_type}, {"refd_setl_flag", d.reversal ? "1" : "0"},
            {"setl_time", FormatLocalTime(d.setl_time)}, {"medfee_sumamt", d.medfee_sumamt / 100.0},
            {"fund_pay_sumamt", d.fund_pay_sumamt / 100.0}, {"acct_pay", d.acct_pay / 100.0}};
  }

  std::unique_ptr<Env> env_;
  std::unique_ptr<service::ClearingService> clearing_;
  std::map<std::string, std::pair<std::unique_ptr<service::HospitalClient>, std::unique_ptr<FlowDriver>>> drivers_;
};

TEST_F(ClearingFlowTest, AMonthAcrossThreeRegionsClosesToTheSumsOfItsSettlements) {
  const auto& bj = env_->Hospital("110000", 3);
  const auto& tj = env_->Hospital("120000", 3);
  const auto& hb = env_->Hospital("130000", 3);
  At("2026-11-20 10:00:00");
  // Hebei deposits 100.00 into its prepaid fund, far below two months of its spend.
  auto dep = clearing_->Deposit(service::Caller::Local(), "130000", 10000, "slip 1");
  ASSERT_TRUE(dep.ok()) << dep.status().ToString();
  EXPECT_EQ(dep->balance_fen, 10000);
  EXPECT_FALSE(dep->warning) << "no closed month yet: no threshold";

  const Settled s1 = Settle(tj, "1305000000000001", "130500", 10000);  // Hebei -> Tianjin
  const Settled s2 = Settle(bj, "1301000000000004", "130100", 20000);  // Hebei -> Beijing
  const Settled s3 = Settle(hb, "1100000000000003", "110000", 30000);  // Beijing -> Hebei
  const Settled s4 = Settle(bj, "1200000000000002", "120000", 40000);  // Tianjin -> Beijing
  const Settled s5 = Settle(hb, "1200000000000003", "120000", 50000);  // Tianjin -> Hebei
  const Settled local = Settle(tj, "1200000000000007", "120000", 10000);  // inside Tianjin: not cleared
  // 1 December, before the close: December's.
  At("2026-12-01 09:00:00");
  const Settled s6 = Settle(tj, "1100000000000005", "110000", 20000);  // Beijing -> Tianjin

  // Not over yet on 30 November.
  At("2026-11-30 23:59:59");
  auto early = clearing_->Close(service::Caller::Local(), 202611);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), "XT-CLR-001");

  At("2026-12-01 10:00:00");
  auto closed = clearing_->Close(service::Caller::Local(), 202611);
  ASSERT_TRUE(closed.ok()) << closed.status().ToString();
  EXPECT_FALSE(closed->already_closed);
  const clearing::MonthResult nov = Parsed(closed->month.report_json);
  EXPECT_EQ(nov.settlements, 5);
  EXPECT_EQ(nov.reversals, 0);
  std::map<std::pair<std::string, std::string>, Fen> want = {
      {{"130000", "120000"}, s1.owed()}, {{"130000", "110000"}, s2.owed()}, {{"110000", "130000"}, s3.owed()},
      {{"120000", "110000"}, s4.owed()}, {{"120000", "130000"}, s5.owed()}};
  EXPECT_EQ(Flows(nov), want);
  std::map<std::string, Fen> net;
  for (const auto& n : nov.nets) net[n.province] = n.net_fen;
  EXPECT_EQ(net["110000"], s2.owed() + s4.owed() - s3.owed());
  EXPECT_EQ(net["120000"], s1.owed() - s4.owed() - s5.owed());
  EXPECT_EQ(net["130000"], s3.owed() + s5.owed() - s1.owed() - s2.owed());
  Fen transferred = 0;
  for (const auto& t : nov.net_transfers) transferred += t.amount_fen;
  Fen positive = 0;
  for (const auto& [p, v] : net) positive += v > 0 ? v : 0;
  EXPECT_EQ(transferred, positive);
  EXPECT_LE(nov.net_transfers.size(), 2u);
  // Per institution: Tianjin's hospital has s1 only (its local settlement is not cleared).
  Fen tj_paid = 0;
  for (const auto& l : nov.institutions) {
    if (l.fixmedins_code == tj.fixmedins_code) tj_paid += l.paid_fen();
  }
  EXPECT_EQ(tj_paid, s1.owed());
  (void)local;

  // Idempotent: the same bytes, the month unchanged.
  At("2026-12-03 10:00:00");
  auto again = clearing_->Close(service::Caller::Local(), 202611);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_closed);
  EXPECT_EQ(again->month.report_json, closed->month.report_json);
  EXPECT_EQ(again->month.institutions_csv, closed->month.institutions_csv);
  ExpectVerifies();

  // Prepaid: Hebei's threshold is now two months of its November spend.
  auto pre = clearing_->Prepaid(service::Caller::Local(), "130000");
  ASSERT_TRUE(pre.ok()) << pre.status().ToString();
  ASSERT_EQ(pre->size(), 1u);
  EXPECT_EQ((*pre)[0].threshold_fen, 2 * (s1.owed() + s2.owed()));
  EXPECT_TRUE((*pre)[0].warning);
  EXPECT_EQ((*pre)[0].months_averaged, 1);

  // A late reversal of s1 on 2 December: December's adjustment.
  At("2026-12-02 11:00:00");
  CallResult rev = Driver(tj).Reverse(s1.visit, s1.setl_id);
  ASSERT_EQ(rev.infcode, 0) << rev.response;

  // 3203 for December before it closes, then 3204 cancels it.
  At("2027-01-01 00:30:00");
  json appl = {{"data",
                {{"setlym", "202612"}, {"clr_type", "11"}, {"clr_way", "1"}, {"psntime", 0},
                 {"medfee_sumamt", (s6.medfee - s1.medfee) / 100.0}, {"med_sumfee", 0},
                 {"fund_appy_sum", (s6.fund - s1.fund) / 100.0}, {"acct_pay", (s6.acct - s1.acct) / 100.0},
                 {"cash_payamt", (s6.cash - s1.cash) / 100.0}, {"begndate", "2026-12-01"},
                 {"enddate", "2026-12-31"}}}};
  CallResult applied = Call(tj, "3203", appl);
  ASSERT_EQ(applied.infcode, 0) << applied.response;
  const std::string appl_id = service::OutputString(applied.response, {"clrinfo", "clr_appy_evt_id"});
  EXPECT_EQ(service::OutputString(applied.response, {"clrinfo", "state"}), "applied");
  EXPECT_EQ(Call(tj, "3203", appl).err_code, "XT-CLR-007") << "one active application a month and clr_type";
  CallResult cancelled = Call(tj, "3204", {{"data", {{"clr_appy_evt_id", appl_id}}}});
  ASSERT_EQ(cancelled.infcode, 0) << cancelled.response;
  EXPECT_EQ(service::OutputString(cancelled.response, {"clrinfo", "state"}), "cancelled");
  {
    // Both are in the audit log, the refused second application too.
    auto audit = service::ReadAudit(*env_->store, 1, 100000);
    ASSERT_TRUE(audit.ok());
    std::map<std::string, int> seen;
    for (const auto& r : *audit) {
      if (r.action == "3203" || r.action == "3204") seen[r.action + " " + r.outcome]++;
    }
    EXPECT_EQ(seen["3203 ok"], 1);
    EXPECT_EQ(seen["3203 XT-CLR-007"], 1);
    EXPECT_EQ(seen["3204 ok"], 1);
  }

  At("2027-01-01 01:00:00");
  auto dec = clearing_->Close(service::Caller::Local(), 202612);
  ASSERT_TRUE(dec.ok()) << dec.status().ToString();
  const clearing::MonthResult d = Parsed(dec->month.report_json);
  EXPECT_EQ(d.adjustment_rows, 1);
  EXPECT_EQ(d.adjustment_fen, -s1.owed());
  EXPECT_EQ(d.settlements, 1);
  EXPECT_EQ(d.reversals, 1);
  std::map<std::pair<std::string, std::string>, Fen> want_dec = {{{"130000", "120000"}, -s1.owed()},
                                                                  {{"110000", "120000"}, s6.owed()}};
  EXPECT_EQ(Flows(d), want_dec);
  // November is as it was.
  auto nov_again = clearing_->Close(service::Caller::Local(), 202611);
  ASSERT_TRUE(nov_again.ok());
  EXPECT_EQ(nov_again->month.report_json, closed->month.report_json);
  // 3204 on a closed month is refused.
  CallResult late_cancel = Call(tj, "3204", {{"data", {{"clr_appy_evt_id", appl_id}}}});
  EXPECT_EQ(late_cancel.err_code, "XT-CLR-008");
  ExpectVerifies();
}

TEST_F(ClearingFlowTest, ReconciliationTotalsDetailsAndApplication) {
  const auto& tj = env_->Hospital("120000", 3);
  At("2026-11-10 10:00:00");
  const Settled a = Settle(tj, "1305000000000001", "130500", 10000);
  const Settled b = Settle(tj, "1100000000000003", "110000", 20000);
  const Settled c = Settle(tj, "1301000000000004", "130100", 30000);

  // 3201: the hospital's totals against the platform's.
  json totals = {{"data",
                  {{"insutype", "310"}, {"clr_type", "11"}, {"setl_optins", "120000"},
                   {"stmt_begndate", "2026-11-01"}, {"stmt_enddate", "2026-11-30"},
                   {"medfee_sumamt", (a.medfee + b.medfee + c.medfee) / 100.0},
                   {"fund_pay_sumamt", (a.fund + b.fund + c.fund) / 100.0},
                   {"acct_pay", (a.acct + b.acct + c.acct) / 100.0}, {"fixmedins_setl_cnt", 3},
                   {"refd_setl_flag", "0"}}}};
  CallResult match = Call(tj, "3201", totals);
  ASSERT_EQ(match.infcode, 0) << match.response;
  EXPECT_EQ(service::OutputString(match.response, {"stmtinfo", "stmt_rslt"}), "0") << match.response;
  totals["data"]["fixmedins_setl_cnt"] = 2;
  totals["data"]["medfee_sumamt"] = (a.medfee + b.medfee) / 100.0;
  CallResult mismatch = Call(tj, "3201", totals);
  ASSERT_EQ(mismatch.infcode, 0) << mismatch.response;
  EXPECT_EQ(service::OutputString(mismatch.response, {"stmtinfo", "stmt_rslt"}), "1");
  const std::string dscr = service::OutputString(mismatch.response, {"stmtinfo", "stmt_rslt_dscr"});
  EXPECT_NE(dscr.find("medfee_sumamt"), std::string::npos) << dscr;
  EXPECT_NE(dscr.find("fixmedins_setl_cnt"), std::string::npos) << dscr;
  totals["data"]["refd_setl_flag"] = "2";
  EXPECT_EQ(Call(tj, "3201", totals).err_code, "XT-CLR-005");

  // 3202: a differing record (a), an extra one, and one missing (c).
  json differing = DetailJson(a.setl_id);
  differing["fund_pay_sumamt"] = (a.fund + 100) / 100.0;
  json extra = DetailJson(b.setl_id);
  extra["setl_id"] = "EXTRA-0001";
  json details = {{"data", {{"stmt_begndate", "2026-11-01"}, {"stmt_enddate", "2026-11-30"}}},
                  {"detail", json::array({differing, DetailJson(b.setl_id), extra})}};
  CallResult det = Call(tj, "3202", details);
  ASSERT_EQ(det.infcode, 0) << det.response;
  const json out = json::parse(det.response)["output"]["stmtinfo"];
  EXPECT_EQ(out["stmt_rslt"], "1");
  EXPECT_EQ(out["matched"], 1);
  EXPECT_EQ(out["differing"], 1);
  EXPECT_EQ(out["missing_on_platform"], 1);
  EXPECT_EQ(out["missing_at_hospital"], 1);
  std::map<std::string, std::string> outcome;
  for (const auto& l : out["details"]) outcome[l["setl_id"].get<std::string>()] = l["stmt_rslt"].get<std::string>();
  EXPECT_EQ(outcome[a.setl_id], "differing");
  EXPECT_EQ(outcome["EXTRA-0001"], "missing_on_platform");
  EXPECT_EQ(outcome[c.setl_id], "missing_at_hospital");

  // 3203 before the month is over, then with wrong and right figures after the close.
  json appl = {{"data",
                {{"setlym", "202611"}, {"clr_type", "11"}, {"clr_way", "1"}, {"psntime", 3},
                 {"medfee_sumamt", (a.medfee + b.medfee + c.medfee) / 100.0}, {"med_sumfee", 0},
                 {"fund_appy_sum", (a.fund + b.fund + c.fund) / 100.0},
                 {"acct_pay", (a.acct + b.acct + c.acct) / 100.0},
                 {"cash_payamt", (a.cash + b.cash + c.cash) / 100.0}, {"begndate", "2026-11-01"},
                 {"enddate", "2026-11-30"}}}};
  EXPECT_EQ(Call(tj, "3203", appl).err_code, "XT-CLR-001");
  At("2026-12-01 10:00:00");
  ASSERT_TRUE(clearing_->Close(service::Caller::Local(), 202611).ok());
  json wrong = appl;
  wrong["data"]["psntime"] = 2;
  EXPECT_EQ(Call(tj, "3203", wrong).err_code, "XT-CLR-006");
  CallResult ok = Call(tj, "3203", appl);
  EXPECT_EQ(ok.infcode, 0) << ok.response;
  ExpectVerifies();
}

// A clearing officer reading 3201's and 3202's answers sees the hospital's
// figures as it sent them, digit for digit: amounts are read from their
// text, never through a double, inline or in the file uploaded with 9101,
// also where a double cannot hold them (2^53 fen and more). The requests are
// written as text so that no JSON library of the test rounds them first.
TEST_F(ClearingFlowTest, ReconciliationShowsTheHospitalsFiguresDigitForDigit) {
  const auto& tj = env_->Hospital("120000", 3);
  At("2026-11-10 10:00:00");
  const Settled a = Settle(tj, "1305000000000001", "130500", 10000);
  ASSERT_NE(a.acct, 29);
  FlowDriver& d = Driver(tj);
  const auto npos = std::string::npos;

  const std::string totals =
      R"({"data":{"insutype":"310","clr_type":"11","setl_optins":"120000","stmt_begndate":"2026-11-01",)"
      R"("stmt_enddate":"2026-11-30","medfee_sumamt":1234567890123456.78,"fund_pay_sumamt":12345678901.23,)"
      R"("acct_pay":0.29,"fixmedins_setl_cnt":1,"refd_setl_flag":"0"}})";
  CallResult t = d.Call("3201", totals, "");
  ASSERT_EQ(t.infcode, 0) << t.response;
  const std::string t_dscr = service::OutputString(t.response, {"stmtinfo", "stmt_rslt_dscr"});
  EXPECT_NE(t_dscr.find("medfee_sumamt: hospital 1234567890123456.78, platform " + FormatFen(a.medfee)), npos)
      << t_dscr;
  EXPECT_NE(t_dscr.find("fund_pay_sumamt: hospital 12345678901.23, platform " + FormatFen(a.fund)), npos) << t_dscr;
  EXPECT_NE(t_dscr.find("acct_pay: hospital 0.29, platform " + FormatFen(a.acct)), npos) << t_dscr;

  // 3202: the platform's record with the hospital's medfee_sumamt of
  // 90,071,992,547,409.93 yuan (2^53 + 1 fen) and acct_pay of 0.29.
  const std::string hospital_medfee = "90071992547409.93";
  const std::string expect_medfee = "medfee_sumamt: hospital " + hospital_medfee + ", platform " + FormatFen(a.medfee);
  const std::string expect_acct = "acct_pay: hospital 0.29, platform " + FormatFen(a.acct);
  auto expect_differing = [&](const CallResult& r) {
    ASSERT_EQ(r.infcode, 0) << r.response;
    const json out = json::parse(r.response)["output"]["stmtinfo"];
    EXPECT_EQ(out["differing"], 1) << r.response;
    ASSERT_EQ(out["details"].size(), 1u) << r.response;
    const json& line = out["details"][0];
    EXPECT_EQ(line["setl_id"], a.setl_id);
    EXPECT_EQ(line["fields"], json::array({"medfee_sumamt", "acct_pay"})) << r.response;
    const std::string dscr = line["stmt_rslt_dscr"];
    EXPECT_NE(dscr.find(expect_medfee), npos) << dscr;
    EXPECT_NE(dscr.find(expect_acct), npos) << dscr;
  };
  json record = DetailJson(a.setl_id);
  record["medfee_sumamt"] = "MEDFEE";
  record["acct_pay"] = "ACCT";
  std::string inline_text =
      json{{"data", {{"stmt_begndate", "2026-11-01"}, {"stmt_enddate", "2026-11-30"}}}, {"detail", {record}}}.dump();
  inline_text.replace(inline_text.find("\"MEDFEE\""), 8, hospital_medfee);
  inline_text.replace(inline_text.find("\"ACCT\""), 6, "0.29");
  expect_differing(d.Call("3202", inline_text, ""));

  const std::string file = "setl_id\tmdtrt_id\tpsn_no\tmedfee_sumamt\tfund_pay_sumamt\tacct_pay\trefd_setl_flag\n" +
                           a.setl_id + "\t" + record["mdtrt_id"].get<std::string>() + "\t" +
                           record["psn_no"].get<std::string>() + "\t" + hospital_medfee + "\t" + FormatFen(a.fund) +
                           "\t0.29\t0\n";
  const json up = {{"fsUploadIn", {{"in", crypto::Base64Encode(file)}, {"filename", "3202_202611.txt"},
                                   {"fixmedins_code", tj.fixmedins_code}}}};
  CallResult uploaded = d.Call("9101", up.dump(), "");
  ASSERT_EQ(uploaded.infcode, 0) << uploaded.response;
  const json by_file = {{"data", {{"file_qury_no", service::OutputString(uploaded.response, {"file_qury_no"})},
                                  {"stmt_begndate", "2026-11-01"}, {"stmt_enddate", "2026-11-30"},
                                  {"insutype", "310"}, {"clr_type", "11"}}}};
  expect_differing(d.Call("3202", by_file.dump(), ""));
}

// ---- over HTTP

class ServerThread {
 public:
  explicit ServerThread(Env& env) : server_(env.Services(), Options()) {
    server_.set_log_sink([](std::string_view) {});
    Status st = server_.Bind();
    EXPECT_TRUE(st.ok()) << st.ToString();
    thread_ = std::thread([this] { served_ = server_.Serve(); });
  }
  ~ServerThread() {
    server_.Stop();
    thread_.join();
  }
  int port() const { return server_.port(); }

 private:
  static http::ServerOptions Options() {
    http::ServerOptions o;
    o.port = 0;
    o.threads = 4;
    return o;
  }
  http::HttpServer server_;
  std::thread thread_;
  Status served_;
};

TEST_F(ClearingFlowTest, ReportsOverHttpFollowTheAccessRules) {
  const auto& bj = env_->Hospital("110000", 3);
  const auto& tj = env_->Hospital("120000", 3);
  At("2026-11-20 10:00:00");
  const Settled s1 = Settle(tj, "1305000000000001", "130500", 10000);  // Hebei -> Tianjin
  const Settled s4 = Settle(bj, "1200000000000002", "120000", 40000);  // Tianjin -> Beijing
  const Settled s2 = Settle(bj, "1301000000000004", "130100", 20000);  // Hebei -> Beijing
  ASSERT_TRUE(clearing_->Deposit(service::Caller::Local(), "130000", 1000000, "slip").ok());
  At("2026-12-01 10:00:00");

  ServerThread server(*env_);
  httplib::Client cli("127.0.0.1", server.port());
  cli.set_read_timeout(10, 0);
  auto get = [&](const std::string& key, const std::string& path) {
    auto res = cli.Get(path, {{"Authorization", "Bearer " + key}});
    EXPECT_TRUE(res) << path;
    return res ? std::make_pair(res->status, res->body) : std::make_pair(0, std::string());
  };
  const std::string admin = env_->Key(service::Role::kAdmin, "*");
  const std::string hebei = env_->Key(service::Role::kAgency, "130000");
  const std::string beijing = env_->Key(service::Role::kAgency, "110000");
  const std::string hospital = env_->Key(service::Role::kHospital, tj.fixmedins_code);
  const std::string resident = env_->Key(service::Role::kResident, "1305000000000001");

  // Closing is for operators.
  auto agency_close = cli.Post("/api/v1/clearing/months/202611/close", {{"Authorization", "Bearer " + hebei}}, "",
                               "application/json");
  ASSERT_TRUE(agency_close);
  EXPECT_EQ(agency_close->status, 403);
  auto closed = cli.Post("/api/v1/clearing/months/202611/close", {{"Authorization", "Bearer " + admin}}, "",
                         "application/json");
  ASSERT_TRUE(closed);
  ASSERT_EQ(closed->status, 200) << closed->body;
  auto reclosed = cli.Post("/api/v1/clearing/months/202611/close", {{"Authorization", "Bearer " + admin}}, "",
                           "application/json");
  ASSERT_TRUE(reclosed);
  EXPECT_EQ(reclosed->body, closed->body) << "a second close answers the same bytes";

  // Operators: the stored month.
  auto [st_admin, month_admin] = get(admin, "/api/v1/clearing/months/202611");
  EXPECT_EQ(st_admin, 200);
  EXPECT_EQ(month_admin, closed->body);
  auto csv = cli.Get("/api/v1/clearing/months/202611/flows.csv", {{"Authorization", "Bearer " + admin}});
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 200);
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv->body.rfind("insuplc\\mdtrtarea,", 0), 0u) << csv->body;
  auto [st_q, csv_q] = get(admin, "/api/v1/clearing/months/202611/institutions?format=csv");
  EXPECT_EQ(st_q, 200);
  EXPECT_NE(csv_q.find(tj.fixmedins_code), std::string::npos);

  // Beijing's agency: the flows that concern Beijing only.
  auto [st_bj, month_bj] = get(beijing, "/api/v1/clearing/months/202611");
  ASSERT_EQ(st_bj, 200) << month_bj;
  const json mb = json::parse(month_bj);
  std::set<std::pair<std::string, std::string>> pairs;
  for (const auto& f : mb["flows"]) {
    pairs.insert({f["insuplc_province"].get<std::string>(), f["mdtrtarea_province"].get<std::string>()});
  }
  EXPECT_EQ(pairs, (std::set<std::pair<std::string, std::string>>{{"120000", "110000"}, {"130000", "110000"}}));
  for (const auto& l : mb["institutions"]) EXPECT_EQ(l["mdtrtarea_province"], "110000");
  for (const auto& f : mb["funds"]) EXPECT_EQ(f["insuplc_province"], "110000");

  // Tianjin's hospital: its own lines only.
  auto [st_h, inst_h] = get(hospital, "/api/v1/clearing/months/202611/institutions");
  ASSERT_EQ(st_h, 200) << inst_h;
  const json ih = json::parse(inst_h);
  ASSERT_EQ(ih["institutions"].size(), 1u);
  EXPECT_EQ(ih["institutions"][0]["fixmedins_code"], tj.fixmedins_code);
  auto [st_hf, flows_h] = get(hospital, "/api/v1/clearing/months/202611/flows");
  EXPECT_EQ(st_hf, 200);
  EXPECT_TRUE(json::parse(flows_h)["flows"].empty());

  // Residents: nothing.
  EXPECT_EQ(get(resident, "/api/v1/clearing/months/202611").first, 403);
  EXPECT_EQ(get(resident, "/api/v1/clearing/months").first, 403);
  EXPECT_EQ(get(resident, "/api/v1/clearing/prepaid").first, 403);

  // Prepaid: an agency its own fund, operators all; the warning is shown.
  auto [st_p, prepaid] = get(hebei, "/api/v1/clearing/prepaid");
  ASSERT_EQ(st_p, 200) << prepaid;
  const json pj = json::parse(prepaid);
  ASSERT_EQ(pj["prepaid"].size(), 1u);
  EXPECT_EQ(pj["prepaid"][0]["province"], "130000");
  EXPECT_TRUE(pj["prepaid"][0]["warning"].is_boolean());
  EXPECT_EQ(*ScaledFromDouble(pj["prepaid"][0]["threshold"].get<double>(), 2), 2 * (s1.owed() + s2.owed()));
  EXPECT_EQ(get(hebei, "/api/v1/clearing/prepaid?region=110000").first, 403);
  EXPECT_EQ(get(hospital, "/api/v1/clearing/prepaid").first, 403);
  auto [st_pa, prepaid_all] = get(admin, "/api/v1/clearing/prepaid");
  EXPECT_EQ(st_pa, 200);
  EXPECT_EQ(json::parse(prepaid_all)["prepaid"].size(), 3u);

  // Unknown reports and open months.
  EXPECT_EQ(get(admin, "/api/v1/clearing/months/202611/nothing").first, 404);
  EXPECT_EQ(get(admin, "/api/v1/clearing/months/202612").first, 404);
  EXPECT_EQ(get(admin, "/api/v1/clearing/months/2026-11").first, 400);
  auto [st_l, list] = get(hebei, "/api/v1/clearing/months");
  EXPECT_EQ(st_l, 200);
  EXPECT_EQ(json::parse(list)["months"].size(), 1u);
  (void)s4;
  ExpectVerifies();
}


// A Hebei hospital's 3202 omits one settlement and changes an amount of
// another: the outcome is kept, and the Hebei agency reads both differences
// named over HTTP; Beijing's agency does not see it; a retry of the same
// message is answered as the first time and kept once; a 3201 that balances
// is kept with stmt_rslt "0".
TEST_F(ClearingFlowTest, ReconciliationOutcomesAreKeptForTheAgencyOfTheProvince) {
  const auto& he = env_->Hospital("130000", 3);
  At("2026-11-10 10:00:00");
  const Settled a = Settle(he, "1100000000000003", "110000", 10000);
  const Settled b = Settle(he, "1200000000000002", "120000", 20000);

  json totals = {{"data",
                  {{"insutype", "310"}, {"clr_type", "11"}, {"setl_optins", "130000"},
                   {"stmt_begndate", "2026-11-01"}, {"stmt_enddate", "2026-11-30"},
                   {"medfee_sumamt", (a.medfee + b.medfee) / 100.0},
                   {"fund_pay_sumamt", (a.fund + b.fund) / 100.0}, {"acct_pay", (a.acct + b.acct) / 100.0},
                   {"fixmedins_setl_cnt", 2}, {"refd_setl_flag", "0"}}}};
  CallResult balanced = Call(he, "3201", totals);
  ASSERT_EQ(balanced.infcode, 0) << balanced.response;
  EXPECT_EQ(service::OutputString(balanced.response, {"stmtinfo", "stmt_rslt"}), "0");

  // The file: a with medfee_sumamt 1.00 yuan above the platform's; b left out.
  json changed = DetailJson(a.setl_id);
  changed["medfee_sumamt"] = (a.medfee + 100) / 100.0;
  json details = {{"data", {{"stmt_begndate", "2026-11-01"}, {"stmt_enddate", "2026-11-30"}}},
                  {"detail", json::array({changed})}};
  CallResult det = Call(he, "3202", details);
  ASSERT_EQ(det.infcode, 0) << det.response;
  EXPECT_EQ(service::OutputString(det.response, {"stmtinfo", "stmt_rslt"}), "1");
  // The same message again: the first answer, and no second outcome kept.
  EXPECT_EQ(env_->processor->Call(det.request), det.response);

  ServerThread server(*env_);
  httplib::Client cli("127.0.0.1", server.port());
  cli.set_read_timeout(10, 0);
  auto get = [&](const std::string& key, const std::string& path) {
    auto res = cli.Get(path, {{"Authorization", "Bearer " + key}});
    EXPECT_TRUE(res) << path;
    return res ? std::make_pair(res->status, res->body) : std::make_pair(0, std::string());
  };
  const std::string hebei = env_->Key(service::Role::kAgency, "130000");
  const std::string beijing = env_->Key(service::Role::kAgency, "110000");
  const std::string admin = env_->Key(service::Role::kAdmin, "*");
  const std::string hospital = env_->Key(service::Role::kHospital, he.fixmedins_code);
  const std::string other_hospital = env_->Key(service::Role::kHospital, env_->Hospital("120000", 3).fixmedins_code);
  const std::string resident = env_->Key(service::Role::kResident, "1100000000000003");
  const char* kPath = "/api/v1/clearing/reconciliations";

  // Hebei's agency: the failed 3202 only (the balanced 3201 is not a failure).
  auto [st, body] = get(hebei, kPath);
  ASSERT_EQ(st, 200) << body;
  const json list = json::parse(body)["reconciliations"];
  ASSERT_EQ(list.size(), 1u) << body;
  const json& r = list[0];
  EXPECT_EQ(r["infno"], "3202");
  EXPECT_EQ(r["fixmedins_code"], he.fixmedins_code);
  EXPECT_EQ(r["region"], "130000");
  EXPECT_EQ(r["stmt_rslt"], "1");
  EXPECT_EQ(r["stmt_begndate"], "2026-11-01");
  EXPECT_EQ(r["msgid"], json::parse(det.request)["msgid"]);
  EXPECT_EQ(r["differences_total"], 2);
  std::map<std::string, json> by_setl;
  for (const auto& d : r["differences"]) by_setl[d["setl_id"].get<std::string>()] = d;
  ASSERT_EQ(by_setl.size(), 2u) << body;
  EXPECT_EQ(by_setl[b.setl_id]["outcome"], "missing_at_hospital");
  EXPECT_EQ(by_setl[a.setl_id]["outcome"], "differing");
  EXPECT_EQ(by_setl[a.setl_id]["fields"], json::array({"medfee_sumamt"}));
  const std::string dscr = by_setl[a.setl_id]["dscr"];
  EXPECT_NE(dscr.find(FormatFen(a.medfee + 100)), std::string::npos) << dscr;
  EXPECT_NE(dscr.find(FormatFen(a.medfee)), std::string::npos) << dscr;

  // All of them: the balanced 3201 too, newest first; pages of one.
  auto [st_all, all_body] = get(hebei, std::string(kPath) + "?result=all&page_size=1");
  ASSERT_EQ(st_all, 200) << all_body;
  const json page1 = json::parse(all_body);
  ASSERT_EQ(page1["reconciliations"].size(), 1u);
  EXPECT_EQ(page1["reconciliations"][0]["infno"], "3202");
  ASSERT_TRUE(page1["next_page_token"].is_string()) << all_body;
  auto [st_p2, p2_body] = get(hebei, std::string(kPath) + "?result=all&page_size=1&page_token=" +
                                         page1["next_page_token"].get<std::string>());
  ASSERT_EQ(st_p2, 200) << p2_body;
  const json page2 = json::parse(p2_body);
  ASSERT_EQ(page2["reconciliations"].size(), 1u) << p2_body;
  EXPECT_EQ(page2["reconciliations"][0]["infno"], "3201");
  EXPECT_EQ(page2["reconciliations"][0]["stmt_rslt"], "0");
  EXPECT_TRUE(page2["reconciliations"][0]["differences"].empty());
  EXPECT_TRUE(page2["next_page_token"].is_null());
  // A period that ends before November: none.
  auto [st_old, old_body] = get(hebei, std::string(kPath) + "?result=all&to=2026-10-31");
  EXPECT_EQ(st_old, 200);
  EXPECT_TRUE(json::parse(old_body)["reconciliations"].empty()) << old_body;

  // Beijing's agency does not see Hebei's institutions, nor may it ask.
  auto [st_bj, bj_body] = get(beijing, kPath);
  ASSERT_EQ(st_bj, 200) << bj_body;
  EXPECT_TRUE(json::parse(bj_body)["reconciliations"].empty()) << bj_body;
  EXPECT_EQ(get(beijing, std::string(kPath) + "?region=130000").first, 403);
  // The hospital sees its own; another hospital nothing; operators all.
  EXPECT_EQ(json::parse(get(hospital, kPath).second)["reconciliations"].size(), 1u);
  EXPECT_TRUE(json::parse(get(other_hospital, kPath).second)["reconciliations"].empty());
  EXPECT_EQ(get(other_hospital, std::string(kPath) + "?fixmedins_code=" + he.fixmedins_code).first, 403);
  EXPECT_EQ(json::parse(get(admin, std::string(kPath) + "?result=all").second)["reconciliations"].size(), 2u);
  EXPECT_EQ(get(resident, kPath).first, 403);
  // Bad parameters: a clear error, nothing else.
  EXPECT_EQ(get(admin, std::string(kPath) + "?result=some").first, 400);
  EXPECT_EQ(get(admin, std::string(kPath) + "?from=2026-13-01").first, 400);
  EXPECT_EQ(get(admin, std::string(kPath) + "?page_size=0").first, 400);
  EXPECT_EQ(get(admin, std::string(kPath) + "?region=13").first, 400);
  ExpectVerifies();
}

}  // namespace
}  // namespace xt::testing
