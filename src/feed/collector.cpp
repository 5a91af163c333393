#include "feed/collector.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>

#include "feed/line_scan.h"
#include "feed/replayer.h"
#include "feed/streaming_host.h"
#include "feed/url_text.h"
#include "feed/ws_stream.h"
#include "hashmon/bounded_json.h"
#include "hashmon/terminal_text.h"
#include "hashmon/time_util.h"

namespace hashmon {
namespace {

// The name a source's cursor and gaps are kept under.
std::string SourceName(const CollectOptions& options, const std::string& url) {
  switch (options.protocol) {
    case StreamProtocol::kNdjson:
      return "http:" + url;
    case StreamProtocol::kSse:
      return "sse:" + url;
    // Jetstream cursors are times, valid on every instance: switching hosts resumes too.
    case StreamProtocol::kJetstream:
      return "jetstream";
    // Several hashtags on one socket: one source, whatever the URL's first tag.
    case StreamProtocol::kMastodonWs:
      return "mastodon-ws:" +
             (options.mastodon_tags.size() > 1 ? url.substr(0, url.find('?')) : url);
  }
  return url;
}

// Late mentions are reported at most this often per source, with what came since.
constexpr int64_t kLateWarningEveryMs = 10 * 60'000;
// Lateness is worth raising for a source some minutes behind, not for one a day behind.
constexpr int64_t kMaxSuggestedLatenessMs = 15 * 60'000;

// Adds to *tally the mentions the pipeline found late while it lives, so that each source
// sharing the pipeline knows how many of its own posts came too late for detection.
class LateTally {
 public:
  LateTally(const Pipeline* pipeline, int64_t* tally, int64_t* max_lag_ms)
      : pipeline_(pipeline),
        tally_(tally),
        max_lag_ms_(max_lag_ms),
        before_(pipeline->stats().late_mentions) {}
  ~LateTally() {
    const PipelineStats& s = pipeline_->stats();
    if (s.late_mentions == before_) return;
    *tally_ += s.late_mentions - before_;
    *max_lag_ms_ = std::max(*max_lag_ms_, s.last_late_lag_ms);
  }
  LateTally(const LateTally&) = delete;
  LateTally& operator=(const LateTally&) = delete;

 private:
  const Pipeline* pipeline_;
  int64_t* tally_;
  int64_t* max_lag_ms_;
  int64_t before_;
};

constexpr size_t kMaxLine = 16u << 20;
constexpr int64_t kMaxCommitIntervalMs = 30'000;
// A stopping collector's retries of its last commit: the first a second after the failure,
// then twice as long each time, up to this.
constexpr int64_t kMaxExitRetryMs = 10'000;

// What a batch that could not be saved holds, for the user: "12 mentions (posted from
// 2016-01-19T08:15:00Z to the minute of 2016-01-19T08:17:00Z) and the detector's changes
// since the last commit".
std::string DescribeUnsaved(const Batch& batch) {
  int64_t mentions = 0;
  int64_t first = INT64_MAX;
  int64_t last = INT64_MIN;
  for (const BucketDelta& d : batch.deltas) {
    mentions += d.count;
    first = std::min(first, d.minute);
    last = std::max(last, d.minute);
  }
  std::string text = std::to_string(mentions) + (mentions == 1 ? " mention" : " mentions");
  if (mentions > 0)
    text +=
        " (posted from " + FormatIsoTime(first) + " to the minute of " + FormatIsoTime(last) + ")";
  if (!batch.detection.empty()) text += " and the detector's changes since the last commit";
  return text;
}

std::string Seconds(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", ms / 1000.0);
  return buf;
}

// A string member of what a server said, for the log: its first 300 bytes, made safe for
// a terminal ("" when there is none).
std::string SaidText(const rapidjson::Value& said, const char* key) {
  auto m = said.FindMember(key);
  if (m == said.MemberEnd() || !m->value.IsString()) return "";
  return TerminalSafe(
      std::string_view(m->value.GetString(), std::min<size_t>(m->value.GetStringLength(), 300)));
}

// What a Jetstream v2 server tells its client, as one line for the log: an #info message
// (OutdatedCursor: it could not go back as far as asked, so posts in between are missing)
// or an error frame, which it closes the connection after. Empty for anything else.
std::string JetstreamV2NoticeOf(std::string_view message) {
  // Every frame names its kind first ($type, then the payload's $type), so the head of the
  // message says whether to parse it: a post's message is not scanned again. Inside a JSON
  // string a quote is escaped, so "error" unescaped is a key or a whole value.
  const std::string_view head = message.substr(0, 128);
  if (message.size() > 4096 || (head.find("subscribeEvents#info\"") == std::string_view::npos &&
                                head.find("\"error\"") == std::string_view::npos))
    return {};
  rapidjson::Document doc;
  if (ParseJson(&doc, message.data(), message.size()) != JsonParse::kOk || !doc.IsObject())
    return {};
  auto type = doc.FindMember("$type");
  const bool error = type != doc.MemberEnd() && type->value == "error";
  const rapidjson::Value* said = &doc;
  if (!error) {
    auto payload = doc.FindMember("payload");
    if (payload == doc.MemberEnd() || !payload->value.IsObject()) return {};
    auto payload_type = payload->value.FindMember("$type");
    if (payload_type == payload->value.MemberEnd() ||
        payload_type->value != "network.bsky.jetstream.subscribeEvents#info")
      return {};
    said = &payload->value;
  }
  const std::string name = SaidText(*said, error ? "error" : "name");
  const std::string detail = SaidText(*said, "message");
  return (error ? "the server ends the stream: " : "the server says: ") + name +
         (detail.empty() ? "" : " (" + detail + ")");
}

// What an X stream says in a line of its own before it closes the connection, as one line
// for the log: {"errors":[{"title":"operational-disconnect","detail":...}]}, or the
// ConnectionException of too many connections (feeds.md). Such a line carries no tag, so
// the pre-filter never hands it to the parser. Empty for anything else.
std::string XStreamNoticeOf(std::string_view line) {
  if (line.size() > 4096 || line.substr(0, 9) != R"({"errors")") return {};
  rapidjson::Document doc;
  if (ParseJson(&doc, line.data(), line.size()) != JsonParse::kOk || !doc.IsObject()) return {};
  auto errors = doc.FindMember("errors");
  if (errors == doc.MemberEnd() || !errors->value.IsArray() || errors->value.Empty() ||
      !errors->value[0].IsObject())
    return {};
  const rapidjson::Value& said = errors->value[0];
  const std::string title = SaidText(said, "title"), detail = SaidText(said, "detail");
  if (title.empty() && detail.empty()) return {};
  return "the server says: " + title + (detail.empty() ? "" : " (" + detail + ")");
}

// Jetstream: the first event of a resumed connection this long after its cursor says
// the server no longer had the cursor's time.
constexpr int64_t kServerBeganLaterUs = 10 * 60'000'000LL;

constexpr int kGapFillPageSize = 40;  // Mastodon's most statuses a page
constexpr int kGapFillPages = 25;     // 1,000 statuses a hashtag at most per reconnect

}  // namespace

std::optional<StreamProtocol> ParseStreamProtocol(const std::string& name) {
  if (name == "ndjson" || name == "x-v2") return StreamProtocol::kNdjson;
  if (name == "sse" || name == "mastodon-sse") return StreamProtocol::kSse;
  if (name == "jetstream") return StreamProtocol::kJetstream;
  if (name == "mastodon-ws") return StreamProtocol::kMastodonWs;
  return std::nullopt;
}

Collector::Collector(Pipeline* pipeline, SqliteStore* store, Clock* clock, Logger* log,
                     CollectOptions options)
    : pipeline_(pipeline),
      store_(store),
      clock_(clock),
      log_(log),
      options_(std::move(options)),
      prefilter_(pipeline->watched()),
      first_post_(pipeline),
      commit_interval_ms_(options_.commit_every_ms) {
  // The source's name in the history (and so in the API) holds no credential; a history
  // from before 2026-12 may name it with one, and is renamed.
  source_ = SourceName(options_, UrlWithoutSecrets(options_.url));
  const std::string named_with_secrets = SourceName(options_, options_.url);
  if (named_with_secrets != source_) store_->RenameSource(named_with_secrets, source_);
  if (auto cp = store_->LoadCheckpoint(source_)) {
    resumed_ = true;
    // A live source's minutes between the last run's last commit and this run's first
    // connection were not watched: they are a gap, not silence (nor an outage's end).
    if (!options_.until_eof) stopped_at_ms_ = cp->updated_ms;
    if (!options_.resume_param.empty() || options_.protocol == StreamProtocol::kJetstream) {
      const char* end = cp->cursor.data() + cp->cursor.size();
      const auto [stop, ec] = std::from_chars(cp->cursor.data(), end, cursor_);
      if (ec != std::errc() || stop != end) {
        cursor_ = 0;
        resumed_ = false;
        log_->Warn(DisplayName() + ": the saved cursor \"" + cp->cursor.substr(0, 40) +
                   "\" is not a number (a damaged row in checkpoints): collecting from the "
                   "stream's start or live end, not from where the last run stopped");
      }
    } else if (!options_.gap_fill_url.empty()) {
      KeepNewerStatusId(cp->cursor);  // a restart fills the gap since the last run too
    }
  } else if (options_.protocol == StreamProtocol::kMastodonWs &&
             options_.mastodon_tags.size() > 1 && !options_.gap_fill_url.empty()) {
    RestoreFromSocketPerTag();
  }
  if (options_.restore_pipeline)
    store_->RestorePipeline(pipeline_, log_);  // dedup and detection go on where they stopped
}

void Collector::Record(std::string_view data, bool lines) {
  if (!options_.recorder) return;
  std::lock_guard<std::mutex> lock(record_mu_);
  std::string error;
  Recorder& r = *options_.recorder;
  if (lines ? r.WriteLines(data, &error) : r.Write(data, &error)) return;
  log_->LogLimited(LogLevel::kError, "record:" + source_,
                   DisplayName() + ": " + error + ": " + std::to_string(r.lost()) +
                       " messages missing from it so far; counting goes on, and so does the "
                       "recording as soon as the disk takes it");
}

void Collector::OnBytes(const char* data, size_t len) {
  if (options_.before_chunk) options_.before_chunk();
  Record(std::string_view(data, len), /*lines=*/true);  // before parsing, which writes in place
  auto lock = Lock();
  if (options_.live || options_.backfill_max_minutes > 0) last_data_ms_ = clock_->NowMs();
  stats_.bytes += static_cast<int64_t>(len);
  bytes_received_ += static_cast<int64_t>(len);
  LateTally late(pipeline_, &stats_.late_mentions, &late_lag_ms_);
  if (skipping_long_line_) {  // the rest of a line too long to keep is dropped, not parsed
    const char* nl = static_cast<const char*>(std::memchr(data, '\n', len));
    if (!nl) {
      Commit(false);
      return;
    }
    const size_t skip = static_cast<size_t>(nl - data) + 1;
    data += skip;
    len -= skip;
    ++cursor_;
    skipping_long_line_ = false;
  }
  // A line the last piece cut off is completed from this one; the rest is scanned where
  // it lies (no copy), and only its unfinished last line is kept for the next piece.
  if (!carry_.empty()) {
    const char* nl = static_cast<const char*>(std::memchr(data, '\n', len));
    const size_t take = nl ? static_cast<size_t>(nl - data) + 1 : len;
    carry_.append(data, take);
    data += take;
    len -= take;
    if (nl) {
      ProcessLines(carry_.data(), carry_.size());
      carry_.clear();
    }
  }
  const size_t complete = ProcessLines(data, len);
  carry_.append(data + complete, len - complete);
  if (carry_.size() > kMaxLine) {
    pipeline_->CountError("line_too_long");
    carry_.clear();
    skipping_long_line_ = true;
  }
  Commit(false);
}

size_t Collector::ProcessLines(const char* data, size_t len) {
  // SSE needs every line (an "event:" names the data after it), so no pre-filter there.
  const bool filtered = prefilter_.enabled() && options_.protocol == StreamProtocol::kNdjson;
  first_post_.SeeLines(std::string_view(data, len));
  const size_t complete =
      ScanLines(data, len, filtered ? &prefilter_ : nullptr, [&](const char* line, size_t n) {
        if (n > kMaxLine) {  // as one that spans pieces (see OnBytes), whatever their size
          pipeline_->CountError("line_too_long");
          return;
        }
        if (!options_.gap_fill_url.empty()) NoteStatusId(std::string_view(line, n));
        // The parser writes in place: the few lines the pre-filter passes are copied, not
        // every byte received.
        line_.assign(line, n);
        framer_.OnLine(line_.data(), n, false, pipeline_);
      });
  cursor_ += CountNewlines(data, complete);  // every line, parsed or skipped by the pre-filter
  if (options_.protocol == StreamProtocol::kNdjson) LogWhatTheServerSays(data, complete);
  return complete;
}

void Collector::LogWhatTheServerSays(const char* data, size_t complete) {
  // The server's last words end a piece (it closes the connection next): only the last line
  // is looked at, and only its first bytes unless they are an error object's.
  if (complete < 2) return;
  const size_t end = complete - 1;  // at the line's newline
  const size_t from = end > 4096 ? end - 4096 : 0;
  const void* nl = memrchr(data + from, '\n', end - from);
  const size_t start = nl ? static_cast<size_t>(static_cast<const char*>(nl) - data) + 1 : from;
  if (!nl && from > 0) return;  // a line longer than any notice
  const std::string notice = XStreamNoticeOf(std::string_view(data + start, end - start));
  if (!notice.empty())
    log_->LogLimited(LogLevel::kWarn, "x-notice:" + source_, DisplayName() + ": " + notice);
}

void Collector::NoteStatusId(std::string_view line) {
  if (line.substr(0, 5) != "data:" || framer_.event() != "update") return;
  KeepNewerStatusId(StatusIdOf(line, "\""));
}

void Collector::NoteStatusIdInMessage(std::string_view message) {
  if (message.find("\"event\":\"update\"") == std::string_view::npos) return;
  KeepNewerStatusId(StatusIdOf(message, "\\\""));
}

void Collector::KeepNewerStatusId(const std::string& id) {
  const bool digits =
      !id.empty() && id.size() <= 32 && id.find_first_not_of("0123456789") == std::string::npos;
  if (digits && (last_status_id_.empty() || NewerStatusId(id, last_status_id_)))
    last_status_id_ = id;
}

void Collector::RestoreFromSocketPerTag() {
  // This source is "mastodon-ws:" and the URL without its query; each old one had its tag's.
  for (const std::string& tag : options_.mastodon_tags) {
    const std::string single = source_ + "?stream=hashtag&tag=" + PercentEncoded(tag);
    if (auto cp = store_->LoadCheckpoint(single)) KeepNewerStatusId(cp->cursor);
  }
}

std::optional<int64_t> Collector::FillGap() {
  // Every tag from where the socket stood (filling one moves the newest id on). The tags'
  // statuses are merged in event time before they are counted: one tag's gap, taken
  // whole, would carry the minutes past the others' posts, which would then come too
  // late to be judged, and an outage would seem to end where its posts were only missing.
  const std::string min_id = last_status_id_;
  if (options_.gap_fill_url.empty()) return std::nullopt;
  // No status seen yet, by this run or the last: nothing says where the gap began, so
  // none of it can be filled (a timeline's newest statuses might not reach back to it).
  if (min_id.empty()) return INT64_MIN;
  // A tag filled only in part (the page limit) is whole only up to its newest status: the
  // other tags' later ones would carry the minutes past posts of it that the stream still
  // holds, so they wait for the stream too (they are its posts, or lost with the rest).
  std::vector<FetchedStatus> fetched;
  int64_t whole_until = INT64_MAX;
  bool a_tag_got_nothing = false;  // its timeline failed: its gap is missing whole
  for (const std::string& tag : options_.mastodon_tags) {
    const size_t before = fetched.size();
    if (FetchGapOf(tag, min_id, &fetched)) continue;
    if (fetched.size() == before) {
      a_tag_got_nothing = true;
      continue;
    }
    int64_t newest = INT64_MIN;
    for (size_t i = before; i < fetched.size(); ++i)
      newest = std::max(newest, fetched[i].created_at);
    whole_until = std::min(whole_until, newest);
  }
  std::stable_sort(
      fetched.begin(), fetched.end(),
      [](const FetchedStatus& a, const FetchedStatus& b) { return a.created_at < b.created_at; });
  for (FetchedStatus& status : fetched) {
    if (status.created_at > whole_until) {
      log_->LogLimited(LogLevel::kWarn, "gap-fill-partial",
                       "the gap was longer than gap fill reaches (" +
                           std::to_string(kGapFillPages * kGapFillPageSize) +
                           " statuses a hashtag); posts after " + FormatIsoTime(whole_until) +
                           " from while the stream was down may be missing");
      break;
    }
    Record(status.json, /*lines=*/false);
    auto lock = Lock();
    LateTally late(pipeline_, &stats_.late_mentions, &late_lag_ms_);
    pipeline_->OnRecord(status.json.data(), status.json.size(), "update");
    ++stats_.gap_filled;
  }
  if (a_tag_got_nothing) return INT64_MIN;
  if (whole_until == INT64_MAX) return std::nullopt;
  return whole_until;
}

bool Collector::FetchGapOf(const std::string& tag, std::string min_id,
                           std::vector<FetchedStatus>* fetched) {
  const std::string timeline = options_.gap_fill_url + PercentEncoded(tag);
  for (int page = 0; page < kGapFillPages; ++page) {
    const std::string url =
        WithParam(WithParam(timeline, "limit", std::to_string(kGapFillPageSize)), "min_id", min_id);
    const HttpReply reply = HttpCall("GET", url, options_.headers, "", 30'000);
    if (reply.status != 200) {
      log_->LogLimited(LogLevel::kWarn, "gap-fill",
                       "could not fill the gap from the hashtag timeline (" +
                           (reply.status ? "HTTP " + std::to_string(reply.status) : reply.error) +
                           "); posts from while the stream was down may be missing");
      return false;
    }
    rapidjson::Document doc;
    // A hostile server's statuses are nested no deeper than the bound, so writing them
    // back out (Accept recurses too) stays shallow.
    if (ParseJson(&doc, reply.body.data(), reply.body.size()) != JsonParse::kOk || !doc.IsArray())
      return false;
    if (doc.Empty()) return true;
    std::string newest = min_id;
    rapidjson::StringBuffer sb;
    for (const auto& status : doc.GetArray()) {
      if (!status.IsObject() || !status.HasMember("id") || !status["id"].IsString()) continue;
      const std::string id = status["id"].GetString();
      if (NewerStatusId(id, newest)) newest = id;
      KeepNewerStatusId(id);
      sb.Clear();
      rapidjson::Writer<rapidjson::StringBuffer> w(sb);
      status.Accept(w);
      // (A status without a readable time sorts first; the decoder then rejects it.)
      const auto* created = status.HasMember("created_at") && status["created_at"].IsString()
                                ? status["created_at"].GetString()
                                : "";
      fetched->push_back(
          {ParseIsoTime(created).value_or(INT64_MIN), std::string(sb.GetString(), sb.GetSize())});
    }
    if (newest == min_id) return true;
    min_id = newest;
  }
  return false;  // the page limit
}

void Collector::DiscoverStreamingHost() {
  if (options_.streaming_discovery_url.empty() || streaming_host_known_) return;
  const StreamingHostAnswer answer =
      AskStreamingHost(options_.streaming_discovery_url, options_.url, options_.headers);
  streaming_host_known_ = answer.answered;
  const std::string name = DisplayName();
  if (answer.url) {
    log_->Info(name + ": the server's streaming API is at " + *answer.url + " (its redirect)");
    options_.url = *answer.url;
  } else if (!answer.refused.empty()) {
    log_->Warn(name + ": ignored a redirect of the streaming API to \"" + answer.refused +
               "\" (no host, or not TLS)");
  }
}

void Collector::OnMessage(char* data, size_t len) {
  if (options_.before_chunk) options_.before_chunk();
  const size_t wire_bytes = len;
  if (zstd_ && IsZstdFrame(data, len)) {
    if (!Inflate(data, len)) return;
    data = inflated_.data();
    len = inflated_.size();
  }
  Record(std::string_view(data, len), /*lines=*/false);  // recordings hold the JSON
  auto lock = Lock();
  if (options_.live || options_.backfill_max_minutes > 0) last_data_ms_ = clock_->NowMs();
  stats_.bytes += static_cast<int64_t>(wire_bytes);
  bytes_received_ += static_cast<int64_t>(wire_bytes);
  if (options_.protocol == StreamProtocol::kJetstream) {
    // Jetstream's time_us is not monotonic (reordering at the replay/live cutover); the
    // newest one plus the rewind on reconnect covers what came out of order.
    const int64_t event_us = JetstreamTimeUs(std::string_view(data, len));
    if (resuming_from_us_ != 0 && event_us > 0) CheckResumedFrom(event_us);
    cursor_ = std::max(cursor_, event_us);
    if (const std::string notice =
            jetstream_v2_ ? JetstreamV2NoticeOf(std::string_view(data, len)) : std::string();
        !notice.empty())
      log_->LogLimited(LogLevel::kWarn, "jetstream-notice:" + source_,
                       DisplayName() + ": " + notice);
  } else if (options_.protocol == StreamProtocol::kMastodonWs) {
    if (!options_.gap_fill_url.empty()) NoteStatusIdInMessage(std::string_view(data, len));
    const std::string refusal = MastodonErrorOf(std::string_view(data, len));
    if (!refusal.empty()) {
      log_->LogLimited(LogLevel::kWarn, "mastodon-error",
                       DisplayName() + ": the server says \"" + refusal +
                           "\" (a hashtag it will not stream, or a token without read:statuses)");
    }
  }
  first_post_.See(std::string_view(data, len));
  if (!prefilter_.enabled() || prefilter_.FindCandidate(data, len) < len) {
    LateTally late(pipeline_, &stats_.late_mentions, &late_lag_ms_);
    pipeline_->OnRecord(data, len);
  }
  Commit(false);
}

bool Collector::Inflate(const char* data, size_t len) {
  std::string why;
  if (zstd_->Decompress(data, len, &inflated_, &why)) return true;
  auto lock = Lock();
  pipeline_->CountError("undecompressable_message");
  log_->LogLimited(LogLevel::kWarn, "zstd:" + source_,
                   DisplayName() + ": a compressed message could not be decompressed (" + why +
                       "): it is skipped and counted as undecompressable_message");
  return false;
}

void Collector::PrepareCompression() {
  if (options_.protocol != StreamProtocol::kJetstream || !options_.jetstream_zstd ||
      zstd_given_up_ || !IsJetstreamV2Url(options_.url) || (zstd_ && !zstd_refused_))
    return;
  // A refused handshake may mean the server has retrained its dictionary (it refuses a
  // retired id): the current one is fetched. If that fails, or names the same refused id
  // (servers of two versions behind one name), the stream goes on uncompressed.
  const uint32_t refused = zstd_refused_ && zstd_ ? zstd_->dictionary_id() : 0;
  zstd_refused_ = false;
  zstd_.reset();
  const std::string at = JetstreamDictionaryUrl(options_.url);
  HttpReply reply = HttpCall("GET", at, {}, "", options_.idle_timeout_ms);
  if (reply.status == 0) {  // no answer (the host may be down): asked again next time
    log_->LogLimited(LogLevel::kWarn, "zstd-fetch:" + source_,
                     DisplayName() + ": could not reach " + UrlWithoutSecrets(at) + " (" +
                         reply.error +
                         ") for the compression dictionary; connecting uncompressed, and asking "
                         "again at the next connection");
    return;
  }
  std::string why = reply.status != 200 ? "HTTP " + std::to_string(reply.status)
                    : reply.body.size() > (1u << 20)
                        ? "a dictionary of " + std::to_string(reply.body.size()) + " bytes"
                        : "";
  if (why.empty()) zstd_ = ZstdFrameDecoder::WithDictionary(reply.body, &why);
  if (zstd_ && zstd_->dictionary_id() == refused) {
    zstd_.reset();
    why = "the server refused its own dictionary " + std::to_string(refused);
  }
  if (zstd_) {
    log_->Info(DisplayName() + ": messages compressed with the server's dictionary " +
               std::to_string(zstd_->dictionary_id()));
    return;
  }
  zstd_given_up_ = true;
  log_->Warn(DisplayName() + ": could not get the compression dictionary from " +
             UrlWithoutSecrets(at) + " (" + why + "); collecting uncompressed JSON instead");
}

std::string JetstreamSubscribeUrl(const std::string& base, int64_t cursor_us, int64_t rewind_us,
                                  uint32_t zstd_dictionary) {
  std::string url = base;
  if (IsJetstreamV2Url(base)) {
    // v2 filters commits by `collections` alone, and sends account events unless told.
    if (url.find("collections=") == std::string::npos) {
      url = WithParam(url, "collections", "app.bsky.feed.post");
      if (url.find("kinds=") == std::string::npos) url = WithParam(url, "kinds", "commit");
    }
    if (zstd_dictionary != 0)
      url = WithParam(url, "zstdDictionary", std::to_string(zstd_dictionary));
  } else if (url.find("wantedCollections=") == std::string::npos) {
    url = WithParam(url, "wantedCollections", "app.bsky.feed.post");
  }
  if (cursor_us > 0) {
    url = WithParam(url, "cursor", std::to_string(std::max<int64_t>(1, cursor_us - rewind_us)));
  }
  return url;
}

std::string Collector::ConnectUrl() const {
  if (options_.protocol == StreamProtocol::kJetstream) {
    return JetstreamSubscribeUrl(options_.url, cursor_, options_.rewind_us,
                                 zstd_ ? zstd_->dictionary_id() : 0);
  }
  if (options_.backfill_max_minutes > 0 && (last_data_ms_ > 0 || resumed_)) {
    // What the stream sent while we were away, by the minute: after a restart, all it has.
    const int64_t away_ms = last_data_ms_ > 0 ? clock_->NowMs() - last_data_ms_ : INT64_MAX;
    const int64_t minutes = std::clamp<int64_t>(away_ms / 60'000 + (away_ms % 60'000 != 0), 1,
                                                options_.backfill_max_minutes);
    return WithParam(options_.url, "backfill_minutes", std::to_string(minutes));
  }
  if (options_.resume_param.empty()) return options_.url;
  return WithParam(options_.url, options_.resume_param, std::to_string(cursor_));
}

StreamOutcome Collector::Connect(const std::atomic<bool>* stop,
                                 const std::function<void()>& on_connected) {
  if (IsWebSocket(options_.protocol)) {
    PrepareCompression();
    if (options_.protocol == StreamProtocol::kJetstream) resuming_from_us_ = cursor_;
    WsRequest req{ConnectUrl(),
                  options_.headers,
                  options_.idle_timeout_ms,
                  options_.heartbeat_every_ms,
                  {},
                  {}};
    if (options_.protocol == StreamProtocol::kMastodonWs)
      req.send_on_open = MastodonSubscribeMessages(options_.mastodon_tags);
    jetstream_v2_ =
        options_.protocol == StreamProtocol::kJetstream && IsJetstreamV2Url(options_.url);
    if (jetstream_v2_) req.subprotocols = {"xrpc.v1.json"};
    StreamOutcome out = StreamWebSocket(
        req, [&](char* data, size_t len) { OnMessage(data, len); }, stop, clock_, on_connected);
    // A handshake the server refused (websocketpp's words for an answer other than 101)
    // may be a retired dictionary; one that found no server is not.
    if (zstd_ && out.kind == StreamOutcome::kFailed && !out.received_data &&
        out.message.find("Invalid HTTP status") != std::string::npos)
      zstd_refused_ = true;
    return out;
  }
  framer_.Reset();
  StreamRequest req{ConnectUrl(), options_.headers, options_.idle_timeout_ms};
  return StreamHttp(
      req, [&](const char* data, size_t len) { OnBytes(data, len); }, stop, clock_, on_connected);
}

std::string Collector::CursorText() const {
  // What a restart resumes from: Jetstream's time_us, the line count for resumable
  // relays, Mastodon's newest status id (for gap fill), else the newest event time (for
  // the record: such streams cannot resume).
  if (!options_.resume_param.empty() || options_.protocol == StreamProtocol::kJetstream)
    return std::to_string(cursor_);
  if (!options_.gap_fill_url.empty()) return last_status_id_;
  const int64_t newest = pipeline_->stats().newest_event_ms;
  return std::to_string(newest == INT64_MIN ? 0 : newest);
}

bool Collector::Commit(bool force) {
  auto lock = Lock();
  const int64_t now = clock_->MonotonicMs();
  if (!force && now - last_commit_ms_ < commit_interval_ms_) return true;
  last_commit_ms_ = now;
  MergeBatch(&unsaved_, pipeline_->TakeBatch());
  std::string failure;
  const auto t0 = std::chrono::steady_clock::now();  // a measurement, not a timer: real time
  const bool ok = CommitOrKeep(
      store_, &unsaved_, {{source_, CursorText(), false, "", clock_->NowMs()}}, log_, &failure);
  last_commit_failure_ = failure;
  // A locked database makes each attempt wait out SQLite's busy timeout on the thread
  // that reads the stream: while it stays locked, try less and less often (up to every
  // 30 s), so the stream keeps flowing into memory between attempts.
  commit_interval_ms_ = ok ? options_.commit_every_ms
                           : std::min<int64_t>(kMaxCommitIntervalMs,
                                               std::max<int64_t>(1'000, commit_interval_ms_ * 2));
  WarnOfLateMentions(now);
  if (options_.live) {
    options_.live->ObserveCommit(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), ok);
    Publish(nullptr);
  }
  return ok;
}

void Collector::WarnOfLateMentions(int64_t now_ms) {
  const int64_t late = stats_.late_mentions - late_warned_;
  if (late <= 0 ||
      (late_warned_at_ms_ != INT64_MIN && now_ms - late_warned_at_ms_ < kLateWarningEveryMs))
    return;
  std::string message = DisplayName() + ": " + std::to_string(late) +
                        (late == 1 ? " mention" : " mentions") +
                        " came too late for detection (counted and stored, not judged), up to " +
                        FormatSpan(late_lag_ms_) + " behind the newest posts";
  if (late_lag_ms_ <= kMaxSuggestedLatenessMs) {
    message += "; if this source is often that slow, raise --lateness to " +
               std::to_string(LatenessMinutesToTake(late_lag_ms_)) +
               "m (or \"lateness\" in the config file)";
  }
  log_->Warn(message);
  late_warned_ = stats_.late_mentions;
  late_warned_at_ms_ = now_ms;
  late_lag_ms_ = 0;
}

void Collector::Publish(const char* state) {
  if (!options_.live) return;
  auto lock = Lock();
  int64_t open = 0;
  for (const auto& [id, o] : pipeline_->tracker().outages()) open += o.open();
  const int64_t now = clock_->NowMs();
  const int64_t newest = pipeline_->stats().newest_event_ms;
  options_.live->Update([&](LiveSnapshot& s) {
    if (state) {
      if (std::string(state) == "connected" && s.state != "connected") s.connected_since_ms = now;
      s.state = state;
    }
    s.source = DisplayName();
    s.url = UrlWithoutSecrets(options_.url);
    s.connections = stats_.connections;
    s.reconnects = std::map<std::string, int64_t>(stats_.failures.begin(), stats_.failures.end());
    s.gap_filled = stats_.gap_filled;
    for (const auto& [reason, ms] : stats_.unwatched_ms) s.unwatched_seconds[reason] = ms / 1000.0;
    s.failovers = stats_.failovers;
    s.late_mentions = stats_.late_mentions;
    s.zstd_dictionary = zstd_ ? zstd_->dictionary_id() : 0;
    if (options_.recorder) {
      std::lock_guard<std::mutex> record_lock(record_mu_);
      s.recording = true;
      s.recorded = options_.recorder->lines();
      s.record_lost = options_.recorder->lost();
    }
    s.bytes = stats_.bytes;
    s.last_data_ms = last_data_ms_;
    s.pipeline = pipeline_->stats();
    s.cursor_event_ms = options_.protocol == StreamProtocol::kJetstream && cursor_ > 0
                            ? cursor_ / 1000
                            : (newest == INT64_MIN ? 0 : newest);
    s.open_outages = open;
    if (unsaved_.empty()) s.last_commit_ms = now;
  });
}

void Collector::SleepUnlessStopped(int64_t ms, const std::atomic<bool>* stop) {
  const int64_t until = clock_->MonotonicMs() + ms;
  while (!(stop && *stop) && clock_->MonotonicMs() < until) {
    clock_->SleepForMs(std::min<int64_t>(100, until - clock_->MonotonicMs()));
  }
}

void Collector::AddGap(int64_t from_ms, int64_t to_ms, const char* reason,
                       int64_t missing_from_ms) {
  pipeline_->AddGap({source_, from_ms, to_ms, reason, missing_from_ms});
  stats_.unwatched_ms[reason] += to_ms - from_ms;
}

void Collector::CheckResumedFrom(int64_t event_us) {
  // The firehose carries many events a second: one that comes minutes after the cursor
  // means the server began later than asked (v1 says nothing; v2 sends OutdatedCursor).
  const int64_t after_us = event_us - resuming_from_us_;
  const int64_t from_ms = resuming_from_us_ / 1000;
  resuming_from_us_ = 0;
  if (after_us <= kServerBeganLaterUs) return;
  AddGap(from_ms, event_us / 1000, "older than the server keeps");
  log_->LogLimited(LogLevel::kWarn, "jetstream-lost:" + source_,
                   DisplayName() + ": the server could not go back to the cursor (" +
                       FormatIsoTime(from_ms) + "); it began at " + FormatIsoTime(event_us / 1000) +
                       ". What was posted between is missing, recorded as a gap (Jetstream keeps "
                       "about a day and a half)");
}

bool Collector::ResumesInEventTime() const {
  return options_.protocol == StreamProtocol::kJetstream || !options_.resume_param.empty() ||
         !options_.gap_fill_url.empty();
}

std::pair<int64_t, int64_t> Collector::Unrecovered(
    int64_t from_ms, int64_t to_ms, std::optional<int64_t> fill_missing_since) const {
  // Jetstream resumes from its time cursor and a relay from its line number: all comes
  // again (as far as the server still has it; see CheckResumedFrom). Mastodon fills in from
  // the hashtag timeline, as far as FillGap got. Other streams do not resume. X's backfill
  // sends a restart's last minutes again, but "older Posts generally first", not in event
  // time: live posts may close those minutes before their own posts come, so they stay
  // unwatched, as they do after a disconnection.
  if (options_.protocol == StreamProtocol::kJetstream || !options_.resume_param.empty())
    return {to_ms, to_ms};
  if (!options_.gap_fill_url.empty())
    return {fill_missing_since ? std::max(from_ms, *fill_missing_since) : to_ms, to_ms};
  return {from_ms, to_ms};
}

void Collector::AddUnwatchedGaps(int64_t disconnected_since,
                                 std::optional<int64_t> fill_missing_since) {
  const int64_t now = clock_->NowMs();
  auto lock = Lock();
  // What went by since the last run's last commit, as far as this connection does not get
  // it back; then what went by while this run could not connect or was cut off.
  int64_t not_running_to = INT64_MIN;
  if (stopped_at_ms_ != 0 && now > stopped_at_ms_) {
    const auto [from, to] = Unrecovered(stopped_at_ms_, now, fill_missing_since);
    if (from < to) {
      AddGap(from, to, "not running");
      not_running_to = to;
    }
  }
  stopped_at_ms_ = 0;
  if (disconnected_since == 0) return;
  const int64_t from = std::max(disconnected_since, not_running_to);
  if (not_running_to != INT64_MIN && from >= now) return;  // the restart's gap covered it
  // Every disconnection is listed, even one too short to matter. A source that resumes in
  // event time (a cursor, gap fill) sends what it missed again, in order, so detection
  // judges those minutes as if it had never left, up to where posts may still be missing.
  // X's backfill is not ordered against the live posts, and other streams do not resume.
  const int64_t missing_from =
      ResumesInEventTime() ? Unrecovered(from, now, fill_missing_since).first : from;
  AddGap(from, now, "disconnected", missing_from);
}

bool Collector::Run(const std::atomic<bool>* stop, std::string* error) {
  Backoff backoff;
  int failures_in_a_row = 0;
  int64_t disconnected_since = 0;  // wall ms; 0 = connected or never connected
  while (!(stop && *stop)) {
    ++stats_.connections;
    Publish(stats_.connections == 1 ? "connecting" : "reconnecting");
    DiscoverStreamingHost();
    const StreamOutcome out = Connect(stop, [&] {
      answered_ = true;
      Publish("connected");
      // After a reconnect or a restart, from the last status seen.
      AddUnwatchedGaps(disconnected_since, FillGap());
      disconnected_since = 0;
    });
    if (out.received_data) {
      backoff.OnConnected();
      failures_in_a_row = 0;
    }
    EndConnection();
    if (out.kind == StreamOutcome::kStopped) break;
    if (out.kind == StreamOutcome::kEnded && options_.until_eof) {
      if (options_.flush_at_end) {
        auto lock = Lock();
        pipeline_->Flush();
      }
      break;
    }
    // A stalled connection went unwatched from its last sign of life.
    if (disconnected_since == 0) disconnected_since = clock_->NowMs() - out.silent_ms;
    ++stats_.reconnects;
    const std::string reason = FailureReason(out);
    ++stats_.failures[reason];
    ++failures_in_a_row;
    if (!options_.other_urls.empty() && options_.failover_after > 0 &&
        failures_in_a_row % options_.failover_after == 0)
      MoveToTheNextHost(failures_in_a_row, reason);
    const int64_t delay =
        backoff.NextDelayMs(out.kind == StreamOutcome::kEnded ? FailureKind::kNetwork : out.failure,
                            out.rate_limit_reset_ms, clock_->NowMs());
    LogReconnect(out, reason, delay);
    Commit(true);
    if (options_.max_failures > 0 && failures_in_a_row >= options_.max_failures) {
      *error = "giving up after " + std::to_string(failures_in_a_row) +
               " failed connections in a row (last: " + reason + ")";
      return false;
    }
    SleepUnlessStopped(delay, stop);
  }
  Publish("stopped");
  if (options_.shared) {
    Commit(true);  // a failure is retried by the owner, once every source has ended
    return true;
  }
  return CommitBeforeExit(clock_->MonotonicMs() + options_.exit_commit_grace_ms, error);
}

bool Collector::CommitBeforeExit(int64_t deadline_ms, std::string* error) {
  int64_t retry_ms = 1'000;
  for (bool first = true;; first = false) {
    if (Commit(true)) {
      if (!first) log_->Info(DisplayName() + ": saved at last; stopping");
      return true;
    }
    const int64_t now = clock_->MonotonicMs();
    if (now >= deadline_ms) break;
    if (first) {
      log_->Error(DisplayName() + ": stopping, but " + DescribeUnsaved(unsaved_) +
                  " are not saved yet (" + last_commit_failure_ + "); retrying for up to " +
                  FormatSpan(deadline_ms - now) +
                  ": free disk space or stop the process holding the database lock now "
                  "(a second Ctrl-C or SIGTERM gives up at once)");
    }
    clock_->SleepForMs(std::min(retry_ms, deadline_ms - now));
    retry_ms = std::min(kMaxExitRetryMs, retry_ms * 2);
  }
  *error = DisplayName() + ": gave up: " + DescribeUnsaved(unsaved_) + " were not saved (" +
           last_commit_failure_ +
           "). Jetstream, a relay with --resume-param and Mastodon's gap fill send them again "
           "from the last saved cursor at the next start; other sources' are lost";
  return false;
}

void Collector::MoveToTheNextHost(int failures_in_a_row, const std::string& reason) {
  const std::string left = options_.url;
  options_.url = options_.other_urls.front();
  options_.other_urls.erase(options_.other_urls.begin());
  options_.other_urls.push_back(left);
  ++stats_.failovers;
  log_->LogLimited(LogLevel::kWarn, "failover",
                   DisplayName() + ": " + UrlWithoutSecrets(left) + " failed " +
                       std::to_string(failures_in_a_row) +
                       " connections in a row (last: " + reason + "); moving to " +
                       UrlWithoutSecrets(options_.url) + ", from the same cursor");
}

void Collector::EndConnection() {
  skipping_long_line_ = false;  // a new connection starts at a line
  if (options_.recorder) {
    std::lock_guard<std::mutex> lock(record_mu_);
    options_.recorder->DropPartialLine();
  }
  if (!carry_.empty()) {  // the connection ended inside a line
    auto lock = Lock();
    pipeline_->CountError("truncated_line");
    carry_.clear();
  }
}

std::string FailureReason(const StreamOutcome& out) {
  if (out.kind == StreamOutcome::kEnded) return "ended";
  if (out.kind == StreamOutcome::kStalled) return "stalled";
  if (out.http_status && out.http_status != 200) return "http_" + std::to_string(out.http_status);
  return "network";
}

ReconnectNote DescribeReconnect(const StreamOutcome& out, const std::string& reason,
                                bool ever_answered, const std::string& url,
                                const std::string& auth_hint, int64_t delay_ms) {
  const std::string in = Seconds(delay_ms);
  if (out.failure == FailureKind::kAuth && out.kind == StreamOutcome::kFailed) {
    return {LogLevel::kError, "auth",
            "the server refused the credentials (" + out.message + "): " + auth_hint +
                "; retrying in " + in};
  }
  // A path the server does not have, or a host and port where nothing has ever answered,
  // is most often the user's to fix; either may come back (a relay restarting), so it is
  // retried all the same.
  const bool no_such_path = out.http_status == 404 || out.http_status == 410;
  const bool never_answered = !ever_answered && out.http_status == 0 && reason == "network";
  const std::string said =
      out.message + (no_such_path ? ": the server has no stream at that path; check the source URL"
                     : never_answered
                         ? "; nothing has answered at " + UrlWithoutSecrets(url) +
                               " since the start: check its host and port, and that the server runs"
                         : "");
  return {LogLevel::kWarn, "reconnect:" + reason,
          "stream " + reason + (said.empty() ? "" : " (" + said + ")") + "; reconnecting in " + in};
}

void Collector::LogReconnect(const StreamOutcome& out, const std::string& reason, int64_t delay) {
  const ReconnectNote note =
      DescribeReconnect(out, reason, answered_, options_.url, options_.auth_hint, delay);
  log_->LogLimited(note.level, note.key, note.text);
}

}  // namespace hashmon
