-- hashmon schema, version 8: the name each input was read under.
--
-- A replayed file's cursor is kept under its identity (a hash of its first 64 KiB, and its
-- entry in an archive), which survives a rename but says nothing to a person: `query
-- sources` shows this name beside it (the path given to replay, and the entry). Cursors
-- written before this version have none ('') until their input is read again.
ALTER TABLE checkpoints ADD COLUMN name TEXT NOT NULL DEFAULT '';
