#include "feed/replayer.h"

#include <algorithm>
#include <cstring>

namespace hashmon {
namespace {

constexpr size_t kMaxLine = 64u << 20;
constexpr int kCommitAttempts = 5;
constexpr int64_t kCommitRetryMs = 1000;
constexpr int64_t kProgressEveryMs = 500;

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

void MergeBatch(Batch* a, Batch&& b) {
  auto move_all = [](auto* to, auto* from) {
    to->insert(to->end(), std::make_move_iterator(from->begin()), std::make_move_iterator(from->end()));
  };
  move_all(&a->deltas, &b.deltas);
  move_all(&a->mentions, &b.mentions);
  move_all(&a->deletes, &b.deletes);
  a->watermark = std::max(a->watermark, b.watermark);
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
  if (!store_) return;  // inspect: decode only
  // Refill the de-duplication window from what earlier runs counted.
  if (auto wm = store_->GetMeta("watermark")) {
    const int64_t watermark = std::stoll(*wm);
    pipeline_->counter().set_watermark(watermark);
    store_->ForEachSeen(watermark - pipeline_->config().dedup_window_ms,
                        [&](const std::string& source, const std::string& id, int64_t t) {
                          const SourceKind kind = source == "bluesky"    ? SourceKind::kBluesky
                                                  : source == "mastodon" ? SourceKind::kMastodon
                                                                         : SourceKind::kX;
                          pipeline_->RememberSeen(kind, id, t);
                        });
  }
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
  if (len > 0 && line[len - 1] == '\r') --len;
  line[len] = '\0';
  std::string_view view(line, len);
  // SSE framing (Mastodon): "event:" names the next "data:", comments are heartbeats.
  if (!view.empty() && view[0] != '{') {
    if (StartsWith(view, "event:")) {
      view.remove_prefix(6);
      while (!view.empty() && view[0] == ' ') view.remove_prefix(1);
      sse_event_.assign(view);
      return;
    }
    if (StartsWith(view, "data:")) {
      size_t skip = 5 + (len > 5 && line[5] == ' ');
      pipeline_->OnRecord(line + skip, len - skip, sse_event_, unterminated);
      return;
    }
    if (view[0] == ':') return;  // SSE comment (":thump" heartbeat)
  }
  if (view.empty()) {
    sse_event_.clear();  // a blank line ends an SSE event (and is an X keep-alive)
    return;
  }
  pipeline_->OnRecord(line, len, {}, unterminated);
  if (options_.speed > 0) Pace();
}

void Replayer::ProcessBuffer(char* data, size_t len, size_t* consumed) {
  // Complete lines end at the last newline; the rest waits for more bytes.
  const char* last_nl = static_cast<const char*>(memrchr(data, '\n', len));
  if (!last_nl) {
    *consumed = 0;
    return;
  }
  const size_t complete = static_cast<size_t>(last_nl - data) + 1;
  size_t pos = 0;
  if (member_prefilter_) {
    Prefilter::Scanner scan(prefilter_, data, complete);
    while (pos < complete) {
      const size_t hit = scan.Next(pos);
      if (hit >= complete) break;
      const char* start = static_cast<const char*>(memrchr(data + pos, '\n', hit - pos));
      const size_t line_start = start ? static_cast<size_t>(start - data) + 1 : pos;
      const size_t line_end = static_cast<size_t>(
          static_cast<const char*>(std::memchr(data + hit, '\n', complete - hit)) - data);
      ProcessLine(data + line_start, line_end - line_start, false);
      pos = line_end + 1;
    }
  } else {
    while (pos < complete) {
      const size_t line_end = static_cast<size_t>(
          static_cast<const char*>(std::memchr(data + pos, '\n', complete - pos)) - data);
      ProcessLine(data + pos, line_end - pos, false);
      pos = line_end + 1;
    }
  }
  *consumed = complete;
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
  sse_event_.clear();
  std::vector<char> buf(std::max<size_t>(options_.read_bytes, 4096) * 2 + 1);
  size_t have = 0;            // bytes in buf not yet consumed
  uint64_t committed = offset;
  uint64_t done = offset;     // input offset of the end of the last consumed line
  bool first_block = true;
  while (true) {
    if (buf.size() - have - 1 < options_.read_bytes) {
      if (buf.size() > kMaxLine) {
        pipeline_->CountError("line_too_long");
        log_->LogLimited(LogLevel::kWarn, "line_too_long", member->name + ": a line over 64 MiB was skipped");
        done += have;
        have = 0;
      } else {
        buf.resize(buf.size() * 2);
      }
    }
    const size_t want = std::min(options_.read_bytes, buf.size() - have - 1);
    const ssize_t r = member->bytes->Read(buf.data() + have, want);
    if (r < 0) {
      *error = member->name + ": " + member->bytes->error();
      Commit(source, done, false, error);
      return false;
    }
    if (first_block && r > 0) {
      // SSE streams need each line's predecessor ("event:"), so they are parsed whole.
      size_t i = 0;
      while (i < static_cast<size_t>(r) && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r')) ++i;
      member_prefilter_ = options_.prefilter && prefilter_.enabled() && (i == static_cast<size_t>(r) || buf[i] == '{');
      first_block = false;
    }
    if (r == 0) break;
    have += static_cast<size_t>(r);
    progress_.bytes += r;
    size_t consumed = 0;
    ProcessBuffer(buf.data(), have, &consumed);
    done += consumed;
    std::memmove(buf.data(), buf.data() + consumed, have - consumed);
    have -= consumed;
    if (done - committed >= options_.commit_bytes) {
      if (Commit(source, done, false, error)) committed = done;
    }
    ReportProgress(false);
  }
  if (have > 0) {
    // A last line with no newline: complete JSON counts, a torn one is counted as such.
    // The cursor stays before it, so a file that grows is read on from there.
    buf[have] = '\0';
    ProcessLine(buf.data(), have, true);
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
  for (int attempt = 1;; ++attempt) {
    try {
      store_->Commit(unsaved_, source, std::to_string(offset), complete);
      unsaved_ = Batch{};
      return true;
    } catch (const std::exception& e) {
      log_->LogLimited(LogLevel::kError, "commit",
                       std::string("cannot write to the database: ") + e.what() +
                           " (counts are kept in memory and retried; free disk space or stop the "
                           "process holding the database lock)");
      // Mid-file, keep reading and retry at the next commit; at the end, retry a few times.
      if (!complete) return false;
      if (attempt >= kCommitAttempts) {
        *error = std::string("giving up writing to the database: ") + e.what() +
                 "; nothing after the last commit was saved, run the same command again to resume";
        return false;
      }
      clock_->SleepForMs(kCommitRetryMs * attempt);
    }
  }
}

bool Replayer::Finish(std::string* error) {
  pipeline_->counter().TakeClosed(true);
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
