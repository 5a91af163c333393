-- hashmon schema, version 10: where each gap's posts may be missing from.
--
-- A disconnection is listed whole, but a source that resumes in event time (Jetstream's
-- cursor, a resumable relay, Mastodon's gap fill) sends again what was posted meanwhile,
-- so detection judges those minutes. A collector that restarts reads its last week of gaps
-- back into detection, and needs to know which minutes they left unjudged: those from
-- `missing_from` to `ended`. NULL: all of the gap, as in every gap before this.
-- `missing_from` is in milliseconds, unlike the table's other times (seconds), so that a
-- restart skips exactly the whole minutes the run skipped.
ALTER TABLE gaps ADD COLUMN missing_from INTEGER;
