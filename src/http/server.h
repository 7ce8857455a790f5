// The settlement service over HTTP: hospitals POST national-interface
// request envelopes to /fsi/api/callService and get the transaction
// processor's response envelope back, exactly as `xietong call` would print
// it; operators read GET /healthz and GET /metrics (Prometheus text).
//
// A thin adapter (../../shared/design/ARCHITECTURE.md): no business rules
// and no SQL here. Everything a client can make the server hold is bounded
// by ServerOptions: threads, open connections, body and header sizes,
// read/write/idle times, requests per connection.
//
// The routes are the table of routes.h; the use cases are handed to the
// server (Services), which builds none and reads no store itself.
//
// Lifetime: the services (and the store behind them) must outlive the
// HttpServer. Bind, then Serve (blocks) on one thread; Stop from any other
// thread (not from a signal handler). Serve returns once the listening
// socket is closed and every accepted request has been answered; only then
// may the store be closed, which drains its writer: nothing acknowledged is
// lost.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/metrics.h"
#include "http/routes.h"

namespace xt::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (see HttpServer::port)
  // Event-loop threads. Each serves its share of the connections without
  // blocking: a national-interface call waiting for its group's COMMIT holds
  // no thread, so a few loops keep thousands of requests in flight.
  int io_threads = 2;
  // Threads for the REST routes, which may wait on the store (reads and
  // their audit records, a month's close) and so must not hold up a loop.
  int threads = 16;
  // Open connections; one more is answered 503 (XT-HTTP-010) and closed.
  int connections_max = 10000;
  int listen_backlog = 1024;  // capped by the kernel's net.core.somaxconn
  size_t payload_bytes_max = size_t{1} << 20;  // a request body (413 beyond)
  int header_count_max = 64;                   // headers of one request (431 beyond)
  size_t header_bytes_max = size_t{16} << 10;  // their names and values together (431 beyond)
  // A request being read (its line, headers, body) must progress within
  // read_timeout_ms, or it is answered 400 (XT-HTTP-005) and its connection
  // closed; an answer the client does not take within write_timeout_ms
  // closes its connection.
  int read_timeout_ms = 5000;
  int write_timeout_ms = 5000;
  int keep_alive_timeout_s = 5;        // an idle kept-alive connection is closed after this
  int keep_alive_requests_max = 1000;  // requests on one connection before it is closed
  bool access_log = true;              // one JSON line per request (see set_log_sink)
  // The browser application's folder (web/dist), read into memory by Bind
  // (static_files.h); empty: the page paths answer one saying how to build
  // it. XT-WEB-002 from Bind when the folder cannot be served.
  std::string web_dir;

  // XT-HTTP-008 when a value is out of its range.
  Status Validate() const;
};

class HttpServer {
 public:
  // Every caller shows a credential (Authorization: Bearer <api key>,
  // checked by `services.auth`; or else a staff session's cookie, checked by
  // `services.accounts` with its CSRF token on a change) of a role the route
  // admits, and of a hospital's callers of a duty it admits, except on the
  // routes that ask for none (/healthz, /openapi.json, POST /api/v1/session).
  HttpServer(Services services, ServerOptions options);
  ~HttpServer();  // Stops; call only after Serve has returned (or never ran)
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Checks the options and binds the listening socket (XT-HTTP-007 when the
  // address cannot be bound). After it, port() is the port bound.
  Status Bind();
  // Accepts and answers requests until Stop. Returns after the listening
  // socket is closed, every accepted request has been answered and every
  // worker thread has ended.
  Status Serve();
  // Stops accepting; requests being processed are finished and answered,
  // and kept-alive connections are closed after their current request.
  // Idempotent; safe from any thread.
  void Stop();

  int port() const;
  std::string address() const;  // host:port
  const Metrics& metrics() const;
  std::string MetricsText() const;  // what GET /metrics answers

  // Where access-log lines go (each a JSON object, without its newline).
  // Default: stderr, written in batches about ten times a second by a
  // thread of its own (at most 4 MiB waiting; beyond, lines are dropped).
  // Set before Bind; called from the worker threads concurrently.
  using LogSink = std::function<void(std::string_view line)>;
  void set_log_sink(LogSink sink);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xt::http
