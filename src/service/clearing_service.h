// Inter-region clearing wired to the store: closing a month from the
// settlements table, prepaid deposits and their status, the month's reports
// with the service's access rules, the national interface's reconciliation
// (3201-3204), and the recomputation `verify` does (docs/clearing.md,
// "Integration").
//
// The rules are src/clearing/'s, and so is computing a month from the store
// (clearing/month.h); this file decides who may do what, calls them and
// writes what they give in one commit. A close computes the month from read
// snapshots (clearing::ComputeMonthParallel, outside the writer), then
// writes the closed month, its four reports, the ledger postings, the
// prepaid draws, the month's spend and the audit record in ONE store write;
// a month already closed is answered from the stored reports, byte for byte.
//
// Thread-safe; `store` and `clock` must outlive the service.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "clearing/clearing.h"
#include "clearing/prepaid.h"
#include "core/clock.h"
#include "core/json_doc.h"
#include "core/status.h"
#include "service/api_reply.h"
#include "service/caller.h"
#include "store/store.h"

namespace xt::service {

// The name of the reference document holding the prepaid policies
// (data/prepaid.json, stored by `init`).
inline constexpr char kPrepaidPoliciesDoc[] = "prepaid_policies";

// The transfers' setl_id of clearing postings: "clearing:<setlym>" for a
// month's, "deposit:<movement id>" for a deposit's (verify recomputes both).
std::string ClearingPostingRef(clearing::Setlym setlym);
std::string DepositPostingRef(int64_t movement_id);

struct CloseAnswer {
  store::ClosedMonthRow month;  // with its reports
  bool already_closed = false;  // answered from the stored copy
};

// What an HTTP or command-line answer carries: a status, the body (JSON, or
// CSV for the CSV reports) and its content type.
using ClearingReply = ApiReply;

// Bounds of a page of GET /api/v1/clearing/reconciliations (sample values).
inline constexpr size_t kReconciliationsPageDefault = 50;
inline constexpr size_t kReconciliationsPageMax = 200;

class ClearingService {
 public:
  ClearingService(store::Store* store, const Clock* clock) : store_(store), clock_(clock) {}

  // Closes `setlym` (operators and the command line only). Idempotent.
  Result<CloseAnswer> Close(const Caller& caller, clearing::Setlym setlym);
  // A deposit or top-up of a province's prepaid fund (the command line, or
  // the province's own agency): the movement, its posting and an audit
  // record in one commit. Returns the province's status after it.
  Result<clearing::PrepaidStatus> Deposit(const Caller& caller, std::string_view province, Fen amount_fen,
                                          std::string ref);
  // The prepaid funds the caller may see (agency: its province; operators:
  // every province with a policy), on today's date.
  Result<std::vector<clearing::PrepaidStatus>> Prepaid(const Caller& caller, std::string_view province);

  // ---- REST (/api/v1/clearing/...; docs/openapi.json)
  ClearingReply ListMonths(const Caller& caller);
  // report: "" (the whole month as JSON), "flows", "institutions" or "funds",
  // optionally with ".csv"; format: "", "json" or "csv".
  ClearingReply Report(const Caller& caller, const std::string& setlym, const std::string& report,
                       const std::string& format);
  ClearingReply CloseReply(const Caller& caller, const std::string& setlym);
  ClearingReply PrepaidReply(const Caller& caller, const std::string& region);
  // GET /api/v1/clearing/reconciliations?region=&fixmedins_code=&from=&to=
  //     &result=failed|all&page_size=&page_token=
  // The 3201/3202 outcomes kept, newest first: an agency's of the
  // institutions of its province, a hospital's own, every one for operators.
  ClearingReply Reconciliations(const Caller& caller, const QueryParams& params);

 private:
  store::Store* store_;
  const Clock* clock_;
};

// ---- the national interface (called by the processor's handlers)
//
// Each takes the envelope's fixmedins_code (already checked against the
// caller) and its input object as parsed, and returns the output object as
// JSON text. Amounts are read from the numbers' own text (JsonValue's
// number_text), never through a double, so the figures answered and compared
// are the ones sent. Shapes: docs/interface.md, "Reconciliation and clearing".
// 3201 and 3202 also fill `kept` with their outcome (all but its province,
// time and msgid, which the caller knows), for the caller to store.
Result<std::string> Reconcile3201(std::string_view fixmedins_code, const JsonValue& input, store::ReadTxn& txn,
                                  store::ReconciliationRow* kept);
Result<std::string> Reconcile3202(std::string_view fixmedins_code, const JsonValue& input, store::ReadTxn& txn,
                                  store::ReconciliationRow* kept);
Result<std::string> Apply3203(std::string_view fixmedins_code, const JsonValue& input, LocalSeconds now,
                              store::WriteTxn& txn);
Result<std::string> Cancel3204(std::string_view fixmedins_code, const JsonValue& input, LocalSeconds now,
                               store::WriteTxn& txn);

// ---- verify

struct ClearingCheck {
  std::vector<store::Transfer> expected_transfers;  // every clearing and deposit posting, recomputed
  std::vector<std::string> problems;
  int64_t months = 0;
  int64_t deposits = 0;
};
// Recomputes each closed month from the settlements (its report must be the
// stored bytes, its draws and spend the stored ones, each clearing:*
// account back to zero after it) and each deposit's posting.
Result<ClearingCheck> RecomputeClearing(store::ReadTxn& txn);

}  // namespace xt::service
