#include "hashmon/pipeline.h"

#include <algorithm>

#include "hashmon/hashtag_extractor.h"
#include "hashmon/time_util.h"

namespace hashmon {

int64_t PipelineStats::error_total() const {
  int64_t n = 0;
  for (const auto& [reason, count] : errors) n += count;
  return n;
}

Pipeline::Pipeline(PipelineConfig config, const CountryLocator* locator)
    : config_(std::move(config)),
      locator_(locator),
      watched_(config_.tags),
      dedup_(config_.dedup_window_ms, config_.dedup_max_keys),
      counter_(config_.allowed_lateness_ms),
      tracker_(config_.tracker) {
  tracker_.set_open_counts(
      [this](const std::string& tag, const std::string& country, int64_t minute) {
        return country == kTagTotal ? counter_.OpenTagCount(tag, minute)
                                    : counter_.OpenCount(tag, country, minute);
      });
}

void Pipeline::OnRecord(char* text, size_t len, std::string_view sse_event, bool unterminated) {
  ++stats_.records;
  // The decoder parses in place; keep a copy of a rejected record's start for the log.
  const std::string_view original(text, std::min<size_t>(len, 200));
  std::string head = error_hook_ ? std::string(original) : std::string();
  Record r = decoder_.Decode(text, len, sse_event);
  switch (r.kind) {
    case RecordKind::kPost:
      OnPost(r.post);
      break;
    case RecordKind::kDelete:
      ++stats_.deletes;
      pending_.deletes.push_back({r.post.source, std::move(r.post.id)});
      break;
    case RecordKind::kNotice:
      ++stats_.notices[r.reason];
      break;
    case RecordKind::kIgnored:
      ++stats_.ignored[r.reason];
      break;
    case RecordKind::kError:
      if (unterminated && std::string_view(r.reason) == "malformed_json")
        r.reason = "truncated_last_line";
      ++stats_.errors[r.reason];
      if (error_hook_) error_hook_(r.reason, head);
      break;
  }
}

std::vector<int> Pipeline::MatchTags(const Post& post) const {
  std::vector<int> found;
  auto consider = [&](std::string_view tag) {
    const int i = watched_.Find(tag);
    if (i >= 0 && std::find(found.begin(), found.end(), i) == found.end()) found.push_back(i);
  };
  for (const auto& t : post.hashtags) consider(t);
  if (post.extract_from_text || !post.has_structured_tags) {
    for (const auto& m : ExtractHashtags(post.text)) consider(m.tag);
  }
  return found;
}

void Pipeline::OnPost(const Post& post) {
  ++stats_.posts;
  stats_.newest_event_ms = std::max(stats_.newest_event_ms, post.created_at);
  const std::vector<int> tags = MatchTags(post);
  if (post_hook_) post_hook_(post, tags);
  if (tags.empty()) return;
  if (!dedup_.Insert(post.source, post.id, post.created_at)) {
    ++stats_.duplicates;
    return;
  }
  const Attribution where = locator_->Locate(post.evidence);
  const int64_t minute = MinuteOf(post.created_at);
  const bool ahead = config_.live_clock &&
                     post.created_at > config_.live_clock->NowMs() + config_.max_clock_lead_ms;
  for (int i : tags) {
    const std::string& tag = watched_.key(static_cast<size_t>(i));
    ++stats_.mentions;
    ++stats_.mentions_by_country[where.country];
    counter_.Add(tag, where.country, where.method, post.created_at, ahead);
    pending_.mentions.push_back(
        {post.source, post.id, post.created_at, tag, where.country, where.method, {}});
    if (!ahead && config_.detect) {
      tracker_.OnMention(tag, where.country, minute, counter_.OpenCount(tag, where.country, minute),
                         std::max(post.created_at, counter_.watermark()), post.source, post.id,
                         post.text);
    }
  }
  if (ahead) {  // moves no time on
    TakeUndetectedCounts();
    return;
  }
  // Mentions drive the watermark, so a pre-filter that skips posts without a watched tag
  // closes minutes exactly when a full parse would.
  counter_.Observe(post.created_at);
  CloseMinutes(false);
}

void Pipeline::CloseMinutes(bool flush_all) {
  std::vector<ClosedMinute> closed = counter_.TakeClosed(flush_all);
  TakeUndetectedCounts();
  if (!config_.detect) return;
  int64_t through = counter_.watermark() == INT64_MIN
                        ? INT64_MIN
                        : MinuteOf(counter_.watermark()) - kMillisPerMinute;
  std::map<std::tuple<int64_t, std::string, std::string>, int64_t> counts;
  for (auto& c : closed) {
    through = std::max(through, c.minute);
    counts[{c.minute, std::move(c.tag), std::move(c.country)}] += c.count;
  }
  if (through == INT64_MIN || (through <= tracker_.closed_through() && counts.empty())) return;
  tracker_.CloseThrough(through, counts);
}

void Pipeline::TakeUndetectedCounts() {
  stats_.late_mentions = counter_.late_posts();
  stats_.last_late_lag_ms = counter_.last_late_lag_ms();
  stats_.max_late_lag_ms = counter_.max_late_lag_ms();
  stats_.ahead_mentions = counter_.ahead_posts();
}

void Pipeline::Flush() { CloseMinutes(true); }

void Pipeline::AddGap(GapRecord gap) {
  // Detection skips the minutes where posts may be missing.
  if (config_.detect) tracker_.MarkGapWithin(gap.PostsMissingFrom(), gap.to_ms);
  pending_.gaps.push_back(std::move(gap));
}

void Pipeline::RememberSeen(SourceKind source, const std::string& id, int64_t event_ms) {
  dedup_.Insert(source, id, event_ms);
}

Batch Pipeline::TakeBatch() {
  Batch b = std::move(pending_);
  pending_ = Batch{};
  b.deltas = counter_.TakeDeltas();
  b.watermark = counter_.watermark();
  if (config_.detect) {
    TrackerChanges changes = tracker_.TakeChanges();
    stats_.withdrawn_alerts += static_cast<int64_t>(changes.withdrawn.size());
    if (!changes.empty() || changes.closed_through != INT64_MIN ||
        changes.watching_since != INT64_MIN)
      b.detection.push_back(std::move(changes));
  }
  return b;
}

}  // namespace hashmon
