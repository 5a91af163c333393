#include "hashmon/backoff.h"

#include <algorithm>

namespace hashmon {

void Backoff::OnConnected() {
  attempts_ = 0;
  connected_since_failure_ = true;
}

int64_t Backoff::Jitter(int64_t delay) {
  // xorshift64*: up to +10% so that collectors do not reconnect in step.
  rng_ ^= rng_ >> 12;
  rng_ ^= rng_ << 25;
  rng_ ^= rng_ >> 27;
  const uint64_t r = rng_ * 2685821657736338717ull;
  return delay + static_cast<int64_t>(r % static_cast<uint64_t>(delay / 10 + 1));
}

int64_t Backoff::NextDelayMs(FailureKind kind, std::optional<int64_t> reset_at_ms, int64_t now_ms) {
  if (kind != last_kind_) attempts_ = 0;  // a new kind of trouble starts its own schedule
  last_kind_ = kind;
  // An established stream that drops is retried at once (network drops only).
  if (connected_since_failure_ && kind == FailureKind::kNetwork) {
    connected_since_failure_ = false;
    return 0;
  }
  connected_since_failure_ = false;
  ++attempts_;
  int64_t delay = 0;
  switch (kind) {
    case FailureKind::kNetwork:
      delay = std::min(kNetworkStepMs * attempts_, kNetworkMaxMs);
      break;
    case FailureKind::kHttp:
      delay = std::min(kHttpStartMs << std::min(attempts_ - 1, 16), kHttpMaxMs);
      break;
    case FailureKind::kRateLimited:
      delay = std::min(kRateLimitStartMs << std::min(attempts_ - 1, 16), kRateLimitMaxMs);
      if (reset_at_ms && *reset_at_ms > now_ms) delay = std::max(delay, *reset_at_ms - now_ms);
      break;
    case FailureKind::kAuth:
      // A bad token will not fix itself: wait long, the operator has been told what to do.
      delay = kHttpMaxMs;
      break;
  }
  return Jitter(delay);
}

}  // namespace hashmon
