// Reconnect timing follows X's published rules.
#include "hashmon/backoff.h"

#include <gtest/gtest.h>

namespace hashmon {
namespace {

// Delays lie in [base, base * 1.1] because of jitter.
void ExpectAbout(int64_t delay, int64_t base) {
  EXPECT_GE(delay, base);
  EXPECT_LE(delay, base + base / 10 + 1);
}

TEST(Backoff, ADroppedStreamIsRetriedAtOnceThenLinearly) {
  Backoff b;
  EXPECT_EQ(b.NextDelayMs(FailureKind::kNetwork), 0);
  ExpectAbout(b.NextDelayMs(FailureKind::kNetwork), 250);
  ExpectAbout(b.NextDelayMs(FailureKind::kNetwork), 500);
  for (int i = 0; i < 100; ++i) b.NextDelayMs(FailureKind::kNetwork);
  ExpectAbout(b.NextDelayMs(FailureKind::kNetwork), 16'000);
}

TEST(Backoff, HttpErrorsDoubleFromFiveSecondsToFiveMinutes) {
  Backoff b;
  ExpectAbout(b.NextDelayMs(FailureKind::kHttp), 5'000);
  ExpectAbout(b.NextDelayMs(FailureKind::kHttp), 10'000);
  ExpectAbout(b.NextDelayMs(FailureKind::kHttp), 20'000);
  for (int i = 0; i < 20; ++i) b.NextDelayMs(FailureKind::kHttp);
  ExpectAbout(b.NextDelayMs(FailureKind::kHttp), 320'000);
}

TEST(Backoff, RateLimitStartsAtAMinuteAndHonoursTheReset) {
  Backoff b;
  ExpectAbout(b.NextDelayMs(FailureKind::kRateLimited), 60'000);
  ExpectAbout(b.NextDelayMs(FailureKind::kRateLimited), 120'000);
  Backoff c;
  ExpectAbout(c.NextDelayMs(FailureKind::kRateLimited, 1'000'000 + 600'000, 1'000'000), 600'000);
}

TEST(Backoff, DataResetsTheSchedule) {
  Backoff b;
  b.NextDelayMs(FailureKind::kHttp);
  b.NextDelayMs(FailureKind::kHttp);
  b.OnConnected();
  EXPECT_EQ(b.NextDelayMs(FailureKind::kNetwork), 0);
  ExpectAbout(b.NextDelayMs(FailureKind::kHttp), 5'000);
}

TEST(Backoff, BadCredentialsAreNotRetriedInATightLoop) {
  Backoff b;
  EXPECT_GE(b.NextDelayMs(FailureKind::kAuth), 320'000);
}

}  // namespace
}  // namespace hashmon
