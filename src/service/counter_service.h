// The hospital cashier's counter (/api/v1/counter/..., docs/counter.md):
// the card looked up, a visit opened, fee lines, pre-settlement,
// settlement with the receipt's breakdown, reversal and the day's
// reconciliation, for a page that speaks REST rather than envelopes.
//
// Each use case builds the national interface's request envelope (1101,
// 2201/2401, 2203, 2204/2301, 2402, 2206/2303, 2207/2304, 2208/2305, 3201)
// and hands it to the one transaction processor as the caller, so that
// what the interface enforces holds for the counter too: idempotency by
// msgid, the accounting, the audit log, the sign-in. The counter signs in
// (9001) on the caller's behalf the first time an operator calls, keeps the
// sign_no per institution and operator, and signs in again once when the
// processor answers that the sign-in is no longer open (XT-AUTH-005).
//
// Idempotency: every POST carries an Idempotency-Key (1..64 printable
// ASCII). The envelope's msgid is "CTR" + 27 hex digits of a hash of the
// institution and the key, so the same click sent again is the same
// message (the processor answers it as the first time, with no second
// effect) and a key reused for another request is the processor's
// XT-ENV-006, answered 409. What the counter fills in itself (the visit's
// psn_no, the fee lines' default serial numbers and times, medfee_sumamt)
// is read from the visit, never from the clock, so a retry builds the same
// envelope.
//
// Refusals of the interface pass through with their own code and message;
// the HTTP status says their kind (400 bad input, 404 not found, 409 a
// reused key, 422 refused by the rules). A visit or a settlement of another
// institution is answered as one that does not exist.
//
// Thread-safe. `processor`, `store`, `ref` and `clock` must outlive it.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "service/api_reply.h"
#include "service/caller.h"
#include "service/refdata.h"
#include "store/store.h"

namespace xt::service {

class Processor;

class CounterService {
 public:
  static constexpr size_t kIdempotencyKeyBytesMax = 64;
  static constexpr int kItemsLimitDefault = 20;
  static constexpr int kItemsLimitMax = 100;
  static constexpr size_t kFeeLinesPerCallMax = 1000;  // the processor's bound on one upload
  static constexpr size_t kReasonBytesMax = 500;
  // Sign-ins remembered (institution + operator); beyond it all are
  // forgotten and each operator signs in again on its next call.
  static constexpr size_t kSignInsMax = 10000;

  CounterService(Processor* processor, store::Store* store, const RefData* ref, const Clock* clock);

  // GET /api/v1/counter/persons?certno=&mdtrt_cert_type=&card_sn=  (1101)
  ApiReply LookUpPerson(const Caller& caller, const QueryParams& params);
  // GET /api/v1/counter/items?q=&limit=  (the treatment place's catalogue)
  ApiReply ListItems(const Caller& caller, const QueryParams& params);
  // POST /api/v1/counter/visits  (2201 [+ 2203] or 2401)
  ApiReply OpenVisit(const Caller& caller, std::string_view idempotency_key, const std::string& body);
  // GET /api/v1/counter/visits/{mdtrt_id}
  ApiReply GetVisit(const Caller& caller, const std::string& mdtrt_id);
  // POST /api/v1/counter/visits/{mdtrt_id}/fees  (2204 / 2301)
  ApiReply AddFees(const Caller& caller, const std::string& mdtrt_id, std::string_view idempotency_key,
                   const std::string& body);
  // POST /api/v1/counter/visits/{mdtrt_id}/discharge  (2402)
  ApiReply Discharge(const Caller& caller, const std::string& mdtrt_id, std::string_view idempotency_key,
                     const std::string& body);
  // POST /api/v1/counter/visits/{mdtrt_id}/presettle  (2206 / 2303)
  ApiReply Presettle(const Caller& caller, const std::string& mdtrt_id, std::string_view idempotency_key,
                     const std::string& body);
  // POST /api/v1/counter/visits/{mdtrt_id}/settle  (2207 / 2304)
  ApiReply Settle(const Caller& caller, const std::string& mdtrt_id, std::string_view idempotency_key,
                  const std::string& body);
  // POST /api/v1/counter/settlements/{setl_id}/reverse  (2208 / 2305)
  ApiReply Reverse(const Caller& caller, const std::string& setl_id, std::string_view idempotency_key,
                   const std::string& body);
  // POST /api/v1/counter/reconcile  (3201 for one day, by insutype and clr_type)
  ApiReply Reconcile(const Caller& caller, std::string_view idempotency_key, const std::string& body);

  // The msgid a request with this key is sent under: "CTR" + 27 hex digits.
  static std::string MsgidOf(std::string_view fixmedins_code, std::string_view idempotency_key);

 private:
  struct Sent;  // one envelope's answer (counter_service.cc)
  struct Ctx;   // the caller's institution and operator

  std::optional<ApiReply> Begin(const Caller& caller, Ctx* ctx) const;
  ApiReply Settlement(const Caller& caller, const std::string& mdtrt_id, std::string_view idempotency_key,
                      const std::string& body, bool pre);
  // Sends one envelope as the caller, signing in first when needed.
  Sent Send(const Ctx& ctx, std::string_view infno, const std::string& input_json, std::string_view insuplc_admdvs,
            const std::string& msgid);
  std::string SignNo(const Ctx& ctx, bool renew, Sent* failed);
  std::string Envelope(const Ctx& ctx, std::string_view infno, const std::string& input_json,
                       std::string_view insuplc_admdvs, const std::string& msgid, const std::string& sign_no) const;
  Status Audit(const Caller& caller, const std::string& action, const std::string& subject,
               const std::string& detail);

  Processor* processor_;
  store::Store* store_;
  const RefData* ref_;
  const Clock* clock_;
  std::mutex mu_;
  std::unordered_map<std::string, std::string> sign_nos_;  // institution '|' operator -> sign_no; guarded by mu_
};

}  // namespace xt::service
