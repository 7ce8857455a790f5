// The HTTP server: event loops on epoll (one thread each), a small pool for
// routes that may wait on the store, routes, limits, the access log and
// shutdown.
//
// Why not a thread per connection: a settlement waits a few milliseconds
// for its group's COMMIT, so group commit needs many requests in flight.
// With a thread per connection (as cpp-httplib serves) each of them costs a
// blocked thread, and on two cores the context switches, poll calls and
// wake-ups cost more than the HTTP itself (docs/benchmarks.md). Here a
// national-interface call is handed to the processor without waiting
// (Processor::CallAsync) and its answer comes back to the connection's loop
// after the commit, so two loop threads keep thousands of requests in flight.
//
// A connection reads one request at a time (pipelined requests wait in its
// buffer): head, then a body of Content-Length bytes, then the answer is
// written, then the next request is read.
#include "http/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/json_writer.h"
#include "http/access_log.h"
#include "http/chunked.h"
#include "http/request_head.h"
#include "http/routes.h"
#include "http/static_files.h"
#include "service/accounts.h"
#include "service/credentials.h"
#include "service/processor.h"
#include "service/rest.h"

namespace xt::http {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Bounds on what a REST request's query may hold.
constexpr size_t kQueryParamsMax = 16;
constexpr size_t kQueryValueBytesMax = 100;
// A refusal's internal detail in its access-log line: longer ones are cut
// (at a character boundary), so that one line stays small.
constexpr size_t kLogDetailBytesMax = 1024;
// A request line and the header lines' own bytes (names, colons, line ends)
// beyond header_bytes_max before the head counts as too large.
constexpr size_t kHeadSlackBytes = 8192;
// A body over payload_bytes_max is read and dropped (so the connection can
// carry the next request) up to this many times the limit; beyond, the
// connection is closed after the answer.
constexpr int64_t kDiscardFactorMax = 16;
// How often a loop looks for connections past their time-outs.
constexpr int kTimerMillis = 50;
// epoll_data.u64 of the two descriptors that are not connections.
constexpr uint64_t kListenId = 0;
constexpr uint64_t kWakeId = 1;

std::string_view Reason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

// UTC, ISO 8601 with milliseconds.
std::string UtcNow() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
  return buf;
}

// At most `bytes_max` bytes of `s`, not cutting a UTF-8 sequence in two.
std::string_view Utf8Prefix(std::string_view s, size_t bytes_max) {
  if (s.size() <= bytes_max) return s;
  size_t n = bytes_max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

// The answer to one request.
struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // beyond Content-Type and Content-Length
};

// One request, from its head to its answer, and what the access log says
// of it.
struct Exchange {
  RequestHead head;
  std::string body;
  std::string remote;
  SteadyClock::time_point started{};
  const RouteSpec* spec = nullptr;  // the route, once found
  RouteId route = 0;
  std::vector<std::string> args;  // the path's {parameters}, in order
  service::Processor* processor = nullptr;  // stamps error envelopes (SetError)
  std::string url_infno;  // the transaction code a national-interface URL ends with, if any
  std::string infno;
  std::string msgid;
  std::string err_code;
  std::string note;    // internal detail for the log only (never sent)
  std::string detail;  // the refusal's Status::detail(), for the log only (never sent)
  std::string key_id;  // the caller's credential, when one was shown
  bool by_session = false;  // admitted by a staff session's cookie: the answer is not to be cached
};

// The value of the staff session's cookie (Cookie: a=b; xt_session=...), or
// "" when the request carries none.
std::string_view SessionCookie(const RequestHead& head) {
  static constexpr std::string_view kName = service::kSessionCookie;
  for (const auto& [name, value] : head.headers) {
    if (name != "cookie") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t semi = rest.find(';');
      std::string_view pair = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      if (pair.size() > kName.size() && pair.substr(0, kName.size()) == kName && pair[kName.size()] == '=') {
        return pair.substr(kName.size() + 1);
      }
    }
  }
  return {};
}

std::string ErrorEnvelope(std::string_view code, std::string_view message) {
  JsonWriter w;
  w.BeginObject().FieldInt("infcode", -1).Field("err_code", code).Field("err_msg", message);
  w.Key("output").BeginObject().EndObject().EndObject();
  return w.Take();
}

void SetJson(Response& res, int status, std::string body) {
  res.status = status;
  res.body = std::move(body);
  res.content_type = "application/json";
}

// An error in the national interface's envelope (infcode -1).
// With the processor that answers envelopes, the envelope carries the head
// fields every answer has (inf_refmsgid, refmsg_time, respond_time), which
// HIS clients read off refusals too.
void SetError(Exchange& ex, Response& res, int status, std::string_view code, std::string_view message) {
  SetJson(res, status, ex.processor ? ex.processor->RefusalEnvelope(code, message) : ErrorEnvelope(code, message));
  ex.err_code = code;
}

// A file name fit for a Content-Disposition header: printable ASCII but
// quotes and backslashes (others become '_').
std::string SafeFilename(std::string_view name) {
  std::string out;
  for (char c : name.substr(0, 200)) out += (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') ? c : '_';
  return out.empty() ? std::string("file") : out;
}

// Every answer of a REST route is JSON; errors are {"err_code","err_msg"}.
void SetApiError(Exchange& ex, Response& res, int status, std::string_view code, std::string_view message) {
  JsonWriter w;
  w.BeginObject().Field("err_code", code).Field("err_msg", message).EndObject();
  SetJson(res, status, w.Take());
  ex.err_code = code;
}

// "/api/v1/settlements/{setl_id}" against a decoded path: true when every
// fixed segment is equal and every {parameter} is one non-empty segment.
bool MatchTemplate(std::string_view tmpl, std::string_view path, std::vector<std::string>* args) {
  args->clear();
  while (!tmpl.empty() || !path.empty()) {
    if (tmpl.empty() || path.empty() || tmpl.front() != '/' || path.front() != '/') return false;
    tmpl.remove_prefix(1);
    path.remove_prefix(1);
    const std::string_view t = tmpl.substr(0, tmpl.find('/'));
    const std::string_view p = path.substr(0, path.find('/'));
    if (!t.empty() && t.front() == '{') {
      if (p.empty()) return false;
      args->emplace_back(p);
    } else if (t != p) {
      return false;
    }
    tmpl.remove_prefix(t.size());
    path.remove_prefix(p.size());
  }
  return true;
}

int64_t MillisSince(SteadyClock::time_point t, SteadyClock::time_point now) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(now - t).count();
}

// Threads for the routes that may wait on the store (REST reads with their
// audit records, clearing closes): they must not hold up an event loop.
class BlockingPool {
 public:
  BlockingPool(int threads, std::atomic<int64_t>* queued) : queued_(queued) {
    for (int i = 0; i < threads; ++i) {
      workers_.emplace_back([this] {
        pthread_setname_np(pthread_self(), "xt-http");
        Work();
      });
    }
  }
  ~BlockingPool() { Shutdown(); }

  void Submit(std::function<void()> fn) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      jobs_.push_back(std::move(fn));
      queued_->store(static_cast<int64_t>(jobs_.size()), std::memory_order_relaxed);
    }
    cv_.notify_one();
  }

  // Runs what is queued, then ends every worker.
  void Shutdown() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (shutdown_) return;
      shutdown_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }

 private:
  void Work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return shutdown_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        fn = std::move(jobs_.front());
        jobs_.pop_front();
        queued_->store(static_cast<int64_t>(jobs_.size()), std::memory_order_relaxed);
      }
      fn();
    }
  }

  std::atomic<int64_t>* queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool shutdown_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace

Status ServerOptions::Validate() const {
  auto bad = [](const std::string& what) {
    return Status::Error("XT-HTTP-008", "invalid server option: " + what);
  };
  if (host.empty()) return bad("the listen host is empty");
  if (port < 0 || port > 65535) return bad("port must be 0..65535");
  if (io_threads < 1 || io_threads > 64) return bad("io_threads must be 1..64");
  if (threads < 1 || threads > 4096) return bad("threads must be 1..4096");
  if (connections_max < 1 || connections_max > 1000000) return bad("connections_max must be 1..1000000");
  if (listen_backlog < 1 || listen_backlog > 65535) return bad("listen_backlog must be 1..65535");
  if (payload_bytes_max < 1 || payload_bytes_max > (size_t{64} << 20)) return bad("payload_bytes_max must be 1..64 MiB");
  if (header_count_max < 1 || header_count_max > 1000) return bad("header_count_max must be 1..1000");
  if (header_bytes_max < 1 || header_bytes_max > (size_t{1} << 20)) return bad("header_bytes_max must be 1..1 MiB");
  if (read_timeout_ms < 1 || read_timeout_ms > 600000) return bad("read_timeout_ms must be 1..600000");
  if (write_timeout_ms < 1 || write_timeout_ms > 600000) return bad("write_timeout_ms must be 1..600000");
  if (keep_alive_timeout_s < 1 || keep_alive_timeout_s > 3600) return bad("keep_alive_timeout_s must be 1..3600");
  if (keep_alive_requests_max < 1 || keep_alive_requests_max > 1000000) {
    return bad("keep_alive_requests_max must be 1..1000000");
  }
  return Status::Ok();
}

namespace {

struct ServerCore;

// One accepted connection, owned by one loop.
struct Conn {
  enum class State {
    kHead,     // reading a request's head (or idle between requests)
    kBody,     // reading its body
    kDiscard,  // dropping the body of a request already refused (413)
    kBusy,     // the request is being answered; nothing more is read
  };
  int fd = -1;
  uint64_t id = 0;
  std::string remote;
  State state = State::kHead;
  std::string in;         // received, not yet consumed
  std::string out;        // answer bytes not yet sent
  size_t out_sent = 0;
  bool want_out = false;  // EPOLLOUT armed
  std::unique_ptr<Exchange> ex;  // the request being read or answered
  std::unique_ptr<ChunkedDecoder> chunked;  // its body, when sent chunked
  int64_t discard_left = 0;
  int requests = 0;
  bool close_after = false;   // close once `out` is sent
  bool peer_closed = false;   // the client closed its side
  bool read_paused = false;   // stopped reading with bytes possibly waiting in the kernel
  bool advancing = false;     // inside Loop::Advance
  SteadyClock::time_point last_read{};   // last byte received (or accept, or last answer sent)
  SteadyClock::time_point head_since{};  // first byte of the request head being read
  SteadyClock::time_point write_since{}; // when `out` last made progress
};

// One event loop: its epoll, its connections, a queue of closures posted
// from other threads (answers after a commit, REST answers from the pool).
class Loop {
 public:
  Loop(ServerCore* server, int index) : server_(server), index_(index) {}
  ~Loop() {
    if (epfd_ >= 0) ::close(epfd_);
    if (wakefd_ >= 0) ::close(wakefd_);
  }

  Status Open(int listen_fd);
  void Run();
  // From any thread: `fn` runs on this loop's thread.
  void Post(std::function<void()> fn) {
    bool wake = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      posted_.push_back(std::move(fn));
      wake = !wake_pending_;
      wake_pending_ = true;
    }
    if (wake) Wake();
  }
  void Wake() {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wakefd_, &one, sizeof one);
  }
  // On this loop's thread: the answer to the request of connection `id`.
  void Answer(uint64_t id, std::unique_ptr<Exchange> ex, Response res);

 private:
  void Accept();
  void OnEvent(uint64_t id, uint32_t events);
  void ReadFrom(Conn* c, bool drain = false);
  void Advance(Conn* c);
  void StartRequest(Conn* c);
  void Refuse(Conn* c, int status, std::string_view code, std::string_view message, bool close);
  void Flush(Conn* c);
  void Close(Conn* c);
  void CheckTimers(SteadyClock::time_point now);
  void RunPosted();
  void BeginStop();

  ServerCore* server_;
  const int index_;
  int epfd_ = -1;
  int wakefd_ = -1;
  int listen_fd_ = -1;
  bool listening_ = false;
  bool stopping_ = false;
  uint64_t next_id_ = 2;
  std::unordered_map<uint64_t, std::unique_ptr<Conn>> conns_;
  std::mutex mu_;
  std::vector<std::function<void()>> posted_;
  bool wake_pending_ = false;
  SteadyClock::time_point last_timer_scan_{};
};

// What the loops share: the use cases, options, metrics and log.
struct ServerCore {
  Services services;
  ServerOptions options;
  Metrics metrics{RouteLabels()};
  // The default sink: stderr, written in batches (access_log.h). Made by
  // Bind only when no sink was set and the log is on.
  std::unique_ptr<AccessLogWriter> stderr_log;
  HttpServer::LogSink log_sink;
  std::atomic<int64_t> rest_queued{0};  // REST requests waiting for a pool thread
  std::atomic<int64_t> connections_open{0};
  std::atomic<bool> stopping{false};
  std::mutex serve_mu;
  bool serving = false;
  bool bound = false;
  int port = -1;
  int listen_fd = -1;
  std::vector<std::unique_ptr<Loop>> loops;
  std::unique_ptr<BlockingPool> pool;
  StaticFiles static_files;  // the application's files (options.web_dir), read by Bind

  ServerCore(Services s, ServerOptions o) : services(s), options(std::move(o)) {}
  ~ServerCore() {
    if (listen_fd >= 0) ::close(listen_fd);
  }

  // What every route does first: the header limits and the caller's
  // credential (Authorization: Bearer <api key>, else the staff session's
  // cookie), then the route's roles and duties. Nullopt when the request was refused (the answer is then set: an
  // error envelope on the national interface, {"err_code","err_msg"} on the
  // others).
  std::optional<service::Caller> Admit(Exchange& ex, Response& res) {
    const bool envelope = ex.spec->serves == Serves::kEnvelope;
    auto refuse = [&](int status, std::string_view code, std::string_view message) {
      if (envelope) SetError(ex, res, status, code, message);
      else SetApiError(ex, res, status, code, message);
    };
    if (ex.head.headers.size() > static_cast<size_t>(options.header_count_max) ||
        ex.head.header_bytes > options.header_bytes_max) {
      refuse(431, "XT-HTTP-004",
             "the request headers are too large (at most " + std::to_string(options.header_count_max) +
                 " headers and " + std::to_string(options.header_bytes_max) + " bytes)");
      return std::nullopt;
    }
    if (ex.spec->roles == kNoCredential) return service::Caller{};
    static constexpr std::string_view kBearer = "Bearer ";
    const std::string_view header = ex.head.Header("authorization");
    std::string_view key;
    if (header.size() > kBearer.size() && header.substr(0, kBearer.size()) == kBearer) {
      key = header.substr(kBearer.size());
    }
    const std::string_view session = SessionCookie(ex.head);
    Result<service::Caller> caller = service::Caller{};
    if (key.empty() && !session.empty() && services.accounts) {
      // A staff session: a change must show the session's CSRF token.
      const bool changes = ex.head.method != "GET" && ex.head.method != "HEAD";
      caller = services.accounts->Authenticate(session, changes, ex.head.Header(service::kCsrfHeader));
      if (!caller.ok()) {
        const std::string& code = caller.status().code();
        if (code == "XT-AUTH-011") res.headers.emplace_back("Set-Cookie", services.accounts->ClearCookie());
        refuse(code == "XT-AUTH-010" ? 403 : code == "XT-AUTH-011" ? 401 : 500, code, caller.status().message());
        ex.detail = caller.status().detail();
        return std::nullopt;
      }
      ex.by_session = true;
      ex.key_id = caller->actor();
    } else {
      caller = services.auth->Authenticate(key);
      if (!caller.ok()) {
        res.headers.emplace_back("WWW-Authenticate", "Bearer");
        refuse(401, caller.status().code(), caller.status().message());
        ex.detail = caller.status().detail();
        return std::nullopt;
      }
      ex.key_id = caller->key_id;
    }
    if (!(ex.spec->roles & RoleBit(caller->role))) {
      RefuseRole(ex, res, *caller);
      return std::nullopt;
    }
    if (caller->role == service::Role::kHospital && !(ex.spec->duties & DutyBit(caller->duty))) {
      RefuseDuty(ex, res, *caller);
      return std::nullopt;
    }
    return std::move(caller).value();
  }

  // A caller whose role the route does not admit: 403 XT-AUTH-003. On the
  // national interface the refusal is an envelope answered 200, as every
  // envelope answer is (the processor refuses such a caller alike when
  // called from the command line). A route that records every look records
  // this refusal too.
  void RefuseRole(Exchange& ex, Response& res, const service::Caller& caller) {
    const std::string message = ex.spec->serves == Serves::kEnvelope
                                    ? "the national interface is for designated institutions; agencies and residents use /api/v1"
                                    : "this route is for " + DescribeRoles(ex.spec->roles);
    if (ex.spec->serves == Serves::kEnvelope) {
      SetError(ex, res, 200, "XT-AUTH-003", message);
      return;
    }
    SetApiError(ex, res, 403, "XT-AUTH-003", message);
    AuditRefusal(ex, caller, "XT-AUTH-003", "role " + std::string(service::RoleName(caller.role)));
  }

  // A hospital's caller whose duty the route is not for (a doctor on the
  // national interface, a cashier on the recognised results): 403
  // XT-AUTH-017, an envelope answered 200 on the national interface, as a
  // refusal by role is; recorded where a refusal by role would be.
  void RefuseDuty(Exchange& ex, Response& res, const service::Caller& caller) {
    const std::string duty(service::DutyName(caller.duty));
    if (ex.spec->serves == Serves::kEnvelope) {
      SetError(ex, res, 200, "XT-AUTH-017",
               "the national interface is for a hospital's " + DescribeDuties(ex.spec->duties) + "; a " + duty +
                   " may not use it");
      return;
    }
    SetApiError(ex, res, 403, "XT-AUTH-017",
                "this route is for a hospital's " + DescribeDuties(ex.spec->duties) + "; a " + duty + " may not use it");
    AuditRefusal(ex, caller, "XT-AUTH-017", "duty " + duty);
  }

  // The audit record of a refusal by role or duty, on a route that records
  // every look.
  void AuditRefusal(Exchange& ex, const service::Caller& caller, const char* code, const std::string& detail) {
    if (!ex.spec->audit_refusals) return;
    const std::string action = std::string(ex.spec->method) + " " + std::string(ex.spec->path);
    const std::string subject = ex.args.empty() ? std::string() : ex.args[0].substr(0, kQueryValueBytesMax);
    Status audited = services.api->AuditRefusal(caller, action, subject, code, detail);
    if (!audited.ok()) {
      // Refused all the same; that the record could not be written is the
      // operator's to see, not the caller's.
      ex.note = "audit record not written: " + audited.ToString();
    }
  }

  // The route of the request, or an answer (404, 405) when it has none.
  bool FindRoute(Exchange& ex, Response& res) {
    const std::vector<RouteSpec>& table = RouteTable();
    std::vector<std::string> args;
    std::optional<RouteId> path_match;
    std::string allow;  // the methods the path answers, for a 405
    for (RouteId r = 0; r < table.size(); ++r) {
      if (!MatchTemplate(table[r].path, ex.head.path, &args)) continue;
      if (table[r].method == ex.head.method) {
        ex.route = r;
        ex.spec = &table[r];
        ex.args = std::move(args);
        return true;
      }
      if (!path_match) path_match = r;
      if (allow.find(table[r].method) == std::string::npos) allow += (allow.empty() ? "" : ", ") + std::string(table[r].method);
    }
    if (path_match) {
      ex.route = *path_match;
      ex.spec = &table[*path_match];
      res.headers.emplace_back("Allow", allow);
      SetError(ex, res, 405, "XT-HTTP-003", "this route answers " + allow + " only");
      return false;
    }
    if (ex.head.method == "POST" && IsEnvelopePath(ex.head.path, &ex.url_infno)) {
      ex.route = EnvelopeRoute();
      ex.spec = &table[EnvelopeRoute()];
      return true;
    }
    // A GET that no API route takes is the browser application's
    // (static_files.h): a file of it, or index.html. Answered here, on the
    // event loop, from memory.
    if (ex.head.method == "GET" && StaticFiles::IsPagePath(ex.head.path)) {
      StaticAnswer page = static_files.Answer(ex.head.path, ex.head.Header("accept-encoding"));
      res.status = page.status;
      res.content_type = std::move(page.content_type);
      res.body = std::move(page.body);
      res.headers = std::move(page.headers);
      ex.err_code = std::move(page.err_code);
      return false;
    }
    SetError(ex, res, 404, "XT-HTTP-002",
             "no such route: POST national-interface envelopes to " + std::string(kEnvelopePath));
    return false;
  }

  // The other URLs hospital systems post envelopes to (tests/corpus/README.md):
  // one ending in /callService (the national platform's
  // /fsi/api/rsfComIfsService/callService), or in the transaction code as
  // its last segment or its last segment's tail after '-' (/fsi/api/2207,
  // /isp-api/powercsb/2207, /CSB/hsa-fsi-2207), which must then be the
  // envelope's infno. The REST routes (/api/...) are never taken for it.
  static bool IsEnvelopePath(std::string_view path, std::string* url_infno) {
    static constexpr std::string_view kCallTail = "/callService";
    if (path.size() > 128 || path.starts_with("/api/") || path.find("/../") != std::string_view::npos) return false;
    if (path.ends_with(kCallTail)) return true;
    if (path.size() < 5) return false;
    const std::string_view last4 = path.substr(path.size() - 4);
    for (char c : last4) {
      if (c < '0' || c > '9') return false;
    }
    const char before = path[path.size() - 5];
    if (before != '/' && before != '-') return false;
    *url_infno = std::string(last4);
    return true;
  }

  // A REST route: its query read within bounds, then answered by the
  // route's use case (on a pool thread).
  void Rest(Exchange& ex, const service::Caller& caller, Response& res) {
    std::vector<std::pair<std::string, std::string>> pairs;
    if (!ParseQuery(ex.head.query, &pairs)) {
      SetApiError(ex, res, 400, "XT-API-001", "the query string is malformed");
      return;
    }
    if (pairs.size() > kQueryParamsMax) {
      SetApiError(ex, res, 400, "XT-API-001", "too many query parameters");
      return;
    }
    service::QueryParams params;
    for (auto& [k, v] : pairs) {
      if (k.size() > kQueryValueBytesMax || v.size() > kQueryValueBytesMax || params.count(k)) {
        SetApiError(ex, res, 400, "XT-API-001",
                    "query parameter " + k.substr(0, kQueryValueBytesMax) + " is repeated or longer than " +
                        std::to_string(kQueryValueBytesMax) + " characters");
        return;
      }
      params.emplace(std::move(k), std::move(v));
    }
    for (const std::string& arg : ex.args) {
      if (arg.size() > kQueryValueBytesMax) {
        SetApiError(ex, res, 404, "XT-API-002", "no such resource");
        return;
      }
    }
    service::ApiReply reply = ex.spec->rest(
        services, RestRequest{caller, ex.args, params, ex.body, ex.head.Header("idempotency-key"), SessionCookie(ex.head),
                              ex.head.Header(service::kCsrfHeader)});
    ex.err_code = reply.err_code;
    ex.detail = std::move(reply.detail);
    res.status = reply.http_status;
    res.body = std::move(reply.body);
    res.content_type = std::move(reply.content_type);
    for (auto& h : reply.headers) res.headers.push_back(std::move(h));
  }

  void Healthz(Exchange& ex, Response& res) {
    if (stopping.load()) {
      SetJson(res, 503, R"({"status":"stopping"})");
      ex.err_code = "XT-HTTP-006";
      return;
    }
    metrics.RequestStarted();
    Status st = services.api->Ready();
    metrics.RequestFinished();
    if (st.ok()) {
      SetJson(res, 200, R"({"status":"ok"})");
      return;
    }
    JsonWriter w;
    w.BeginObject().Field("status", "unavailable").Field("err_code", "XT-HTTP-006").EndObject();
    SetJson(res, 503, w.Take());
    ex.err_code = "XT-HTTP-006";
    ex.note = st.ToString();
  }

  std::string RenderMetrics() const {
    return metrics.Render(services.api->WriterStats(), connections_open.load(std::memory_order_relaxed),
                          rest_queued.load(std::memory_order_relaxed),
                          stderr_log ? stderr_log->dropped() : 0);
  }

  // Answers the request of connection `id` of `loop`: at once on this (the
  // loop's) thread, or later through loop->Answer.
  void Dispatch(Loop* loop, uint64_t id, std::unique_ptr<Exchange> ex) {
    Response res;
    if (!FindRoute(*ex, res)) return loop->Answer(id, std::move(ex), std::move(res));
    // A POST without Content-Length (or Transfer-Encoding) has no body
    // (RFC 9112, 6.3).
    if (ex->head.method == "POST" && !ex->head.has_content_length && !ex->head.chunked) {
      if (ex->spec->serves == Serves::kEnvelope) {
        SetError(*ex, res, 400, "XT-HTTP-001", "the request body is empty: send one request envelope (JSON)");
      } else {
        SetApiError(*ex, res, 400, "XT-HTTP-001", "the request body is empty: send one JSON object");
      }
      return loop->Answer(id, std::move(ex), std::move(res));
    }
    auto caller = Admit(*ex, res);
    if (!caller) return loop->Answer(id, std::move(ex), std::move(res));
    switch (ex->spec->serves) {
      case Serves::kEnvelope: return CallService(loop, id, std::move(ex), *caller);
      case Serves::kHealth:
        Healthz(*ex, res);
        return loop->Answer(id, std::move(ex), std::move(res));
      case Serves::kOpenApi:
        SetJson(res, 200, std::string(OpenApiJson()));
        return loop->Answer(id, std::move(ex), std::move(res));
      case Serves::kMetrics:
        res.body = RenderMetrics();
        res.content_type = "text/plain; version=0.0.4; charset=utf-8";
        return loop->Answer(id, std::move(ex), std::move(res));
      case Serves::kRest: break;
    }
    // A REST route may wait on the store (reads with their audit records,
    // a month's close): a pool thread answers it.
    auto shared_ex = std::make_shared<std::unique_ptr<Exchange>>(std::move(ex));
    pool->Submit([this, loop, id, shared_ex, caller = std::move(*caller)] {
      Response r;
      Exchange& e = **shared_ex;
      metrics.RequestStarted();
      try {
        Rest(e, caller, r);
      } catch (const std::exception& err) {
        SetApiError(e, r, 500, "XT-INT-001", "internal error");
        e.note = err.what();
      }
      metrics.RequestFinished();
      loop->Post([loop, id, shared_ex, r = std::move(r)]() mutable {
        loop->Answer(id, std::move(*shared_ex), std::move(r));
      });
    });
  }

  void CallService(Loop* loop, uint64_t id, std::unique_ptr<Exchange> ex, const service::Caller& caller) {
    if (ex->body.empty()) {
      Response res;
      SetError(*ex, res, 400, "XT-HTTP-001", "the request body is empty: send one request envelope (JSON)");
      return loop->Answer(id, std::move(ex), std::move(res));
    }
    metrics.RequestStarted();
    // The processor answers exactly once (`done`), now or after the commit;
    // the Exchange is handed over with it. Should it throw before handing
    // the write over, the request is answered 500 here instead.
    Exchange* raw = ex.release();
    auto answered = std::make_shared<bool>(false);
    const std::string_view body = raw->body;
    try {
      services.processor->CallAsync(
          caller, body, [loop](std::function<void()> fn) { loop->Post(std::move(fn)); },
          [this, loop, id, raw, answered](std::string answer, service::CallInfo info) {
            *answered = true;
            std::unique_ptr<Exchange> owned(raw);
            metrics.RequestFinished();
            metrics.ObserveCall(info);
            owned->infno = std::move(info.infno);
            owned->msgid = std::move(info.msgid);
            owned->err_code = std::move(info.err_code);
            owned->detail = std::move(info.detail);
            // Every envelope answer is HTTP 200, refusals included: the
            // envelope's infcode and err_code say what happened. A 9102
            // download is the file itself, as the platform streams it.
            Response res;
            if (!info.download_bytes.empty()) {
              res.status = 200;
              res.body = std::move(info.download_bytes);
              res.content_type = "application/octet-stream";
              res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + SafeFilename(info.download_name) + "\"");
              return loop->Answer(id, std::move(owned), std::move(res));
            }
            SetJson(res, 200, std::move(answer));
            loop->Answer(id, std::move(owned), std::move(res));
          },
          raw->url_infno);
    } catch (const std::exception& e) {
      if (*answered) throw;
      metrics.RequestFinished();
      std::unique_ptr<Exchange> owned(raw);
      Response res;
      SetError(*owned, res, 500, "XT-INT-001", "internal error");
      owned->note = e.what();
      loop->Answer(id, std::move(owned), std::move(res));
    }
  }

  void Log(const Exchange& ex, const Response& res) {
    const int64_t micros =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - ex.started).count();
    const RouteId route = ex.spec ? ex.route : metrics.RouteOfPath(ex.head.path);
    metrics.ObserveRequest(route, res.status, micros);
    if (!options.access_log) return;
    char latency[32];
    std::snprintf(latency, sizeof latency, "%.3f", static_cast<double>(micros) / 1000.0);
    // No personal data: the route label rather than the path as sent, and
    // of the envelope only its transaction code and msgid (the
    // institution's code, a time and a sequence).
    JsonWriter w;
    w.BeginObject()
        .Field("time", UtcNow())
        .Field("remote", ex.remote)
        .Field("method", ex.head.method)
        .Field("route", metrics.label(route))
        .FieldInt("status", res.status)
        .Key("latency_ms")
        .Raw(latency)
        .Field("infno", ex.infno)
        .Field("msgid", ex.msgid)
        .Field("err_code", ex.err_code)
        .Field("key_id", ex.key_id)
        .FieldInt("bytes_in", static_cast<int64_t>(ex.body.size()))
        .FieldInt("bytes_out", static_cast<int64_t>(res.body.size()));
    if (!ex.note.empty()) w.Field("note", ex.note);
    if (!ex.detail.empty()) w.Field("detail", Utf8Prefix(ex.detail, kLogDetailBytesMax));
    w.EndObject();
    if (log_sink) {
      log_sink(w.str());
    } else {
      stderr_log->Append(w.str());
    }
  }

  size_t HeadBytesMax() const {
    return options.header_bytes_max + static_cast<size_t>(options.header_count_max) * 4 + kHeadSlackBytes;
  }
};

// ---- Loop

Status Loop::Open(int listen_fd) {
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wakefd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epfd_ < 0 || wakefd_ < 0) return Status::Error("XT-HTTP-007", "cannot start the server's event loop");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeId;
  ::epoll_ctl(epfd_, EPOLL_CTL_ADD, wakefd_, &ev);
  // Every loop waits on the listening socket; EPOLLEXCLUSIVE wakes one.
  ev.events = EPOLLIN | EPOLLEXCLUSIVE;
  ev.data.u64 = kListenId;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, listen_fd, &ev) != 0) {
    return Status::Error("XT-HTTP-007", "cannot watch the listening socket");
  }
  listen_fd_ = listen_fd;
  listening_ = true;
  return Status::Ok();
}

void Loop::Run() {
  char name[16];
  std::snprintf(name, sizeof name, "xt-loop-%d", index_);
  pthread_setname_np(pthread_self(), name);
  std::vector<epoll_event> events(256);
  last_timer_scan_ = SteadyClock::now();
  for (;;) {
    if (!stopping_ && server_->stopping.load()) BeginStop();
    if (stopping_ && conns_.empty()) break;
    const int n = ::epoll_wait(epfd_, events.data(), static_cast<int>(events.size()), kTimerMillis);
    for (int i = 0; i < n; ++i) OnEvent(events[i].data.u64, events[i].events);
    RunPosted();
    const auto now = SteadyClock::now();
    if (MillisSince(last_timer_scan_, now) >= kTimerMillis) {
      last_timer_scan_ = now;
      CheckTimers(now);
    }
  }
  RunPosted();
}

void Loop::RunPosted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(posted_);
    wake_pending_ = false;
  }
  for (auto& fn : batch) {
    try {
      fn();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "xietong serve: internal error finishing a request: %s\n", e.what());
    }
  }
}

void Loop::BeginStop() {
  stopping_ = true;
  if (listening_) {
    ::epoll_ctl(epfd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
    listening_ = false;
  }
  // Idle connections close now; one being answered closes after its answer;
  // a request half read is not accepted and its connection closes too.
  std::vector<Conn*> idle;
  for (auto& [id, c] : conns_) {
    if (c->state == Conn::State::kBusy || !c->out.empty()) c->close_after = true;
    else idle.push_back(c.get());
  }
  for (Conn* c : idle) Close(c);
}

void Loop::OnEvent(uint64_t id, uint32_t events) {
  if (id == kWakeId) {
    uint64_t v;
    [[maybe_unused]] ssize_t n = ::read(wakefd_, &v, sizeof v);
    return;
  }
  if (id == kListenId) {
    if (!stopping_) Accept();
    return;
  }
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Conn* c = it->second.get();
  if ((events & EPOLLOUT) && !c->out.empty()) {
    Flush(c);
    if (conns_.find(id) == conns_.end()) return;
  }
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) ReadFrom(c, (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
}

void Loop::Accept() {
  for (;;) {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN: another loop took it, or none left
    if (server_->connections_open.load(std::memory_order_relaxed) >= server_->options.connections_max) {
      static const std::string kTooMany = [] {
        const std::string body = ErrorEnvelope("XT-HTTP-010", "too many connections: try again shortly");
        return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
      }();
      [[maybe_unused]] ssize_t n = ::send(fd, kTooMany.data(), kTooMany.size(), MSG_NOSIGNAL);
      ::close(fd);
      continue;
    }
    server_->connections_open.fetch_add(1, std::memory_order_relaxed);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto c = std::make_unique<Conn>();
    c->fd = fd;
    c->id = next_id_++;
    char ip[INET_ADDRSTRLEN] = "";
    ::inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof ip);
    c->remote = ip;
    c->last_read = SteadyClock::now();
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = c->id;
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      ::close(fd);
      server_->connections_open.fetch_sub(1, std::memory_order_relaxed);
      continue;
    }
    Conn* raw = c.get();
    conns_.emplace(c->id, std::move(c));
    ReadFrom(raw);  // bytes may have come with the connection
  }
}

// Reads what the kernel holds (edge-triggered: until it has no more), then advances
// the connection's request. While a request is answered, at most one more
// request's worth is buffered; the rest waits in the kernel.
void Loop::ReadFrom(Conn* c, bool drain) {
  const size_t buffer_max = server_->HeadBytesMax() + server_->options.payload_bytes_max;
  char buf[16384];
  for (;;) {
    if (c->state == Conn::State::kBusy && c->in.size() >= buffer_max) {
      c->read_paused = true;
      break;
    }
    const ssize_t n = ::recv(c->fd, buf, sizeof buf, 0);
    if (n > 0) {
      if (c->in.empty() && c->state == Conn::State::kHead) c->head_since = SteadyClock::now();
      c->in.append(buf, static_cast<size_t>(n));
      c->last_read = SteadyClock::now();
      c->read_paused = false;
      // Less than asked for: the kernel had no more, and what arrives later
      // raises a new edge (saves the read that would answer EAGAIN). Unless
      // the client has also closed its side: then read on to see the end.
      if (static_cast<size_t>(n) < sizeof buf && !drain) break;
      continue;
    }
    if (n == 0) {
      c->peer_closed = true;
      break;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) c->peer_closed = true;
    break;
  }
  const uint64_t id = c->id;
  Advance(c);
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  c = it->second.get();
  // The client has gone: nothing more can arrive. A request being answered
  // is still finished (and its answer dropped); otherwise close now.
  if (c->peer_closed && c->state != Conn::State::kBusy && c->out.empty()) Close(c);
}

// Consumes buffered bytes: a head, then a body, then hands the request on.
void Loop::Advance(Conn* c) {
  const ServerOptions& o = server_->options;
  // Answer() called from within (an answer given at once) leaves the next
  // request to this loop rather than recursing.
  c->advancing = true;
  struct Done {
    Loop* loop;
    uint64_t id;
    ~Done() {
      auto it = loop->conns_.find(id);
      if (it != loop->conns_.end()) it->second->advancing = false;
    }
  } done{this, c->id};
  while (c->state != Conn::State::kBusy) {
    if (c->state == Conn::State::kDiscard) {
      const int64_t drop = std::min<int64_t>(c->discard_left, static_cast<int64_t>(c->in.size()));
      c->in.erase(0, static_cast<size_t>(drop));
      c->discard_left -= drop;
      if (c->discard_left > 0) return;
      c->state = Conn::State::kHead;
      continue;
    }
    if (c->state == Conn::State::kHead) {
      if (c->in.empty() || stopping_) return;
      auto ex = std::make_unique<Exchange>();
      ex->processor = server_->services.processor;
      size_t consumed = 0;
      const HeadParse parsed = ParseRequestHead(c->in, server_->HeadBytesMax(), &ex->head, &consumed);
      if (parsed == HeadParse::kIncomplete) return;
      ex->remote = c->remote;
      ex->started = SteadyClock::now();
      c->ex = std::move(ex);
      if (parsed == HeadParse::kTooLarge) {
        return Refuse(c, 431, "XT-HTTP-004",
                      "the request head is too large (at most " + std::to_string(o.header_count_max) + " headers and " +
                          std::to_string(o.header_bytes_max) + " bytes)",
                      true);
      }
      if (parsed == HeadParse::kBad) return Refuse(c, 400, "XT-HTTP-005", "the HTTP request could not be read", true);
      c->in.erase(0, consumed);
      const RequestHead& head = c->ex->head;
      if (head.chunked) {
        // Both framings at once is how requests are smuggled past proxies
        // (RFC 9112, 6.3): refused, like any coding but chunked alone.
        if (head.has_content_length) {
          return Refuse(c, 400, "XT-HTTP-009", "Transfer-Encoding and Content-Length must not come together", true);
        }
        if (!head.chunked_only) {
          return Refuse(c, 501, "XT-HTTP-009", "the only Transfer-Encoding accepted is chunked", true);
        }
        c->chunked = std::make_unique<ChunkedDecoder>(o.payload_bytes_max, o.header_bytes_max);
      } else if (head.content_length > static_cast<int64_t>(o.payload_bytes_max)) {
        const int64_t limit = static_cast<int64_t>(o.payload_bytes_max);
        const bool drop = !head.expect_continue && head.content_length <= limit * kDiscardFactorMax;
        c->discard_left = drop ? head.content_length : 0;
        const uint64_t id = c->id;
        Refuse(c, 413, "XT-ENV-008", "the request is too large (at most " + std::to_string(limit) + " bytes)", !drop);
        if (conns_.find(id) == conns_.end()) return;
        continue;  // now dropping the body, what has arrived of it first
      }
      const bool body_to_come =
          c->chunked ? c->in.empty() : head.content_length > static_cast<int64_t>(c->in.size());
      if (head.expect_continue && body_to_come) {
        const uint64_t id = c->id;
        c->out += "HTTP/1.1 100 Continue\r\n\r\n";
        Flush(c);
        if (conns_.find(id) == conns_.end()) return;
      }
      c->state = Conn::State::kBody;
    }
    if (c->state == Conn::State::kBody && c->chunked) {
      size_t used = 0;
      const ChunkedParse r = c->chunked->Feed(c->in, &used);
      c->in.erase(0, used);
      if (r == ChunkedParse::kIncomplete) return;
      if (r == ChunkedParse::kTooLarge) {
        return Refuse(c, 413, "XT-ENV-008",
                      "the request is too large (at most " + std::to_string(o.payload_bytes_max) + " bytes)", true);
      }
      if (r == ChunkedParse::kBad) {
        return Refuse(c, 400, "XT-HTTP-005", "the chunked request body could not be read", true);
      }
      c->ex->body = c->chunked->TakeBody();
      c->chunked.reset();
      const uint64_t id = c->id;
      StartRequest(c);  // may answer at once, and even close the connection
      if (conns_.find(id) == conns_.end()) return;
    } else if (c->state == Conn::State::kBody) {
      const size_t need = static_cast<size_t>(c->ex->head.content_length);
      if (c->in.size() < need) return;
      c->ex->body.assign(c->in, 0, need);
      c->in.erase(0, need);
      const uint64_t id = c->id;
      StartRequest(c);  // may answer at once, and even close the connection
      if (conns_.find(id) == conns_.end()) return;
    }
  }
}

void Loop::StartRequest(Conn* c) {
  c->state = Conn::State::kBusy;
  ++c->requests;
  const uint64_t id = c->id;
  try {
    server_->Dispatch(this, id, std::move(c->ex));
  } catch (const std::exception& e) {
    // Whatever became of the request, this connection is answered 500 and
    // closed (a late answer for it finds no connection and is only logged).
    auto it = conns_.find(id);
    if (it == conns_.end() || it->second->state != Conn::State::kBusy) return;
    Conn* conn = it->second.get();
    const std::string body = server_->services.processor->RefusalEnvelope("XT-INT-001", "internal error");
    conn->out += "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: " +
                 std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    conn->close_after = true;
    conn->state = Conn::State::kHead;
    std::fprintf(stderr, "xietong serve: internal error answering a request: %s\n", e.what());
    Flush(conn);
  }
}

// Answers the request being read with an error; `close`: the connection
// cannot carry another request (its bytes are not understood).
void Loop::Refuse(Conn* c, int status, std::string_view code, std::string_view message, bool close) {
  c->chunked.reset();  // whatever of a chunked body was read goes with the request
  Response res;
  SetError(*c->ex, res, status, code, message);
  if (close) c->close_after = true;
  c->state = Conn::State::kBusy;
  ++c->requests;
  Answer(c->id, std::move(c->ex), std::move(res));
}

void Loop::Answer(uint64_t id, std::unique_ptr<Exchange> ex, Response res) {
  server_->Log(*ex, res);
  auto it = conns_.find(id);
  if (it == conns_.end()) return;  // closed meanwhile (it could not have been: kept while busy)
  Conn* c = it->second.get();
  const ServerOptions& o = server_->options;
  if (!ex->head.keep_alive || c->requests >= o.keep_alive_requests_max || stopping_ || c->peer_closed) {
    c->close_after = true;
  }
  std::string& out = c->out;
  out.reserve(out.size() + res.body.size() + 160);
  out += "HTTP/1.1 ";
  out += std::to_string(res.status);
  out += ' ';
  out += Reason(res.status);
  out += "\r\nContent-Type: ";
  out += res.content_type;
  out += "\r\nContent-Length: ";
  out += std::to_string(res.body.size());
  out += "\r\n";
  bool cache_control = false;
  for (const auto& [k, v] : res.headers) {
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
    cache_control = cache_control || k == "Cache-Control";
  }
  // What a staff session was shown is not for any cache to keep.
  if (ex->by_session && !cache_control) out += "Cache-Control: no-store\r\n";
  if (c->close_after) out += "Connection: close\r\n";
  else if (ex->head.minor == 0) out += "Connection: keep-alive\r\n";
  out += "\r\n";
  out += res.body;
  // A refused body still arriving is dropped before the next request.
  c->state = c->discard_left > 0 ? Conn::State::kDiscard : Conn::State::kHead;
  c->last_read = SteadyClock::now();  // the keep-alive wait starts now
  c->head_since = c->last_read;       // and a pipelined head's clock
  Flush(c);
  it = conns_.find(id);
  if (it == conns_.end()) return;
  c = it->second.get();
  if (c->close_after || c->advancing) return;  // closes once written, or Advance goes on
  if (c->read_paused) ReadFrom(c);  // there may be more in the kernel
  else if (!c->in.empty()) Advance(c);
}

void Loop::Flush(Conn* c) {
  while (c->out_sent < c->out.size()) {
    const ssize_t n = ::send(c->fd, c->out.data() + c->out_sent, c->out.size() - c->out_sent, MSG_NOSIGNAL);
    if (n > 0) {
      c->out_sent += static_cast<size_t>(n);
      c->write_since = SteadyClock::now();
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!c->want_out) {
        c->want_out = true;
        c->write_since = SteadyClock::now();
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET | EPOLLOUT;
        ev.data.u64 = c->id;
        ::epoll_ctl(epfd_, EPOLL_CTL_MOD, c->fd, &ev);
      }
      return;
    }
    return Close(c);  // the peer is gone
  }
  c->out.clear();
  c->out_sent = 0;
  if (c->want_out) {
    c->want_out = false;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = c->id;
    ::epoll_ctl(epfd_, EPOLL_CTL_MOD, c->fd, &ev);
  }
  if (c->close_after && c->state != Conn::State::kBusy && c->state != Conn::State::kDiscard) Close(c);
  else if (c->peer_closed && c->state == Conn::State::kHead) Close(c);
}

void Loop::Close(Conn* c) {
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, c->fd, nullptr);
  ::close(c->fd);
  server_->connections_open.fetch_sub(1, std::memory_order_relaxed);
  conns_.erase(c->id);
}

// Time-outs: a request that stalls while being read (or whose head takes
// longer than the read timeout in all) is answered 400 and its connection
// closed; an idle kept-alive connection is closed; an answer the
// client does not take closes its connection.
void Loop::CheckTimers(SteadyClock::time_point now) {
  const ServerOptions& o = server_->options;
  std::vector<uint64_t> stalled;
  std::vector<uint64_t> expired;
  for (auto& [id, c] : conns_) {
    if (!c->out.empty() && MillisSince(c->write_since, now) > o.write_timeout_ms) {
      expired.push_back(id);
    } else if (c->state == Conn::State::kHead && c->in.empty() && c->out.empty()) {
      if (MillisSince(c->last_read, now) > int64_t{o.keep_alive_timeout_s} * 1000) expired.push_back(id);
    } else if ((c->state == Conn::State::kHead || c->state == Conn::State::kBody ||
                c->state == Conn::State::kDiscard) &&
               MillisSince(c->last_read, now) > o.read_timeout_ms) {
      stalled.push_back(id);
    } else if (c->state == Conn::State::kHead && !c->in.empty() && MillisSince(c->head_since, now) > o.read_timeout_ms) {
      // A head trickled in a byte at a time still has to arrive whole
      // within the read timeout (its size is bounded; a body's is not).
      stalled.push_back(id);
    }
  }
  for (uint64_t id : expired) {
    auto it = conns_.find(id);
    if (it != conns_.end()) Close(it->second.get());
  }
  for (uint64_t id : stalled) {
    auto it = conns_.find(id);
    if (it == conns_.end()) continue;
    Conn* c = it->second.get();
    if (!c->ex) {
      c->ex = std::make_unique<Exchange>();
      c->ex->processor = server_->services.processor;
      c->ex->remote = c->remote;
      c->ex->started = now;
    }
    c->discard_left = 0;
    Refuse(c, 400, "XT-HTTP-005", "the HTTP request could not be read: it stalled past the read timeout", true);
  }
}

}  // namespace

// ---- HttpServer

struct HttpServer::Impl : ServerCore {
  using ServerCore::ServerCore;
};

HttpServer::HttpServer(Services services, ServerOptions options)
    : impl_(std::make_unique<Impl>(services, std::move(options))) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Bind() {
  XT_RETURN_IF_ERROR(impl_->options.Validate());
  if (impl_->bound) return Status::Error("XT-HTTP-007", "the server is already bound to " + address());
  const auto& o = impl_->options;
  if (!o.web_dir.empty()) {
    XT_ASSIGN_OR_RETURN(impl_->static_files, StaticFiles::Load(o.web_dir));
  }
  auto cannot = [&] {
    return Status::Error("XT-HTTP-007", "cannot listen on " + o.host + ":" + std::to_string(o.port) +
                                            " (is the address in use, or not this machine's?)");
  };
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(o.port));
  const std::string host = o.host == "localhost" ? "127.0.0.1" : o.host;
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) return cannot();
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return cannot();
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, o.listen_backlog) != 0) {
    ::close(fd);
    return cannot();
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  impl_->listen_fd = fd;
  impl_->port = ntohs(addr.sin_port);
  if (!impl_->log_sink && o.access_log) impl_->stderr_log = std::make_unique<AccessLogWriter>(STDERR_FILENO);
  for (int i = 0; i < o.io_threads; ++i) {
    auto loop = std::make_unique<Loop>(impl_.get(), i);
    XT_RETURN_IF_ERROR(loop->Open(fd));
    impl_->loops.push_back(std::move(loop));
  }
  impl_->bound = true;
  return Status::Ok();
}

Status HttpServer::Serve() {
  if (!impl_->bound) return Status::Error("XT-HTTP-007", "the server is not bound: call Bind first");
  {
    std::lock_guard<std::mutex> lock(impl_->serve_mu);
    if (impl_->stopping.load()) return Status::Ok();
    impl_->serving = true;
    impl_->pool = std::make_unique<BlockingPool>(impl_->options.threads, &impl_->rest_queued);
  }
  std::vector<std::thread> threads;
  for (size_t i = 1; i < impl_->loops.size(); ++i) threads.emplace_back([this, i] { impl_->loops[i]->Run(); });
  impl_->loops[0]->Run();
  for (auto& t : threads) t.join();
  // Every connection is closed, so no pool job is left that a loop waits for.
  impl_->pool->Shutdown();
  return Status::Ok();
}

void HttpServer::Stop() {
  {
    std::lock_guard<std::mutex> lock(impl_->serve_mu);
    if (impl_->stopping.exchange(true)) return;
  }
  // No new connection from now on: the listening socket stops listening
  // (connecting clients are refused), and every loop is woken to stop.
  if (impl_->listen_fd >= 0) ::shutdown(impl_->listen_fd, SHUT_RDWR);
  for (auto& loop : impl_->loops) loop->Wake();
}

int HttpServer::port() const { return impl_->port; }
std::string HttpServer::address() const { return impl_->options.host + ":" + std::to_string(impl_->port); }
const Metrics& HttpServer::metrics() const { return impl_->metrics; }
std::string HttpServer::MetricsText() const { return impl_->RenderMetrics(); }
void HttpServer::set_log_sink(LogSink sink) { impl_->log_sink = std::move(sink); }

}  // namespace xt::http
