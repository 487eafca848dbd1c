-- Re-parse (README "Re-parse"): every stored event records the version of its provider's parser
-- that produced its normalized columns, and when a re-parse last rewrote them. Rows stored before
-- this migration were produced by the first version of every parser.
ALTER TABLE events
    ADD COLUMN parser_version integer NOT NULL DEFAULT 1,
    ADD COLUMN reparsed_at    timestamptz;
