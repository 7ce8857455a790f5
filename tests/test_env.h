// Shared set-up of the flow tests: a fresh SQLite file made from the
// default dataset, a processor on it, and hospitals to call it as.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <memory>
#include <string>

#include "tools/client.h"
#include "service/credentials.h"
#include "tools/flow.h"
#include "catalog/catalog.h"
#include "core/date.h"
#include "http/routes.h"
#include "service/accounts.h"
#include "service/clearing_service.h"
#include "service/counter_service.h"
#include "service/operator_service.h"
#include "service/processor.h"
#include "service/results_service.h"
#include "service/refdata.h"
#include "service/rest.h"
#include "store/store.h"

namespace xt::testing {

inline std::string FreshDbPath(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("xt-flow-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return path.string();
}

inline std::string DataDir() { return std::string(XT_SOURCE_DIR) + "/data"; }

// The money fields of a settlement answer's setlinfo, in fen.
inline std::map<std::string, Fen> SetlInfo(const std::string& response) {
  std::map<std::string, Fen> out;
  const auto j = nlohmann::json::parse(response);
  for (const auto& [k, v] : j["output"]["setlinfo"].items()) {
    if (v.is_number() && k != "pool_prop_selfpay") out[k] = *ScaledFromDouble(v.get<double>(), 2);
  }
  return out;
}

// A database initialised from data/, with a processor whose clock stands
// still at `now` unless a test moves it.
struct Env {
  explicit Env(const std::string& name, const std::string& now = "2026-11-20 10:00:00")
      : clock(*ParseLocalTime(now)) {
    path = FreshDbPath(name);
    auto s = store::OpenSqliteStore(path);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    store = std::move(s).value();
    Status st = service::InitDatabase(*store, DataDir(), clock, nullptr);
    EXPECT_TRUE(st.ok()) << st.ToString();
    auto r = service::LoadRefData(*store);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    ref = std::move(r).value();
    processor = std::make_unique<service::Processor>(store.get(), ref.get(), &clock);
    api = std::make_unique<service::Api>(store.get(), ref.get(), &clock);
    auth = std::make_unique<service::Authenticator>(store.get());
    clearing = std::make_unique<service::ClearingService>(store.get(), &clock);
    counter = std::make_unique<service::CounterService>(processor.get(), store.get(), ref.get(), &clock);
    accounts = std::make_unique<service::Accounts>(store.get(), &clock);
    operators = std::make_unique<service::OperatorService>(store.get(), ref.get(), &clock);
  }

  // A new API key for `role` over `scope`.
  std::string Key(service::Role role, const std::string& scope) {
    auto k = service::IssueCredential(store.get(), *ref, role, scope, "test", clock.NowLocal());
    EXPECT_TRUE(k.ok()) << k.status().ToString();
    return k.ok() ? k->api_key : std::string();
  }
  // Settlements in the store (reversals count too).
  int64_t Settlements() {
    int64_t n = 0;
    EXPECT_TRUE(store->Read([&](store::ReadTxn& txn) -> Status {
                       XT_ASSIGN_OR_RETURN(n, txn.settlements().CountSettlements());
                       return Status::Ok();
                     }).ok());
    return n;
  }
  // The caller a key stands for, as the server would see it.
  service::Caller CallerOf(const std::string& key) {
    auto c = auth->Authenticate(key);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : service::Caller{};
  }

  // The first institution of a province at a level.
  const registry::Institution& Hospital(const std::string& province, int level) const {
    for (const auto& i : ref->registry.institutions()) {
      if (i.admdvs.substr(0, 2) == province.substr(0, 2) && i.hosp_lv == level) return i;
    }
    ADD_FAILURE() << "no level " << level << " hospital in " << province;
    return ref->registry.institutions().front();
  }

  service::HospitalClient Client(const registry::Institution& inst) {
    return service::HospitalClient(inst.fixmedins_code, inst.admdvs, &clock);
  }

  std::string path;
  FixedClock clock;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<service::RefData> ref;
  std::unique_ptr<service::Processor> processor;
  std::unique_ptr<service::Api> api;
  std::unique_ptr<service::Authenticator> auth;
  std::unique_ptr<service::ClearingService> clearing;

  // What the HTTP server is handed (`processor`: another one than this
  // Env's, for tests that wrap it).
  http::Services Services(service::Processor* other_processor = nullptr) {
    return http::Services{other_processor ? other_processor : processor.get(), auth.get(), api.get(), &api->results(),
                          clearing.get(), counter.get(), accounts.get(), operators.get()};
  }

  std::unique_ptr<service::CounterService> counter;  // on `processor`
  // Staff sessions on the clock above (replace it for other options).
  std::unique_ptr<service::Accounts> accounts;
  std::unique_ptr<service::OperatorService> operators;  // the operator's /api/v1/admin
};

// A person with an active 310 enrollment in `province` (any code of it),
// other than `except_psn_no`: {psn_no, insuplc_admdvs}.
inline std::pair<std::string, std::string> InsuredIn(Env& env, const std::string& province,
                                                     const std::string& except_psn_no) {
  auto persons = service::LoadPersonsFile(DataDir(), env.ref->registry);
  EXPECT_TRUE(persons.ok());
  const Date today = DateOf(env.clock.NowLocal());
  for (const auto& p : *persons) {
    for (const auto& e : p.enrollments) {
      if (e.insutype == "310" && e.psn_insu_stas == "1" && e.validity.Contains(today) &&
          e.insuplc_admdvs.substr(0, 2) == province.substr(0, 2) && p.psn_no != except_psn_no) {
        return {p.psn_no, e.insuplc_admdvs};
      }
    }
  }
  ADD_FAILURE() << "nobody insured in " << province;
  return {};
}

// One fee line of a class-A item without a price cap in the treatment
// place's catalogue, 2 x 150.00 yuan.
inline std::vector<service::FlowLine> ClassALines(Env& env, const std::string& province) {
  const Date today = DateOf(env.clock.NowLocal());
  for (const auto* it : env.ref->catalog.ItemsOf(province)) {
    if (it->charge_class == catalog::ChargeClass::kA && it->validity.Contains(today) && !it->price_cap_fen) {
      return {{"1", it->code, 20000, 150000000}};
    }
  }
  ADD_FAILURE() << "no class A item in " << province;
  return {};
}

}  // namespace xt::testing
