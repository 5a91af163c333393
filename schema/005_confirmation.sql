-- hashmon schema, version 5: provisional alerts.
--
-- A country's alert may be provisional (a join on an incident's lesser evidence, or what
-- two harmless bursts together could make): it must say more within confirm_minutes or it
-- is withdrawn. `confirmed_at` is when it did (event time, seconds); NULL while it must
-- still. Outages written before this version were never withdrawn: confirmed as detected.
ALTER TABLE outage_countries ADD COLUMN confirmed_at INTEGER;
UPDATE outage_countries SET confirmed_at = detected_at;

-- Whether a firing alert was sent while its country was provisional: once the country is
-- confirmed, the receiver is sent the alert again, confirmed.
ALTER TABLE alert_outbox ADD COLUMN sent_provisional INTEGER NOT NULL DEFAULT 0;
