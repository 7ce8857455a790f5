// Kill -9 of the HTTP server under concurrent load: a real `xietong serve`
// process on 127.0.0.1 takes settlements from several client threads over
// keep-alive connections; we kill it part-way, start it again on the same
// database, and find that every settlement it acknowledged (HTTP 200,
// infcode 0) is there exactly once, that re-sending an acknowledged msgid
// returns its first answer byte for byte, that the rest settle now, that a
// SIGTERM then stops it cleanly, and that `xietong verify` passes.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "service/verify.h"
#include "process_util.h"
#include "test_env.h"

namespace xt::testing {
namespace {

using json = nlohmann::json;

// A `xietong serve` child process listening on a free 127.0.0.1 port.
struct ServerProcess {
  pid_t pid = -1;
  int port = 0;
  int stdout_fd = -1;

  // Starts it and waits (at most 20 s) for the address it prints.
  static ServerProcess Start(const std::string& db) {
    ServerProcess p;
    int out[2];
    EXPECT_EQ(pipe(out), 0);
    p.pid = fork();
    if (p.pid == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      execl(XT_BINARY, XT_BINARY, "serve", "--db", db.c_str(), "--listen", "127.0.0.1:0", "--threads", "32",
            "--access-log", "false", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    p.stdout_fd = out[0];
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    const std::string marker = "listening on http://127.0.0.1:";
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd pfd{p.stdout_fd, POLLIN, 0};
      if (poll(&pfd, 1, 200) <= 0) continue;
      char buf[4096];
      const ssize_t n = read(p.stdout_fd, buf, sizeof buf);
      if (n <= 0) break;  // it exited
      text.append(buf, static_cast<size_t>(n));
      const size_t at = text.find(marker);
      if (at != std::string::npos && text.find(' ', at + marker.size()) != std::string::npos) {
        p.port = std::stoi(text.substr(at + marker.size()));
        break;
      }
    }
    EXPECT_GT(p.port, 0) << "the server did not say where it listens: " << text;
    return p;
  }

  // Waits (at most 30 s) for it to end; returns its wait status.
  int Wait() {
    int status = 0;
    for (int i = 0; i < 3000; ++i) {
      if (waitpid(pid, &status, WNOHANG) == pid) {
        close(stdout_fd);
        return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    close(stdout_fd);
    ADD_FAILURE() << "the server did not stop within 30 s";
    return status;
  }
};


struct Prepared {
  std::string request;  // the 2207 envelope
  std::string msgid;
  std::string api_key;  // its hospital's
};

httplib::Headers Bearer(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }

TEST(HttpCrashTest, KillNineUnderConcurrentLoadLosesNothingAcknowledged) {
  constexpr int kVisits = 1500;
  constexpr int kClients = 8;
  std::vector<Prepared> visits;
  std::string path;
  {
    // Visits registered and fee details uploaded in-process, on today's
    // date (the server settles with the system clock).
    Env env("http-crash.db", FormatLocalTime(SystemClock::Instance().NowLocal()));
    path = env.path;
    auto loaded = service::LoadPersonsFile(DataDir(), env.ref->registry);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    const std::vector<registry::Person>& persons = *loaded;
    const auto& insts = env.ref->registry.institutions();
    const Date today = DateOf(env.clock.NowLocal());
    const std::string now = FormatLocalTime(env.clock.NowLocal());
    // Each institution's key, and a sign-in made with it (kept in the
    // database, where the server process finds it).
    std::map<std::string, std::pair<std::string, std::string>> signed_in;  // code -> key, sign_no
    for (int i = 0; i < kVisits; ++i) {
      const auto& inst = insts[static_cast<size_t>(i) % insts.size()];
      const registry::Person& p = persons[static_cast<size_t>(i * 37) % persons.size()];
      const registry::Enrollment* e = nullptr;
      for (const auto& en : p.enrollments) if (en.psn_insu_stas == "1" && en.validity.Contains(today)) e = &en;
      if (!e) continue;
      const catalog::ItemVersion* item = nullptr;
      for (const auto* it : env.ref->catalog.ItemsOf(inst.admdvs.substr(0, 2) + "0000")) {
        if (it->validity.Contains(today)) {
          item = it;
          break;
        }
      }
      ASSERT_NE(item, nullptr);
      auto client = env.Client(inst);
      service::FlowDriver drv(env.processor.get(), &client);
      auto& [key, sign_no] = signed_in[inst.fixmedins_code];
      if (key.empty()) {
        key = env.Key(service::Role::kHospital, inst.fixmedins_code);
        auto r = drv.SignIn();
        ASSERT_EQ(r.infcode, 0) << r.response;
        sign_no = client.sign_no();
      }
      client.set_sign_no(sign_no);
      service::Visit v{p.psn_no, e->insutype, e->insuplc_admdvs, false, ""};
      auto r = drv.Open(&v, now);
      ASSERT_EQ(r.infcode, 0) << r.response;
      service::FlowLine line{"1", item->code, 10000 * (1 + i % 4), 12340000 + 10000 * (i % 50)};
      ASSERT_EQ(drv.Upload(v, {line}, now).infcode, 0);
      json in = {{"data", {{"psn_no", v.psn_no}, {"mdtrt_id", v.mdtrt_id},
                           {"medfee_sumamt", service::FlowDriver::LineAmountFen(line) / 100.0},
                           {"acct_used_flag", "1"}, {"insutype", v.insutype}}}};
      Prepared pr;
      pr.request = client.Envelope("2207", in.dump(), v.insuplc_admdvs);
      pr.msgid = json::parse(pr.request)["msgid"];
      pr.api_key = key;
      visits.push_back(std::move(pr));
    }
  }
  ASSERT_GT(visits.size(), 1000u);

  // Settle from several keep-alive connections at once; kill -9 part-way.
  ServerProcess server = ServerProcess::Start(path);
  ASSERT_GT(server.port, 0);
  std::mt19937 rng(static_cast<unsigned>(::getpid()));
  const size_t kill_after = 200 + rng() % 500;
  std::mutex mu;
  std::map<std::string, std::string> acknowledged;  // msgid -> the answer received
  std::atomic<size_t> next{0};
  std::atomic<bool> server_gone{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      httplib::Client cli("127.0.0.1", server.port);
      cli.set_keep_alive(true);
      // Headers and body go out as two writes: without this, Nagle holds the
      // body until the server's delayed ACK (40 ms) of the headers.
      cli.set_tcp_nodelay(true);
      cli.set_connection_timeout(2, 0);
      cli.set_read_timeout(10, 0);
      for (;;) {
        const size_t i = next.fetch_add(1);
        if (i >= visits.size() || server_gone.load()) return;
        auto res = cli.Post("/fsi/api/callService", Bearer(visits[i].api_key), visits[i].request, "application/json");
        if (!res) {  // the server died under us: not acknowledged
          if (!server_gone.load()) {
            std::lock_guard<std::mutex> lock(mu);
            ADD_FAILURE() << "no answer before the kill: " << httplib::to_string(res.error()) << " after "
                          << acknowledged.size() << " acknowledged, request " << i;
          }
          return;
        }
        if (res->status != 200 || res->body.rfind("{\"infcode\":0,", 0) != 0) {
          ADD_FAILURE() << "a settlement was refused: " << res->status << " " << res->body;
          return;
        }
        std::lock_guard<std::mutex> lock(mu);
        acknowledged.emplace(visits[i].msgid, res->body);
      }
    });
  }
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < give_up) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (acknowledged.size() >= kill_after) break;
    }
    if (next.load() >= visits.size()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  server_gone.store(true);
  kill(server.pid, SIGKILL);
  const int killed_status = server.Wait();
  for (auto& t : clients) t.join();
  ASSERT_TRUE(WIFSIGNALED(killed_status) && WTERMSIG(killed_status) == SIGKILL);
  ASSERT_GE(acknowledged.size(), kill_after);
  ASSERT_LT(acknowledged.size(), visits.size()) << "the kill came too late to test anything";

  // Again on the same database: every acknowledged msgid returns its first
  // answer; every other settles now (or returns the answer it was given
  // just before the kill, unseen).
  ServerProcess again = ServerProcess::Start(path);
  ASSERT_GT(again.port, 0);
  {
    httplib::Client cli("127.0.0.1", again.port);
    cli.set_tcp_nodelay(true);
    cli.set_read_timeout(10, 0);
    int replayed = 0;
    for (const auto& v : visits) {
      auto res = cli.Post("/fsi/api/callService", Bearer(v.api_key), v.request, "application/json");
      ASSERT_TRUE(res) << httplib::to_string(res.error());
      ASSERT_EQ(res->status, 200);
      ASSERT_EQ(res->body.rfind("{\"infcode\":0,", 0), 0u) << res->body;
      auto it = acknowledged.find(v.msgid);
      if (it != acknowledged.end()) {
        EXPECT_EQ(res->body, it->second) << "an acknowledged msgid must return its first answer";
        ++replayed;
      }
    }
    EXPECT_EQ(replayed, static_cast<int>(acknowledged.size()));
  }
  // SIGTERM: a clean stop, exit status 0.
  kill(again.pid, SIGTERM);
  const int stopped = again.Wait();
  EXPECT_TRUE(WIFEXITED(stopped) && WEXITSTATUS(stopped) == 0) << "status " << stopped;

  EXPECT_EQ(RunProgram({XT_BINARY, "verify", "--db", path}), 0);
  auto opened = store::OpenSqliteStore(path);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto& store = **opened;
  for (const auto& [msgid, answer] : acknowledged) {
    const json r = json::parse(answer);
    const std::string setl_id = r["output"]["setlinfo"]["setl_id"];
    const std::string mdtrt_id = r["output"]["setlinfo"]["mdtrt_id"];
    ASSERT_TRUE(store.Read([&](store::ReadTxn& txn) -> Status {
                       XT_ASSIGN_OR_RETURN(auto s, txn.settlements().FindSettlement(setl_id));
                       EXPECT_TRUE(s.has_value()) << "acknowledged settlement " << setl_id << " was lost";
                       XT_ASSIGN_OR_RETURN(auto live, txn.settlements().ActiveSettlementOfVisit(mdtrt_id));
                       EXPECT_TRUE(live.has_value());
                       if (live) {
                         EXPECT_EQ(live->setl_id, setl_id) << "exactly one settlement per visit";
                       }
                       return Status::Ok();
                     }).ok());
  }
  int64_t settlements = 0;
  ASSERT_TRUE(store.Read([&](store::ReadTxn& txn) -> Status {
                     XT_ASSIGN_OR_RETURN(settlements, txn.settlements().CountSettlements());
                     return Status::Ok();
                   }).ok());
  EXPECT_EQ(settlements, static_cast<int64_t>(visits.size())) << "each visit settled exactly once";
}

}  // namespace
}  // namespace xt::testing
