// A crowd-reported outage as an alert, and the webhook payloads that carry it: Alertmanager's
// (version 4), so that any receiver written for Alertmanager (chat bridges, incident tools)
// takes hashmon's alerts as they are, or a chat message for a Slack or Discord incoming
// webhook, or a Telegram bot's message. One alert per (tag, country) outage; its labels name the
// tag, the country and the incident it belongs to.
#ifndef HASHMON_ALERT_H_
#define HASHMON_ALERT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hashmon {

inline constexpr const char* kAlertName = "CrowdReportedOutage";

struct Alert {
  std::string status;  // "firing" or "resolved"
  int64_t outage_id = 0;
  std::string tag;
  std::string country;
  int64_t starts_at = 0;  // ms
  int64_t ends_at = 0;    // ms; 0 while firing
  int64_t mentions = 0;
  int64_t peak_count = 0;
  std::vector<std::string> incident_countries;  // every country of the incident
  // Firing on evidence that must still say more, or be withdrawn (TrackerConfig::
  // confirm_minutes): a receiver may wait for it to be sent again, confirmed.
  bool provisional = false;
  // Resolved as it was withdrawn: it said no more, and leaves the incident's history.
  bool withdrawn = false;
  // Sent by `collect --test-webhook` to show that the receiver takes alerts: nothing is
  // down. It says so in its text, and carries the label test="true".
  bool test = false;
};

// A stable hash of the alert's labels (16 hex digits), the same for firing and resolved.
std::string AlertFingerprint(const std::string& tag, const std::string& country, int64_t outage_id);

// The JSON body of a webhook call, as Alertmanager sends it.
std::string AlertmanagerPayload(const Alert& alert, const std::string& external_url);

// What the webhook's receiver reads.
enum class WebhookFormat {
  kAlertmanager,  // Alertmanager's payload
  kSlack,         // a Slack incoming webhook: {"text": ...}
  kDiscord,       // a Discord webhook: {"content": ...}, mentioning nobody
  kTelegram,      // a Telegram bot's sendMessage: {"chat_id": ..., "text": ...}
};
// "alertmanager", "slack", "discord" or "telegram"; nullopt for anything else.
std::optional<WebhookFormat> ParseWebhookFormat(const std::string& name);

// The alert in a line or two for people: who reports what since when, and a link to the
// outage on the dashboard.
std::string AlertText(const Alert& alert, const std::string& external_url);

// The JSON body of a webhook call in that format (`chat_id`: Telegram's, the chat to post to).
std::string WebhookPayload(const Alert& alert, WebhookFormat format,
                           const std::string& external_url, const std::string& chat_id = "");

}  // namespace hashmon

#endif  // HASHMON_ALERT_H_
