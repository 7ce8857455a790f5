// Gathering and writing access-log lines.
#include "http/access_log.h"

#include <pthread.h>
#include <unistd.h>

#include <chrono>

namespace xt::http {

AccessLogWriter::AccessLogWriter(int fd, size_t buffer_bytes_max, int flush_interval_ms)
    : fd_(fd), buffer_bytes_max_(buffer_bytes_max), flush_interval_ms_(flush_interval_ms) {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "xt-log");
    Run();
  });
}

AccessLogWriter::~AccessLogWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void AccessLogWriter::Append(std::string_view line) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (buffer_.size() + line.size() + 1 > buffer_bytes_max_) {
      ++dropped_;
      return;
    }
    buffer_.append(line);
    buffer_ += '\n';
    wake = buffer_.size() >= buffer_bytes_max_ / 2;  // write early rather than drop
  }
  if (wake) cv_.notify_one();
}

int64_t AccessLogWriter::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

void AccessLogWriter::Run() {
  std::string out;
  for (;;) {
    bool stopping;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(flush_interval_ms_),
                   [&] { return stop_ || buffer_.size() >= buffer_bytes_max_ / 2; });
      out.swap(buffer_);
      stopping = stop_;
    }
    WriteAll(out);
    out.clear();
    if (stopping) return;  // what was buffered at stop has just been written
  }
}

void AccessLogWriter::WriteAll(const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + off, bytes.size() - off);
    if (n <= 0) return;  // a closed stderr loses the log, never an answer
    off += static_cast<size_t>(n);
  }
}

}  // namespace xt::http
