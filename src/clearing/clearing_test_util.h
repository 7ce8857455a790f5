// Test helpers for clearing: stored rows as the service writes them, turned
// into facts with their recording sequence. For the *_test.cc files of this
// folder only.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "clearing/clearing.h"

namespace xt::clearing::testing {

inline LocalSeconds T(const char* local) { return *ParseLocalTime(local); }

// One designated hospital of each region, as the dataset names them.
inline constexpr char kBjHosp[] = "H11010500001";
inline constexpr char kTjHosp[] = "H12010300001";
inline constexpr char kHbHosp[] = "H13010200001";

// A settlement row: funds by ledger name order (pooled, large_amount,
// critical_illness, ...) in fen.
struct RowSpec {
  std::string setl_id;
  std::string insuplc;  // "130500"
  std::string treat;    // "120104"
  std::string inst;
  std::string insutype;
  std::string med_type;
  const char* time;
  Fen medfee;
  Fen pooled;
  Fen large_amount = 0;
  Fen critical_illness = 0;
  Fen acct = 0;
};

inline store::SettlementRow Settle(const RowSpec& s) {
  store::SettlementRow r;
  r.setl_id = s.setl_id;
  r.kind = "settle";
  r.state = "settled";
  r.mdtrt_id = "M" + s.setl_id;
  r.psn_no = "P" + s.setl_id;
  r.fixmedins_code = s.inst;
  r.insuplc_admdvs = s.insuplc;
  r.mdtrtarea_admvs = s.treat;
  r.insutype = s.insutype;
  r.med_type = s.med_type;
  r.setl_time = T(s.time);
  store::Amounts& a = r.amounts;
  a.medfee_sumamt = s.medfee;
  a.hifp_pay = s.pooled;
  a.hifob_pay = s.large_amount;
  a.hifmi_pay = s.critical_illness;
  a.fund_pay_sumamt = s.pooled + s.large_amount + s.critical_illness;
  a.acct_pay = s.acct;
  a.psn_part_amt = a.medfee_sumamt - a.fund_pay_sumamt;
  a.psn_cash_pay = a.psn_part_amt - a.acct_pay;
  return r;
}

// The reversal of `orig`, recorded at `time`, as the processor makes it.
inline store::SettlementRow Reverse(const store::SettlementRow& orig, const std::string& setl_id, const char* time) {
  store::SettlementRow r = orig;
  r.setl_id = setl_id;
  r.kind = "reversal";
  r.state = "reversal";
  r.orig_setl_id = orig.setl_id;
  r.setl_time = T(time);
  store::Amounts& a = r.amounts;
  for (Fen* f : {&a.medfee_sumamt, &a.hifp_pay, &a.hifob_pay, &a.hifmi_pay, &a.cvlserv_pay, &a.hifes_pay, &a.maf_pay,
                 &a.oth_pay, &a.fund_pay_sumamt, &a.psn_part_amt, &a.acct_pay, &a.psn_cash_pay}) {
    *f = -*f;
  }
  return r;
}

// Rows in recording order; seq is the position + 1.
struct Book {
  std::vector<store::SettlementRow> rows;
  std::vector<SettlementFacts> facts;
  Codes codes;

  const store::SettlementRow& Add(const store::SettlementRow& row) {
    rows.push_back(row);
    LocalSeconds target = row.setl_time;
    if (row.kind == "reversal") {
      for (const auto& r : rows) {
        if (r.setl_id == row.orig_setl_id) target = r.setl_time;
      }
    }
    auto f = FactsOf(row, static_cast<int64_t>(rows.size()), target, &codes);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    if (f.ok()) facts.push_back(*f);
    return rows.back();
  }
  int64_t seq() const { return static_cast<int64_t>(rows.size()); }
};

}  // namespace xt::clearing::testing
