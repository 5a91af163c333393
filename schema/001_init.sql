-- hashmon schema, version 1: counts, exactly-once bookkeeping and source cursors.
-- Times are integer seconds since the Unix epoch (UTC) unless a column says otherwise.

-- Mentions of a watched tag per country per minute, split by the method that decided
-- the country (place, coords, profile, timezone, domain, lang, none).
CREATE TABLE buckets (
  tag     TEXT    NOT NULL,  -- tag key: NFC + case folded, without '#'
  country TEXT    NOT NULL,  -- ISO 3166-1 alpha-2, or '??'
  minute  INTEGER NOT NULL,  -- start of the minute
  method  TEXT    NOT NULL,
  count   INTEGER NOT NULL,
  PRIMARY KEY (tag, country, minute, method)
) WITHOUT ROWID;
CREATE INDEX buckets_by_minute ON buckets (minute);

-- Posts already counted, so that a resend after a reconnect or restart counts nothing.
CREATE TABLE seen (
  source     TEXT    NOT NULL,  -- x, bluesky, mastodon
  id         TEXT    NOT NULL,
  created_at INTEGER NOT NULL,  -- event time, milliseconds
  PRIMARY KEY (source, id)
) WITHOUT ROWID;
CREATE INDEX seen_by_time ON seen (created_at);

-- Where each input stopped: a file's identity and byte offset, a Jetstream time_us, ...
CREATE TABLE checkpoints (
  source   TEXT    PRIMARY KEY,
  cursor   TEXT    NOT NULL,
  complete INTEGER NOT NULL DEFAULT 0,
  updated  INTEGER NOT NULL
);

-- Intervals when a source was disconnected: no data, not zero mentions.
CREATE TABLE gaps (
  source  TEXT    NOT NULL,
  started INTEGER NOT NULL,
  ended   INTEGER,
  reason  TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- For sqlite3 users: counts per tag, country and minute with ISO 8601 times.
CREATE VIEW counts AS
  SELECT strftime('%Y-%m-%dT%H:%M:%SZ', minute, 'unixepoch') AS time, tag, country,
         SUM(count) AS count
  FROM buckets GROUP BY tag, country, minute;
