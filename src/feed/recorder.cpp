#include "feed/recorder.h"

#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <vector>

#include "hashmon/time_util.h"

namespace hashmon {
namespace {

constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kFrameEveryMs = 1'000;
constexpr size_t kMaxLineBytes = 64u << 20;  // as replay's longest line

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          *out += buf;
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

// The hour a file of the recorder's is named after ("2016-01-19T08.jsonl.zst"), if it is one.
std::optional<int64_t> HourOfRecording(const std::string& name) {
  static const std::string kSuffix = ".jsonl.zst";
  if (name.size() != 13 + kSuffix.size() || name.compare(13, kSuffix.size(), kSuffix) != 0)
    return std::nullopt;
  return ParseIsoTime(name.substr(0, 13) + ":00:00Z");
}

}  // namespace

Recorder::Recorder(std::string dir, Clock* clock, int64_t keep_ms, Logger* log)
    : dir_(std::move(dir)), clock_(clock), keep_ms_(keep_ms), log_(log) {}

Recorder::~Recorder() {
  std::string ignored;
  Flush(&ignored);
  Close();
}

void Recorder::Close() {
  if (file_) std::fclose(file_);
  file_ = nullptr;
  if (cctx_) ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(cctx_));
  cctx_ = nullptr;
}

bool Recorder::Open(int64_t hour_ms, std::string* error) {
  std::string ignored;
  Flush(&ignored);
  Close();
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  path_ = dir_ + "/" + FormatIsoTime(hour_ms).substr(0, 13) + ".jsonl.zst";
  file_ = std::fopen(path_.c_str(), "ab");  // a restart in the same hour appends frames
  if (!file_) {
    *error = "cannot write " + path_ + ": " + std::strerror(errno);
    hour_ = INT64_MIN;  // tried again with the next message
    return false;
  }
  std::fseek(file_, 0, SEEK_END);
  frame_start_ = std::ftell(file_);
  frame_lines_ = 0;
  cctx_ = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(static_cast<ZSTD_CCtx*>(cctx_), ZSTD_c_compressionLevel, 3);
  hour_ = hour_ms;
  if (keep_ms_ > 0) RemoveExpired(clock_->NowMs());
  return true;
}

void Recorder::RemoveExpired(int64_t now_ms) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const std::optional<int64_t> hour = HourOfRecording(entry.path().filename().string());
    if (!hour || *hour + kHourMs + keep_ms_ > now_ms || !entry.is_regular_file(ec)) continue;
    if (std::filesystem::remove(entry.path(), ec)) {
      ++expired_files_;
      if (log_)
        log_->Info("removed the recording " + entry.path().string() + ", past the time to keep");
    } else if (log_) {
      log_->LogLimited(
          LogLevel::kWarn, "record-expire",
          "cannot remove the expired recording " + entry.path().string() + ": " + ec.message());
    }
  }
}

bool Recorder::Compress(std::string_view in, bool end_frame, std::string* error) {
  // One buffer for the recorder's life: zstd's output size is 128 KiB, which a fresh vector
  // would zero (and the allocator map and unmap) for every message of a WebSocket feed.
  if (compressed_.empty()) compressed_.resize(ZSTD_CStreamOutSize());
  std::vector<char>& out = compressed_;
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  const ZSTD_EndDirective mode = end_frame ? ZSTD_e_end : ZSTD_e_continue;
  while (true) {
    ZSTD_outBuffer output{out.data(), out.size(), 0};
    const size_t left = ZSTD_compressStream2(static_cast<ZSTD_CCtx*>(cctx_), &output, &input, mode);
    if (ZSTD_isError(left)) {
      *error = std::string("zstd: ") + ZSTD_getErrorName(left);
      return false;
    }
    if (output.pos && std::fwrite(out.data(), 1, output.pos, file_) != output.pos) {
      *error = "cannot write " + path_ + ": " + std::strerror(errno);
      return false;
    }
    if (end_frame ? left == 0 : input.pos == input.size) return true;
  }
}

void Recorder::DropUnfinishedFrame() {
  lost_ += frame_lines_;
  lines_ -= frame_lines_;
  frame_lines_ = 0;
  std::fclose(file_);  // whatever it still flushes is cut off below
  file_ = nullptr;
  ZSTD_CCtx_reset(static_cast<ZSTD_CCtx*>(cctx_), ZSTD_reset_session_only);
  if (truncate(path_.c_str(), frame_start_) != 0 || !(file_ = std::fopen(path_.c_str(), "ab"))) {
    Close();
    hour_ = INT64_MIN;  // opened again with the next message
  }
}

bool Recorder::WriteLines(std::string_view bytes, std::string* error) {
  bool ok = true;
  size_t from = 0;
  for (size_t nl; (nl = bytes.find('\n', from)) != std::string_view::npos; from = nl + 1) {
    std::string_view line = bytes.substr(from, nl - from);
    if (!partial_.empty()) {
      partial_.append(line);
      line = partial_;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (skipping_long_line_) {
      skipping_long_line_ = false;  // its end: the next line is recorded again
    } else if (!line.empty()) {
      ok = Write(line, error) && ok;
    }
    partial_.clear();
  }
  if (!skipping_long_line_) partial_.append(bytes.substr(from));
  if (partial_.size() > kMaxLineBytes) {  // no replay would read it: left out, and counted
    partial_.clear();
    skipping_long_line_ = true;
    ++lost_;
  }
  return ok;
}

bool Recorder::Write(std::string_view message, std::string* error) {
  const int64_t now = clock_->NowMs();
  const int64_t hour = now - ((now % kHourMs) + kHourMs) % kHourMs;
  if (hour != hour_ && !Open(hour, error)) {
    ++lost_;
    return false;
  }
  line_.clear();
  line_ += "{\"recv\":\"" + FormatIsoTime(now) + "\",\"msg\":";
  size_t start = 0;
  while (start < message.size() && (message[start] == ' ' || message[start] == '\t')) ++start;
  if (start < message.size() && message[start] == '{') {
    // A JSON object goes in as it came, but on one line: outside its strings a line break
    // is only space, and inside them JSON allows none, so a pretty-printed message replays
    // as the one message it was.
    const size_t from = line_.size();
    line_.append(message.substr(start));
    std::replace_if(
        line_.begin() + static_cast<std::ptrdiff_t>(from), line_.end(),
        [](char c) { return c == '\n' || c == '\r'; }, ' ');
  } else {
    AppendJsonString(message, &line_);
  }
  line_ += "}\n";
  ++lines_;
  ++frame_lines_;
  if (!Compress(line_, false, error)) {
    DropUnfinishedFrame();
    return false;
  }
  if (now - last_flush_ms_ >= kFrameEveryMs) return Flush(error);
  return true;
}

bool Recorder::Flush(std::string* error) {
  last_flush_ms_ = clock_->NowMs();
  if (!file_) return true;
  bool ok = Compress({}, true, error);
  if (ok && std::fflush(file_) != 0) {
    *error = "cannot write " + path_ + ": " + std::strerror(errno);
    ok = false;
  }
  if (!ok) {
    DropUnfinishedFrame();
    return false;
  }
  frame_start_ = std::ftell(file_);
  frame_lines_ = 0;
  return true;
}

}  // namespace hashmon
