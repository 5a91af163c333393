-- hashmon schema, version 6: waves of a country's outage.
--
-- A country whose outage ended and came back within its incident has one wave for each
-- time it came back (the outage_countries row spans them all). Only such countries have
-- rows here; a country without any had one wave, its outage_countries row. Times are
-- event time, seconds; `ended` and `resolved_at` are NULL while the wave fires.
CREATE TABLE outage_waves (
  outage_id   INTEGER NOT NULL REFERENCES outages (id),
  country     TEXT    NOT NULL,
  wave        INTEGER NOT NULL,  -- 0 for the first
  started     INTEGER NOT NULL,
  detected_at INTEGER NOT NULL,
  ended       INTEGER,
  resolved_at INTEGER,
  PRIMARY KEY (outage_id, country, wave)
);
