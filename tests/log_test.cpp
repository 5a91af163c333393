// The log: one line per message whatever the message quotes, and a flood of the same
// complaint rate-limited, with the count of what was held back.
#include "hashmon/log.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace hashmon {
namespace {

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(Logger, AQuotedReplyCannotForgeALineOrSteerTheTerminal) {
  std::ostringstream out;
  FakeClock clock(1453191300000);  // 2016-01-19T08:15:00Z
  Logger log(&out, &clock);
  log.Warn("X answered HTTP 400: bad\n2016-01-19T08:15:00Z error: forged\x1b[2J");
  EXPECT_EQ(out.str(),
            "2016-01-19T08:15:00Z warn: X answered HTTP 400: bad\\n2016-01-19T08:15:00Z error: "
            "forged\\x1b[2J\n");
}

TEST(Logger, MessagesBelowTheLevelAreDropped) {
  std::ostringstream out;
  FakeClock clock;
  Logger log(&out, &clock, LogLevel::kWarn);
  log.Info("connected");
  log.Error("disk full");
  ASSERT_EQ(SplitLines(out.str()).size(), 1u);
  EXPECT_NE(out.str().find("error: disk full"), std::string::npos);
}

TEST(Logger, AFloodOfOneComplaintIsABurstThenOneAnIntervalWithTheCountHeldBack) {
  std::ostringstream out;
  FakeClock clock;
  Logger log(&out, &clock);
  for (int i = 0; i < 100; ++i) log.LogLimited(LogLevel::kWarn, "malformed", "malformed line");
  log.LogLimited(LogLevel::kWarn, "other", "another complaint");  // its own key: not held back
  EXPECT_EQ(SplitLines(out.str()).size(), static_cast<size_t>(Logger::kBurst) + 1);
  EXPECT_EQ(log.suppressed("malformed"), 100 - Logger::kBurst);

  clock.Advance(Logger::kIntervalMs);
  log.LogLimited(LogLevel::kWarn, "malformed", "malformed line");
  log.LogLimited(LogLevel::kWarn, "malformed", "malformed line");  // within the new interval
  const auto lines = SplitLines(out.str());
  ASSERT_EQ(lines.size(), static_cast<size_t>(Logger::kBurst) + 2);
  EXPECT_NE(lines.back().find("malformed line (97 similar messages suppressed)"), std::string::npos)
      << lines.back();
  EXPECT_EQ(log.suppressed("malformed"), 98);
  EXPECT_EQ(log.suppressed("never logged"), 0);
}

}  // namespace
}  // namespace hashmon
