#include "feed/collector.h"

#include <algorithm>
#include <cstring>

#include "feed/line_scan.h"
#include "feed/replayer.h"

namespace hashmon {
namespace {

constexpr size_t kMaxLine = 16u << 20;

std::string Seconds(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", ms / 1000.0);
  return buf;
}

}  // namespace

Collector::Collector(Pipeline* pipeline, SqliteStore* store, Clock* clock, Logger* log, CollectOptions options)
    : pipeline_(pipeline),
      store_(store),
      clock_(clock),
      log_(log),
      options_(std::move(options)),
      prefilter_(pipeline->watched()) {
  source_ = "http:" + options_.url;
  if (!options_.resume_param.empty()) {
    if (auto cp = store_->LoadCheckpoint(source_)) cursor_ = std::stoll(cp->cursor);
  }
  store_->RestorePipeline(pipeline_);  // de-duplication and detection go on where they stopped
}

void Collector::OnBytes(const char* data, size_t len) {
  stats_.bytes += static_cast<int64_t>(len);
  bytes_received_ += static_cast<int64_t>(len);
  carry_.append(data, len);
  const bool filtered = prefilter_.enabled();
  const size_t complete = ScanLines(carry_.data(), carry_.size(), filtered ? &prefilter_ : nullptr,
                                    [&](char* line, size_t n) {
                                      if (n > 0 && line[n - 1] == '\r') --n;
                                      line[n] = '\0';
                                      pipeline_->OnRecord(line, n);
                                    });
  // The cursor counts every line, parsed or skipped by the pre-filter.
  cursor_ += std::count(carry_.begin(), carry_.begin() + static_cast<std::ptrdiff_t>(complete), '\n');
  carry_.erase(0, complete);
  if (carry_.size() > kMaxLine) {
    pipeline_->CountError("line_too_long");
    carry_.clear();
  }
  Commit(false);
}

bool Collector::Commit(bool force) {
  const int64_t now = clock_->MonotonicMs();
  if (!force && now - last_commit_ms_ < options_.commit_every_ms) return true;
  last_commit_ms_ = now;
  MergeBatch(&unsaved_, pipeline_->TakeBatch());
  const int64_t newest = pipeline_->stats().newest_event_ms;
  // The cursor is what a restart resumes from: the line count for resumable relays,
  // else the newest event time (for the record: such streams cannot resume).
  const int64_t cursor = options_.resume_param.empty() ? (newest == INT64_MIN ? 0 : newest) : cursor_;
  std::string failure;
  return CommitOrKeep(store_, &unsaved_, source_, std::to_string(cursor), false, log_, &failure);
}

void Collector::SleepUnlessStopped(int64_t ms, const std::atomic<bool>* stop) {
  const int64_t until = clock_->MonotonicMs() + ms;
  while (!(stop && *stop) && clock_->MonotonicMs() < until) {
    clock_->SleepForMs(std::min<int64_t>(100, until - clock_->MonotonicMs()));
  }
}

bool Collector::Run(const std::atomic<bool>* stop, std::string* error) {
  Backoff backoff;
  StreamRequest req{options_.url, options_.headers, options_.idle_timeout_ms};
  int failures_in_a_row = 0;
  int64_t disconnected_since = 0;  // wall ms; 0 = connected or never connected
  while (!(stop && *stop)) {
    ++stats_.connections;
    if (!options_.resume_param.empty()) {
      req.url = options_.url + (options_.url.find('?') == std::string::npos ? "?" : "&") + options_.resume_param +
                "=" + std::to_string(cursor_);
    }
    bool gap_written = false;
    const StreamOutcome out = StreamHttp(
        req,
        [&](const char* data, size_t len) {
          if (!gap_written && disconnected_since != 0) {
            pipeline_->AddGap({source_, disconnected_since, clock_->NowMs(), "disconnected"});
            disconnected_since = 0;
          }
          gap_written = true;
          OnBytes(data, len);
        },
        stop, clock_);
    if (out.received_data) {
      backoff.OnConnected();
      failures_in_a_row = 0;
    }
    if (!carry_.empty()) {  // the connection ended inside a line
      pipeline_->CountError("truncated_line");
      carry_.clear();
    }
    if (out.kind == StreamOutcome::kStopped) break;
    if (out.kind == StreamOutcome::kEnded && options_.until_eof) {
      pipeline_->Flush();
      break;
    }
    if (disconnected_since == 0) disconnected_since = clock_->NowMs();
    ++stats_.reconnects;
    const std::string reason = out.kind == StreamOutcome::kEnded     ? "ended"
                               : out.kind == StreamOutcome::kStalled ? "stalled"
                               : out.http_status && out.http_status != 200 ? "http_" + std::to_string(out.http_status)
                                                                     : "network";
    ++stats_.failures[reason];
    ++failures_in_a_row;
    const int64_t delay = backoff.NextDelayMs(out.kind == StreamOutcome::kEnded ? FailureKind::kNetwork : out.failure,
                                              out.rate_limit_reset_ms, clock_->NowMs());
    if (out.failure == FailureKind::kAuth && out.kind == StreamOutcome::kFailed) {
      log_->LogLimited(LogLevel::kError, "auth",
                       "the server refused the credentials (" + out.message +
                           "): check the bearer token in HASHMON_X_BEARER_TOKEN (or the config file) and that "
                           "the app may use this endpoint; retrying in " + Seconds(delay));
    } else {
      log_->LogLimited(LogLevel::kWarn, "reconnect:" + reason,
                       "stream " + reason + (out.message.empty() ? "" : " (" + out.message + ")") +
                           "; reconnecting in " + Seconds(delay));
    }
    Commit(true);
    if (options_.max_failures > 0 && failures_in_a_row >= options_.max_failures) {
      *error = "giving up after " + std::to_string(failures_in_a_row) + " failed connections in a row (last: " +
               reason + ")";
      return false;
    }
    SleepUnlessStopped(delay, stop);
  }
  if (!Commit(true)) {
    *error = "could not commit the last counts; run the collector again to resume";
    return false;
  }
  return true;
}

}  // namespace hashmon
