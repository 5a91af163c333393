-- hashmon schema, version 2: spikes, outages, incidents and their evidence.

-- Single anomalous minutes of one (tag, country) series.
CREATE TABLE spikes (
  tag      TEXT    NOT NULL,
  country  TEXT    NOT NULL,
  minute   INTEGER NOT NULL,
  count    INTEGER NOT NULL,
  expected REAL    NOT NULL,  -- the baseline rate for that minute
  score    REAL    NOT NULL,  -- 1 - p-value under the baseline
  PRIMARY KEY (tag, country, minute)
) WITHOUT ROWID;

-- An international incident (or a single country's outage): countries whose outages
-- overlap in time.
CREATE TABLE outages (
  id          INTEGER PRIMARY KEY,
  tag         TEXT    NOT NULL,
  started     INTEGER NOT NULL,  -- onset of the surge, back-dated to the first anomalous minute
  detected_at INTEGER NOT NULL,  -- event time when hashmon decided
  ended       INTEGER,           -- rate back at baseline (NULL while ongoing)
  resolved_at INTEGER,
  peak_time   INTEGER NOT NULL,
  peak_count  INTEGER NOT NULL
);

CREATE TABLE outage_countries (
  outage_id   INTEGER NOT NULL REFERENCES outages (id),
  country     TEXT    NOT NULL,
  started     INTEGER NOT NULL,
  detected_at INTEGER NOT NULL,
  ended       INTEGER,
  resolved_at INTEGER,
  mentions    INTEGER NOT NULL,
  peak_time   INTEGER NOT NULL,
  peak_count  INTEGER NOT NULL,
  PRIMARY KEY (outage_id, country)
);

-- Up to a few sample posts per country per outage. A delete notice removes the text.
CREATE TABLE evidence (
  outage_id  INTEGER NOT NULL,
  country    TEXT    NOT NULL,
  source     TEXT    NOT NULL,
  post_id    TEXT    NOT NULL,
  created_at INTEGER NOT NULL,  -- milliseconds
  text       TEXT,
  PRIMARY KEY (outage_id, source, post_id)
);
CREATE INDEX evidence_by_post ON evidence (source, post_id);

-- Detector state needed to resume exactly where it stopped (one row per series).
CREATE TABLE detector_state (
  tag     TEXT NOT NULL,
  country TEXT NOT NULL,
  state   TEXT NOT NULL,  -- JSON
  PRIMARY KEY (tag, country)
) WITHOUT ROWID;
