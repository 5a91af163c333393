-- hashmon schema, version 11: the hashtags each replayed input was read for.
--
-- An input read before is not read again (exactly once), so a tag added to the watched ones
-- later is not counted in it: a replay that resumes or skips it says so, for the tags this
-- column lacks. Comma-separated tag keys (a comma ends a hashtag); NULL where not known
-- (live sources, and cursors written before this version: the history's counted tags then
-- stand in).
ALTER TABLE checkpoints ADD COLUMN tags TEXT;
