// The adjudication engine: a pure function of (claim with fee lines,
// treatment-place catalogue, insurance-place policy book, the person's
// year-to-date accumulators). No I/O, no clock, no globals: the same inputs
// always give the same breakdown, byte for byte.
//
// Steps (docs/settlement.md; the trace names each one):
//  1. Lines, by the treatment place's catalogue in force on each fee's date:
//     not listed or 丙 -> fulamt_ownpay; above the price cap (per unit x cnt)
//     -> overlmt; 乙 -> (amount - overlmt) x selfpay_prop -> preselfpay; the
//     rest is in scope (inscp). A refund line (negative cnt and amount) takes
//     its parts from the charges of its item: the exact negation of the
//     charge line it matches, else what brings the item's parts to the split
//     of what is left of it (SplitLines).
//  2. The insurance place's policy (region, insutype, med_type, level, date);
//     the person's category; filed, deemed filed (视同备案) or unfiled (cut).
//  3. Deductible: what is left of the year's or the stay's deductible.
//  4. Bands and funds: the payable part of the in-scope amount, band by
//     band, each fund limited by what is left of its annual cap, the overflow
//     layer taking over above it.
//  5. Person's part; personal account (employee insurance, when asked, up to
//     the balance); cash.
// Rounding: only ratio products round, half away from zero to the fen
// (core/money.h ApplyRatio). Every identity below holds exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "core/date.h"
#include "core/money.h"
#include "core/status.h"
#include "policy/policy.h"

namespace xt::settle {

struct ClaimLine {
  std::string feedetl_sn;
  std::string med_list_codg;
  Fen amount_fen = 0;   // det_item_fee_sumamt; negative for a refund line
  int64_t cnt_e4 = 0;   // cnt x 10,000; negative for a refund line
  // The day the fee was incurred (fee_ocur_time): it selects the catalogue
  // version that classes the line. Absent: the claim's date.
  std::optional<Date> fee_date;
};

struct Claim {
  std::string insutype;          // "310" | "390"
  std::string med_type;          // "11" | "21" | "14"
  std::string insuplc_admdvs;    // insurance region (city or province code)
  std::string mdtrtarea_admvs;   // treatment region
  int hosp_lv = 3;               // the treating institution's level
  Date date;                     // settlement date: selects catalogue, policy, year
  std::string psn_type;
  Date birth;
  bool filed = false;            // the person holds a filing valid on `date`
  bool acct_used = false;        // acct_used_flag
  Fen acct_balance_fen = 0;      // personal account balance before this claim
  std::vector<ClaimLine> lines;
};

// Year-to-date values of one person for the claim's year, keyed by the
// policies' accumulator keys. Kinds of key (a prefix keeps kinds apart):
//   "ded:" + deductible accum_key   deductible used this year (fen)
//   "stay:" + deductible accum_key  stays settled this year (count)
//   "cap:" + fund cap_key           fund paid this year (fen)
//   "inscp:" + band_accum_key       in-scope amount this year (fen)
struct AccumEntry {
  std::string key;
  int64_t value = 0;
};
using Accumulators = std::vector<AccumEntry>;
int64_t AccumValue(const Accumulators& acc, std::string_view key);

struct LineResult {
  std::string feedetl_sn;
  std::string med_list_codg;
  Fen amount_fen = 0;
  bool listed = false;  // found in the treatment place's catalogue
  catalog::ChargeClass charge_class = catalog::ChargeClass::kC;  // kC when not listed
  BasisPoints selfpay_prop_bp = 0;
  std::optional<Fen> price_cap_fen;  // per unit
  Fen fulamt_ownpay_fen = 0;
  Fen overlmt_fen = 0;
  Fen preselfpay_fen = 0;
  Fen inscp_fen = 0;
  bool lmt_used = false;  // the price cap cut this line
};

struct FundPayment {
  policy::FundKind fund = policy::FundKind::kPooled;
  std::string fund_pay_type;   // e.g. "310100"
  Fen cap_left_fen = 0;        // crt_payb_lmt_amt: what was left of the cap before this claim
  Fen pay_fen = 0;             // fund_payamt
  Fen inscp_fen = 0;           // inscp_scp_amt: the in-scope amount this fund paid its share of
  std::string info;            // setl_proc_info of this fund: its bands and any cap
};

struct Breakdown {
  std::string policy_id;
  policy::PersonCategory category = policy::PersonCategory::kInService;
  bool filed_effective = true;       // filed or deemed filed
  BasisPoints unfiled_cut_bp = 0;    // the cut applied (0 when filed)

  Fen medfee_sumamt_fen = 0;
  Fen fulamt_ownpay_amt_fen = 0;
  Fen overlmt_selfpay_fen = 0;
  Fen preselfpay_amt_fen = 0;
  Fen inscp_scp_amt_fen = 0;
  Fen act_pay_dedc_fen = 0;
  Fen hifp_pay_fen = 0;
  Fen cvlserv_pay_fen = 0;
  Fen hifes_pay_fen = 0;
  Fen hifmi_pay_fen = 0;
  Fen hifob_pay_fen = 0;
  Fen maf_pay_fen = 0;
  Fen oth_pay_fen = 0;
  Fen fund_pay_sumamt_fen = 0;
  Fen psn_part_amt_fen = 0;
  Fen acct_pay_fen = 0;
  Fen psn_cash_pay_fen = 0;
  Fen hosp_part_amt_fen = 0;  // always 0 here: no hospital share in these policies
  Fen balc_fen = 0;           // personal account balance after this claim
  BasisPoints pool_prop_selfpay_bp = 0;  // the pooled fund's ratio at the first payable band

  std::vector<LineResult> lines;
  std::vector<FundPayment> funds;   // one row per fund that the policy names
  Accumulators deltas;              // what this claim adds to the accumulators
  std::string trace;                // setl_proc_info: one line per step, readable
};

// Adjudicates one claim. Fails (stable codes in docs/errors.md) when no
// policy applies, the category cannot be derived, medfee_sumamt < 0, or the
// refunds of an item exceed its charges in the claim.
Result<Breakdown> Adjudicate(const Claim& claim, const catalog::Catalog& catalog,
                             const policy::PolicyBook& policies, const Accumulators& ytd);

// Step 1 alone for one charge line: how the treatment place's catalogue
// splits it on `on`.
LineResult SplitLine(const ClaimLine& line, const catalog::Catalog& catalog, std::string_view mdtrtarea_admvs,
                     Date on);

// Step 1 for every line of a claim, in order: what Adjudicate does, and
// what the fee-detail upload (2204/2301) answers, so that both split a line
// the same way. Each line is classed by the catalogue version in force on
// its fee_date (`claim_date` when it has none). A charge line is split on
// its own (SplitLine). A refund line belongs to the item of the latest
// earlier charge of its med_list_codg (and that charge's catalogue
// version); within that item it is the exact negation of a charge line of
// the same cnt and amount not yet refunded, when there is one, and
// otherwise the difference between the split of what is left of the item
// (its net cnt and amount, as one line) and the parts the item holds before
// it. So refunding a charge whole, or in parts, leaves the item exactly as
// if the refunded quantity had never been charged, to the fen.
// When the refunds of an item exceed its charges (a negative net amount,
// cnt or part: a refund before its charge, or at another price), `*overdrawn`
// (when not null) receives the item's code; the lines are split all the same.
std::vector<LineResult> SplitLines(const std::vector<ClaimLine>& lines, const catalog::Catalog& catalog,
                                   std::string_view mdtrtarea_admvs, Date claim_date, std::string* overdrawn);

// Checks the identities every breakdown must satisfy (sums to the fen,
// medfee_sumamt = fulamt + overlmt + preselfpay + inscp, fund_pay_sumamt =
// the funds, psn_part = medfee - fund, cash = part - acct, no negative
// payment). Empty string when all hold, else what failed.
std::string CheckIdentities(const Breakdown& b);

}  // namespace xt::settle
