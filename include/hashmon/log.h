// Levelled logging to a stream (stderr by default), with repeats of the same message key
// rate-limited so that a flood of bad input cannot flood the log.
#ifndef HASHMON_LOG_H_
#define HASHMON_LOG_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <ostream>
#include <string>

#include "hashmon/clock.h"

namespace hashmon {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

class Logger {
 public:
  Logger(std::ostream* out, Clock* clock, LogLevel min_level = LogLevel::kInfo)
      : out_(out), clock_(clock), min_level_(min_level) {}

  void Log(LogLevel level, const std::string& message);
  // Logs the first `burst` messages with this key, then at most one per interval,
  // saying how many were suppressed in between.
  void LogLimited(LogLevel level, const std::string& key, const std::string& message);

  void Info(const std::string& m) { Log(LogLevel::kInfo, m); }
  void Warn(const std::string& m) { Log(LogLevel::kWarn, m); }
  void Error(const std::string& m) { Log(LogLevel::kError, m); }

  void set_min_level(LogLevel l) { min_level_ = l; }
  int64_t suppressed(const std::string& key) const;

  static constexpr int kBurst = 3;
  static constexpr int64_t kIntervalMs = 10'000;

 private:
  struct KeyState {
    int emitted = 0;
    int64_t last_ms = INT64_MIN;
    int64_t suppressed = 0;
    int64_t suppressed_total = 0;
  };
  std::ostream* out_;
  Clock* clock_;
  LogLevel min_level_;
  std::map<std::string, KeyState> keys_;
  mutable std::mutex mu_;
};

}  // namespace hashmon

#endif  // HASHMON_LOG_H_
