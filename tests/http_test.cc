// The HTTP server on 127.0.0.1 (an ephemeral port) over a real SQLite file,
// driven by httplib's client the way a hospital's system would: whole
// outpatient and inpatient visits with reversal and an idempotent retry,
// every error answer, a client that stalls, /healthz, /metrics, the access
// log, and a stop that finishes the request in flight.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <tuple>

#include "core/crypto.h"
#include "tools/loadgen.h"
#include "http/server.h"
#include "service/envelope.h"
#include "service/verify.h"
#include "http_util.h"
#include "test_env.h"

namespace xt::testing {
namespace {

using json = nlohmann::json;
using service::CallResult;
using service::FlowDriver;
using service::FlowLine;
using service::Visit;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kDemoPsn = "1305000000000001";  // the Xingtai employee of data/README.md
constexpr const char* kCallPath = "/fsi/api/callService";

class HttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = std::make_unique<Env>(std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
                                 ".db");
    server_ = std::make_unique<RunningServer>(*env_, TestOptions());
    hospital_ = &env_->Hospital("120000", 3);
    key_ = env_->Key(service::Role::kHospital, hospital_->fixmedins_code);
    cli_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    cli_->set_read_timeout(10, 0);
    cli_->set_tcp_nodelay(true);  // the body is a second write: no Nagle wait for it
    cli_->set_bearer_token_auth(key_);
    client_ = std::make_unique<service::HospitalClient>(env_->Client(*hospital_));
    // Every envelope goes over HTTP; every envelope answer is HTTP 200.
    drv_ = std::make_unique<FlowDriver>(
        [this](const std::string& request) {
          auto res = cli_->Post(kCallPath, request, "application/json");
          EXPECT_TRUE(res) << "no answer";
          if (!res) return std::string();
          EXPECT_EQ(res->status, 200) << res->body;
          EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
          return res->body;
        },
        client_.get());
    ASSERT_EQ(drv_->SignIn().infcode, 0);
  }

  void TearDown() override {
    server_.reset();
    auto rep = service::Verify(*env_->store, nullptr);
    ASSERT_TRUE(rep.ok()) << rep.status().ToString();
    for (const auto& p : rep->problems) ADD_FAILURE() << p;
  }

  const catalog::ItemVersion* Item(catalog::ChargeClass cls) {
    const Date today = DateOf(env_->clock.NowLocal());
    for (const auto* it : env_->ref->catalog.ItemsOf("120000")) {
      if (it->charge_class == cls && it->validity.Contains(today) && !it->price_cap_fen) return it;
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

  // The demo patient's ID number, as the database holds it.
  std::string DemoCertno() {
    std::string certno;
    EXPECT_TRUE(env_->store->Read([&](store::ReadTxn& txn) -> Status {
                           XT_ASSIGN_OR_RETURN(auto p, txn.registry().FindPersonByPsnNo(kDemoPsn));
                           if (p) certno = p->certno;
                           return Status::Ok();
                         }).ok());
    EXPECT_FALSE(certno.empty());
    return certno;
  }

  // POSTs `body` and returns (status, parsed body).
  std::pair<int, json> Post(const std::string& body) {
    auto res = cli_->Post(kCallPath, body, "application/json");
    if (!res) {
      ADD_FAILURE() << "no answer: " << httplib::to_string(res.error());
      return {0, json()};
    }
    return {res->status, json::parse(res->body, nullptr, false)};
  }

  std::string Metrics() {
    auto res = cli_->Get("/metrics", {{"Authorization", "Bearer " + AdminKey()}});
    EXPECT_TRUE(res && res->status == 200);
    return res ? res->body : std::string();
  }

  std::unique_ptr<Env> env_;
  std::unique_ptr<RunningServer> server_;
  std::unique_ptr<httplib::Client> cli_;
  const registry::Institution* hospital_ = nullptr;
  std::unique_ptr<service::HospitalClient> client_;
  std::unique_ptr<FlowDriver> drv_;
  std::string key_;  // the hospital's API key
  std::string admin_key_;
  const std::string& AdminKey() {
    if (admin_key_.empty()) admin_key_ = env_->Key(service::Role::kAdmin, "*");
    return admin_key_;
  }
};

TEST_F(HttpTest, OutpatientVisitOverHttpSettlesRetriesReversesAndSettlesAgain) {
  Visit v{kDemoPsn, "310", "130500", false, ""};
  ASSERT_EQ(drv_->PersonInfo(DemoCertno()).infcode, 0);
  ASSERT_EQ(drv_->Open(&v, "2026-11-18 09:00:00").infcode, 0);
  ASSERT_FALSE(v.mdtrt_id.empty());
  const auto lines = Lines();
  ASSERT_EQ(drv_->Upload(v, lines, "2026-11-18 09:10:00").infcode, 0);
  CallResult pre = drv_->Settle(v, Total(lines), true, /*pre=*/true);
  ASSERT_EQ(pre.infcode, 0) << pre.response;

  // The settlement, then the very same request again (a hospital that did
  // not see the answer): the first answer, byte for byte, and no second effect.
  json in = {{"data", {{"psn_no", v.psn_no}, {"mdtrt_id", v.mdtrt_id}, {"medfee_sumamt", Total(lines) / 100.0},
                       {"acct_used_flag", "1"}, {"insutype", "310"}}}};
  const std::string request = client_->Envelope("2207", in.dump(), "130500");
  auto first = cli_->Post(kCallPath, request, "application/json");
  ASSERT_TRUE(first && first->status == 200);
  ASSERT_EQ(json::parse(first->body)["infcode"], 0) << first->body;
  env_->clock.AdvanceMillis(3000);
  auto again = cli_->Post(kCallPath, request, "application/json");
  ASSERT_TRUE(again && again->status == 200);
  EXPECT_EQ(again->body, first->body) << "a retried msgid returns its first answer";
  auto m = SetlInfo(first->body);
  auto p = SetlInfo(pre.response);
  for (const auto& [k, val] : p) EXPECT_EQ(m[k], val) << k << ": pre-settlement and settlement agree";
  EXPECT_EQ(m["medfee_sumamt"], Total(lines));
  EXPECT_EQ(m["psn_part_amt"], m["medfee_sumamt"] - m["fund_pay_sumamt"]);

  const std::string setl_id = service::OutputString(first->body, {"setlinfo", "setl_id"});
  CallResult r = drv_->Reverse(v, setl_id);
  ASSERT_EQ(r.infcode, 0) << r.response;
  EXPECT_EQ(SetlInfo(r.response)["medfee_sumamt"], -m["medfee_sumamt"]);
  EXPECT_EQ(drv_->Reverse(v, setl_id).err_code, "XT-SETL-006");
  CallResult s2 = drv_->Settle(v, Total(lines), true, false);
  ASSERT_EQ(s2.infcode, 0) << s2.response;
  EXPECT_EQ(SetlInfo(s2.response)["fund_pay_sumamt"], m["fund_pay_sumamt"]);

  const std::string metrics = Metrics();
  EXPECT_NE(metrics.find("xt_settlements_total{kind=\"settle\",outcome=\"ok\"} 2"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("xt_settlements_total{kind=\"settle\",outcome=\"replayed\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("xt_settlements_total{kind=\"reversal\",outcome=\"ok\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("xt_settlements_total{kind=\"reversal\",outcome=\"refused\"} 1"), std::string::npos);
}

TEST_F(HttpTest, InpatientStayOverHttpAdmitsDischargesSettlesRetriesAndReverses) {
  Visit v{kDemoPsn, "310", "130500", true, ""};
  ASSERT_EQ(drv_->Open(&v, "2026-11-15 09:00:00").infcode, 0);
  const auto lines = Lines();
  ASSERT_EQ(drv_->Upload(v, lines, "2026-11-16 10:00:00").infcode, 0);
  EXPECT_EQ(drv_->Settle(v, Total(lines), false, false).err_code, "XT-VIS-003") << "not discharged yet";
  ASSERT_EQ(drv_->Discharge(v, "2026-11-20 09:00:00").infcode, 0);
  ASSERT_EQ(drv_->Settle(v, Total(lines), false, /*pre=*/true).infcode, 0);

  json in = {{"data", {{"psn_no", v.psn_no}, {"mdtrt_id", v.mdtrt_id}, {"medfee_sumamt", Total(lines) / 100.0},
                       {"acct_used_flag", "0"}, {"insutype", "310"}, {"mid_setl_flag", "0"}}}};
  const std::string request = client_->Envelope("2304", in.dump(), "130500");
  auto first = cli_->Post(kCallPath, request, "application/json");
  ASSERT_TRUE(first && first->status == 200);
  ASSERT_EQ(json::parse(first->body)["infcode"], 0) << first->body;
  auto again = cli_->Post(kCallPath, request, "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, first->body);
  auto m = SetlInfo(first->body);
  EXPECT_EQ(m["medfee_sumamt"], Total(lines));
  EXPECT_EQ(m["acct_pay"], 0);
  EXPECT_GT(m["act_pay_dedc"], 0) << "the first stay of the year meets the deductible";

  const std::string setl_id = service::OutputString(first->body, {"setlinfo", "setl_id"});
  CallResult r = drv_->Reverse(v, setl_id);
  ASSERT_EQ(r.infcode, 0) << r.response;
  EXPECT_EQ(SetlInfo(r.response)["fund_pay_sumamt"], -m["fund_pay_sumamt"]);
  const int64_t settlements = env_->Settlements();
  EXPECT_EQ(settlements, 2) << "the settlement and its reversal; the retry added nothing";
}

// Every refusal the route gives, each with its HTTP status and stable code.
TEST_F(HttpTest, ErrorAnswersCarryTheirStatusAndStableCode) {
  const json base = json::parse(client_->Envelope("1101", R"({"data":{"mdtrt_cert_type":"02"}})", ""));
  auto with = [&](const char* key, json value) {
    json j = base;
    if (value.is_null()) j.erase(key);
    else j[key] = value;
    return j.dump();
  };
  json open_input = {{"data", {{"psn_no", kDemoPsn}, {"insutype", "310"}, {"ipt_otp_no", "V1"}}}};
  json open_bad_time = open_input;
  open_bad_time["data"]["begntime"] = 20261118;
  struct Case {
    const char* name;
    std::string body;
    int status;
    const char* err_code;
  };
  const Case cases[] = {
      {"malformed JSON", "{\"infno\":", 200, "XT-ENV-001"},
      {"not an object", "[1,2,3]", 200, "XT-ENV-002"},
      {"missing infno", with("infno", nullptr), 200, "XT-ENV-002"},
      {"infno of the wrong type", with("infno", 1101), 200, "XT-ENV-002"},
      {"msgid over 30 characters", with("msgid", std::string(31, '1')), 200, "XT-ENV-002"},
      {"unknown infno", with("infno", "9999"), 200, "XT-ENV-003"},
      {"missing input", with("input", nullptr), 200, "XT-INP-001"},
      {"missing input field", base.dump(), 200, "XT-INP-001"},
      {"input field of the wrong type",
       with("input", json{{"data", {{"mdtrt_cert_type", 2}, {"mdtrt_cert_no", "x"}}}}), 200, "XT-INP-002"},
      {"missing begntime", client_->Envelope("2201", open_input.dump(), "130500"), 200, "XT-INP-001"},
      {"begntime of the wrong type", client_->Envelope("2201", open_bad_time.dump(), "130500"), 200, "XT-INP-002"},
      {"empty body", "", 400, "XT-HTTP-001"},
      {"body over the limit", std::string((64 << 10) + 1, ' '), 413, "XT-ENV-008"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto res = cli_->Post(kCallPath, c.body, "application/json");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, c.status);
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
    const json j = json::parse(res->body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << res->body;
    EXPECT_EQ(j["infcode"], -1);
    EXPECT_EQ(j["err_code"], c.err_code) << res->body;
    EXPECT_FALSE(j["err_msg"].get<std::string>().empty());
    // HTTP-level refusals carry the head every answer has, as HIS clients
    // read it: inf_refmsgid (region 6 + time 14 + serial 10), respond_time.
    EXPECT_EQ(j.value("inf_refmsgid", "").size(), 30u) << res->body;
    EXPECT_EQ(j.value("respond_time", "").size(), 17u) << res->body;
  }
  // Also an envelope sent to a URL naming another transaction.
  auto wrong_url = cli_->Post("/fsi/api/2207", base.dump(), "application/json");
  ASSERT_TRUE(wrong_url);
  EXPECT_EQ(json::parse(wrong_url->body)["err_code"], "XT-ENV-011") << wrong_url->body;
  auto right_url = cli_->Post("/CSB/hsa-fsi-1101", base.dump(), "application/json");
  ASSERT_TRUE(right_url);
  EXPECT_EQ(json::parse(right_url->body)["err_code"], "XT-INP-001") << "reaches the transaction: " << right_url->body;
  // Other routes and methods.
  auto get = cli_->Get(kCallPath);
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  EXPECT_EQ(get->get_header_value("Allow"), "POST");
  EXPECT_EQ(json::parse(get->body)["err_code"], "XT-HTTP-003");
  auto unknown = cli_->Get("/fsi/api/nothing");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(json::parse(unknown->body)["err_code"], "XT-HTTP-002");
  httplib::Headers many;
  for (int i = 0; i < 80; ++i) many.emplace("X-Extra-" + std::to_string(i), "1");
  auto crowded = cli_->Post(kCallPath, many, base.dump(), "application/json");
  ASSERT_TRUE(crowded);
  EXPECT_EQ(crowded->status, 431);
  EXPECT_EQ(json::parse(crowded->body)["err_code"], "XT-HTTP-004");
  // The connection is still usable after every refusal.
  const json who = {{"data", {{"mdtrt_cert_type", "02"}, {"mdtrt_cert_no", DemoCertno()}}}};
  auto ok = cli_->Post(kCallPath, client_->Envelope("1101", who.dump(), ""), "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(json::parse(ok->body)["infcode"], 0) << ok->body;
}

// A raw connection to the server.
int Connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval tv{10, 0};  // the test's own bound on waiting
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// What a raw connection received, and when (seconds after `sent`): its
// first byte and its close by the server. Waits at most 10 s.
struct Received {
  std::string text;
  double first_byte_s = -1;
  double closed_s = -1;
};

Received ReadUntilClosed(int fd, SteadyClock::time_point sent) {
  Received r;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    const double at = std::chrono::duration<double>(SteadyClock::now() - sent).count();
    if (n <= 0) {
      if (n == 0) r.closed_s = at;
      break;
    }
    if (r.first_byte_s < 0) r.first_byte_s = at;
    r.text.append(buf, static_cast<size_t>(n));
  }
  return r;
}

TEST_F(HttpTest, A9102DownloadIsTheFileItself) {
  // Over HTTP a 9102 answers with the file's bytes, as the platform
  // streams a file, not an envelope.
  const std::string body = "setl_id\tmdtrt_id\n";
  const json up = {{"fsUploadIn", {{"in", crypto::Base64Encode(body)}, {"filename", "detail.txt"}}}};
  CallResult uploaded = drv_->Call("9101", up.dump(), "");
  ASSERT_EQ(uploaded.infcode, 0) << uploaded.response;
  const json down = {{"fsDownloadIn", {{"file_qury_no", service::OutputString(uploaded.response, {"file_qury_no"})}}}};
  auto res = cli_->Post(kCallPath, client_->Envelope("9102", down.dump(), ""), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/octet-stream");
  EXPECT_EQ(res->get_header_value("Content-Disposition"), "attachment; filename=\"detail.txt\"");
  EXPECT_EQ(res->body, body);
}

TEST_F(HttpTest, ClientThatStallsIsTimedOutAndOthersAreServedMeanwhile) {
  // One sends its headers and part of the promised body, another half its
  // headers; then both stall. Each is read on its own thread.
  const std::string requests[] = {
      "POST /fsi/api/callService HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"infno\"",
      "POST /fsi/api/callService HTTP/1.1\r\nHost: x\r\nContent-Le",
  };
  std::vector<std::future<Received>> stalled;
  for (const auto& req : requests) {
    const int fd = Connect(server_->port());
    const auto sent = SteadyClock::now();
    EXPECT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
    stalled.push_back(std::async(std::launch::async, [fd, sent] {
      Received r = ReadUntilClosed(fd, sent);
      ::close(fd);
      return r;
    }));
  }
  // Meanwhile everyone else is answered at once.
  const auto t0 = SteadyClock::now();
  auto health = cli_->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_LT(std::chrono::duration<double>(SteadyClock::now() - t0).count(), 0.4);

  // read_timeout_ms is 500: each stalled request is answered 400 after
  // about that, and its connection closed within the keep-alive time (1 s)
  // after that: a stalled client holds a worker for a bounded time.
  for (auto& f : stalled) {
    const Received r = f.get();
    EXPECT_EQ(r.text.rfind("HTTP/1.1 400", 0), 0u) << r.text;
    EXPECT_NE(r.text.find("XT-HTTP-005"), std::string::npos) << r.text;
    EXPECT_GE(r.first_byte_s, 0.4) << "answered before the read timeout";
    EXPECT_LT(r.first_byte_s, 1.5);
    EXPECT_GT(r.closed_s, 0) << "the server never closed the connection";
    EXPECT_LT(r.closed_s, 3.5);
  }
}

// Reads `n` whole answers (head and Content-Length body) from a raw
// connection, or what came before it closed or 10 s passed.
std::vector<std::string> ReadAnswers(int fd, size_t n) {
  std::vector<std::string> answers;
  std::string buf;
  char chunk[4096];
  while (answers.size() < n) {
    const size_t end = buf.find("\r\n\r\n");
    if (end != std::string::npos) {
      size_t length = 0;
      const size_t at = buf.find("Content-Length: ");
      if (at != std::string::npos && at < end) length = std::stoul(buf.substr(at + 16));
      if (buf.rfind("HTTP/1.1 100 ", 0) == 0) length = 0;
      if (buf.size() >= end + 4 + length) {
        answers.push_back(buf.substr(0, end + 4 + length));
        buf.erase(0, end + 4 + length);
        continue;
      }
    }
    const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
    if (got <= 0) break;
    buf.append(chunk, static_cast<size_t>(got));
  }
  return answers;
}

// What the event-driven server does with requests that cpp-httplib's client
// never sends: pipelining, Expect: 100-continue, chunked bodies, HTTP/1.0,
// and a client that goes away while its settlement is being written.
TEST_F(HttpTest, RawRequestsPipelinedContinuedChunkedAndOld) {
  const std::string auth = "Authorization: Bearer " + key_ + "\r\n";
  {
    // Two requests in one write: two answers, in order, on one connection.
    const int fd = Connect(server_->port());
    const std::string two = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /api/nowhere HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(::send(fd, two.data(), two.size(), 0), static_cast<ssize_t>(two.size()));
    const auto answers = ReadAnswers(fd, 2);
    ASSERT_EQ(answers.size(), 2u);
    EXPECT_EQ(answers[0].rfind("HTTP/1.1 200 ", 0), 0u) << answers[0];
    EXPECT_EQ(answers[1].rfind("HTTP/1.1 404 ", 0), 0u) << answers[1];
    EXPECT_NE(answers[1].find("XT-HTTP-002"), std::string::npos);
    ::close(fd);
  }
  {
    // Expect: 100-continue: the server asks for the body, then answers it.
    const int fd = Connect(server_->port());
    const std::string body = "{oops";
    const std::string head = "POST /fsi/api/callService HTTP/1.1\r\nHost: x\r\n" + auth +
                             "Expect: 100-continue\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    ASSERT_EQ(::send(fd, head.data(), head.size(), 0), static_cast<ssize_t>(head.size()));
    auto answers = ReadAnswers(fd, 1);
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_EQ(answers[0], "HTTP/1.1 100 Continue\r\n\r\n");
    ASSERT_EQ(::send(fd, body.data(), body.size(), 0), static_cast<ssize_t>(body.size()));
    answers = ReadAnswers(fd, 1);
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_EQ(answers[0].rfind("HTTP/1.1 200 ", 0), 0u) << answers[0];
    EXPECT_NE(answers[0].find("XT-ENV-001"), std::string::npos) << answers[0];
    ::close(fd);
  }
  {
    // Chunked bodies are read: chunks joined (the answer quotes what only
    // the joined text says), extensions and trailers skipped, sent in
    // pieces, and the connection kept for the next one.
    const int fd = Connect(server_->port());
    const std::string head = "POST /fsi/api/callService HTTP/1.1\r\nHost: x\r\n" + auth +
                             "Transfer-Encoding: chunked\r\n\r\n";
    const std::string body1 = "4\r\n{\"in\r\n7;ext=1\r\nfno\":\"2\r\n4\r\n20\"}\r\n0\r\nX-Sum: 1\r\n\r\n";
    for (const std::string& piece : {head + body1.substr(0, 9), body1.substr(9, 20), body1.substr(29)}) {
      ASSERT_EQ(::send(fd, piece.data(), piece.size(), 0), static_cast<ssize_t>(piece.size()));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    auto answers = ReadAnswers(fd, 1);
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_EQ(answers[0].rfind("HTTP/1.1 200 ", 0), 0u) << answers[0];
    EXPECT_NE(answers[0].find("envelope.infno must be 4 characters"), std::string::npos) << answers[0];
    const std::string again = head + "5\r\n{oops\r\n0\r\n\r\n";
    ASSERT_EQ(::send(fd, again.data(), again.size(), 0), static_cast<ssize_t>(again.size()));
    answers = ReadAnswers(fd, 1);
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_NE(answers[0].find("XT-ENV-001"), std::string::npos) << answers[0];
    ::close(fd);
  }
  for (const auto& [framing, status, code] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\n{oops\r\n0\r\n\r\n", "400", "XT-HTTP-009"},
           {"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", "501", "XT-HTTP-009"},
           {"Transfer-Encoding: chunked\r\n\r\n5\r\n{oopsX0\r\n\r\n", "400", "XT-HTTP-005"},
           {"Transfer-Encoding: chunked\r\n\r\n100001\r\n", "413", "XT-ENV-008"}}) {
    // Both framings at once (a smuggling attempt), a coding other than
    // chunked, a malformed or oversized chunked body: refused, and the
    // connection closed (its next bytes cannot be trusted).
    SCOPED_TRACE(framing);
    const int fd = Connect(server_->port());
    const std::string req = "POST /fsi/api/callService HTTP/1.1\r\nHost: x\r\n" + auth + framing;
    ASSERT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
    const Received r = ReadUntilClosed(fd, SteadyClock::now());
    EXPECT_EQ(r.text.rfind("HTTP/1.1 " + status + " ", 0), 0u) << r.text;
    EXPECT_NE(r.text.find(code), std::string::npos) << r.text;
    EXPECT_NE(r.text.find("Connection: close"), std::string::npos) << r.text;
    EXPECT_GT(r.closed_s, 0);
    ::close(fd);
  }
  {
    // A body over the limit, sent whole with its head: answered 413, the
    // body dropped, and the connection still serves the next request, also
    // after a pause longer than the read timeout (500 ms).
    const int fd = Connect(server_->port());
    const std::string body((64 << 10) + 1, ' ');
    const std::string req = "POST /fsi/api/callService HTTP/1.1\r\nHost: x\r\n" + auth +
                            "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    ASSERT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
    auto answers = ReadAnswers(fd, 1);
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_EQ(answers[0].rfind("HTTP/1.1 413 ", 0), 0u) << answers[0];
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    const std::string next = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(::send(fd, next.data(), next.size(), MSG_NOSIGNAL), static_cast<ssize_t>(next.size()));
    answers = ReadAnswers(fd, 1);
    ASSERT_EQ(answers.size(), 1u) << "the connection was closed";
    EXPECT_EQ(answers[0].rfind("HTTP/1.1 200 ", 0), 0u) << answers[0];
    ::close(fd);
  }
  {
    // HTTP/1.0 without keep-alive: one answer, then the server closes.
    const int fd = Connect(server_->port());
    const std::string req = "GET /healthz HTTP/1.0\r\n\r\n";
    ASSERT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
    const Received r = ReadUntilClosed(fd, SteadyClock::now());
    EXPECT_EQ(r.text.rfind("HTTP/1.1 200 ", 0), 0u) << r.text;
    EXPECT_NE(r.text.find("{\"status\":\"ok\"}"), std::string::npos) << r.text;
    EXPECT_GT(r.closed_s, 0);
    EXPECT_LT(r.closed_s, 0.5) << "closed at once, not after the keep-alive time";
    ::close(fd);
  }
  {
    // A hospital that sends a settlement and hangs up before the answer: the
    // settlement is still made (and answered from the log on a retry).
    Visit v{kDemoPsn, "310", "130500", false, ""};
    ASSERT_EQ(drv_->Open(&v, "2026-11-18 09:00:00").infcode, 0);
    const auto lines = Lines();
    ASSERT_EQ(drv_->Upload(v, lines, "2026-11-18 09:10:00").infcode, 0);
    json in = {{"data", {{"psn_no", v.psn_no}, {"mdtrt_id", v.mdtrt_id}, {"medfee_sumamt", Total(lines) / 100.0},
                         {"acct_used_flag", "0"}, {"insutype", "310"}}}};
    const std::string request = client_->Envelope("2207", in.dump(), "130500");
    const int fd = Connect(server_->port());
    const std::string req = "POST /fsi/api/callService HTTP/1.1\r\nHost: x\r\n" + auth +
                            "Content-Type: application/json\r\nContent-Length: " + std::to_string(request.size()) +
                            "\r\n\r\n" + request;
    ASSERT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
    ::close(fd);
    auto retry = cli_->Post(kCallPath, request, "application/json");
    ASSERT_TRUE(retry);
    EXPECT_EQ(json::parse(retry->body)["infcode"], 0) << retry->body;
    const int64_t settlements = env_->Settlements();
    EXPECT_EQ(settlements, 1) << "made once, whether or not the first answer was read";
  }
}

// Connections beyond connections_max are answered 503 and closed; those
// already open go on being served.
TEST(HttpConnections, BeyondTheLimitAreAnswered503) {
  Env env("connections.db");
  http::ServerOptions o = TestOptions();
  o.connections_max = 2;
  RunningServer server(env, o);
  const int a = Connect(server.port());
  const int b = Connect(server.port());
  const std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  for (int fd : {a, b}) {
    ASSERT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
    ASSERT_EQ(ReadAnswers(fd, 1).size(), 1u);
  }
  const int c = Connect(server.port());
  const Received r = ReadUntilClosed(c, SteadyClock::now());
  EXPECT_EQ(r.text.rfind("HTTP/1.1 503 ", 0), 0u) << r.text;
  EXPECT_NE(r.text.find("XT-HTTP-010"), std::string::npos) << r.text;
  ::close(c);
  ASSERT_EQ(::send(a, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  const auto again = ReadAnswers(a, 1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].rfind("HTTP/1.1 200 ", 0), 0u);
  ::close(a);
  ::close(b);
}

// A head sent a byte every 100 ms keeps "progressing", but must still
// arrive whole within the read timeout (500 ms here): answered 400, closed.
TEST_F(HttpTest, HeadTrickledInIsTimedOutAsAWhole) {
  const int fd = Connect(server_->port());
  const std::string head = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(40, 'a') + "\r\n\r\n";
  const auto sent = SteadyClock::now();
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    for (size_t i = 0; i < head.size() && !stop.load(); ++i) {
      if (::send(fd, head.data() + i, 1, MSG_NOSIGNAL) != 1) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  const Received r = ReadUntilClosed(fd, sent);
  stop = true;
  trickle.join();
  ::close(fd);
  EXPECT_EQ(r.text.rfind("HTTP/1.1 400", 0), 0u) << r.text;
  EXPECT_NE(r.text.find("XT-HTTP-005"), std::string::npos) << r.text;
  EXPECT_GE(r.first_byte_s, 0.45);
  EXPECT_LT(r.first_byte_s, 1.5) << "the whole head had 500 ms, not 500 ms per byte";
}

TEST_F(HttpTest, HealthzReadsTheStoreAndMetricsNameEverySeries) {
  auto health = cli_->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, R"({"status":"ok"})");
  EXPECT_EQ(health->get_header_value("Content-Type"), "application/json");
  ASSERT_EQ(drv_->PersonInfo(DemoCertno()).infcode, 0);
  Visit v{kDemoPsn, "310", "130500", false, ""};
  ASSERT_EQ(drv_->Open(&v, "2026-11-18 09:00:00").infcode, 0);
  EXPECT_EQ(Post("{oops").second["err_code"], "XT-ENV-001");

  auto res = cli_->Get("/metrics", {{"Authorization", "Bearer " + AdminKey()}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u);
  const std::string& m = res->body;
  for (const char* want : {
           "# TYPE xt_http_requests_total counter",
           "xt_http_requests_total{route=\"/fsi/api/callService\",code=\"200\"} 4",
           "xt_http_requests_total{route=\"/healthz\",code=\"200\"} 1",
           "# TYPE xt_http_request_duration_seconds histogram",
           "xt_http_request_duration_seconds_bucket{route=\"/fsi/api/callService\",le=\"0.02\"}",
           "xt_http_request_duration_seconds_bucket{route=\"/fsi/api/callService\",le=\"+Inf\"} 4",
           "xt_http_request_duration_seconds_count{route=\"/healthz\"} 1",
           "xt_http_requests_in_flight ",
           "xt_http_connections_open 1",
           "xt_http_rest_requests_queued 0",
           "xt_transactions_total{infno=\"1101\",outcome=\"ok\"} 1",
           "xt_transactions_total{infno=\"2201\",outcome=\"ok\"} 1",
           "xt_transactions_total{infno=\"other\",outcome=\"refused\"} 1",
           "xt_settlements_total{kind=\"settle\",outcome=\"ok\"} 0",
           "xt_store_commit_batches_total ",
           "# TYPE xt_store_commit_batch_size histogram",
           "xt_store_commit_batch_size_bucket{le=\"1\"}",
           "# TYPE xt_store_commit_seconds histogram",
           "xt_store_commit_seconds_bucket{le=\"+Inf\"}",
           "xt_store_writer_busy_seconds_total ",
           "xt_store_write_queue_depth 0",
       }) {
    EXPECT_NE(m.find(want), std::string::npos) << "missing: " << want;
  }
  // Every sample line is "name{labels} value" or "name value".
  size_t pos = 0;
  while (pos < m.size()) {
    const size_t nl = m.find('\n', pos);
    const std::string line = m.substr(pos, nl - pos);
    pos = nl == std::string::npos ? m.size() : nl + 1;
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    ASSERT_NE(space, std::string::npos) << line;
    EXPECT_NO_THROW((void)std::stod(line.substr(space + 1))) << line;
  }
}

TEST_F(HttpTest, AccessLogHasOneJsonLinePerRequestAndNoPersonalData) {
  CallResult who = drv_->PersonInfo(DemoCertno());
  ASSERT_EQ(who.infcode, 0);
  const std::string name = service::OutputString(who.response, {"baseinfo", "psn_name"});
  ASSERT_FALSE(name.empty());
  EXPECT_EQ(Post("[]").first, 200);
  ASSERT_TRUE(cli_->Get("/healthz"));
  ASSERT_TRUE(cli_->Get("/api/nowhere"));
  // The logger runs after the answer is written, so lines of requests on
  // different connections may come in either order: wait for all five (the
  // sign-in of SetUp first), then find each by what it records.
  std::vector<std::string> log;
  for (int i = 0; i < 100 && (log = server_->Log()).size() < 5; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(log.size(), 5u);
  auto find = [&](const std::function<bool(const json&)>& want) {
    for (const auto& line : log) {
      json j = json::parse(line);
      if (want(j)) return j;
    }
    ADD_FAILURE() << "no such line";
    return json::object();
  };
  const json first = find([](const json& j) { return j["infno"] == "1101"; });
  for (const char* key : {"time", "route", "status", "latency_ms", "infno", "err_code", "method", "msgid", "key_id"}) {
    EXPECT_TRUE(first.contains(key)) << key << " in " << first.dump();
  }
  EXPECT_EQ(first["route"], kCallPath);
  EXPECT_EQ(first["status"], 200);
  EXPECT_EQ(first["err_code"], "");
  EXPECT_EQ(first["key_id"], key_.substr(3, 16)) << "the credential that called, never the key";
  EXPECT_EQ(find([](const json& j) { return j["err_code"] == "XT-ENV-002"; })["route"], kCallPath);
  EXPECT_EQ(find([](const json& j) { return j["route"] == "/healthz"; })["status"], 200);
  EXPECT_EQ(find([](const json& j) { return j["route"] == "other"; })["status"], 404);
  EXPECT_EQ(find([](const json& j) { return j["infno"] == "9001"; })["status"], 200);
  for (const auto& line : log) EXPECT_EQ(line.find(key_.substr(20)), std::string::npos) << "a key's secret in the log";
  for (const auto& line : log) {
    EXPECT_EQ(line.find(DemoCertno()), std::string::npos) << "an ID number in the log: " << line;
    EXPECT_EQ(line.find(kDemoPsn), std::string::npos) << "a psn_no in the log: " << line;
    EXPECT_EQ(line.find(name), std::string::npos) << "a name in the log: " << line;
  }
}

// A refusal's internal detail is for the operator: the client gets the code
// and the message, the request's access-log line gets the detail. A body
// that is not JSON is refused XT-ENV-001 with a detail (envelope.cc).
TEST_F(HttpTest, RefusalDetailGoesToTheAccessLogNeverToTheClient) {
  const std::string request = "{\"infno\": not json";
  const Status refusal = service::DecodeEnvelope(request, nullptr).status();
  ASSERT_EQ(refusal.code(), "XT-ENV-001");
  ASSERT_FALSE(refusal.detail().empty()) << "the refusal this test needs carries a detail";

  auto res = cli_->Post(kCallPath, request, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  const json body = json::parse(res->body);
  EXPECT_EQ(body["err_code"], refusal.code());
  EXPECT_EQ(body["err_msg"], refusal.message());
  EXPECT_EQ(res->body.find(refusal.detail()), std::string::npos) << "the detail sent to the client: " << res->body;

  // The line is written after the answer: wait for it (the sign-in of SetUp first).
  std::vector<std::string> log;
  for (int i = 0; i < 100 && (log = server_->Log()).size() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(log.size(), 2u);
  json line;
  for (const auto& l : log) {
    json j = json::parse(l);
    if (j["err_code"] == refusal.code()) line = j;
  }
  ASSERT_TRUE(line.is_object()) << "no access-log line of the refusal";
  EXPECT_EQ(line["route"], kCallPath);
  EXPECT_EQ(line["detail"], refusal.detail());
  // Lines of answers without a detail have no such field.
  for (const auto& l : log) {
    const json j = json::parse(l);
    if (j["err_code"] == "") {
      EXPECT_FALSE(j.contains("detail")) << l;
    }
  }
}

// Stop while a settlement waits for the writer: the settlement is still
// answered (and durable), new connections are refused, Serve returns.
TEST_F(HttpTest, StopFinishesTheRequestInFlightAndRefusesNewConnections) {
  Visit v{kDemoPsn, "310", "130500", false, ""};
  ASSERT_EQ(drv_->Open(&v, "2026-11-18 09:00:00").infcode, 0);
  const auto lines = Lines();
  ASSERT_EQ(drv_->Upload(v, lines, "2026-11-18 09:10:00").infcode, 0);

  // Hold the writer, so the settlement below queues behind this.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> holding;
  std::thread holder([&] {
    (void)env_->store->Write([&](store::WriteTxn&) {
      holding.set_value();
      released.wait();
      return Status::Ok();
    });
  });
  holding.get_future().wait();
  auto settled = std::async(std::launch::async, [&] { return drv_->Settle(v, Total(lines), true, false); });
  // Until the request is in the processor (queued for the writer).
  for (int i = 0; i < 200 && env_->store->writer_stats().queue_depth == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(env_->store->writer_stats().queue_depth, 1);
  std::thread stopper([&] { server_->StopAndJoin(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // Not accepting any more.
  httplib::Client late("127.0.0.1", server_->port());
  late.set_connection_timeout(1, 0);
  EXPECT_FALSE(late.Get("/healthz"));
  release.set_value();
  const CallResult r = settled.get();
  EXPECT_EQ(r.infcode, 0) << r.response;
  stopper.join();
  holder.join();
  const int64_t settlements = env_->Settlements();
  EXPECT_EQ(settlements, 1);
}

TEST(HttpServerOptions, OutOfRangeValuesAreRefused) {
  http::ServerOptions o;
  EXPECT_TRUE(o.Validate().ok());
  o.threads = 0;
  EXPECT_EQ(o.Validate().code(), "XT-HTTP-008");
  o = {};
  o.payload_bytes_max = size_t{1} << 30;
  EXPECT_EQ(o.Validate().code(), "XT-HTTP-008");
  o = {};
  o.read_timeout_ms = 0;
  EXPECT_EQ(o.Validate().code(), "XT-HTTP-008");
}

// The load generator against a server on today's date: every phase runs,
// every settlement is answered infcode 0, and the store has them all. A
// second run against the same server, at once (in the same second as the
// first ended, as a benchmark script's next run is), signs in and settles
// as the first did: no msgid of it repeats one of the first.
TEST(HttpLoadgen, SmallRunSettlesEveryVisitItSendsTwice) {
  Env env("loadgen.db", FormatLocalTime(SystemClock::Instance().NowLocal()));
  service::Processor processor(env.store.get(), env.ref.get(), &SystemClock::Instance());
  http::ServerOptions so = TestOptions();
  so.access_log = false;
  RunningServer server(env, so, &processor);
  http::LoadgenOptions o;
  o.port = server.port();
  o.data_dir = DataDir();
  for (const auto& inst : env.ref->registry.institutions()) {
    o.api_keys[inst.fixmedins_code] = env.Key(service::Role::kHospital, inst.fixmedins_code);
  }
  o.connections = 4;
  o.flows = 40;
  o.settles = 40;
  o.paced = 20;
  o.paced_rate_per_s = 200;
  o.paced_flows = 20;
  o.paced_flows_rate_per_s = 200;
  o.healthz_seconds = 0.2;
  for (int run = 1; run <= 2; ++run) {
    SCOPED_TRACE("run " + std::to_string(run));
    auto r = http::RunLoadgen(o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->flows.ok, 40) << r->flows.first_failure;
    EXPECT_EQ(r->settles.ok, 40) << r->settles.first_failure;
    EXPECT_EQ(r->paced.ok, 20) << r->paced.first_failure;
    EXPECT_EQ(r->paced_flows.ok, 20) << r->paced_flows.first_failure;
    EXPECT_GT(r->healthz.ok, 0);
    EXPECT_EQ(r->flows.failed + r->settles.failed + r->paced.failed + r->paced_flows.failed + r->healthz.failed, 0);
    EXPECT_NE(r->json().find("\"flows_settlements_per_s\""), std::string::npos);
  }
  server.StopAndJoin();
  const int64_t settlements = env.Settlements();
  EXPECT_EQ(settlements, 240);
}

}  // namespace
}  // namespace xt::testing
