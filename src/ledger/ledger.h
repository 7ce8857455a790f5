// The double-entry ledger of settlements.
//
// Every movement is a transfer: one debit account, one credit account, one
// positive amount, so each entry balances by construction. Accounts
// (docs/ledger.md):
//   fund:<insuplc_admdvs>:<fund>   an insurance region's fund (pooled, large_amount, ...)
//   agency:<province>              the treatment region's agency (经办机构)
//   inst:<fixmedins_code>          a designated institution
//   pacct:<psn_no>                 a personal account (credit balance = money available)
//   equity:opening                 the source of opening balances at load time
// A settlement posts, for each fund part F and the account part A:
//   Dr fund  Cr agency  F        Dr pacct  Cr agency  A
//   Dr agency  Cr inst  (sum of F) + A
// so the agency is the pass-through that clearing later settles between
// regions, and the institution is owed what the funds and account pay.
// A reversal posts the same with debit and credit swapped.
//
// Pure functions: no I/O. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace xt::ledger {

std::string FundAccount(std::string_view insuplc_admdvs, std::string_view fund_name);
std::string AgencyAccount(std::string_view mdtrtarea_admvs);
std::string InstitutionAccount(std::string_view fixmedins_code);
std::string PersonalAccount(std::string_view psn_no);
inline constexpr std::string_view kOpeningEquity = "equity:opening";

// The transfers a settlement row (or a reversal row, whose amounts are
// negative) must post. Deterministic: verify recomputes them and compares.
std::vector<store::Transfer> TransfersFor(const store::SettlementRow& row);

// The opening balance of a personal account.
store::Transfer OpeningBalance(std::string_view psn_no, Fen amount_fen, LocalSeconds time);

}  // namespace xt::ledger
