// The access log's default destination: lines gathered in memory and
// written to a file descriptor (stderr) by one background thread, about ten
// times a second, instead of one write(2) per request on the request's
// thread (which cost a fifth of the server's throughput when measured).
//
// Bounded: at most `buffer_bytes_max` wait to be written; lines beyond it
// are dropped and counted, never block a request. Lines not yet written
// when the process is killed are lost (it is a log, not the audit trail);
// the destructor writes everything still buffered.
//
// Thread-safe: Append may run on any number of threads at once.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace xt::http {

class AccessLogWriter {
 public:
  explicit AccessLogWriter(int fd, size_t buffer_bytes_max = size_t{4} << 20, int flush_interval_ms = 100);
  ~AccessLogWriter();
  AccessLogWriter(const AccessLogWriter&) = delete;
  AccessLogWriter& operator=(const AccessLogWriter&) = delete;

  // Adds one line (a newline is appended).
  void Append(std::string_view line);
  // Lines dropped because the buffer was full.
  int64_t dropped() const;

 private:
  void Run();
  void WriteAll(const std::string& bytes);

  const int fd_;
  const size_t buffer_bytes_max_;
  const int flush_interval_ms_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string buffer_;
  int64_t dropped_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace xt::http
