// The seed's scenario (`xietong demo`): a patient insured in Xingtai, Hebei,
// is admitted to a tertiary hospital in Tianjin, her fee details are
// uploaded, she is discharged, and the stay is pre-settled and settled on
// the spot against the Xingtai fund with her personal account.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "tools/flow.h"
#include "service/accounts.h"
#include "service/credentials.h"
#include "service/refdata.h"
#include "store/store.h"

namespace xt::service {

inline constexpr const char* kDemoPsnNo = "1305000000000001";
inline constexpr const char* kDemoFixmedinsCode = "H12010300001";

struct DemoStep {
  std::string infno;
  std::string title;
  CallResult call;
};

struct DemoResult {
  std::string fixmedins_code;
  std::string fixmedins_name;
  std::string psn_no;
  std::string certno;
  std::vector<FlowLine> lines;
  std::vector<DemoStep> steps;  // in order; the last is the settlement
};

// Fails when the dataset lacks the scenario's person or hospital, or a step
// is refused (the refusal is in the returned status).
Result<DemoResult> RunDemo(store::Store& store, const RefData& ref, const Clock& clock);

// `demo --past-month N`: N sample outpatient visits settled on days of the
// calendar month before `clock`'s, so that a month is over and holds
// settlements for the agencies' clearing (`clear close --month`). Persons
// from `persons` (data/persons.json), in turn, at the institutions of the
// three regions, in turn; each visit one 甲 drug and one 乙 item of the
// treatment place's catalogue, settled with the personal account. A
// refusal of the interface (no policy for a person's case) skips that
// person; fails when fewer than N visits settle in 4 N tries.
struct PastMonthResult {
  std::string setlym;  // yyyyMM of the month settled
  int settled = 0;
  Fen medfee_sumamt_fen = 0;
};
inline constexpr int kPastMonthVisitsMax = 10000;
Result<PastMonthResult> SettlePastMonth(store::Store& store, const RefData& ref, const Clock& clock,
                                        const std::vector<registry::Person>& persons, int visits);

// The credentials `serve --demo-credentials` hands out: one hospital per
// region, one agency per region, one resident (the demo patient) and one
// operator. Issued anew each time (earlier demo keys are revoked).
Result<std::vector<IssuedKey>> IssueDemoCredentials(store::Store* store, const RefData& ref, LocalSeconds now);

// A staff account `serve --demo-credentials` provides, with its sample
// password (printed with it: these accounts are for trying the web
// application, never for a server others can reach).
struct DemoAccount {
  NewAccount account;
  std::string password;
  std::string purpose;  // what to try with it
};

// One account per role: a cashier and a doctor of the demo hospital
// (Tianjin), a Hebei agency officer, the demo resident, an operator.
std::vector<DemoAccount> DemoAccounts();
// Provides every demo account (service::ProvideAccount: made, or made
// exactly so again, enabled and unlocked, with its sample password).
Result<std::vector<DemoAccount>> ProvideDemoAccounts(store::Store* store, const RefData& ref, LocalSeconds now);

}  // namespace xt::service
