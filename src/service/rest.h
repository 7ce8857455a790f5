// The REST use cases (/api/v1) for agencies, residents, hospitals and
// operators: settlements listed and filtered with paging, one settlement
// with its lines and trace, a person's own settlements, fund and
// institution balances, and an account's ledger statement.
//
// Each use case takes the caller and plain parameters and returns the
// answer's HTTP status and JSON body; http/ only routes and renders. The
// access rules live here (docs/security.md):
//   hospital  its own institution's settlements and balance;
//   agency    its province's funds, the settlements that involve its
//             province (as insurance place or treatment place), and the
//             institutions in it;
//   resident  their own settlements and personal account;
//   admin     everything (reads only).
// Something outside the caller's scope is answered 404 when it is one named
// thing (so that its existence is not disclosed) and 403 when the caller
// asked for a scope that is not theirs. Every read of personal data (a
// settlement, a person's list, a personal account) leaves a record in the
// audit log before the answer is given.
//
// Thread-safe; `store`, `ref` and `clock` must outlive the Api.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "service/api_reply.h"
#include "service/caller.h"
#include "service/refdata.h"
#include "store/store.h"

namespace xt::service {

class ResultsApi;  // results_service.h: mutual recognition of results

class Api {
 public:
  static constexpr int kPageSizeDefault = 50;
  static constexpr int kPageSizeMax = 200;
  static constexpr int kFundAccountsMax = 1000;

  Api(store::Store* store, const RefData* ref, const Clock* clock);
  ~Api();

  // The use cases of mutual recognition of results, on the same store.
  ResultsApi& results() { return *results_; }

  // GET /api/v1/me
  ApiReply Me(const Caller& caller);
  // GET /api/v1/settlements?region=&insuplc_admdvs=&mdtrtarea_admvs=&fixmedins_code=&psn_no=
  //                        &from=yyyy-MM-dd&to=yyyy-MM-dd&page_size=&page_token=
  ApiReply ListSettlements(const Caller& caller, const QueryParams& params);
  // GET /api/v1/settlements/{setl_id}
  ApiReply GetSettlement(const Caller& caller, const std::string& setl_id);
  // GET /api/v1/persons/{psn_no}/settlements (same paging and dates)
  ApiReply PersonSettlements(const Caller& caller, const std::string& psn_no, const QueryParams& params);
  // GET /api/v1/funds?region=
  ApiReply FundBalances(const Caller& caller, const QueryParams& params);
  // GET /api/v1/institutions/{fixmedins_code}/balance
  ApiReply InstitutionBalance(const Caller& caller, const std::string& fixmedins_code);
  // GET /api/v1/accounts/{account}/statement?from=&to=&page_size=&page_token=
  ApiReply AccountStatement(const Caller& caller, const std::string& account, const QueryParams& params);

  // Readiness (GET /healthz): the database can be read and is initialised;
  // XT-HTTP-006, with the store's reason as its detail, when not.
  Status Ready() const;
  // The group-commit writer's figures (GET /metrics).
  store::WriterStats WriterStats() const;
  // A caller refused by a route's roles before any use case ran, written
  // to the audit log like the use case's own refusals: `action` is the
  // route ("GET /api/v1/persons/{psn_no}/recognised"), `subject` whom it
  // was about.
  Status AuditRefusal(const Caller& caller, const std::string& action, const std::string& subject,
                      const std::string& code, const std::string& detail);

  store::Store* store() const { return store_; }
  const Clock* clock() const { return clock_; }

 private:
  ApiReply List(const Caller& caller, store::SettlementQuery query, const QueryParams& params,
                const std::string& action, const std::string& subject);
  Status Audit(const Caller& caller, const std::string& action, const std::string& subject, const std::string& outcome,
               const std::string& detail);

  store::Store* store_;
  const RefData* ref_;
  const Clock* clock_;
  std::unique_ptr<ResultsApi> results_;
};

}  // namespace xt::service
