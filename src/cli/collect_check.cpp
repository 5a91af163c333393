#include "cli/collect_check.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "feed/http_stream.h"
#include "feed/url_text.h"
#include "hashmon/alert.h"
#include "hashmon/embedded_data.h"
#include "hashmon/time_util.h"
#include "store/sqlite_store.h"

namespace hashmon {
namespace {

// The nearest directory of `path` that exists (where a new file or directory would go).
std::string NearestExistingDirectory(const std::string& path) {
  std::filesystem::path p = std::filesystem::path(path).parent_path();
  std::error_code ec;
  while (!p.empty() && !std::filesystem::is_directory(p, ec)) p = p.parent_path();
  return p.empty() ? "." : p.string();
}

bool Writable(const std::string& path) { return access(path.c_str(), W_OK) == 0; }

// What the database is, or "" with *problem.
std::string DatabaseState(const std::string& path, std::string* problem) {
  struct stat st {};
  const std::string parent = std::filesystem::path(path).parent_path().string();
  const std::string dir = parent.empty() ? "." : parent;
  if (stat(path.c_str(), &st) != 0) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      *problem = "db " + path + ": the directory " + dir +
                 " does not exist: create it with mkdir -p " + dir + " or pass another --db";
    } else if (!Writable(dir)) {
      *problem = "db " + path + ": cannot be made, since this user may not write " + dir +
                 " (give --db a path in a directory it may write)";
    }
    return problem->empty() ? "does not exist yet: made at start" : "";
  }
  auto store = SqliteStore::OpenReadOnly(path, problem);
  if (!store) return "";
  const int have = store->schema_version();
  const int want = static_cast<int>(EmbeddedMigrations().size());
  // SQLite's write-ahead log and its index go beside the file.
  if (!Writable(path) || !Writable(dir)) {
    *problem = "db " + path + ": this user may read it but not write it (and its directory)";
    return "";
  }
  return "schema " + std::to_string(have) +
         (have < want ? ", brought to " + std::to_string(want) + " at start" : "") + ", writable" +
         (WriterHoldsLock(path) ? "; a collector writes it now (a second would refuse to start)"
                                : "");
}

// A recording directory, or "" with *problem.
std::string RecordState(const std::string& dir, std::string* problem) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) {
    if (Writable(dir)) return "writable";
    *problem = "record " + dir + ": this user may not write it";
    return "";
  }
  const std::string parent = NearestExistingDirectory(dir + "/x");
  if (Writable(parent)) return "made at start";
  *problem = "record " + dir + ": cannot be made, since this user may not write " + parent;
  return "";
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

void Line(const char* what, const std::string& value) {
  std::printf("  %-10s %s\n", what, value.c_str());
}

}  // namespace

int PrintCollectCheck(const Settings& settings, const PipelineConfig& config,
                      const std::vector<SourceSpec>& specs,
                      const std::vector<std::string>& record_dirs) {
  std::vector<std::string> problems;
  std::string problem;
  std::printf("hashmon collect would start with (nothing was connected to or written):\n");
  const std::string db = DatabaseState(settings.db, &problem);
  if (!problem.empty()) problems.push_back(problem);
  Line("db", settings.db + (db.empty() ? "" : ": " + db));
  Line("tags", Joined(config.tags));
  std::vector<std::string> sources;
  sources.reserve(specs.size());
  for (const auto& spec : specs) {
    const auto& o = spec.options;
    std::string notes;  // what else to know of this source, in parentheses
    if (o.protocol == StreamProtocol::kJetstream && IsJetstreamV2Url(o.url))
      notes = o.jetstream_zstd ? "zstd-compressed with the server's dictionary"
                               : "plain JSON: jetstream_zstd off";
    if (const size_t others = o.other_urls.size(); others > 0) {
      notes += std::string(notes.empty() ? "" : "; ") + "then " + std::to_string(others) +
               (others == 1 ? " other instance" : " other instances") + ", should it fail";
    }
    std::string line = spec.name + " at " + UrlWithoutSecrets(o.url);
    if (!notes.empty()) line += " (" + notes + ")";
    sources.push_back(line);
  }
  Line("sources", Joined(sources));
  Line("lateness", settings.lateness);
  Line("listen",
       settings.listen.empty() ? "no HTTP API (--listen HOST:PORT serves one)" : settings.listen);
  if (settings.webhook_url.empty()) {
    Line("webhook", "none");
  } else {
    // The URL holds the receiver's token: only its host is shown.
    Line("webhook", settings.webhook_format + " to " + HostOf(settings.webhook_url) +
                        " (the URL is not shown), again every " + settings.webhook_repeat +
                        " while an outage lasts, sent when " + settings.webhook_when +
                        " (--test-webhook sends it a test)");
  }
  Line("keep_history", settings.keep_history.empty()
                           ? "every count kept (--keep-history 400d deletes older ones hourly)"
                           : settings.keep_history +
                                 ", older counts, spikes and gaps deleted "
                                 "hourly");
  Line("silences", std::to_string(settings.silences.size()));
  for (const auto& dir : record_dirs) {
    problem.clear();
    const std::string state = RecordState(dir, &problem);
    if (!problem.empty()) problems.push_back(problem);
    Line("record", dir + (state.empty() ? "" : ": " + state) +
                       (settings.record_keep.empty() ? ", every hour kept"
                                                     : ", each hour kept " + settings.record_keep));
  }
  Line("tokens", std::string("x ") + (settings.x_bearer_token.empty() ? "not set" : "set") +
                     ", mastodon " + (settings.mastodon_token.empty() ? "not set" : "set"));
  for (const auto& p : problems) std::fprintf(stderr, "hashmon collect: %s\n", p.c_str());
  return problems.empty() ? 0 : 1;
}

int SendTestAlert(const Settings& settings, const PipelineConfig& config) {
  if (settings.webhook_url.empty()) {
    std::fprintf(stderr,
                 "hashmon collect: no webhook to test: set webhook_url in the config (or "
                 "HASHMON_WEBHOOK_URL)\n");
    return 2;
  }
  InitHttpThreads();  // before any request
  const WebhookFormat format =
      ParseWebhookFormat(settings.webhook_format).value_or(WebhookFormat::kAlertmanager);
  const std::string dashboard =
      "http://" + (settings.listen.empty() ? std::string("127.0.0.1:8080") : settings.listen) + "/";
  Alert alert;
  alert.test = true;
  alert.status = "firing";
  alert.tag = config.tags.empty() ? "twitterdown" : config.tags.front();
  alert.country = "ZZ";  // no country (ISO 3166's user-assigned code)
  alert.starts_at = SystemClock().NowMs();
  const std::string where = settings.webhook_format + " webhook at " + HostOf(settings.webhook_url);
  for (const char* status : {"firing", "resolved"}) {
    alert.status = status;
    if (alert.status == "resolved") alert.ends_at = SystemClock().NowMs();
    const HttpReply reply =
        HttpCall("POST", settings.webhook_url, {},
                 WebhookPayload(alert, format, dashboard, settings.telegram_chat_id), 10'000);
    if (reply.status < 200 || reply.status >= 300) {
      // The receiver's answer may quote the URL's token back; only the status is shown.
      std::fprintf(stderr,
                   "hashmon collect: the %s did not take the test alert (%s): check the URL, "
                   "that the receiver is up, and for slack, discord or telegram that "
                   "webhook_format says which it is\n",
                   where.c_str(),
                   reply.status ? ("HTTP " + std::to_string(reply.status)).c_str()
                                : "no answer: it could not be reached");
      return 1;
    }
    std::printf("the %s took the test alert (%s): HTTP %d\n", where.c_str(), status, reply.status);
  }
  return 0;
}

}  // namespace hashmon
