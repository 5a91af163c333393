-- hashmon schema, version 4: silenced alerts.
--
-- An alert that a configured silence covered when it was due is marked delivered and
-- silenced: it was decided, and deliberately not sent. A firing alert that was silenced
-- is sent once the silence is over, if its outage is still going on; a resolved alert is
-- sent only if the receiver heard of the outage.
ALTER TABLE alert_outbox ADD COLUMN silenced INTEGER NOT NULL DEFAULT 0;
