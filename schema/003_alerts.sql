-- hashmon schema, version 3: the alert outbox.
--
-- An alert is written here in the same transaction as the detection change that decided
-- it, so an alert decided before a crash is still delivered after it. The notifier sends
-- rows in order, retries with backoff, and marks them delivered.
CREATE TABLE alert_outbox (
  id              INTEGER PRIMARY KEY,
  fingerprint     TEXT    NOT NULL,  -- of the alert's labels (tag, country, incident)
  status          TEXT    NOT NULL,  -- firing | resolved
  outage_id       INTEGER NOT NULL,
  tag             TEXT    NOT NULL,
  country         TEXT    NOT NULL,
  starts_at       INTEGER NOT NULL,  -- milliseconds, event time
  ends_at         INTEGER,           -- milliseconds; NULL while firing
  created_ms      INTEGER NOT NULL,  -- wall clock
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL,
  delivered_ms    INTEGER,
  last_error      TEXT
);
CREATE INDEX alert_outbox_pending ON alert_outbox (delivered_ms, next_attempt_ms);
