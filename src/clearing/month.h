// A month's clearing computed from the store: the history of closes as
// stored, the month's rows streamed from read snapshots into MonthCloser
// (clearing.h), and a stored month's report read back. This is the one part
// of clearing that reads the store; the rules stay in clearing.h, and the
// service decides when to close and writes what these return.
//
// Ownership: nothing here keeps a reference past the call. The `txn` and
// `store` given must outlive the call; the results are plain values.
//
// Thread-safety: every function may be called from several threads at
// once (each call has its own MonthCloser and Codes). ComputeMonth and
// ComputeMonthParallel start threads of their own and join them before
// they return; a `txn` is used only on the calling thread.
#pragma once

#include <string_view>

#include "clearing/clearing.h"
#include "core/status.h"
#include "store/store.h"

namespace xt::clearing {

// The history of closes as stored; XT-CLR-002 when it is not consecutive
// months with seq_through never decreasing (ClearingHistory::Check).
Result<ClearingHistory> HistoryOf(store::ReadTxn& txn);

// The month `request` names, from the rows of `txn`'s snapshot: rows that are
// not cross-region are skipped (they are not cleared). `only_institution`,
// when not empty, keeps that institution's rows only (3203 on an open
// month). One scan on the caller's thread feeds one aggregating thread;
// memory stays bounded (a few megabytes of rows in flight) whatever the
// month's size. Fails with MonthCloser::Begin's refusals, the scan's error,
// or FactsOf's (the first row refused stops the scan).
Result<MonthResult> ComputeMonth(store::ReadTxn& txn, const ClearingHistory& history,
                                 const CloseRequest& request, std::string_view only_institution = {});

// The same month, every institution, read by two scans on two read
// snapshots of `store` (split at the middle id since the last close) feeding
// one aggregation, so SQLite's stepping runs on two cores. Used by a close
// and the benchmark.
//
// What it promises: the result is ComputeMonth's on any snapshot that holds
// every row up to request.seq_through, byte for byte once written
// (clearing::MonthJson). That holds because every row up to seq_through was
// committed before either snapshot began, what clearing reads of a row never
// changes once recorded, and MonthCloser's result does not depend on the
// order rows arrive in. `request.seq_through` must therefore be an id the
// store had already committed (its MaxSettlementId at the time).
Result<MonthResult> ComputeMonthParallel(store::Store& store, const ClearingHistory& history,
                                         const CloseRequest& request);

// A stored month's report (clearing::MonthJson's text) read back into a
// MonthResult, for filtered views and 3203; XT-CLR-002 when it does not
// parse. Its ledger postings carry the close's time and no setl_id.
Result<MonthResult> ParseMonthJson(std::string_view json_text);

}  // namespace xt::clearing
