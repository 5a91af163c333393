// When to reconnect a stream, by X's published rules (reused for feeds that publish
// none): reconnect at once after an established stream drops; then on network errors
// add 250 ms per attempt up to 16 s; on HTTP errors start at 5 s and double up to 320 s;
// on HTTP 429 start at 1 minute and double, or wait for the rate limit's reset. Jitter
// keeps many collectors from reconnecting in step.
#ifndef HASHMON_BACKOFF_H_
#define HASHMON_BACKOFF_H_

#include <cstdint>
#include <optional>

namespace hashmon {

enum class FailureKind { kNetwork, kHttp, kRateLimited, kAuth };

class Backoff {
 public:
  // jitter_seed makes the jitter reproducible in tests.
  explicit Backoff(uint64_t jitter_seed = 0x9e3779b97f4a7c15ull) : rng_(jitter_seed) {}

  // The stream delivered data: the next failure reconnects at once.
  void OnConnected();
  // How long to wait before the next attempt, in ms. `reset_at_ms` is the rate limit's
  // reset time (x-rate-limit-reset) and `now_ms` the wall clock, for 429.
  int64_t NextDelayMs(FailureKind kind, std::optional<int64_t> reset_at_ms = std::nullopt,
                      int64_t now_ms = 0);

  int attempts() const { return attempts_; }

  static constexpr int64_t kNetworkStepMs = 250, kNetworkMaxMs = 16'000;
  static constexpr int64_t kHttpStartMs = 5'000, kHttpMaxMs = 320'000;
  static constexpr int64_t kRateLimitStartMs = 60'000, kRateLimitMaxMs = 15 * 60'000;

 private:
  int64_t Jitter(int64_t delay);
  int attempts_ = 0;
  bool connected_since_failure_ = true;
  FailureKind last_kind_ = FailureKind::kNetwork;
  uint64_t rng_;
};

}  // namespace hashmon

#endif  // HASHMON_BACKOFF_H_
