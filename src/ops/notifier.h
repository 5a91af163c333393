// Delivers the alert outbox to a webhook (Alertmanager's payload), in order, with retries
// and backoff, and repeats an ongoing outage's alert on an interval. It works from the
// database alone, so alerts queued before a crash go out after the restart.
#ifndef HASHMON_OPS_NOTIFIER_H_
#define HASHMON_OPS_NOTIFIER_H_

#include <SQLiteCpp/SQLiteCpp.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "hashmon/alert.h"
#include "hashmon/clock.h"
#include "hashmon/log.h"
#include "hashmon/silence.h"

namespace hashmon {

struct NotifierOptions {
  std::string url;  // the webhook
  WebhookFormat format = WebhookFormat::kAlertmanager;
  std::string external_url;           // links back to the dashboard
  std::string chat_id;                // Telegram: the chat the bot posts to
  int64_t repeat_ms = 4 * 3'600'000;  // re-send a firing alert this often (Alertmanager's default)
  int64_t timeout_ms = 10'000;
  int64_t retry_initial_ms = 5'000;  // doubles per failed attempt
  int64_t retry_max_ms = 5 * 60'000;
  int64_t tick_ms = 1'000;
  // Alerts a silence covers when they are due are not sent (see silence.h): these, and
  // those in the database's silences table (`hashmon silence add`), read at every round.
  std::vector<Silence> silences;
  // Send a country's alert only once it is confirmed (TrackerConfig::confirm_minutes): a
  // provisional alert that is withdrawn is never heard of. Off: it is sent when decided,
  // marked provisional, and sent again once confirmed.
  bool confirmed_only = false;
};

struct NotifierStats {
  std::atomic<int64_t> delivered{0};
  std::atomic<int64_t> failed_attempts{0};
  std::atomic<int64_t> pending{0};
  std::atomic<int64_t> silenced{0};
  std::atomic<int64_t> withdrawn{0};  // never sent: the provisional alert was withdrawn
};

class Notifier {
 public:
  // Opens its own connection to the collector's database (WAL: it never blocks the
  // collector for long). Returns null with *error when it cannot.
  static std::unique_ptr<Notifier> Open(const std::string& db_path, NotifierOptions options,
                                        Clock* clock, Logger* log, std::string* error);

  // One round: queue repeats of ongoing outages, then send every alert that is due.
  // Returns how many were delivered.
  int Tick();

  // Ticks until *stop.
  void Run(const std::atomic<bool>* stop);

  const NotifierStats& stats() const { return stats_; }

 private:
  Notifier(std::unique_ptr<SQLite::Database> db, NotifierOptions options, Clock* clock,
           Logger* log);
  void QueueRepeats(int64_t now);
  bool Deliver(int64_t id, const Alert& alert, int attempts, int64_t now);
  // Why the alert is not to be sent now ("" if it is): a silence covers it, or it resolves
  // an outage the receiver never heard of.
  std::string Silenced(const std::string& fingerprint, const Alert& alert, int64_t now);
  void MarkSilenced(int64_t id, const Alert& alert, const std::string& why, int64_t now);
  // Marks an alert of a country whose provisional alert was withdrawn as never to be sent.
  void MarkWithdrawn(int64_t id, const Alert& alert, int64_t now);
  void MarkUnsent(int64_t id, const Alert& alert, const std::string& why, int64_t now);

  std::unique_ptr<SQLite::Database> db_;
  NotifierOptions options_;
  Clock* clock_;
  Logger* log_;
  NotifierStats stats_;
  std::vector<Silence> silences_;  // the config's and the database's, as of this round
};

}  // namespace hashmon

#endif  // HASHMON_OPS_NOTIFIER_H_
