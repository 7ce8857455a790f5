// Account names and the postings of a settlement.
#include "ledger/ledger.h"

namespace xt::ledger {

std::string FundAccount(std::string_view insuplc_admdvs, std::string_view fund_name) {
  std::string s = "fund:";
  s += insuplc_admdvs;
  s += ':';
  s += fund_name;
  return s;
}

std::string AgencyAccount(std::string_view mdtrtarea_admvs) {
  std::string s = "agency:";
  s += mdtrtarea_admvs.substr(0, 2);
  s += "0000";
  return s;
}

std::string InstitutionAccount(std::string_view fixmedins_code) { return "inst:" + std::string(fixmedins_code); }

std::string PersonalAccount(std::string_view psn_no) { return "pacct:" + std::string(psn_no); }

std::vector<store::Transfer> TransfersFor(const store::SettlementRow& row) {
  const store::Amounts& a = row.amounts;
  const std::string agency = AgencyAccount(row.mdtrtarea_admvs);
  std::vector<store::Transfer> out;
  out.reserve(4);
  // Moves `amount` from `from` to `to`; a negative amount (a reversal) moves
  // it back, so every stored transfer has a positive amount.
  auto move = [&](const std::string& from, const std::string& to, Fen amount, const char* memo) {
    if (amount == 0) return;
    store::Transfer t;
    t.setl_id = row.setl_id;
    t.debit_account = amount > 0 ? from : to;
    t.credit_account = amount > 0 ? to : from;
    t.amount_fen = amount > 0 ? amount : -amount;
    t.memo = memo;
    t.time = row.setl_time;
    out.push_back(std::move(t));
  };
  const std::pair<const char*, Fen> funds[] = {
      {"pooled", a.hifp_pay},         {"large_amount", a.hifob_pay}, {"critical_illness", a.hifmi_pay},
      {"civil_servant", a.cvlserv_pay}, {"enterprise", a.hifes_pay},  {"medical_assistance", a.maf_pay},
      {"other", a.oth_pay}};
  for (const auto& [name, amount] : funds) {
    move(FundAccount(row.insuplc_admdvs, name), agency, amount, name);
  }
  move(PersonalAccount(row.psn_no), agency, a.acct_pay, "acct_pay");
  move(agency, InstitutionAccount(row.fixmedins_code), a.fund_pay_sumamt + a.acct_pay, "due_to_institution");
  return out;
}

store::Transfer OpeningBalance(std::string_view psn_no, Fen amount_fen, LocalSeconds time) {
  store::Transfer t;
  t.debit_account = std::string(kOpeningEquity);
  t.credit_account = PersonalAccount(psn_no);
  t.amount_fen = amount_fen;
  t.memo = "opening balance";
  t.time = time;
  return t;
}

}  // namespace xt::ledger
