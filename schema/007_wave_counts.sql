-- hashmon schema, version 7: each wave's own mentions and peak.
--
-- So that a wave can leave its incident with what it counted (an incident a withdrawn join
-- had held open splits in two). Waves written before this version are counted again from
-- the buckets: their mentions over [started, ended), and their busiest minute.
ALTER TABLE outage_waves ADD COLUMN mentions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outage_waves ADD COLUMN peak_time INTEGER;
ALTER TABLE outage_waves ADD COLUMN peak_count INTEGER NOT NULL DEFAULT 0;

CREATE TEMP TABLE wave_minutes AS
  SELECT w.outage_id, w.country, w.wave, b.minute, SUM(b.count) AS n
  FROM outage_waves w JOIN outages o ON o.id = w.outage_id
  JOIN buckets b ON b.tag = o.tag AND b.country = w.country AND b.minute >= w.started
    AND (w.ended IS NULL OR b.minute < w.ended)
  GROUP BY w.outage_id, w.country, w.wave, b.minute;
UPDATE outage_waves SET
  mentions = COALESCE((SELECT SUM(n) FROM wave_minutes m WHERE m.outage_id = outage_waves.outage_id
                       AND m.country = outage_waves.country AND m.wave = outage_waves.wave), 0),
  peak_count = COALESCE((SELECT MAX(n) FROM wave_minutes m WHERE m.outage_id = outage_waves.outage_id
                         AND m.country = outage_waves.country AND m.wave = outage_waves.wave), 0),
  peak_time = (SELECT minute FROM wave_minutes m WHERE m.outage_id = outage_waves.outage_id
               AND m.country = outage_waves.country AND m.wave = outage_waves.wave
               ORDER BY n DESC, minute LIMIT 1);
DROP TABLE wave_minutes;
