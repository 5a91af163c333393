#include "feed/replayer.h"

#include "feed/block_reader.h"
#include "feed/line_scan.h"

#include <algorithm>
#include <cstring>

namespace hashmon {
namespace {

constexpr size_t kMaxLine = 64u << 20;
constexpr size_t kHeadroom = 256u << 10;
constexpr int kCommitAttempts = 5;
constexpr int64_t kCommitRetryMs = 1000;
constexpr int64_t kProgressEveryMs = 500;

}  // namespace

void MergeBatch(Batch* a, Batch&& b) {
  auto move_all = [](auto* to, auto* from) {
    to->insert(to->end(), std::make_move_iterator(from->begin()), std::make_move_iterator(from->end()));
  };
  move_all(&a->deltas, &b.deltas);
  move_all(&a->mentions, &b.mentions);
  move_all(&a->deletes, &b.deletes);
  move_all(&a->detection, &b.detection);
  move_all(&a->gaps, &b.gaps);
  a->watermark = std::max(a->watermark, b.watermark);
}

bool CommitOrKeep(SqliteStore* store, Batch* unsaved, const std::string& source, const std::string& cursor,
                  bool complete, Logger* log, std::string* failure) {
  try {
    store->Commit(*unsaved, source, cursor, complete);
    *unsaved = Batch{};
    return true;
  } catch (const std::exception& e) {
    *failure = e.what();
    log->LogLimited(LogLevel::kError, "commit",
                    std::string("cannot write to the database: ") + e.what() +
                        " (counts are kept in memory and retried; free disk space or stop the process "
                        "holding the database lock)");
    return false;
  }
}

Replayer::Replayer(Pipeline* pipeline, SqliteStore* store, Clock* clock, Logger* log, ReplayOptions options)
    : pipeline_(pipeline),
      store_(store),
      clock_(clock),
      log_(log),
      options_(std::move(options)),
      prefilter_(pipeline->watched()) {
  start_ms_ = clock_->MonotonicMs();
  if (options_.speed > 0) options_.prefilter = false;
  if (store_) store_->RestorePipeline(pipeline_);  // inspect has no store: decode only
}

bool Replayer::ReplayPath(const std::string& path, std::string* error) {
  auto input = InputFile::Open(path, error);
  if (!input) return false;
  while (auto member = input->Next(error)) {
    if (!ReplayMember(member.get(), error)) return false;
  }
  return error->empty();
}

void Replayer::ProcessLine(char* line, size_t len, bool unterminated) {
  if (framer_.OnLine(line, len, unterminated, pipeline_) && options_.speed > 0) Pace();
}

void Replayer::ProcessBuffer(char* data, size_t len, size_t* consumed) {
  *consumed = ScanLines(data, len, member_prefilter_ ? &prefilter_ : nullptr,
                        [&](char* line, size_t n) { ProcessLine(line, n, false); });
}

bool Replayer::ReplayMember(Member* member, std::string* error) {
  uint64_t offset = 0;
  const std::string& source = member->identity;
  if (store_ && !source.empty()) {
    if (auto cp = store_->LoadCheckpoint(source)) {
      offset = std::stoull(cp->cursor);
      if (cp->complete && member->name.find(':') != std::string::npos) {
        log_->Info("skipping " + member->name + ": already replayed into this database");
        ++skipped_members_;
        return true;
      }
      if (offset > 0) {
        log_->Info("resuming " + member->name + " at byte " + std::to_string(offset));
        if (!member->bytes->Skip(offset)) {
          log_->Info("skipping " + member->name + ": already replayed into this database");
          ++skipped_members_;
          return true;
        }
      }
    }
  }
  framer_.Reset();
  // Reading runs ahead on its own thread; lines are split and parsed here, in order.
  const size_t block = std::max<size_t>(options_.read_bytes, 64);
  BlockReader reader(member->bytes.get(), block, kHeadroom, options_.prefilter ? &prefilter_ : nullptr,
                     options_.scan_in_reader_always);
  std::string carry;          // the partial line at the end of the previous block
  std::vector<char> merged;   // for the rare line longer than the headroom
  uint64_t committed = offset;
  uint64_t done = offset;     // input offset of the end of the last consumed line
  bool first_block = true;
  while (true) {
    auto b = reader.Next();
    if (first_block) {
      // SSE streams need each line's predecessor ("event:"), so they are parsed whole.
      size_t i = 0;
      while (i < b->size && (b->data()[i] == ' ' || b->data()[i] == '\n' || b->data()[i] == '\r')) ++i;
      member_prefilter_ = options_.prefilter && prefilter_.enabled() && (i == b->size || b->data()[i] == '{');
      first_block = false;
    }
    progress_.bytes += static_cast<int64_t>(b->size);
    char* data;
    size_t len = carry.size() + b->size;
    if (carry.size() <= b->headroom) {
      data = b->data() - carry.size();
      std::memcpy(data, carry.data(), carry.size());
    } else {
      merged.resize(len + 1);
      std::memcpy(merged.data(), carry.data(), carry.size());
      std::memcpy(merged.data() + carry.size(), b->data(), b->size);
      data = merged.data();
    }
    size_t consumed = 0;
    if (member_prefilter_ && b->scanned) {
      // The reader scanned the block (and the bytes just before it); the partial line
      // carried from the last block is scanned here whole, as it may hold a match from
      // before those bytes.
      candidates_.clear();
      prefilter_.FindPerLine(data, carry.size(), -static_cast<int64_t>(carry.size()), &candidates_);
      const size_t from_carry = candidates_.size();
      candidates_.insert(candidates_.end(), b->candidates.begin(), b->candidates.end());
      std::inplace_merge(candidates_.begin(), candidates_.begin() + static_cast<std::ptrdiff_t>(from_carry),
                         candidates_.end());
      consumed = ScanCandidateLines(data, len, candidates_, static_cast<int64_t>(carry.size()),
                                    [&](char* line, size_t n) { ProcessLine(line, n, false); });
    } else {
      ProcessBuffer(data, len, &consumed);
    }
    done += consumed;
    carry.assign(data + consumed, len - consumed);
    if (carry.size() > kMaxLine) {
      pipeline_->CountError("line_too_long");
      log_->LogLimited(LogLevel::kWarn, "line_too_long", member->name + ": a line over 64 MiB was skipped");
      done += carry.size();
      carry.clear();
    }
    const bool eof = b->eof;
    const std::string read_error = b->error;
    reader.Recycle(std::move(b));
    if (!read_error.empty()) {
      if (done > offset || progress_.bytes > 0) {
        // A file that breaks off (a recording torn by a crash) keeps what came before.
        pipeline_->CountError("truncated_file");
        log_->LogLimited(LogLevel::kWarn, "truncated_file",
                         member->name + " ends in a damaged or torn part (" + read_error + "); the rest is kept");
        carry.clear();
        break;
      }
      *error = member->name + ": " + read_error;
      Commit(source, done, false, error);
      return false;
    }
    if (eof) break;
    if (done - committed >= options_.commit_bytes) {
      if (Commit(source, done, false, error)) committed = done;
    }
    ReportProgress(false);
  }
  if (!carry.empty()) {
    // A last line with no newline: complete JSON counts, a torn one is counted as such.
    // The cursor stays before it, so a file that grows is read on from there.
    ProcessLine(carry.data(), carry.size(), true);
  }
  ReportProgress(true);
  return Commit(source, done, true, error);
}

bool Replayer::Commit(const std::string& source, uint64_t offset, bool complete, std::string* error) {
  MergeBatch(&unsaved_, pipeline_->TakeBatch());
  if (!store_) {
    unsaved_ = Batch{};
    return true;
  }
  std::string failure;
  for (int attempt = 1;; ++attempt) {
    if (CommitOrKeep(store_, &unsaved_, source, std::to_string(offset), complete, log_, &failure)) return true;
    // Mid-file, keep reading and retry at the next commit; at the end, retry a few times.
    if (!complete) return false;
    if (attempt >= kCommitAttempts) {
      *error = std::string("giving up writing to the database: ") + failure +
               "; nothing after the last commit was saved, run the same command again to resume";
      return false;
    }
    clock_->SleepForMs(kCommitRetryMs * attempt);
  }
}

bool Replayer::Finish(std::string* error) {
  pipeline_->Flush();
  return Commit("", 0, true, error);
}

void Replayer::Pace() {
  const int64_t event = pipeline_->stats().newest_event_ms;
  if (event == INT64_MIN) return;
  const int64_t now = clock_->MonotonicMs();
  if (pace_event_start_ == INT64_MIN) {
    pace_event_start_ = event;
    pace_wall_start_ = now;
    return;
  }
  const int64_t target = pace_wall_start_ + static_cast<int64_t>((event - pace_event_start_) / options_.speed);
  if (target - now >= 5) clock_->SleepForMs(target - now);
}

void Replayer::ReportProgress(bool force) {
  const int64_t now = clock_->MonotonicMs();
  if (!force && now - last_progress_ms_ < kProgressEveryMs) return;
  last_progress_ms_ = now;
  const auto& s = pipeline_->stats();
  progress_.posts = s.posts;
  progress_.mentions = s.mentions;
  progress_.newest_event_ms = s.newest_event_ms;
  progress_.elapsed_ms = now - start_ms_;
  if (options_.on_progress) options_.on_progress(progress_);
}

}  // namespace hashmon
