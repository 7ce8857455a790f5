// Routes, limits, the access log and shutdown of the HTTP server, on
// cpp-httplib (Debian's libcpp-httplib-dev, a compiled library: its limits
// that are compile-time macros, such as the 8 KiB header line, are the
// library's own; the rest are set here from ServerOptions).
#include "http/server.h"

#include <httplib.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/json_writer.h"
#include "http/access_log.h"
#include "http/routes.h"
#include "service/results_service.h"
#include "service/clearing_service.h"

namespace xt::http {

namespace {

using SteadyClock = std::chrono::steady_clock;

// What the worker learned about the request it is answering, for the access
// log written after the answer. httplib answers the requests of one
// connection one after another on one worker thread, so a thread_local
// carries it from the handler to the logger.
struct RequestScope {
  SteadyClock::time_point started{};
  bool started_set = false;
  std::string infno;
  std::string msgid;
  std::string err_code;
  std::string note;  // internal detail for the log only (never sent)
  Route route = Route::kOther;
  bool route_set = false;
  std::string key_id;  // the caller's credential, when one was shown
};
thread_local RequestScope t_scope;

// Worker threads with a bounded queue of accepted connections. When the
// queue is full, enqueue (called by the accept loop) waits, so the server
// stops accepting and new connections wait in the kernel's backlog.
class WorkerPool final : public httplib::TaskQueue {
 public:
  WorkerPool(int threads, int queued_max, std::atomic<int64_t>* queued) : queued_max_(queued_max), queued_(queued) {
    for (int i = 0; i < threads; ++i) {
      workers_.emplace_back([this] {
        pthread_setname_np(pthread_self(), "xt-http");
        Work();
      });
    }
  }
  ~WorkerPool() override = default;

  void enqueue(std::function<void()> fn) override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      space_cv_.wait(lock, [&] { return shutdown_ || static_cast<int>(jobs_.size()) < queued_max_; });
      jobs_.push_back(std::move(fn));
      queued_->store(static_cast<int64_t>(jobs_.size()), std::memory_order_relaxed);
    }
    job_cv_.notify_one();
  }

  // Runs what is queued, then ends every worker. httplib calls it once the
  // accept loop has ended; a queued connection then closes without reading.
  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      shutdown_ = true;
    }
    job_cv_.notify_all();
    space_cv_.notify_all();
    for (auto& t : workers_) t.join();
  }

 private:
  void Work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mu_);
        job_cv_.wait(lock, [&] { return shutdown_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // shutting down and nothing left
        fn = std::move(jobs_.front());
        jobs_.pop_front();
        queued_->store(static_cast<int64_t>(jobs_.size()), std::memory_order_relaxed);
      }
      space_cv_.notify_one();
      fn();
    }
  }

  const int queued_max_;
  std::atomic<int64_t>* queued_;
  std::mutex mu_;
  std::condition_variable job_cv_;
  std::condition_variable space_cv_;
  std::deque<std::function<void()>> jobs_;
  bool shutdown_ = false;
  std::vector<std::thread> workers_;
};

// httplib listens with a backlog of 5 (a compiled-in macro): a burst of new
// connections then waits for SYN retries of a second or more. On Linux,
// listening again on the bound socket only changes its backlog.
class ListeningServer final : public httplib::Server {
 public:
  bool SetBacklog(int backlog) {
    const auto sock = svr_sock_.load();
    return sock != INVALID_SOCKET && ::listen(sock, backlog) == 0;
  }
};

std::string ErrorEnvelope(std::string_view code, std::string_view message) {
  JsonWriter w;
  w.BeginObject().FieldInt("infcode", -1).Field("err_code", code).Field("err_msg", message);
  w.Key("output").BeginObject().EndObject().EndObject();
  return w.Take();
}

void SetJson(httplib::Response& res, int status, std::string body) {
  res.status = status;
  res.body = std::move(body);
  res.set_header("Content-Type", "application/json");
}

void SetError(httplib::Response& res, int status, std::string_view code, std::string_view message) {
  SetJson(res, status, ErrorEnvelope(code, message));
  t_scope.err_code = code;
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

// Every answer of a REST route is JSON; errors are {"err_code","err_msg"}.
void SetApiError(httplib::Response& res, int status, std::string_view code, std::string_view message) {
  JsonWriter w;
  w.BeginObject().Field("err_code", code).Field("err_msg", message).EndObject();
  SetJson(res, status, w.Take());
  t_scope.err_code = code;
}

// "/api/v1/settlements/{setl_id}" -> "/api/v1/settlements/([^/]+)"
std::string PatternOf(std::string_view path_template) {
  std::string out;
  for (size_t i = 0; i < path_template.size(); ++i) {
    if (path_template[i] == '{') {
      i = path_template.find('}', i);
      out += "([^/]+)";
    } else {
      out += path_template[i];
    }
  }
  return out;
}

}  // namespace

Status ServerOptions::Validate() const {
  auto bad = [](const std::string& what) {
    return Status::Error("XT-HTTP-008", "invalid server option: " + what);
  };
  if (host.empty()) return bad("the listen host is empty");
  if (port < 0 || port > 65535) return bad("port must be 0..65535");
  if (threads < 1 || threads > 4096) return bad("threads must be 1..4096");
  if (connections_queued_max < 1 || connections_queued_max > 1000000) {
    return bad("connections_queued_max must be 1..1000000");
  }
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

// Bounds on what a REST request's query may hold.
constexpr size_t kQueryParamsMax = 16;
constexpr size_t kQueryValueBytesMax = 100;

struct HttpServer::Impl {
  service::Processor* processor;
  service::Api* api;
  service::Authenticator* auth;
  store::Store* store;
  ServerOptions options;
  service::ClearingService clearing;  // the /api/v1/clearing routes
  ListeningServer srv;
  Metrics metrics;
  // The default sink: stderr, written in batches (access_log.h). Made by
  // Bind only when no sink was set and the log is on.
  std::unique_ptr<AccessLogWriter> stderr_log;
  LogSink log_sink;
  std::atomic<int64_t> connections_queued{0};
  std::atomic<bool> stopping{false};
  std::atomic<bool> serving{false};
  bool bound = false;
  int port = -1;

  Impl(service::Processor* p, service::Api* a, service::Authenticator* au, store::Store* s, ServerOptions o)
      : processor(p), api(a), auth(au), store(s), options(std::move(o)), clearing(a->store(), a->clock()) {}

  // What every route does first: the header limits and the caller's
  // credential (Authorization: Bearer <api key>), as the route's access
  // asks. Nullopt when the request was refused (the answer is then set: an
  // error envelope on the national interface, {"err_code","err_msg"} on the
  // others). The body has been read by now (within payload_bytes_max), so a
  // refused request leaves the connection at the start of the next one.
  std::optional<service::Caller> Admit(const httplib::Request& req, httplib::Response& res, Route route,
                                       Access access) {
    t_scope.route = route;
    t_scope.route_set = true;
    const bool envelope = route == Route::kCallService;
    auto refuse = [&](int status, std::string_view code, std::string_view message) {
      if (envelope) SetError(res, status, code, message);
      else SetApiError(res, status, code, message);
    };
    size_t header_bytes = 0;
    for (const auto& [k, v] : req.headers) header_bytes += k.size() + v.size();
    if (req.headers.size() > static_cast<size_t>(options.header_count_max) || header_bytes > options.header_bytes_max) {
      refuse(431, "XT-HTTP-004",
             "the request headers are too large (at most " + std::to_string(options.header_count_max) +
                 " headers and " + std::to_string(options.header_bytes_max) + " bytes)");
      return std::nullopt;
    }
    if (access == Access::kPublic) return service::Caller{};
    static constexpr std::string_view kBearer = "Bearer ";
    const std::string& header = req.get_header_value("Authorization");
    std::string_view key;
    if (header.size() > kBearer.size() && header.compare(0, kBearer.size(), kBearer) == 0) {
      key = std::string_view(header).substr(kBearer.size());
    }
    if (header.empty()) key = {};
    auto caller = auth->Authenticate(key);
    if (!caller.ok()) {
      res.set_header("WWW-Authenticate", "Bearer");
      refuse(401, caller.status().code(), caller.status().message());
      return std::nullopt;
    }
    t_scope.key_id = caller->key_id;
    if (access == Access::kAdmin && caller->role != service::Role::kAdmin) {
      refuse(403, "XT-AUTH-003", "this route is for operators");
      return std::nullopt;
    }
    return std::move(caller).value();
  }

  void CallService(const httplib::Request& req, httplib::Response& res) {
    auto caller = Admit(req, res, Route::kCallService, Access::kCredential);
    if (!caller) return;
    if (req.body.empty()) {
      SetError(res, 400, "XT-HTTP-001", "the request body is empty: send one request envelope (JSON)");
      return;
    }
    metrics.RequestStarted();
    service::CallInfo info;
    std::string answer = processor->Call(*caller, req.body, &info);
    metrics.RequestFinished();
    metrics.ObserveCall(info);
    t_scope.infno = std::move(info.infno);
    t_scope.msgid = std::move(info.msgid);
    t_scope.err_code = std::move(info.err_code);
    // Every envelope answer is HTTP 200, refusals included: the envelope's
    // infcode and err_code say what happened, as the interface prescribes.
    SetJson(res, 200, std::move(answer));
  }

  // A REST route: admitted, then answered by the use case.
  void Rest(const httplib::Request& req, httplib::Response& res, Route route) {
    auto caller = Admit(req, res, route, Access::kCredential);
    if (!caller) return;
    if (req.params.size() > kQueryParamsMax) {
      SetApiError(res, 400, "XT-API-001", "too many query parameters");
      return;
    }
    service::QueryParams params;
    for (const auto& [k, v] : req.params) {
      if (k.size() > kQueryValueBytesMax || v.size() > kQueryValueBytesMax || !params.emplace(k, v).second) {
        SetApiError(res, 400, "XT-API-001", "query parameter " + k.substr(0, kQueryValueBytesMax) +
                                                 " is repeated or longer than " +
                                                 std::to_string(kQueryValueBytesMax) + " characters");
        return;
      }
    }
    const std::string arg = req.matches.size() > 1 ? std::string(req.matches[1]) : std::string();
    if (arg.size() > kQueryValueBytesMax) {
      SetApiError(res, 404, "XT-API-002", "no such resource");
      return;
    }
    metrics.RequestStarted();
    if (Clearing(req, res, route, *caller, params, arg)) {
      metrics.RequestFinished();
      return;
    }
    service::ApiReply reply;
    switch (route) {
      case Route::kMe: reply = api->Me(*caller); break;
      case Route::kSettlements: reply = api->ListSettlements(*caller, params); break;
      case Route::kSettlement: reply = api->GetSettlement(*caller, arg); break;
      case Route::kPersonSettlements: reply = api->PersonSettlements(*caller, arg, params); break;
      case Route::kFunds: reply = api->FundBalances(*caller, params); break;
      case Route::kInstitutionBalance: reply = api->InstitutionBalance(*caller, arg); break;
      case Route::kAccountStatement: reply = api->AccountStatement(*caller, arg, params); break;
      // Mutual recognition of results; POST bodies are bounded by payload_bytes_max.
      case Route::kResultsPublish: reply = api->results().Publish(*caller, req.body); break;
      case Route::kResultsRecognised: reply = api->results().Recognised(*caller, arg, params); break;
      case Route::kResultLooks: reply = api->results().Looks(*caller, arg, params); break;
      case Route::kResultDecisions: reply = api->results().Decide(*caller, req.body); break;
      case Route::kResultStatistics: reply = api->results().Statistics(*caller, params); break;
      default: reply = service::ApiReply{404, R"({"err_code":"XT-API-002","err_msg":"no such resource"})", "XT-API-002"};
    }
    metrics.RequestFinished();
    t_scope.err_code = reply.err_code;
    SetJson(res, reply.http_status, std::move(reply.body));
  }

  // ---- clearing routes (/api/v1/clearing/...): true when `route` is one.
  bool Clearing(const httplib::Request& req, httplib::Response& res, Route route, const service::Caller& caller,
                const service::QueryParams& params, const std::string& arg) {
    const std::string arg2 = req.matches.size() > 2 ? std::string(req.matches[2]) : std::string();
    auto param = [&](const char* name) {
      auto it = params.find(name);
      return it == params.end() ? std::string() : it->second;
    };
    service::ClearingReply reply;
    switch (route) {
      case Route::kClearingMonths: reply = clearing.ListMonths(caller); break;
      case Route::kClearingMonth: reply = clearing.Report(caller, arg, "", param("format")); break;
      case Route::kClearingClose: reply = clearing.CloseReply(caller, arg); break;
      case Route::kClearingReport: reply = clearing.Report(caller, arg, arg2, param("format")); break;
      case Route::kClearingPrepaid: reply = clearing.PrepaidReply(caller, param("region")); break;
      default: return false;
    }
    t_scope.err_code = reply.err_code;
    res.status = reply.http_status;
    res.body = std::move(reply.body);
    res.set_header("Content-Type", reply.content_type);
    return true;
  }

  void OpenApi(const httplib::Request& req, httplib::Response& res) {
    if (!Admit(req, res, Route::kOpenApi, Access::kPublic)) return;
    SetJson(res, 200, std::string(OpenApiJson()));
  }

  void Healthz(const httplib::Request& req, httplib::Response& res) {
    if (!Admit(req, res, Route::kHealthz, Access::kPublic)) return;
    if (stopping.load()) {
      SetJson(res, 503, R"({"status":"stopping"})");
      t_scope.err_code = "XT-HTTP-006";
      return;
    }
    metrics.RequestStarted();
    Status st = store->Read([](store::ReadTxn& txn) -> Status {
      XT_ASSIGN_OR_RETURN(auto version, txn.GetMeta("schema_version"));
      if (!version) return Status::Error("XT-HTTP-006", "the service is not ready", "no schema_version in meta");
      return Status::Ok();
    });
    metrics.RequestFinished();
    if (st.ok()) {
      SetJson(res, 200, R"({"status":"ok"})");
      return;
    }
    JsonWriter w;
    w.BeginObject().Field("status", "unavailable").Field("err_code", "XT-HTTP-006").EndObject();
    SetJson(res, 503, w.Take());
    t_scope.err_code = "XT-HTTP-006";
    t_scope.note = st.ToString();
  }

  void MetricsRoute(const httplib::Request& req, httplib::Response& res) {
    if (!Admit(req, res, Route::kMetrics, Access::kAdmin)) return;
    res.status = 200;
    res.body = RenderMetrics();
    res.set_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  }

  std::string RenderMetrics() const {
    return metrics.Render(store->writer_stats(), connections_queued.load(std::memory_order_relaxed),
                          stderr_log ? stderr_log->dropped() : 0);
  }

  void Log(const httplib::Request& req, const httplib::Response& res) {
    int64_t micros = 0;
    if (t_scope.started_set) {
      micros = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - t_scope.started).count();
    }
    const Route route = t_scope.route_set ? t_scope.route : RouteOf(req.path);
    metrics.ObserveRequest(route, res.status, micros);
    if (options.access_log) {
      char latency[32];
      std::snprintf(latency, sizeof latency, "%.3f", static_cast<double>(micros) / 1000.0);
      // No personal data: the route label rather than the path as sent, and
      // of the envelope only its transaction code and msgid (the
      // institution's code, a time and a sequence).
      JsonWriter w;
      w.BeginObject()
          .Field("time", UtcNow())
          .Field("remote", req.remote_addr)
          .Field("method", req.method)
          .Field("route", RouteLabel(route))
          .FieldInt("status", res.status)
          .Key("latency_ms")
          .Raw(latency)
          .Field("infno", t_scope.infno)
          .Field("msgid", t_scope.msgid)
          .Field("err_code", t_scope.err_code)
          .Field("key_id", t_scope.key_id)
          .FieldInt("bytes_in", static_cast<int64_t>(req.body.size()))
          .FieldInt("bytes_out", static_cast<int64_t>(res.body.size()));
      if (!t_scope.note.empty()) w.Field("note", t_scope.note);
      w.EndObject();
      if (log_sink) {
        log_sink(w.str());
      } else {
        stderr_log->Append(w.str());
      }
    }
    t_scope = RequestScope{};
  }

  void Install() {
    srv.set_tcp_nodelay(true);
    srv.set_payload_max_length(options.payload_bytes_max);
    srv.set_read_timeout(options.read_timeout_ms / 1000, (options.read_timeout_ms % 1000) * 1000);
    srv.set_write_timeout(options.write_timeout_ms / 1000, (options.write_timeout_ms % 1000) * 1000);
    srv.set_keep_alive_timeout(options.keep_alive_timeout_s);
    srv.set_keep_alive_max_count(static_cast<size_t>(options.keep_alive_requests_max));
    srv.new_task_queue = [this] {
      return new WorkerPool(options.threads, options.connections_queued_max, &connections_queued);
    };

    // Runs once the request line and headers are read, before the body.
    srv.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
      t_scope = RequestScope{};
      t_scope.started = SteadyClock::now();
      t_scope.started_set = true;
      // A request with neither Content-Length nor Transfer-Encoding has no
      // body (RFC 9112, 6.3), but this httplib would wait for one until the
      // read timeout: answer it now.
      if (req.method == "POST" && req.path == kCallServicePath && !req.has_header("Content-Length") &&
          !req.has_header("Transfer-Encoding")) {
        SetError(res, 400, "XT-HTTP-001", "the request body is empty: send one request envelope (JSON)");
        return httplib::Server::HandlerResponse::Handled;
      }
      if (req.method == "POST" && req.path.rfind("/api/", 0) == 0 && !req.has_header("Content-Length") &&
          !req.has_header("Transfer-Encoding")) {
        SetApiError(res, 400, "XT-HTTP-001", "the request body is empty: send one JSON object");
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });

    // Every route of RouteTable, and 405 for its other methods.
    auto not_allowed = [](std::string allow) {
      return [allow](const httplib::Request&, httplib::Response& res) {
        res.set_header("Allow", allow);
        SetError(res, 405, "XT-HTTP-003", "this route answers " + allow + " only");
      };
    };
    for (const RouteSpec& spec : RouteTable()) {
      const std::string pattern = PatternOf(spec.path_template);
      const Route route = spec.route;
      httplib::Server::Handler handler;
      switch (route) {
        case Route::kCallService:
          handler = [this](const httplib::Request& req, httplib::Response& res) { CallService(req, res); };
          break;
        case Route::kHealthz:
          handler = [this](const httplib::Request& req, httplib::Response& res) { Healthz(req, res); };
          break;
        case Route::kMetrics:
          handler = [this](const httplib::Request& req, httplib::Response& res) { MetricsRoute(req, res); };
          break;
        case Route::kOpenApi:
          handler = [this](const httplib::Request& req, httplib::Response& res) { OpenApi(req, res); };
          break;
        default:
          handler = [this, route](const httplib::Request& req, httplib::Response& res) { Rest(req, res, route); };
      }
      const std::string method(spec.method);
      if (method == "POST") {
        srv.Post(pattern, handler);
        srv.Get(pattern, not_allowed(method));
      } else {
        srv.Get(pattern, handler);
        srv.Post(pattern, not_allowed(method));
      }
      srv.Put(pattern, not_allowed(method));
      srv.Patch(pattern, not_allowed(method));
      srv.Delete(pattern, not_allowed(method));
    }

    // Answers the library gives itself (an unknown route, a body over the
    // limit, a request it could not read) get the same JSON error envelope.
    srv.set_error_handler([this](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return;  // a route's own answer
      switch (res.status) {
        case 404:
          SetError(res, 404, "XT-HTTP-002",
                   "no such route: POST national-interface envelopes to " + std::string(kCallServicePath));
          break;
        case 413:
          SetError(res, 413, "XT-ENV-008",
                   "the request is too large (at most " + std::to_string(options.payload_bytes_max) + " bytes)");
          break;
        case 400:
          SetError(res, 400, "XT-HTTP-005", "the HTTP request could not be read");
          break;
        default:
          SetError(res, res.status, "XT-HTTP-005", "the HTTP request could not be answered");
          break;
      }
    });
    srv.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
      std::string what = "unknown exception";
      try {
        if (ep) std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      SetError(res, 500, "XT-INT-001", "internal error");
      t_scope.note = what;
    });
    srv.set_logger([this](const httplib::Request& req, const httplib::Response& res) { Log(req, res); });
  }
};

HttpServer::HttpServer(service::Processor* processor, service::Api* api, service::Authenticator* auth,
                       store::Store* store, ServerOptions options)
    : impl_(std::make_unique<Impl>(processor, api, auth, store, std::move(options))) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Bind() {
  XT_RETURN_IF_ERROR(impl_->options.Validate());
  if (impl_->bound) return Status::Error("XT-HTTP-007", "the server is already bound to " + address());
  if (!impl_->log_sink && impl_->options.access_log) {
    impl_->stderr_log = std::make_unique<AccessLogWriter>(STDERR_FILENO);
  }
  impl_->Install();
  const auto& o = impl_->options;
  int port = o.port;
  if (port == 0) {
    port = impl_->srv.bind_to_any_port(o.host);
  } else if (!impl_->srv.bind_to_port(o.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    return Status::Error("XT-HTTP-007",
                         "cannot listen on " + o.host + ":" + std::to_string(o.port) +
                             " (is the address in use, or not this machine's?)");
  }
  impl_->port = port;
  impl_->bound = true;
  impl_->srv.SetBacklog(o.listen_backlog);  // best effort: the library's 5 otherwise
  return Status::Ok();
}

Status HttpServer::Serve() {
  if (!impl_->bound) return Status::Error("XT-HTTP-007", "the server is not bound: call Bind first");
  impl_->serving.store(true);
  bool ok = true;
  if (!impl_->stopping.load()) ok = impl_->srv.listen_after_bind();
  impl_->serving.store(false);
  if (!ok && !impl_->stopping.load()) {
    return Status::Error("XT-HTTP-007", "the server stopped accepting connections", "accept failed");
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  impl_->stopping.store(true);
  // Serve may be between its check of `stopping` and the start of the
  // accept loop, where httplib's stop() would do nothing: wait for either.
  while (impl_->serving.load() && !impl_->srv.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  impl_->srv.stop();
}

int HttpServer::port() const { return impl_->port; }
std::string HttpServer::address() const { return impl_->options.host + ":" + std::to_string(impl_->port); }
const Metrics& HttpServer::metrics() const { return impl_->metrics; }
std::string HttpServer::MetricsText() const { return impl_->RenderMetrics(); }
void HttpServer::set_log_sink(LogSink sink) { impl_->log_sink = std::move(sink); }

}  // namespace xt::http
