// Mutual recognition of results (检查检验结果互认) as use cases of the
// running service: institutions publish lab results and imaging reports;
// the doctor checks, before ordering, which of the patient's results the
// treatment place recognises; the doctor's decision (accepted, or repeated
// with a reason) is recorded; statistics per region, institution and month.
// The rules are the pure functions of src/results/; this file adds the
// access rules, the store and the audit log (docs/results.md, "Service").
//
// Access:
//   publish     hospital, for its own institution (local operator: any)
//   check       hospital with an open visit of the patient (MayView); every
//               look, allowed or refused, goes to the audit log and to the
//               looks table before the answer is given
//   looks       the patient (resident), the agency of the looking
//               institution's province, operators
//   decision    hospital with an open visit, for its own institution
//   statistics  agency: its province; hospital: itself; operators: all
//
// Each use case returns the HTTP status and JSON body (ApiReply); http/
// and cli/ only route and print. Publication and decisions are idempotent
// on the id the caller supplies: a retry returns the first answer, the same
// id with a different body is refused (XT-RES-010, XT-RES-011).
//
// Thread-safe; `store`, `ref` and `clock` must outlive the ResultsApi.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "results/results.h"
#include "service/caller.h"
#include "service/refdata.h"
#include "service/rest.h"
#include "store/store.h"

namespace xt::service {

// What one check needs between calls; reused so that a warmed-up check
// allocates little. Belongs to one thread.
struct CheckScratch {
  std::vector<store::ResultKeyRow> rows;  // as read from the store, newest first
  std::vector<results::ResultKey> keys;   // interned
  std::vector<uint32_t> row_of_key;       // keys[i] came from rows[row_of_key[i]]
  results::ResultHeader header;           // scratch for Intern
  results::CheckAnswer answer;
  size_t rows_skipped = 0;                // rows the Book does not know any more (item or institution gone)
};

// The check's core, shared by the use case and the benchmark: reads the
// patient's results from `txn` (at most kCheckResultsMax), interns them and
// runs results::Check. No access rule here: the caller has applied MayView.
Status CheckFromStore(store::ReadTxn& txn, const results::Book& book, std::string_view psn_no,
                      const results::CheckRequest& request, CheckScratch* scratch);

class ResultsApi {
 public:
  static constexpr int kLooksPageDefault = 50;
  static constexpr int kLooksPageMax = 200;
  static constexpr int kVisitsMax = 100;                // visits of a patient at one institution read for MayView
  static constexpr int64_t kStatsRowsMax = 2'000'000;  // looks or decisions one statistics call may read
  static constexpr size_t kPublishBodyBytesMax = 64 * 1024;

  ResultsApi(store::Store* store, const RefData* ref, const Clock* clock);

  // POST /api/v1/results (body: one lab result or imaging report)
  ApiReply Publish(const Caller& caller, std::string_view body);
  // GET /api/v1/persons/{psn_no}/recognised?items=K,Na,CT-HEAD&at=yyyy-MM-dd HH:mm:ss
  // (the local operator adds fixmedins_code=, the institution it acts for)
  ApiReply Recognised(const Caller& caller, const std::string& psn_no, const QueryParams& params);
  // GET /api/v1/persons/{psn_no}/results: the patient's own published
  // results (at most kCheckResultsMax, newest first), each with where it is
  // recognised now (Beijing, Tianjin, Hebei: until when, or why not).
  // The resident themself and operators; audited like every read of a
  // person's data.
  ApiReply PersonResults(const Caller& caller, const std::string& psn_no);
  // GET /api/v1/persons/{psn_no}/result-looks?page_size=&page_token=
  ApiReply Looks(const Caller& caller, const std::string& psn_no, const QueryParams& params);
  // POST /api/v1/results/decisions
  ApiReply Decide(const Caller& caller, std::string_view body);
  // GET /api/v1/results/statistics?region=&fixmedins_code=&from=yyyy-MM&to=yyyy-MM
  ApiReply Statistics(const Caller& caller, const QueryParams& params);

  // Item codes or abbreviations ("K", "na", "JY01001"), comma-separated, to
  // ids. XT-RES-002 for an unknown one, XT-RES-005 for more than 64.
  Result<std::vector<results::ItemId>> ParseItems(std::string_view text) const;

 private:
  Status Audit(store::WriteTxn& txn, const Caller& caller, const std::string& action, const std::string& subject,
               const std::string& outcome, const std::string& detail) const;
  // Ok when `viewer` has a visit of `psn_no` open now (results::MayView).
  Status MayViewNow(store::ReadTxn& txn, const std::string& viewer, const std::string& psn_no) const;

  store::Store* store_;
  const RefData* ref_;
  const Clock* clock_;
};

}  // namespace xt::service
