// Wall-clock time and sleeping, injected so that tests advance time instead of waiting.
#ifndef HASHMON_CLOCK_H_
#define HASHMON_CLOCK_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <utility>

namespace hashmon {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t NowMs() = 0;
  // Monotonic milliseconds, for intervals.
  virtual int64_t MonotonicMs() = 0;
  virtual void SleepForMs(int64_t ms) = 0;
};

class SystemClock : public Clock {
 public:
  int64_t NowMs() override;
  int64_t MonotonicMs() override;
  void SleepForMs(int64_t ms) override;
};

// A clock that only moves when told to; sleeping advances it at once. Safe to read and
// advance from several threads (a test may advance it while a watchdog reads it).
class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t now_ms = 0) : now_(now_ms) {}
  int64_t NowMs() override { return now_; }
  int64_t MonotonicMs() override { return now_; }
  void SleepForMs(int64_t ms) override {
    if (ms > 0) {
      now_ += ms;
      slept_ += ms;
    }
    if (on_sleep_) on_sleep_();
  }
  // Called after each sleep, on the sleeping thread: a test acts while the code under test
  // waits (frees disk space, lets go of a lock). Set it before that code runs.
  void OnSleep(std::function<void()> act) { on_sleep_ = std::move(act); }
  void Advance(int64_t ms) { now_ += ms; }
  int64_t slept_ms() const { return slept_; }

 private:
  std::atomic<int64_t> now_;
  std::atomic<int64_t> slept_{0};
  std::function<void()> on_sleep_;
};

}  // namespace hashmon

#endif  // HASHMON_CLOCK_H_
