// Monthly inter-region clearing (清算) of cross-region settlements: which
// month counts each settlement and reversal, what each insurance region owes
// each treatment region, the multilateral net positions, the few transfers
// that settle them, and the ledger postings that record it (docs/clearing.md).
//
// Pure: plain structs in, results out; no I/O, no clock, no SQL. The store
// streams its settlement rows in as compact SettlementFacts (no strings: the
// codes are interned in Codes), so a month of ten million settlements fits in
// memory; MonthCloser aggregates them in one pass.
//
// The month rule. Every row has a target month: the setlym (yyyyMM, local
// UTC+8) of the settlement's setl_time, or of the original settlement's for a
// reversal. Every row has a recording sequence `seq` (strictly increasing in
// the order the store recorded rows, e.g. its rowid). Months close in order,
// each close recording the highest seq it saw (`seq_through`). A row is
// counted by the first closed month M with M >= target and seq <= seq_through
// of M. So a row is counted in exactly one month; a closed month never gains
// or loses a row; and a reversal recorded after its settlement's month closed
// is counted, as an adjustment, in the next month to close.
//
// Thread-safety: Codes and MonthCloser are not thread-safe; the free
// functions are.
#pragma once

#include <array>
#include <functional>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/admdvs.h"
#include "core/date.h"
#include "core/money.h"
#include "core/status.h"
#include "store/store.h"

namespace xt::clearing {

// ---- months

// A settlement month yyyyMM, e.g. 202401.
using Setlym = int32_t;
bool IsValidSetlym(Setlym ym);
Setlym SetlymOf(LocalSeconds local_time);  // the local (UTC+8) month of a time
Setlym NextMonth(Setlym ym);
Setlym PrevMonth(Setlym ym);
// The first second of `ym` (local time).
LocalSeconds StartOfMonth(Setlym ym);
// "202403" -> 202403; nullopt for anything but six digits of a valid month.
std::optional<Setlym> ParseSetlym(std::string_view text);
// Months from a to b (b - a), e.g. MonthsBetween(202312, 202402) == 2.
int32_t MonthsBetween(Setlym a, Setlym b);
// The first second of the month after `ym`: a month can close from then on.
LocalSeconds EndOf(Setlym ym);

// ---- regions and codes

// The first two digits of the insurance and treatment regions differ.
bool IsCrossRegion(std::string_view insuplc_admdvs, std::string_view mdtrtarea_admvs);
// clr_type of a visit type, as the settlement answer gives it: 21 inpatient
// (med_type 2x), 11 outpatient.
std::string_view ClrTypeOf(std::string_view med_type);

// The funds, in the order of FundAmounts and of the ledger's fund accounts.
inline constexpr int kFundCount = 7;
// pooled, large_amount, critical_illness, civil_servant, enterprise,
// medical_assistance, other (ledger::FundAccount names).
extern const std::array<std::string_view, kFundCount> kFundNames;

// Strings interned as small indexes, bounded. The index of a string is its
// order of first appearance; results are sorted by the strings themselves, so
// they do not depend on that order.
class Dictionary {
 public:
  explicit Dictionary(uint32_t size_max) : size_max_(size_max) {}
  // nullopt when the dictionary is full.
  std::optional<uint32_t> Intern(std::string_view s);
  std::optional<uint32_t> Find(std::string_view s) const;
  const std::string& At(uint32_t index) const { return strings_[index]; }
  uint32_t size() const { return static_cast<uint32_t>(strings_.size()); }

 private:
  // Looked up by string_view without making a string (heterogeneous lookup):
  // FactsOf interns four codes a row.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  uint32_t size_max_;
  std::vector<std::string> strings_;
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> index_;
};

// Bounds on what one clearing interns.
inline constexpr uint32_t kProvincesMax = 64;          // 34 province-level regions nationally
inline constexpr uint32_t kInstitutionsMax = 2000000;  // 651,600 networked institutions nationally
inline constexpr uint32_t kInsutypesMax = 32;
inline constexpr uint32_t kClrTypesMax = 16;

struct Codes {
  Dictionary provinces{kProvincesMax};          // "110000"
  Dictionary institutions{kInstitutionsMax};    // fixmedins_code
  Dictionary insutypes{kInsutypesMax};          // "310"
  Dictionary clr_types{kClrTypesMax};           // "11", "21"
};

// ---- the compact row

// What clearing needs of one settlement or reversal row: 96 bytes, no
// strings. Amounts are as stored: negative for a reversal.
struct SettlementFacts {
  int64_t seq = 0;                       // recording order (the store's rowid)
  Fen medfee_sumamt = 0;
  std::array<Fen, kFundCount> fund_fen{};  // by kFundNames; their sum is fund_pay_sumamt
  Fen acct_pay = 0;
  uint32_t institution = 0;              // Codes::institutions
  Setlym target_ym = 0;                  // of the settlement (the original's for a reversal)
  uint8_t insu = 0;                      // Codes::provinces: insurance province
  uint8_t treat = 0;                     // Codes::provinces: treatment province
  uint8_t insutype = 0;                  // Codes::insutypes
  uint8_t clr_type = 0;                  // Codes::clr_types
  bool reversal = false;

  Fen fund_pay_sumamt() const;
  Fen psn_cash_pay() const { return medfee_sumamt - fund_pay_sumamt() - acct_pay; }
};
static_assert(sizeof(SettlementFacts) <= 96, "keep a row of a ten-million-row month small");

// The facts of a stored row, interning its codes. `target_setl_time` is the
// row's own setl_time for a settlement and the original settlement's for a
// reversal. Refused (XT-CLR-003): a row that is not cross-region, whose funds
// do not add up to fund_pay_sumamt, or whose kind is unknown; XT-CLR-004
// when a dictionary is full.
Result<SettlementFacts> FactsOf(const store::SettlementRow& row, int64_t seq, LocalSeconds target_setl_time,
                                Codes* codes);

// ---- history of closes

struct ClosedMonth {
  Setlym setlym = 0;
  int64_t seq_through = 0;     // the highest seq recorded when the month closed
  LocalSeconds closed_at = 0;
};

// The closes so far, oldest first: consecutive months, seq_through never
// decreasing.
struct ClearingHistory {
  std::vector<ClosedMonth> closed;

  const ClosedMonth* Find(Setlym ym) const;
  // XT-CLR-002 when the months are not consecutive or seq_through decreases.
  Status Check() const;
};

// The month that counts a row with this target month and seq, or nullopt
// while no closed month does (the next close at or after target_ym will).
std::optional<Setlym> MonthCounting(const ClearingHistory& history, Setlym target_ym, int64_t seq);

// ---- one month's clearing

struct CloseRequest {
  Setlym setlym = 0;
  int64_t seq_through = 0;     // the store's highest seq at the moment of closing
  LocalSeconds closed_at = 0;  // now; must be at or after EndOf(setlym)
};

// Money owed by one insurance province to one treatment province: the fund
// and personal-account parts of the settlements counted this month, net of
// reversals (so it can be negative in a month of late reversals only).
struct Flow {
  std::string insuplc_province;
  std::string mdtrtarea_province;
  Fen fund_fen = 0;
  Fen acct_fen = 0;
  Fen adjustment_fen = 0;   // the part from rows of earlier months (late rows)
  int64_t settlements = 0;  // settle rows counted
  int64_t reversals = 0;    // reversal rows counted
  Fen total_fen() const { return fund_fen + acct_fen; }
};

// A province's multilateral position: net = receivable - payable; the nets of
// a month sum to zero.
struct NetPosition {
  std::string province;
  Fen receivable_fen = 0;  // owed to it as treatment place
  Fen payable_fen = 0;     // owed by it as insurance place (its cross-region spend)
  Fen net_fen = 0;
};

// A transfer that settles the nets: from a net debtor to a net creditor.
struct NetTransfer {
  std::string from_province;
  std::string to_province;
  Fen amount_fen = 0;  // > 0
};

// An institution's month for one insurance type and clearing type: what its
// own (treatment-place) agency pays it, the figures of 3201 and 3203.
struct InstitutionLine {
  std::string fixmedins_code;
  std::string mdtrtarea_province;
  std::string insutype;
  std::string clr_type;
  Fen medfee_sumamt = 0;
  Fen fund_pay_sumamt = 0;
  Fen acct_pay = 0;
  Fen psn_cash_pay = 0;
  int64_t settlements = 0;
  int64_t reversals = 0;
  Fen paid_fen() const { return fund_pay_sumamt + acct_pay; }
};

// What one insurance province's fund (or personal accounts, fund
// "personal_account") paid this month.
struct FundTotal {
  std::string insuplc_province;
  std::string fund;
  Fen amount_fen = 0;
};

struct MonthResult {
  ClosedMonth close;            // this month's entry for the history
  int64_t rows = 0;             // rows counted
  int64_t settlements = 0;
  int64_t reversals = 0;
  int64_t adjustment_rows = 0;  // rows of earlier months counted here
  Fen adjustment_fen = 0;
  std::vector<Flow> flows;                   // by (insurance, treatment) province; only pairs with rows
  std::vector<NetPosition> nets;             // by province: every province in a flow
  std::vector<NetTransfer> net_transfers;    // greedy, at most provinces - 1
  std::vector<InstitutionLine> institutions; // by (code, insutype, clr_type)
  std::vector<FundTotal> funds;              // by (province, fund in kFundNames order, then personal_account)
  std::vector<store::Transfer> ledger;       // the postings of this clearing
};

// Bound on the rows one month counts (the figures are int64 fen and counts;
// this keeps sums far from overflow and a close's time bounded).
inline constexpr int64_t kMonthRowsMax = 1000000000;

// Aggregates one month in a single pass over the store's rows.
//
//   XT_ASSIGN_OR_RETURN(auto closer, MonthCloser::Begin(history, request));
//   for each row: closer.Add(facts);   // rows of other months are skipped
//   XT_ASSIGN_OR_RETURN(MonthResult month, std::move(closer).Finish(codes));
//
// Begin refuses (XT-CLR-001) an invalid month or one not over at closed_at,
// and (XT-CLR-002) a month that is not the one after the last closed, or a
// seq_through below the last close's. A month already in the history is
// recomputed from its recorded close (the request's seq_through and
// closed_at are ignored): the same rows, the same result, byte for byte.
// That is what makes a close idempotent; the caller should answer with its
// stored copy, and may compare.
class MonthCloser {
 public:
  static Result<MonthCloser> Begin(const ClearingHistory& history, const CloseRequest& request);

  // Counts the row when this month's close counts it; returns whether it did.
  bool Add(const SettlementFacts& f) {
    if (!Counts(f.target_ym, f.seq)) return false;
    Accumulate(f);
    return true;
  }
  bool Counts(Setlym target_ym, int64_t seq) const {
    return target_ym <= close_.setlym && seq <= close_.seq_through &&
           (target_ym == close_.setlym || !prior_seq_through_ || seq > *prior_seq_through_);
  }

  // The month's result. `codes` must be the ones the facts were made with.
  // XT-CLR-003 when an institution appears under two treatment provinces;
  // XT-CLR-004 past kMonthRowsMax rows.
  Result<MonthResult> Finish(const Codes& codes) &&;

  const ClosedMonth& close() const { return close_; }

 private:
  struct Cell {  // an institution's figures for one (insutype, clr_type)
    uint8_t insutype = 0;
    uint8_t clr_type = 0;
    Fen medfee = 0, fund = 0, acct = 0;
    int64_t settlements = 0, reversals = 0;
  };
  struct Inst {
    uint8_t treat = 0;
    bool seen = false;
    bool treat_conflict = false;
    std::vector<Cell> cells;
  };
  struct PairSum {
    Fen fund = 0, acct = 0, adjustment = 0;
    int64_t settlements = 0, reversals = 0;
  };

  void Accumulate(const SettlementFacts& f);

  ClosedMonth close_;
  std::optional<int64_t> prior_seq_through_;  // of the month before, when one closed
  int64_t rows_ = 0, settlements_ = 0, reversals_ = 0, adjustment_rows_ = 0;
  Fen adjustment_fen_ = 0;
  std::vector<PairSum> pairs_;  // [insu * kProvincesMax + treat]
  std::vector<std::array<Fen, kFundCount + 1>> funds_;  // [insu]: funds, then personal account
  std::vector<Inst> insts_;     // [institution]
};

// The whole month from rows in memory (the benchmark's and the tests' way).
Result<MonthResult> CloseMonth(const ClearingHistory& history, const CloseRequest& request,
                               std::span<const SettlementFacts> rows, const Codes& codes);

// The nets settled greedily: the largest debtor pays the largest creditor as
// much as both allow, again until every net is zero (ties by province code).
// At most n - 1 transfers for n non-zero nets; with three provinces that is
// also the fewest possible. The nets must sum to zero.
std::vector<NetTransfer> SettleNets(const std::vector<NetPosition>& nets);

// ---- ledger

// Clearing's accounts (docs/clearing.md, docs/ledger.md):
//   prepaid:<province>    an insurance province's prepaid fund (预付金) at the
//                         regional platform; credit balance = money available
//   treasury:<province>   its fund's own bank account, where deposits come from
//   clearing:<province>   its position in a month's clearing: zero after each
//   agency:<province>     the treatment agency (ledger.h), receiving what its
//                         province is owed, net, to pay its institutions
std::string PrepaidAccount(std::string_view province);
std::string TreasuryAccount(std::string_view province);
std::string ClearingAccount(std::string_view province);

// The postings of a month: each flow I->T as Dr clearing:I Cr clearing:T
// (swapped when negative); each net transfer D->C of X as Dr prepaid:D Cr
// clearing:D X (the draw) and Dr clearing:C Cr agency:C X (the receipt).
// Every clearing:<province> account is then back to zero.
std::vector<store::Transfer> ClearingTransfers(const MonthResult& month);

}  // namespace xt::clearing
