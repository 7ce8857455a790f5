// The transaction processor: one entry point for every national-interface
// transaction (../docs/interface.md). `xietong call` and the HTTP server both
// hand it request envelopes and send back what it returns, so a transaction
// behaves the same whichever way it arrives.
//
// It owns idempotency (a msgid sent again returns its first answer and has
// no second effect; a msgid reused for a different request is refused) and
// the order of steps; the rules live in settle/, the postings in ledger/,
// and every change goes through the store's group-commit writer.
//
// Thread-safe: Call may run on any number of threads at once. `store`,
// `ref` and `clock` must outlive the Processor.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "service/caller.h"
#include "service/refdata.h"
#include "store/store.h"

namespace xt::service {

// What one call was, for the caller's logs and metrics (the HTTP server's
// access log and /metrics). Holds no personal data.
struct CallInfo {
  std::string infno;     // as sent, when the envelope could be read
  std::string msgid;     // as sent, when the envelope could be read
  int infcode = 0;       // 0 answered, -1 refused
  std::string err_code;  // on refusal
  bool replayed = false; // answered from the message log (a retry)
  // A 9102 download: the file's name and bytes. Over HTTP they are the
  // answer (application/octet-stream), as the platform streams a file; the
  // envelope, also answered, carries them in base64 for `xietong call`.
  std::string download_name = {};
  std::string download_bytes = {};
  // The refusal's internal detail (Status::detail), for the caller's log
  // only: the envelope carries err_code and err_msg, never this.
  std::string detail = {};
};

struct CallStats {
  int64_t calls = 0;
  int64_t failures = 0;
  int64_t replays = 0;  // answered from the message log
};

class OpenSignIns;
class PersonCache;

class Processor {
 public:
  Processor(store::Store* store, const RefData* ref, const Clock* clock);
  ~Processor();

  // A request envelope (JSON text) in, a response envelope (JSON text, one
  // line) out. Never throws; every failure is an envelope with infcode -1,
  // a stable err_code and a plain err_msg.
  // These two act as the local operator (Caller::Local()).
  std::string Call(std::string_view request_json) { return Call(request_json, nullptr); }
  // The same, also describing the call in `*info` when it is not null.
  std::string Call(std::string_view request_json, CallInfo* info);
  // As `caller`: a hospital acts only for its own institution, after a 9001
  // sign-in (the envelope's sign_no); other roles are refused (XT-AUTH-*).
  std::string Call(const Caller& caller, std::string_view request_json, CallInfo* info);

  // The same for an event-driven server, without waiting for the store.
  // `done` gets the answer and its CallInfo exactly once: on this thread
  // before CallAsync returns when no write is needed (a refusal, a plain
  // read), otherwise from a closure handed to `post` after the group's
  // COMMIT. `post` is called on the store's writer thread: it must only
  // queue the closure for the caller's own thread (which then runs it),
  // never run it there.
  using Post = std::function<void(std::function<void()>)>;
  using Done = std::function<void(std::string answer, CallInfo info)>;
  // `url_infno`, when not empty, is the transaction code the request's URL
  // named (POST .../2207): the envelope's infno must be the same
  // (XT-ENV-011 otherwise).
  void CallAsync(const Caller& caller, std::string_view request_json, Post post, Done done,
                 std::string_view url_infno = {});

  // A refusal envelope for an answer given before an envelope could be
  // read (the HTTP server's 400, 404, 413, 503 ...): the same head as every
  // answer (infcode -1, inf_refmsgid, refmsg_time, respond_time, err_code,
  // err_msg) and an empty output. Thread-safe.
  std::string RefusalEnvelope(std::string_view code, std::string_view message);

  // The region code written into inf_refmsgid (the platform's own region).
  void set_platform_region(std::string region) { platform_region_ = std::move(region); }
  CallStats stats() const;

 private:
  store::Store* store_;
  const RefData* ref_;
  const Clock* clock_;
  std::string platform_region_ = "100000";
  std::atomic<int64_t> serial_{0};
  std::atomic<int64_t> calls_{0};
  std::atomic<int64_t> failures_{0};
  std::atomic<int64_t> replays_{0};
  std::unique_ptr<PersonCache> persons_;  // parsed person documents

  // platform region + time + a 10-digit serial: the answer's inf_refmsgid.
  std::string NextRefMsgid(LocalSeconds now);
  std::unique_ptr<OpenSignIns> sign_ins_;  // 9001 sign-ins checked on every hospital call

  struct Flight;  // one call in flight (processor.cc)
  friend class Handlers;
};

}  // namespace xt::service
