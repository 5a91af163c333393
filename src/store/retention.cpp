#include "store/retention.h"

#include <chrono>

#include "hashmon/time_util.h"

namespace hashmon {

HistoryRetention::HistoryRetention(std::string db_path, int64_t keep_ms, Clock* clock, Logger* log,
                                   const std::atomic<bool>* hard_stop, int pause_ms)
    : db_path_(std::move(db_path)),
      keep_ms_(keep_ms),
      clock_(clock),
      log_(log),
      hard_stop_(hard_stop),
      pause_ms_(pause_ms) {
  stats_.keep_ms = keep_ms;
}

HistoryRetention::~HistoryRetention() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    quit_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void HistoryRetention::Start(int64_t every_ms) {
  thread_ = std::thread([this, every_ms] {
    for (;;) {
      Pass();  // the first at once, even if the collector is already on its way out
      std::unique_lock<std::mutex> lock(mutex_);
      if (wake_.wait_for(lock, std::chrono::milliseconds(every_ms), [this] { return quit_; }))
        return;
    }
  });
}

bool HistoryRetention::Pass() {
  const int64_t before = clock_->NowMs() - keep_ms_;
  PruneOptions options = BesideACollector(hard_stop_);
  options.pause_ms = pause_ms_;
  std::string error;
  const auto pruned = PruneHistory(db_path_, before, &error, options);
  if (!pruned) {
    ++stats_.failed_passes;
    log_->Warn("keep_history: " + error + "; tried again in an hour");
    return false;
  }
  stats_.deleted_counts += pruned->counts;
  if (!pruned->stopped) stats_.last_pass_s = clock_->NowMs() / 1000;
  if (pruned->counts + pruned->spikes + pruned->gaps > 0) {
    log_->Info("keep_history: deleted what came before " + FormatIsoTime(before) + ": " +
               std::to_string(pruned->counts) + " counts, " + std::to_string(pruned->spikes) +
               " spikes, " + std::to_string(pruned->gaps) + " gaps" +
               (pruned->stopped ? " (stopped; the rest at the next start)" : ""));
  }
  return true;
}

}  // namespace hashmon
