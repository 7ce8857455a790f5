// System clock: wall time shifted to China Standard Time (UTC+8).
#include "core/clock.h"

#include <chrono>

namespace xt {

int64_t SystemClock::NowLocalMillis() const {
  constexpr int64_t kUtcOffsetMillis = 8LL * 3600 * 1000;
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(now).count() + kUtcOffsetMillis;
}

const SystemClock& SystemClock::Instance() {
  static const SystemClock clock;
  return clock;
}

}  // namespace xt
