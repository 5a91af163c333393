#include "feed/replayer.h"

#include <algorithm>
#include <cstring>

#include "feed/block_reader.h"
#include "feed/line_scan.h"
#include "feed/sse_framer.h"
#include "hashmon/confirmed_time.h"

namespace hashmon {
namespace {

// What an input's resuming or skipping adds about tags it was not read for before: "" for
// none; "; #facebookdown was not watched when its bytes up to there were read, ...".
std::string NotCountedIn(const std::vector<std::string>& tags, const std::string& name) {
  if (tags.empty()) return "";
  std::string list;
  for (size_t k = 0; k < tags.size(); ++k)
    list += std::string(k == 0 ? "" : k + 1 == tags.size() ? " and " : ", ") + "#" + tags[k];
  const bool one = tags.size() == 1;
  return "; " + list + (one ? " was" : " were") +
         " not watched when its bytes up to there were read, so " + (one ? "it is" : "they are") +
         " not counted in them (replay into another --db to count " + (one ? "it" : "them") +
         " in all of " + name + ")";
}

// How far into an input its first post is looked for.
constexpr size_t kFirstPostBytes = 64u << 10;
constexpr int kCommitAttempts = 5;
constexpr int64_t kCommitRetryMs = 1000;
constexpr int64_t kProgressEveryMs = 500;
// A post further than this ahead of its input's confirmed time may have a wrong clock.
constexpr int64_t kMaxInputLeadMs = 3'600'000;

}  // namespace

void MergeBatch(Batch* a, Batch&& b) {
  auto move_all = [](auto* to, auto* from) {
    to->insert(to->end(), std::make_move_iterator(from->begin()),
               std::make_move_iterator(from->end()));
  };
  move_all(&a->deltas, &b.deltas);
  move_all(&a->mentions, &b.mentions);
  move_all(&a->deletes, &b.deletes);
  move_all(&a->detection, &b.detection);
  move_all(&a->gaps, &b.gaps);
  a->watermark = std::max(a->watermark, b.watermark);
}

bool CommitOrKeep(SqliteStore* store, Batch* unsaved, const std::vector<SourceCursor>& cursors,
                  Logger* log, std::string* failure) {
  try {
    store->Commit(*unsaved, cursors);
    *unsaved = Batch{};
    return true;
  } catch (const std::exception& e) {
    *failure = e.what();
    log->LogLimited(
        LogLevel::kError, "commit",
        std::string("cannot write to the database: ") + e.what() +
            " (counts are kept in memory and retried; free disk space or stop the process "
            "holding the database lock)");
    return false;
  }
}

// What an input hands over next: a line, the end of a block's lines (the cursor moves past
// lines the pre-filter skipped), or the end of a member: read to its end (kept), or broken
// off before anything could be read (failed).
struct ReplayItem {
  enum Kind { kLine, kAdvance, kMemberEnd, kMemberFailed } kind;
  char* data = nullptr;
  size_t len = 0;
  bool unterminated = false;
  uint64_t end = 0;  // the member's cursor once this is handed over
};

struct Replayer::Input {
  std::vector<std::string> paths;  // read one after another
  size_t next_path = 0;
  std::unique_ptr<InputFile> file;
  std::unique_ptr<Member> member;  // being read; null between members
  std::unique_ptr<BlockReader> reader;
  std::unique_ptr<BlockReader::Block> block;  // the block `items` point into
  std::vector<ReplayItem> items;
  size_t head = 0;
  std::string carry;                // the partial line at the end of the last block
  bool skipping_long_line = false;  // inside a line over max_line_bytes, until its newline
  std::vector<char> joined;         // for the rare line longer than the headroom
  uint64_t start = 0;               // the member's cursor when it was opened
  uint64_t scanned = 0;             // the member offset after the last complete line read
  uint64_t taken = 0;               // the member offset after the last line handed over
  bool member_prefilter = false;
  bool first_block = true;
  // The member's first bytes, while its first post is looked for (see FirstPostWatch).
  std::string first_bytes;
  bool looking_for_first_post = false;
  bool member_complete = false;
  std::string member_tags;  // the tags its cursor says it was read for (keys, comma-separated)
  std::vector<std::string> errors;
  SseFramer framer;
  // The input's own event time, from the posts handed over, and the next line's post time.
  ConfirmedTime clock;
  int64_t confirmed = INT64_MIN;
  bool head_timed = false;
  int64_t head_event = INT64_MIN;
  int64_t head_key = INT64_MIN;  // the merge's order for it

  bool has_item() const { return head < items.size(); }
  void ReleaseMember() {
    block.reset();
    reader.reset();
    member.reset();
    member_complete = false;
  }
};

Replayer::Replayer(Pipeline* pipeline, SqliteStore* store, Clock* clock, Logger* log,
                   ReplayOptions options)
    : pipeline_(pipeline),
      store_(store),
      clock_(clock),
      log_(log),
      options_(std::move(options)),
      prefilter_(pipeline->watched()),
      first_post_(pipeline) {
  start_ms_ = clock_->MonotonicMs();
  if (options_.speed > 0) options_.prefilter = false;
  if (store_) store_->RestorePipeline(pipeline_, log_);  // inspect has no store: decode only
}

Replayer::~Replayer() = default;

bool Replayer::ReplayPath(const std::string& path, std::string* error) {
  return ReplayInputs({{path}}, error);
}

bool Replayer::ReplayInputs(const std::vector<std::vector<std::string>>& inputs,
                            std::string* error) {
  size_t next = 0;
  std::vector<std::string> errors;
  auto open_more = [&] {
    while (inputs_.size() < kMaxOpenInputs && next < inputs.size()) {
      inputs_.push_back(std::make_unique<Input>());
      inputs_.back()->paths = inputs[next++];
    }
  };
  open_more();
  while (!inputs_.empty()) {
    // The input whose next post is the oldest goes first (ties: the one named first), so
    // that posts reach the pipeline in the order they would have come in live.
    Input* pick = nullptr;
    int64_t oldest = INT64_MAX;
    for (size_t i = 0; i < inputs_.size();) {
      Input* in = inputs_[i].get();
      if (!Fill(in)) {
        errors.insert(errors.end(), in->errors.begin(), in->errors.end());
        inputs_.erase(inputs_.begin() + static_cast<std::ptrdiff_t>(i));
        open_more();
        continue;
      }
      const int64_t t = inputs_.size() == 1 ? INT64_MIN : HeadTime(in);
      if (pick == nullptr || t < oldest) pick = in, oldest = t;
      ++i;
    }
    if (pick != nullptr) Take(pick);
  }
  for (const auto& e : errors) *error += (error->empty() ? "" : "; ") + e;
  return errors.empty();
}

bool Replayer::Fill(Input* in) {
  while (!in->has_item()) {
    in->items.clear();
    in->head = 0;
    if (!in->member) {
      if (!OpenMember(in)) return false;
      continue;
    }
    if (uncommitted_bytes_ >= options_.commit_bytes) {
      std::string ignored;  // mid-file, a failed commit is retried at the next one
      CommitAll(&ignored, false);
    }
    ReadBlock(in);
  }
  return true;
}

bool Replayer::OpenMember(Input* in) {
  while (true) {
    if (!in->file) {
      if (in->next_path == in->paths.size()) return false;
      std::string error;
      in->file = InputFile::Open(in->paths[in->next_path++], &error);
      if (!in->file) in->errors.push_back(error);
      continue;
    }
    std::string error;
    auto member = in->file->Next(&error);
    if (!member) {
      if (!error.empty()) in->errors.push_back(error);
      in->file.reset();
      continue;
    }
    uint64_t offset = 0;
    const std::string& source = member->identity;
    in->member_tags = JoinTagKeys(pipeline_->watched().keys());
    if (store_ && !source.empty()) {
      if (auto cp = store_->LoadCheckpoint(source)) {
        offset = std::stoull(cp->cursor);
        const bool done = cp->complete && member->name.find(':') != std::string::npos;
        const std::string unread =
            NotCountedIn(TagsNotReadFor(*cp, &in->member_tags), member->name);
        if (!done && offset > 0)
          log_->Info("resuming " + member->name + " at byte " + std::to_string(offset) + unread);
        if (done || (offset > 0 && !member->bytes->Skip(offset))) {
          log_->Info("skipping " + member->name + ": already replayed into this database" + unread);
          ++skipped_members_;
          continue;
        }
      }
    }
    in->member = std::move(member);
    in->start = in->scanned = in->taken = offset;
    in->carry.clear();
    in->skipping_long_line = false;
    in->framer.Reset();
    in->first_block = true;
    // Reading runs ahead on its own thread; lines are split and parsed here, in order.
    in->reader = std::make_unique<BlockReader>(
        in->member->bytes.get(), std::max<size_t>(options_.read_bytes, 64), options_.headroom_bytes,
        options_.prefilter ? &prefilter_ : nullptr, options_.scan_in_reader_always);
    return true;
  }
}

void Replayer::ReadBlock(Input* in) {
  if (in->block) in->reader->Recycle(std::move(in->block));
  in->block = in->reader->Next();
  BlockReader::Block* b = in->block.get();
  if (in->first_block) BeginMember(in, *b);
  if (in->looking_for_first_post)
    LookForFirstPost(in, std::string_view(b->data(), b->size), b->eof);
  progress_.bytes += static_cast<int64_t>(b->size);
  const size_t skipped = SkipRestOfLongLine(in, *b);
  const char* rest = b->data() + skipped;
  if (!in->skipping_long_line && !std::memchr(rest, '\n', b->size - skipped)) {
    // No line ends in the block: it only lengthens the line carried. Appended, not joined
    // and carried anew, so a long line read in small blocks costs linear time, not
    // quadratic (a 3 KB compressed fuzz input, one long line read 64 bytes at a time, took
    // a minute).
    in->carry.append(rest, b->size - skipped);
  } else {
    const Text text = JoinCarry(in, b, skipped);
    const size_t consumed = SplitLines(in, *b, text, skipped);
    in->scanned += consumed;
    in->carry.assign(text.data + consumed, text.len - consumed);
  }
  if (in->carry.size() > options_.max_line_bytes) {
    SkipLongLine(in);
    in->scanned += in->carry.size();
    in->carry.clear();
    in->skipping_long_line = true;
  }
  in->items.push_back({ReplayItem::kAdvance, nullptr, 0, false, in->scanned});
  EndBlock(in, *b);
}

void Replayer::BeginMember(Input* in, const BlockReader::Block& b) {
  // SSE streams need each line's predecessor ("event:"), so they are parsed whole.
  const std::string_view head(b.data(), std::min<size_t>(b.size, 3));
  size_t i = head == kUtf8ByteOrderMark ? kUtf8ByteOrderMark.size() : 0;
  while (i < b.size && (b.data()[i] == ' ' || b.data()[i] == '\n' || b.data()[i] == '\r')) ++i;
  in->member_prefilter =
      options_.prefilter && prefilter_.enabled() && (i == b.size || b.data()[i] == '{');
  if (in->scanned == 0 && b.size >= 2 &&
      (std::memcmp(b.data(), "\xFF\xFE", 2) == 0 || std::memcmp(b.data(), "\xFE\xFF", 2) == 0)) {
    log_->Warn(in->member->name +
               " is UTF-16 text: replay reads UTF-8 JSON lines; convert it with iconv -f UTF-16 "
               "-t UTF-8 FILE > FILE.jsonl and replay that");
  }
  if (i < b.size && b.data()[i] == '[' && in->scanned == 0) {  // an export of one JSON array
    log_->Warn(in->member->name +
               " is one JSON array, not a record a line: replay reads JSON lines; convert it "
               "with jq -c '.[]' FILE > FILE.jsonl and replay that");
  }
  in->first_block = false;
  // Before any minute has closed, an input read from its start tells when it began.
  in->looking_for_first_post = in->start == 0 && pipeline_->tracker().closed_through() == INT64_MIN;
  in->first_bytes.clear();
}

size_t Replayer::SkipRestOfLongLine(Input* in, const BlockReader::Block& b) {
  if (!in->skipping_long_line) return 0;
  const char* nl = static_cast<const char*>(std::memchr(b.data(), '\n', b.size));
  const size_t skipped = nl ? static_cast<size_t>(nl - b.data()) + 1 : b.size;
  in->skipping_long_line = nl == nullptr;
  in->scanned += skipped;
  return skipped;
}

Replayer::Text Replayer::JoinCarry(Input* in, BlockReader::Block* b, size_t skipped) {
  const std::string& carry = in->carry;
  const size_t len = carry.size() + b->size - skipped;
  if (skipped > 0) return {b->data() + skipped, len};  // carry is empty while skipping
  if (carry.size() <= b->headroom) {
    // The block has room before its first byte: the carried bytes go there, uncopied after.
    char* data = b->data() - carry.size();
    std::memcpy(data, carry.data(), carry.size());
    return {data, len};
  }
  in->joined.resize(len + 1);
  std::memcpy(in->joined.data(), carry.data(), carry.size());
  std::memcpy(in->joined.data() + carry.size(), b->data(), b->size);
  return {in->joined.data(), len};
}

size_t Replayer::SplitLines(Input* in, const BlockReader::Block& b, Text text, size_t skipped) {
  // The lines point into the block (or `joined`), which lives until the next ReadBlock.
  char* const data = text.data;
  const size_t len = text.len;
  const size_t carried = in->carry.size();
  const uint64_t base = in->scanned;
  auto add_line = [&](char* line, size_t n) {
    if (n > options_.max_line_bytes) {  // as one that spans blocks, whatever the read size
      SkipLongLine(in);
      return;
    }
    in->items.push_back(
        {ReplayItem::kLine, line, n, false, base + static_cast<uint64_t>(line + n + 1 - data)});
  };
  if (!in->member_prefilter || !b.scanned) {
    return ScanLines(data, len, in->member_prefilter ? &prefilter_ : nullptr, add_line);
  }
  // The reader scanned the block (and the bytes just before it); the partial line carried
  // from the last block is scanned here whole, as it may hold a match from before those
  // bytes.
  candidates_.clear();
  prefilter_.FindPerLine(data, carried, -static_cast<int64_t>(carried), &candidates_);
  const size_t from_carry = candidates_.size();
  candidates_.insert(candidates_.end(), b.candidates.begin(), b.candidates.end());
  std::inplace_merge(candidates_.begin(),
                     candidates_.begin() + static_cast<std::ptrdiff_t>(from_carry),
                     candidates_.end());
  // The block's candidates count from its start: `skipped` bytes before `data`.
  const int64_t origin = static_cast<int64_t>(carried) - static_cast<int64_t>(skipped);
  return ScanCandidateLines(data, len, candidates_, origin, add_line);
}

void Replayer::EndBlock(Input* in, const BlockReader::Block& b) {
  const std::string& name = in->member->name;
  if (!b.error.empty()) {
    if (in->scanned > in->start || progress_.bytes > 0) {
      // A file that breaks off (a recording torn by a crash) keeps what came before.
      pipeline_->CountError("truncated_file");
      log_->LogLimited(
          LogLevel::kWarn, "truncated_file",
          name + " ends in a damaged or torn part (" + b.error + "); the rest is kept");
      in->items.push_back({ReplayItem::kMemberEnd, nullptr, 0, false, in->scanned});
    } else {
      in->errors.push_back(name + ": " + b.error);
      in->items.push_back({ReplayItem::kMemberFailed, nullptr, 0, false, in->scanned});
    }
    return;
  }
  if (b.eof) {
    // A last line with no newline: complete JSON counts, a torn one is counted as such.
    // The cursor stays before it, so a file that grows is read on from there.
    if (!in->carry.empty())
      in->items.push_back(
          {ReplayItem::kLine, in->carry.data(), in->carry.size(), true, in->scanned});
    in->items.push_back({ReplayItem::kMemberEnd, nullptr, 0, false, in->scanned});
  }
  ReportProgress(false);
}

void Replayer::SkipLongLine(Input* in) {
  pipeline_->CountError("line_too_long");
  log_->LogLimited(LogLevel::kWarn, "line_too_long",
                   in->member->name + ": a line over " +
                       std::to_string(options_.max_line_bytes >> 20) + " MiB was skipped");
}

void Replayer::LookForFirstPost(Input* in, std::string_view bytes, bool eof) {
  // Its lines may span blocks (small reads): the bytes so far are looked at whole, before
  // any of their lines is handed over.
  in->first_bytes.append(bytes.substr(0, kFirstPostBytes - in->first_bytes.size()));
  first_post_.Rearm();
  first_post_.SeeLines(in->first_bytes);
  if (first_post_.done() || in->first_bytes.size() >= kFirstPostBytes || eof) {
    in->looking_for_first_post = false;
    std::string().swap(in->first_bytes);
  }
}

int64_t Replayer::PostTime(Input* in, const ReplayItem& item) {
  std::string_view line(item.data, item.len), event;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.substr(0, 5) == "data:") {
    line.remove_prefix(line.size() > 5 && line[5] == ' ' ? 6 : 5);
    event = in->framer.event();
  }
  if (line.empty() || line[0] != '{') return INT64_MIN;
  Record r = time_decoder_.DecodeCopy(line, event);
  return r.kind == RecordKind::kPost ? r.post.created_at : INT64_MIN;
}

int64_t Replayer::HeadTime(Input* in) {
  const ReplayItem& item = in->items[in->head];
  if (item.kind != ReplayItem::kLine) return in->confirmed;
  if (!in->head_timed) {
    in->head_timed = true;
    in->head_event = PostTime(in, item);
    in->head_key = INT64_MIN;
  }
  if (in->head_event == INT64_MIN) return in->confirmed;
  if (in->head_key == INT64_MIN) {
    // A post goes in its own time order, unless its input's time says its clock is wrong:
    // then in the order of its input's confirmed time, so that one post stamped years
    // ahead holds no input back.
    ConfirmedTime after = in->clock;
    in->head_key = in->confirmed != INT64_MIN && in->head_event <= in->confirmed + kMaxInputLeadMs
                       ? in->head_event
                       : after.See(in->head_event);
    if (in->head_key == INT64_MIN) {
      // An input's first post, or the next ones read with it if they are older: then its
      // clock was wrong (a post stamped years ahead must not hold its input back).
      in->head_key = in->head_event;
      int looked = 0;
      for (size_t i = in->head + 1; i < in->items.size() && looked < 2; ++i) {
        if (in->items[i].kind != ReplayItem::kLine) continue;
        const int64_t next = PostTime(in, in->items[i]);
        if (next == INT64_MIN) continue;
        in->head_key = std::min(in->head_key, next);
        ++looked;
      }
    }
  }
  return in->head_key;
}

void Replayer::Take(Input* in) {
  ReplayItem& item = in->items[in->head++];
  uncommitted_bytes_ += item.end - in->taken;
  in->taken = item.end;
  switch (item.kind) {
    case ReplayItem::kLine:
      if (in->head_timed && in->head_event != INT64_MIN)
        in->confirmed = in->clock.See(in->head_event);
      in->head_timed = false;
      if (in->framer.OnLine(item.data, item.len, item.unterminated, pipeline_) &&
          options_.speed > 0)
        Pace();
      break;
    case ReplayItem::kAdvance:
      break;
    case ReplayItem::kMemberEnd: {
      ReportProgress(true);
      in->member_complete = true;
      std::string error;
      if (!CommitAll(&error, true)) in->errors.push_back(error);
      in->ReleaseMember();
      break;
    }
    case ReplayItem::kMemberFailed: {
      std::string ignored;  // the failure is reported; what came before is kept if it can be
      CommitAll(&ignored, false);
      in->ReleaseMember();
      in->file.reset();  // the rest of an archive that cannot be read is not tried
      break;
    }
  }
}

std::vector<std::string> Replayer::TagsNotReadFor(const Checkpoint& read_before,
                                                  std::string* read_for) {
  std::vector<std::string> before;
  if (read_before.tags) {
    before = SplitTagKeys(*read_before.tags);
  } else {
    if (!tags_counted_) tags_counted_ = store_->Tags();
    before = *tags_counted_;
    if (before.empty()) return {};  // nothing says what it was read for
  }
  std::vector<std::string> not_read_for, both;
  for (const std::string& tag : pipeline_->watched().keys())
    (std::find(before.begin(), before.end(), tag) == before.end() ? not_read_for : both)
        .push_back(tag);
  *read_for = JoinTagKeys(both);
  return not_read_for;
}

bool Replayer::CommitAll(std::string* error, bool final_attempts) {
  MergeBatch(&unsaved_, pipeline_->TakeBatch());
  if (!store_) {
    unsaved_ = Batch{};
    uncommitted_bytes_ = 0;
    return true;
  }
  std::vector<SourceCursor> cursors;
  for (const auto& in : inputs_) {
    if (in->member && !in->member->identity.empty())
      cursors.push_back(
          {in->member->identity, std::to_string(in->taken), in->member_complete, in->member->name,
           0,
           // What it was read for changes only once this run has read some of it.
           in->taken > in->start ? std::optional<std::string>(in->member_tags) : std::nullopt});
  }
  std::string failure;
  for (int attempt = 1;; ++attempt) {
    if (CommitOrKeep(store_, &unsaved_, cursors, log_, &failure)) {
      uncommitted_bytes_ = 0;
      return true;
    }
    // Mid-file, keep reading and retry at the next commit; at the end, retry a few times.
    if (!final_attempts) return false;
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
  return CommitAll(error, true);
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
  const int64_t target =
      pace_wall_start_ + static_cast<int64_t>((event - pace_event_start_) / options_.speed);
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
