-- A draw's number no longer has a unique index of its own: every draw takes
-- it from player_activity.draw_seq (its row locked) in the draw's own
-- transaction, so two draws of a player cannot share one. The idempotency
-- key stays unique. (SQLite also stores the player counters WITHOUT ROWID;
-- PostgreSQL's heap tables have no such choice.)
ALTER TABLE draws DROP CONSTRAINT draws_seq_key;
