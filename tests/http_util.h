// The HTTP server for tests: running on its own thread on 127.0.0.1 (an
// ephemeral port), with limits small enough that tests of them run quickly.
#pragma once

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"
#include "test_env.h"

namespace xt::testing {

// A running server on its own thread; stopped and joined on destruction.
class RunningServer {
 public:
  RunningServer(Env& env, http::ServerOptions options, service::Processor* processor = nullptr)
      : server_(env.Services(processor), options) {
    server_.set_log_sink([this](std::string_view line) {
      std::lock_guard<std::mutex> lock(mu_);
      log_.emplace_back(line);
    });
    Status st = server_.Bind();
    EXPECT_TRUE(st.ok()) << st.ToString();
    thread_ = std::thread([this] { served_ = server_.Serve(); });
  }
  ~RunningServer() { StopAndJoin(); }

  void StopAndJoin() {
    if (!thread_.joinable()) return;
    server_.Stop();
    thread_.join();
    EXPECT_TRUE(served_.ok()) << served_.ToString();
  }

  int port() const { return server_.port(); }
  http::HttpServer& server() { return server_; }
  std::vector<std::string> Log() {
    std::lock_guard<std::mutex> lock(mu_);
    return log_;
  }

 private:
  http::HttpServer server_;
  std::thread thread_;
  Status served_;
  std::mutex mu_;
  std::vector<std::string> log_;
};

// Limits small enough that the tests of them run quickly.
inline http::ServerOptions TestOptions() {
  http::ServerOptions o;
  o.port = 0;
  o.threads = 8;
  o.payload_bytes_max = 64 << 10;
  o.read_timeout_ms = 500;
  o.write_timeout_ms = 2000;
  o.keep_alive_timeout_s = 1;
  return o;
}

}  // namespace xt::testing
