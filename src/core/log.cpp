#include "hashmon/log.h"

#include "hashmon/terminal_text.h"
#include "hashmon/time_util.h"

namespace hashmon {
namespace {

const char* LevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void Logger::Log(LogLevel level, const std::string& message) {
  if (level < min_level_) return;
  std::lock_guard<std::mutex> lock(mu_);
  // Messages quote servers' replies and bad input: one line each, with no control characters.
  *out_ << FormatIsoTime(clock_->NowMs()) << " " << LevelName(level) << ": "
        << TerminalSafe(message) << "\n";
  out_->flush();
}

void Logger::LogLimited(LogLevel level, const std::string& key, const std::string& message) {
  std::string line;
  {
    std::lock_guard<std::mutex> lock(mu_);
    KeyState& k = keys_[key];
    const int64_t now = clock_->MonotonicMs();
    if (k.emitted < kBurst || now - k.last_ms >= kIntervalMs) {
      line = message;
      if (k.suppressed > 0)
        line += " (" + std::to_string(k.suppressed) +
                (k.suppressed == 1 ? " similar message" : " similar messages") + " suppressed)";
      ++k.emitted;
      k.last_ms = now;
      k.suppressed = 0;
    } else {
      ++k.suppressed;
      ++k.suppressed_total;
      return;
    }
  }
  Log(level, line);
}

int64_t Logger::suppressed(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = keys_.find(key);
  return it == keys_.end() ? 0 : it->second.suppressed_total;
}

}  // namespace hashmon
