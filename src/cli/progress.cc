// Progress bar drawing.
#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace xt::cli {

ProgressBar::ProgressBar(bool enabled) : enabled_(enabled && isatty(STDERR_FILENO)) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Phase(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!enabled_) return;
  if (drawn_) std::fputc('\n', stderr);
  phase_ = name;
  last_permille_ = -1;
  drawn_ = false;
  std::fprintf(stderr, "%s ...\r", phase_.c_str());
  std::fflush(stderr);
}

void ProgressBar::Update(int64_t done, int64_t total) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!enabled_ || total <= 0) return;
  const int permille = static_cast<int>(done * 1000 / total);
  if (permille == last_permille_) return;
  last_permille_ = permille;
  constexpr int kWidth = 30;
  const int filled = permille * kWidth / 1000;
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), '.');
  std::fprintf(stderr, "\r%-28s [%s] %5.1f%% %lld/%lld", phase_.c_str(), bar.c_str(), permille / 10.0,
               static_cast<long long>(done), static_cast<long long>(total));
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::Finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (enabled_ && drawn_) std::fputc('\n', stderr);
  drawn_ = false;
}

}  // namespace xt::cli
