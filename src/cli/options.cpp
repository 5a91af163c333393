#include "cli/options.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <future>
#include <iostream>
#include <thread>

#include "hashmon/country_locator.h"
#include "hashmon/tag_key.h"
#include "hashmon/time_util.h"
#include "store/prune.h"

namespace hashmon {

const std::vector<std::string>& DefaultCountries() {
  static const std::vector<std::string> kCountries = {"BR", "PH", "GB", "UG", "DE", "ZA", "LT"};
  return kCountries;
}

std::optional<int64_t> ParseLateness(const std::string& text, std::string* error) {
  auto ms = ParseDuration(text);
  if (!ms) *error = "lateness: expected a duration such as 90s, 2m or 5m, not \"" + text + "\"";
  return ms;
}

std::optional<int64_t> ParseIdleTimeout(const std::string& text, std::string* error) {
  auto ms = ParseDuration(text);
  if (!ms || *ms < kMinIdleTimeoutMs) {
    *error =
        "expected a duration of 1s or more such as 30s (a stream is cut and "
        "reconnected when nothing arrives for this long), not \"" +
        text + "\"";
    return std::nullopt;
  }
  return ms;
}

bool ParseTimeRange(const std::string& since, const std::string& until, int64_t now_ms,
                    int64_t* since_ms, int64_t* until_ms, std::string* error) {
  for (auto [text, out] : {std::pair{&since, since_ms}, std::pair{&until, until_ms}}) {
    if (text->empty()) continue;
    auto t = ParseUserTime(*text, now_ms);
    if (!t) {
      *error =
          "--since/--until: times are ISO 8601 (2016-01-19T08:00:00Z) or relative (-2h), "
          "not \"" +
          *text + "\"";
      return false;
    }
    *out = *t;
  }
  if (!since.empty() && !until.empty() && *since_ms >= *until_ms) {
    *error = "--since " + since + " is not before --until " + until + ": no time is in between";
    return false;
  }
  return true;
}

std::string TagOption(const std::string& tag) { return UserTagKey(tag); }

std::string WithoutSurroundingSpaces(const std::string& item) {
  const size_t first = item.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return item.substr(first, item.find_last_not_of(" \t") - first + 1);
}

std::string WatchedTagsError(const std::vector<std::string>& tags) {
  for (const std::string& given : tags) {
    const std::string_view tag = WithoutHash(given);
    const bool spaced = tag.find_first_of(" \t\r\n\f\v") != std::string_view::npos ||
                        tag.find("\xC2\xA0") != std::string_view::npos ||    // no-break space
                        tag.find("\xE3\x80\x80") != std::string_view::npos;  // ideographic space
    if (spaced) {
      return "the tag \"" + given +
             "\" is not one hashtag: a hashtag has no spaces (write it as one word, e.g. "
             "twitterdown, or watch each word with a --tag of its own)";
    }
    if (tag.find(',') != std::string_view::npos) {  // a config file's "tags": ["a,b"]
      return "the tag \"" + given +
             "\" is not one hashtag: list each tag on its own (\"tags\": [\"a\", \"b\"]; "
             "--tag a,b and HASHMON_TAGS=a,b are split at the commas)";
    }
    if (tag.find_first_not_of("0123456789") == std::string_view::npos) {
      return "the tag \"" + given +
             "\" is not a hashtag: a hashtag needs a letter (#2016 is a number, not a tag), "
             "e.g. --tag twitterdown";
    }
  }
  return "";
}

std::optional<std::string> CountryOption(const std::string& country, std::string* error) {
  std::string cc = country;
  for (char& c : cc) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (cc.empty() || cc == "ALL") return "";
  if (IsCountryKey(cc)) return cc;
  *error =
      "--country: an ISO 3166 code such as BR or GB (not UK), or ?? for posts with no country; not "
      "\"" +
      country + "\"";
  if (country.find(',') != std::string::npos) return std::nullopt;  // not one place either
  if (auto named = CountryLocator::FromEmbeddedData()->FromProfileLocation(country))
    *error += " (" + country + " is " + *named + ")";
  return std::nullopt;
}

void LogRejectedRecords(Pipeline* pipeline, Logger* log) {
  pipeline->set_error_hook([log](const char* reason, std::string_view record) {
    log->LogLimited(
        LogLevel::kWarn, std::string("reject:") + reason,
        std::string("skipped a record (") + reason + "): " + std::string(record.substr(0, 120)));
  });
}

bool OpenHistoryForWriting(const std::string& db, Logger* log, WritingSetup* setup,
                           std::string* error) {
  auto locator = std::async(std::launch::async, &CountryLocator::FromEmbeddedData);
  setup->store = SqliteStore::OpenForWriting(db, error, log);
  setup->locator = locator.get();
  return setup->store != nullptr;
}

std::string DatabaseByDefault() {
  const char* db = std::getenv("HASHMON_DB");
  return db && *db ? db : "hashmon.db";
}

std::map<std::string, std::string> BearerHeaders() {
  std::map<std::string, std::string> headers;
  if (const char* token = std::getenv("HASHMON_X_BEARER_TOKEN"); token && *token) {
    headers["Authorization"] = std::string("Bearer ") + token;
  }
  return headers;
}

namespace {
std::atomic<bool> g_stop{false};  // the only global: a signal handler can reach nothing else
// The first signal asks for a clean stop; a second of the same kind ends the process at
// once (its default action), for a user who will not wait for a stop that is retrying
// the last commit on a full disk.
extern "C" void OnStopSignal(int signal_number) {
  g_stop = true;
  std::signal(signal_number, SIG_DFL);
}
}  // namespace

const std::atomic<bool>& StopOnSignals() {
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  // A closed terminal (or SSH session) hangs up: stop as cleanly as for SIGTERM rather than
  // die with the last seconds uncommitted. Under nohup(1) the hangup stays ignored.
  struct sigaction hangup {};
  if (sigaction(SIGHUP, nullptr, &hangup) == 0 && hangup.sa_handler != SIG_IGN)
    std::signal(SIGHUP, OnStopSignal);
  return g_stop;
}

void WaitForStopSignal() {
  const std::atomic<bool>& stop = StopOnSignals();
  while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

namespace {
template <typename Config, typename Set>
bool ApplySettings(const std::vector<std::string>& settings, Config* config, Set set,
                   const char* where, std::string* error) {
  for (const auto& kv : settings) {
    const size_t eq = kv.find('=');
    std::string why = "write it as name=value";
    if (eq == std::string::npos || !set(config, kv.substr(0, eq), kv.substr(eq + 1), &why)) {
      *error = "--set " + kv + ": " + why + " (names and defaults: " + where + ")";
      return false;
    }
  }
  return true;
}
}  // namespace

bool ApplyDetectorSettings(const std::vector<std::string>& settings, DetectorConfig* config,
                           std::string* error) {
  return ApplySettings(settings, config, SetDetectorOption, "include/hashmon/detector_config.h",
                       error);
}

bool ApplyTrackerSettings(const std::vector<std::string>& settings, TrackerConfig* config,
                          std::string* error) {
  return ApplySettings(settings, config, SetTrackerOption,
                       "include/hashmon/detector_config.h and outage_tracker.h", error);
}

bool StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }
std::optional<int64_t> ParseTimeToKeep(const std::string& text, const std::string& option,
                                       std::string* error) {
  if (text.empty()) return 0;
  const std::optional<int64_t> keep = ParseDuration(text);
  if (keep && *keep >= 3'600'000) return keep;
  *error = option + " " + text +
           ": give how long to keep each hour's recording, an hour or more, such as 30d or 72h";
  return std::nullopt;
}

std::optional<int64_t> ParseHistoryToKeep(const std::string& text, std::string* error) {
  if (text.empty()) return 0;
  const std::optional<int64_t> keep = ParseDuration(text);
  if (keep && *keep >= kHistoryKeptAtLeastMs) return keep;
  *error = "--keep-history (or \"keep_history\" in the config) " + text +
           ": give how long the history keeps its counts, 7d or more, such as 400d (the "
           "dashboard shows the last week beside a current outage)";
  return std::nullopt;
}

bool WritableDirectory(const std::string& dir, const std::string& option, std::string* error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (!ec && access(dir.c_str(), W_OK) == 0) return true;
  *error = "cannot write the recording into " + dir + ": " +
           (ec ? ec.message() : std::string(std::strerror(errno))) + " (give " + option +
           " a directory this user may write)";
  return false;
}

bool StdoutIsTerminal() { return isatty(STDOUT_FILENO) == 1; }

void PrintJsonRows(const std::string& array, const std::string& format) {
  if (format != "jsonl") {
    std::printf("%s\n", array.c_str());
    return;
  }
  rapidjson::Document rows;
  rows.Parse(array.c_str(), array.size());
  if (!rows.IsArray()) return;
  for (const auto& row : rows.GetArray()) {
    rapidjson::StringBuffer line;
    rapidjson::Writer<rapidjson::StringBuffer> writer(line);
    row.Accept(writer);
    std::printf("%s\n", line.GetString());
  }
}

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

bool FlushStdout() {
  std::cout.flush();
  errno = 0;
  return std::fflush(stdout) == 0 && !std::ferror(stdout) && std::cout.good();
}

std::string WriteFailure(int error) {
  // (An earlier write's failure leaves errno to whatever came after it, often nothing.)
  return error ? std::strerror(error) : "a write failed: is the disk full?";
}

bool StdoutWritten() {
  if (FlushStdout()) return true;
  std::fprintf(stderr, "hashmon: the output was not all written (%s)\n",
               WriteFailure(errno).c_str());
  return false;
}

}  // namespace hashmon
