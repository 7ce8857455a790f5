// Kill -9 in the middle of group commits: a real `xietong call` process
// settles visits from many threads and prints each answer once the store
// has made it durable; we kill it part-way, reopen the database, run
// `xietong verify`, and find every acknowledged settlement exactly once.
// Then every request is sent again: acknowledged ones get their first
// answer back, the rest settle now, and each visit ends settled once.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "service/verify.h"
#include "process_util.h"
#include "test_env.h"

namespace xt::testing {
namespace {

using json = nlohmann::json;


struct Prepared {
  std::string request;  // the 2207 envelope
  std::string mdtrt_id;
};

TEST(CrashTest, KillNineDuringGroupCommitLosesNothingAcknowledged) {
  constexpr int kVisits = 1500;
  std::vector<Prepared> visits;
  std::string path;
  {
    // Visits registered and fee details uploaded through the processor.
    Env env("crash.db", "2026-11-20 10:00:00");
    path = env.path;
    auto loaded = service::LoadPersonsFile(DataDir(), env.ref->registry);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    const std::vector<registry::Person>& persons = *loaded;
    const auto& insts = env.ref->registry.institutions();
    const Date today = DateOf(env.clock.NowLocal());
    for (int i = 0; i < kVisits; ++i) {
      const auto& inst = insts[static_cast<size_t>(i) % insts.size()];
      const registry::Person& p = persons[static_cast<size_t>(i * 37) % persons.size()];
      const registry::Enrollment* e = nullptr;
      for (const auto& en : p.enrollments) if (en.psn_insu_stas == "1" && en.validity.Contains(today)) e = &en;
      if (!e) continue;
      const catalog::ItemVersion* item = nullptr;
      for (const auto* it : env.ref->catalog.ItemsOf(inst.admdvs.substr(0, 2) + "0000")) {
        if (it->validity.Contains(today)) { item = it; break; }
      }
      ASSERT_NE(item, nullptr);
      auto client = env.Client(inst);
      service::FlowDriver drv(env.processor.get(), &client);
      service::Visit v{p.psn_no, e->insutype, e->insuplc_admdvs, false, ""};
      auto r = drv.Open(&v, "2026-11-20 09:00:00");
      ASSERT_EQ(r.infcode, 0) << r.response;
      service::FlowLine line{"1", item->code, 10000 * (1 + i % 4), 12340000 + 10000 * (i % 50)};
      ASSERT_EQ(drv.Upload(v, {line}, "2026-11-20 09:05:00").infcode, 0);
      json in = {{"data", {{"psn_no", v.psn_no}, {"mdtrt_id", v.mdtrt_id},
                           {"medfee_sumamt", service::FlowDriver::LineAmountFen(line) / 100.0},
                           {"acct_used_flag", "1"}, {"insutype", v.insutype}}}};
      visits.push_back({client.Envelope("2207", in.dump(), v.insuplc_admdvs), v.mdtrt_id});
    }
  }
  ASSERT_GT(visits.size(), 1000u);
  const std::string requests = path + ".requests";
  {
    std::ofstream out(requests);
    for (const auto& v : visits) out << v.request << "\n";
  }

  // Settle them in a real process, 32 at a time, and kill it part-way.
  int out_pipe[2];
  ASSERT_EQ(pipe(out_pipe), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], STDOUT_FILENO);
    close(out_pipe[0]);
    execl(XT_BINARY, XT_BINARY, "call", "--db", path.c_str(), "--concurrency", "32", requests.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out_pipe[1]);
  std::mt19937 rng(static_cast<unsigned>(::getpid()));
  const size_t kill_after = 200 + rng() % 600;
  std::vector<std::string> acknowledged;
  std::string buf;
  char chunk[65536];
  bool killed = false;
  for (;;) {
    ssize_t n = read(out_pipe[0], chunk, sizeof chunk);
    if (n <= 0) break;
    buf.append(chunk, static_cast<size_t>(n));
    size_t nl;
    while ((nl = buf.find('\n')) != std::string::npos) {
      acknowledged.push_back(buf.substr(0, nl));
      buf.erase(0, nl + 1);
    }
    if (!killed && acknowledged.size() >= kill_after) {
      kill(pid, SIGKILL);
      killed = true;
    }
  }
  close(out_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(killed) << "the process finished before it could be killed";
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  ASSERT_LT(acknowledged.size(), visits.size()) << "the kill came too late to test anything";

  // A real process checks the reopened database.
  EXPECT_EQ(RunProgram({XT_BINARY, "verify", "--db", path}), 0);

  auto opened = store::OpenSqliteStore(path);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto& store = **opened;
  auto ref = service::LoadRefData(store);
  ASSERT_TRUE(ref.ok());
  std::map<std::string, std::string> first_answer;  // msgid -> response
  for (const auto& line : acknowledged) {
    const json r = json::parse(line);
    ASSERT_EQ(r["infcode"], 0) << line;
    const std::string setl_id = r["output"]["setlinfo"]["setl_id"];
    const std::string mdtrt_id = r["output"]["setlinfo"]["mdtrt_id"];
    first_answer[r["output"]["setlinfo"]["medins_setl_id"]] = line;
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

  // Every request again: acknowledged ones answer as before, byte for byte.
  FixedClock later(*ParseLocalTime("2026-11-20 11:00:00"));
  service::Processor proc(&store, ref->get(), &later);
  int replayed = 0;
  for (const auto& v : visits) {
    const std::string resp = proc.Call(v.request);
    const json r = json::parse(resp);
    ASSERT_EQ(r["infcode"], 0) << resp;
    const std::string msgid = json::parse(v.request)["msgid"];
    auto it = first_answer.find(msgid);
    if (it != first_answer.end()) {
      EXPECT_EQ(resp, it->second);
      ++replayed;
    }
  }
  EXPECT_EQ(replayed, static_cast<int>(acknowledged.size()));
  int64_t settlements = 0;
  ASSERT_TRUE(store.Read([&](store::ReadTxn& txn) -> Status {
                     XT_ASSIGN_OR_RETURN(settlements, txn.settlements().CountSettlements());
                     return Status::Ok();
                   }).ok());
  EXPECT_EQ(settlements, static_cast<int64_t>(visits.size())) << "each visit settled exactly once";
  auto rep = service::Verify(store, nullptr);
  ASSERT_TRUE(rep.ok());
  for (const auto& p : rep->problems) ADD_FAILURE() << p;
}

}  // namespace
}  // namespace xt::testing
