#include "ops/notifier.h"

#include <algorithm>
#include <vector>

#include "feed/http_stream.h"
#include "store/silence_store.h"
#include "store/sqlite_store.h"

namespace hashmon {
namespace {

constexpr int kBatch = 50;

// An alert waiting in the outbox, with what its outage says now.
struct OutboxRow {
  int64_t id;
  Alert alert;
  int attempts;
  int64_t next_attempt;
  std::string fingerprint;
  bool withdrawn;  // the country left its outage: a provisional alert, withdrawn
};

// The outbox's undelivered alerts, oldest first (a batch of them).
std::vector<OutboxRow> Undelivered(SQLite::Database& db) {
  SQLite::Statement q(
      db,
      "SELECT a.id, a.status, a.outage_id, a.tag, a.country, a.starts_at, a.ends_at, a.attempts, "
      "a.next_attempt_ms, oc.mentions, oc.peak_count, a.fingerprint, oc.country IS NULL, "
      "oc.confirmed_at IS NULL FROM alert_outbox a "
      "LEFT JOIN outage_countries oc ON oc.outage_id = a.outage_id AND oc.country = a.country "
      "WHERE a.delivered_ms IS NULL ORDER BY a.id LIMIT ?");
  q.bind(1, kBatch);
  std::vector<OutboxRow> rows;
  while (q.executeStep()) {
    OutboxRow r;
    r.id = q.getColumn(0).getInt64();
    r.alert.status = q.getColumn(1).getString();
    r.alert.outage_id = q.getColumn(2).getInt64();
    r.alert.tag = q.getColumn(3).getString();
    r.alert.country = q.getColumn(4).getString();
    r.alert.starts_at = q.getColumn(5).getInt64();
    r.alert.ends_at = q.getColumn(6).isNull() ? 0 : q.getColumn(6).getInt64();
    r.attempts = q.getColumn(7).getInt();
    r.next_attempt = q.getColumn(8).getInt64();
    r.alert.mentions = q.getColumn(9).isNull() ? 0 : q.getColumn(9).getInt64();
    r.alert.peak_count = q.getColumn(10).isNull() ? 0 : q.getColumn(10).getInt64();
    r.fingerprint = q.getColumn(11).getString();
    r.withdrawn = q.getColumn(12).getInt() != 0;
    r.alert.withdrawn = r.withdrawn && r.alert.status == "resolved";
    r.alert.provisional = r.alert.status == "firing" && q.getColumn(13).getInt() != 0;
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace

std::unique_ptr<Notifier> Notifier::Open(const std::string& db_path, NotifierOptions options,
                                         Clock* clock, Logger* log, std::string* error) {
  try {
    auto db = std::make_unique<SQLite::Database>(db_path, SQLite::OPEN_READWRITE);
    db->setBusyTimeout(kSqliteBusyTimeoutMs);
    if (db->execAndGet("PRAGMA user_version").getInt() < 5) {
      *error = db_path + " has no alert outbox yet; open it with `hashmon collect` first";
      return nullptr;
    }
    return std::unique_ptr<Notifier>(new Notifier(std::move(db), std::move(options), clock, log));
  } catch (const std::exception& e) {
    *error = "cannot open " + db_path + " for alerts: " + e.what();
    return nullptr;
  }
}

Notifier::Notifier(std::unique_ptr<SQLite::Database> db, NotifierOptions options, Clock* clock,
                   Logger* log)
    : db_(std::move(db)), options_(std::move(options)), clock_(clock), log_(log) {}

void Notifier::QueueRepeats(int64_t now) {
  // Ongoing country outages that were announced (so not history from a replay), have
  // nothing pending, and were last sent more than repeat_ms ago, or were last silenced:
  // once the silence is over, the receiver hears of them at once; or were last sent
  // provisional, and are confirmed now (to an Alertmanager receiver, which takes it as an
  // update; a chat channel would read a second message, and a withdrawal is sent anyway).
  // While a silence lasts, nothing is queued. Each repeat starts when the last message did
  // (the wave that fires, if the outage came back).
  SQLite::Statement due(
      *db_,
      "SELECT a.fingerprint, a.outage_id, a.tag, a.country, (SELECT b.starts_at FROM "
      "alert_outbox b WHERE b.fingerprint = a.fingerprint ORDER BY b.id DESC LIMIT 1) "
      "FROM alert_outbox a "
      "JOIN outage_countries oc ON oc.outage_id = a.outage_id AND oc.country = a.country "
      "WHERE oc.ended IS NULL GROUP BY a.fingerprint "
      "HAVING SUM(a.delivered_ms IS NULL) = 0 AND (MAX(a.delivered_ms) <= ? OR "
      "(SELECT b.silenced FROM alert_outbox b WHERE b.fingerprint = a.fingerprint "
      "ORDER BY b.id DESC LIMIT 1) = 1 OR (?2 AND MAX(oc.confirmed_at) IS NOT NULL AND "
      "(SELECT b.sent_provisional FROM alert_outbox b WHERE b.fingerprint = a.fingerprint "
      "ORDER BY b.id DESC LIMIT 1) = 1))");
  due.bind(1, static_cast<int64_t>(now - options_.repeat_ms));
  due.bind(2, options_.format == WebhookFormat::kAlertmanager ? 1 : 0);
  std::vector<std::vector<SQLite::Column>> rows;
  SQLite::Statement add(
      *db_,
      "INSERT INTO alert_outbox (fingerprint, status, outage_id, tag, country, starts_at, "
      "created_ms, next_attempt_ms) VALUES (?, 'firing', ?, ?, ?, ?, ?, ?)");
  struct Repeat {
    std::string fingerprint, tag, country;
    int64_t outage_id, starts_at;
  };
  std::vector<Repeat> repeats;
  while (due.executeStep()) {
    Repeat r{due.getColumn(0).getString(), due.getColumn(2).getString(),
             due.getColumn(3).getString(), due.getColumn(1).getInt64(),
             due.getColumn(4).getInt64()};
    if (!FindSilence(silences_, r.tag, r.country, now)) repeats.push_back(std::move(r));
  }
  for (const auto& r : repeats) {
    add.bind(1, r.fingerprint);
    add.bind(2, r.outage_id);
    add.bind(3, r.tag);
    add.bind(4, r.country);
    add.bind(5, r.starts_at);
    add.bind(6, now);
    add.bind(7, now);
    add.exec();
    add.reset();
  }
}

bool Notifier::Deliver(int64_t id, const Alert& alert, int attempts, int64_t now) {
  const HttpReply reply =
      HttpCall("POST", options_.url, {},
               WebhookPayload(alert, options_.format, options_.external_url, options_.chat_id),
               options_.timeout_ms);
  if (reply.status >= 200 && reply.status < 300) {
    SQLite::Statement ok(*db_,
                         "UPDATE alert_outbox SET delivered_ms = ?, attempts = ?, "
                         "sent_provisional = ? WHERE id = ?");
    ok.bind(1, now);
    ok.bind(2, attempts + 1);
    ok.bind(3, alert.provisional ? 1 : 0);
    ok.bind(4, id);
    ok.exec();
    ++stats_.delivered;
    log_->Info("alert sent: " + alert.status + (alert.provisional ? " (provisional)" : "") + " #" +
               alert.tag + " in " + alert.country + " (incident " +
               std::to_string(alert.outage_id) + ")");
    return true;
  }
  const std::string why = reply.status ? "HTTP " + std::to_string(reply.status) : reply.error;
  // Exponential backoff per alert; later alerts wait behind it so that order holds.
  const int64_t delay =
      std::min(options_.retry_max_ms, options_.retry_initial_ms << std::min(attempts, 20));
  SQLite::Statement fail(
      *db_,
      "UPDATE alert_outbox SET attempts = ?, next_attempt_ms = ?, last_error = ? WHERE id = ?");
  fail.bind(1, attempts + 1);
  fail.bind(2, now + delay);
  fail.bind(3, why);
  fail.bind(4, id);
  fail.exec();
  ++stats_.failed_attempts;
  log_->LogLimited(LogLevel::kWarn, "webhook",
                   "cannot deliver an alert to the webhook (" + why + "); retrying in " +
                       std::to_string(delay / 1000) +
                       " s. Check that the receiver at the webhook URL is up");
  return false;
}

std::string Notifier::Silenced(const std::string& fingerprint, const Alert& alert, int64_t now) {
  if (alert.status == "resolved") {
    // Resolved is sent whenever the receiver heard the outage start, silence or not, so
    // that nothing stays firing there; never when it did not.
    SQLite::Statement told(*db_,
                           "SELECT COUNT(*) FROM alert_outbox WHERE fingerprint = ? AND "
                           "status = 'firing' AND delivered_ms IS NOT NULL AND silenced = 0");
    told.bind(1, fingerprint);
    told.executeStep();
    return told.getColumn(0).getInt64() > 0 ? "" : "its start was silenced";
  }
  const Silence* silence = FindSilence(silences_, alert.tag, alert.country, now);
  return silence ? "silence: " + DescribeSilence(*silence) : "";
}

void Notifier::MarkSilenced(int64_t id, const Alert& alert, const std::string& why, int64_t now) {
  MarkUnsent(id, alert, why, now);
  ++stats_.silenced;
}

void Notifier::MarkWithdrawn(int64_t id, const Alert& alert, int64_t now) {
  MarkUnsent(id, alert, "its provisional alert was withdrawn", now);
  ++stats_.withdrawn;
}

void Notifier::MarkUnsent(int64_t id, const Alert& alert, const std::string& why, int64_t now) {
  SQLite::Statement mark(*db_,
                         "UPDATE alert_outbox SET delivered_ms = ?, silenced = 1 WHERE id = ?");
  mark.bind(1, now);
  mark.bind(2, id);
  mark.exec();
  log_->Info("alert not sent: " + alert.status + " #" + alert.tag + " in " + alert.country +
             " (incident " + std::to_string(alert.outage_id) + "; " + why + ")");
}

int Notifier::Tick() {
  const int64_t now = clock_->NowMs();
  int delivered = 0;
  try {
    silences_ = options_.silences;
    for (Silence& s : ActiveSilences(*db_, now)) silences_.push_back(std::move(s));
    QueueRepeats(now);
    std::vector<OutboxRow> rows = Undelivered(*db_);
    stats_.pending = static_cast<int64_t>(rows.size());
    SQLite::Statement countries(
        *db_, "SELECT country FROM outage_countries WHERE outage_id = ? ORDER BY started");
    for (auto& r : rows) {
      if (r.next_attempt > now) break;  // in order: nothing overtakes an alert being retried
      if (r.withdrawn && r.alert.status == "firing") {  // its end is never sent either
        MarkWithdrawn(r.id, r.alert, now);
        --stats_.pending;
        continue;
      }
      if (r.alert.provisional && options_.confirmed_only) continue;  // until it is confirmed
      if (const std::string why = Silenced(r.fingerprint, r.alert, now); !why.empty()) {
        if (r.withdrawn)
          MarkWithdrawn(r.id, r.alert, now);
        else
          MarkSilenced(r.id, r.alert, why, now);
        --stats_.pending;
        continue;
      }
      countries.bind(1, r.alert.outage_id);
      while (countries.executeStep())
        r.alert.incident_countries.push_back(countries.getColumn(0).getString());
      countries.reset();
      if (!Deliver(r.id, r.alert, r.attempts, now)) break;
      ++delivered;
      --stats_.pending;
    }
  } catch (const std::exception& e) {
    log_->LogLimited(LogLevel::kWarn, "outbox",
                     std::string("alert outbox: ") + e.what() + " (retrying)");
  }
  return delivered;
}

void Notifier::Run(const std::atomic<bool>* stop) {
  while (!*stop) {
    Tick();
    for (int64_t waited = 0; waited < options_.tick_ms && !*stop; waited += 100)
      clock_->SleepForMs(100);
  }
}

}  // namespace hashmon
