// The clock behind an interface, so tests can freeze time.
// Implementations are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/date.h"

namespace xt {

class Clock {
 public:
  virtual ~Clock() = default;
  // Local time (UTC+8) in milliseconds since the epoch.
  virtual int64_t NowLocalMillis() const = 0;
  LocalSeconds NowLocal() const { return NowLocalMillis() / 1000; }
};

// The machine's clock, shifted to UTC+8.
class SystemClock final : public Clock {
 public:
  int64_t NowLocalMillis() const override;
  static const SystemClock& Instance();
};

// A clock that stands still until told to move.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(LocalSeconds t) : millis_(t * 1000) {}
  int64_t NowLocalMillis() const override { return millis_.load(); }
  void Set(LocalSeconds t) { millis_.store(t * 1000); }
  void AdvanceMillis(int64_t ms) { millis_.fetch_add(ms); }

 private:
  std::atomic<int64_t> millis_;
};

}  // namespace xt
