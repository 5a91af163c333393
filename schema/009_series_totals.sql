-- hashmon schema, version 9: each series' mentions in all, kept as counts are written.
--
-- A status page, a metrics scrape and the dashboard's counts of one tag asked the whole of
-- `buckets` (every minute ever counted) for what a small table can say: which tags and
-- countries have counts, and how many each. On a year of history (21 million rows) that
-- took 5 to 6 seconds per request, over half of Prometheus's scrape timeout. `series` is kept
-- by triggers, so a count written, changed or deleted by any means moves its total in the
-- same transaction; the counts already stored are added up once, here.
CREATE TABLE series (
  tag      TEXT    NOT NULL,
  country  TEXT    NOT NULL,
  mentions INTEGER NOT NULL,
  PRIMARY KEY (tag, country)
) WITHOUT ROWID;

INSERT INTO series (tag, country, mentions)
  SELECT tag, country, SUM(count) FROM buckets GROUP BY tag, country;

CREATE TRIGGER buckets_insert_series AFTER INSERT ON buckets BEGIN
  INSERT INTO series (tag, country, mentions) VALUES (NEW.tag, NEW.country, NEW.count)
    ON CONFLICT (tag, country) DO UPDATE SET mentions = mentions + excluded.mentions;
END;

CREATE TRIGGER buckets_update_series AFTER UPDATE ON buckets BEGIN
  UPDATE series SET mentions = mentions - OLD.count WHERE tag = OLD.tag AND country = OLD.country;
  INSERT INTO series (tag, country, mentions) VALUES (NEW.tag, NEW.country, NEW.count)
    ON CONFLICT (tag, country) DO UPDATE SET mentions = mentions + excluded.mentions;
END;

CREATE TRIGGER buckets_delete_series AFTER DELETE ON buckets BEGIN
  UPDATE series SET mentions = mentions - OLD.count WHERE tag = OLD.tag AND country = OLD.country;
END;

-- Spikes over a time window without a tag and country (`query spikes`, the API) read
-- only that window.
CREATE INDEX spikes_by_minute ON spikes (minute);
