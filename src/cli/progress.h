// A progress bar on stderr for long jobs. Drawn only when stderr is a
// terminal, so logs and pipes stay clean. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

namespace xt::cli {

class ProgressBar {
 public:
  explicit ProgressBar(bool enabled);
  ~ProgressBar();
  void Phase(const std::string& name);
  void Update(int64_t done, int64_t total);
  void Finish();

 private:
  bool enabled_;
  std::mutex mu_;
  std::string phase_;
  int last_permille_ = -1;
  bool drawn_ = false;
};

}  // namespace xt::cli
