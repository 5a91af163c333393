-- hashmon schema, version 4: silences, and the alerts they held back.
--
-- An alert that a configured silence covered when it was due is marked delivered and
-- silenced: it was decided, and deliberately not sent. A firing alert that was silenced
-- is sent once the silence is over, if its outage is still going on; a resolved alert is
-- sent only if the receiver heard of the outage.
ALTER TABLE alert_outbox ADD COLUMN silenced INTEGER NOT NULL DEFAULT 0;

-- Silences added while the collector runs (`hashmon silence add`), beside those of the
-- config file. `until_ms` is when it ends; `hashmon silence expire` moves it to now.
CREATE TABLE silences (
  id         INTEGER PRIMARY KEY,
  tag        TEXT    NOT NULL DEFAULT '',  -- '' for every tag
  country    TEXT    NOT NULL DEFAULT '',  -- '' for every country
  from_ms    INTEGER NOT NULL,             -- wall clock, milliseconds
  until_ms   INTEGER NOT NULL,
  comment    TEXT    NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL
);
