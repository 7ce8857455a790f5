// `verify` finds each kind of tampering: a changed account total, a changed
// accumulator, a changed settlement figure, a deleted transfer, a reversal
// marker removed. Each tamper is done with plain SQL on the file, the way an
// operator's mistake or an attacker would.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "service/verify.h"
#include "test_env.h"

namespace xt::testing {
namespace {

struct Tamper {
  const char* name;
  const char* sql;
  const char* expect;  // a word the report must contain
};

void PrintTo(const Tamper& t, std::ostream* os) { *os << t.name; }

class VerifyTest : public ::testing::TestWithParam<Tamper> {};

void Settle(Env& env, int n, bool reverse_first) {
  const auto& inst = env.Hospital("120000", 3);
  auto client = env.Client(inst);
  service::FlowDriver drv(env.processor.get(), &client);
  const Date today = DateOf(env.clock.NowLocal());
  const catalog::ItemVersion* item = nullptr;
  for (const auto* it : env.ref->catalog.ItemsOf("120000")) {
    if (it->validity.Contains(today) && it->charge_class == catalog::ChargeClass::kA && !it->price_cap_fen) { item = it; break; }
  }
  ASSERT_NE(item, nullptr);
  for (int i = 0; i < n; ++i) {
    service::Visit v{"1305000000000001", "310", "130500", false, ""};
    ASSERT_EQ(drv.Open(&v, "2026-11-20 09:00:00").infcode, 0);
    service::FlowLine line{"1", item->code, 10000, 500000000 + i * 10000000};
    ASSERT_EQ(drv.Upload(v, {line}, "2026-11-20 09:00:00").infcode, 0);
    auto s = drv.Settle(v, service::FlowDriver::LineAmountFen(line), true, false);
    ASSERT_EQ(s.infcode, 0) << s.response;
    if (i == 0 && reverse_first) {
      ASSERT_EQ(drv.Reverse(v, service::OutputString(s.response, {"setlinfo", "setl_id"})).infcode, 0);
    }
  }
}

TEST_P(VerifyTest, FindsTheTamper) {
  const Tamper& t = GetParam();
  Env env(std::string("verify-") + t.name + ".db");
  Settle(env, 4, true);
  {
    auto clean = service::Verify(*env.store, nullptr);
    ASSERT_TRUE(clean.ok());
    ASSERT_TRUE(clean->ok()) << clean->problems.front();
    EXPECT_EQ(clean->settlements, 4);
    EXPECT_EQ(clean->reversals, 1);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(env.path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(db, t.sql, nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  ASSERT_GT(sqlite3_changes(db), 0) << "the tamper changed nothing";
  sqlite3_close(db);
  auto rep = service::Verify(*env.store, nullptr);
  ASSERT_TRUE(rep.ok());
  ASSERT_FALSE(rep->ok()) << "verify missed: " << t.name;
  bool named = false;
  for (const auto& p : rep->problems) named |= p.find(t.expect) != std::string::npos;
  EXPECT_TRUE(named) << rep->problems.front();
}

INSTANTIATE_TEST_SUITE_P(
    Tampers, VerifyTest,
    ::testing::Values(
        Tamper{"account", "UPDATE accounts SET credits_fen = credits_fen + 1 WHERE account LIKE 'inst:%'", "account"},
        Tamper{"balance", "UPDATE accounts SET credits_fen = credits_fen + 100 WHERE account LIKE 'pacct:%'", "account"},
        Tamper{"accumulator", "UPDATE accumulators SET value = value + 1 WHERE key LIKE 'cap:%'", "accumulator"},
        Tamper{"amount", "UPDATE settlements SET hifp_pay = hifp_pay + 1 WHERE kind = 'settle' AND hifp_pay > 0", "settlement"},
        Tamper{"transfer", "DELETE FROM transfers WHERE id = (SELECT max(id) FROM transfers)", "missing a transfer"},
        Tamper{"reversal", "UPDATE settlements SET state = 'settled' WHERE state = 'reversed'", "settlement"},
        Tamper{"delete_settlement", "DELETE FROM settlements WHERE kind = 'reversal'", "transfer"}),
    [](const ::testing::TestParamInfo<Tamper>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace xt::testing
