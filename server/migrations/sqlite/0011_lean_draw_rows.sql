-- Fewer B-tree pages written per draw (run with foreign keys off, see
-- `Db::migrate`; the tables are rebuilt as SQLite's ALTER TABLE guide says).
--
-- A draw's number no longer has a unique index of its own: every draw takes
-- it from player_activity.draw_seq in the draw's own transaction, so two
-- draws of a player cannot share one, and the index cost each draw one more
-- page at a random place. The idempotency key stays unique.
CREATE TABLE draws_next (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id     INTEGER NOT NULL REFERENCES activities (id),
    player_id       INTEGER NOT NULL REFERENCES players (id),
    seq             INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL,
    day             INTEGER NOT NULL,
    -- What the roll pointed at, and what the player got (NULL: thanks).
    roll            INTEGER NOT NULL,
    weight_total    INTEGER NOT NULL,
    candidate_id    INTEGER REFERENCES prizes (id),
    prize_id        INTEGER REFERENCES prizes (id),
    -- won | thanks | out_of_stock | not_released | user_limit | review | audit_pending | …
    outcome         TEXT NOT NULL,
    -- The odds drawn from: [[prize_id, weight, stock_left], ...] in prize order.
    odds            TEXT NOT NULL,
    code            TEXT,
    source          TEXT NOT NULL DEFAULT 'draw',
    ip              TEXT,
    created_at      INTEGER NOT NULL,
    delivery        TEXT,
    delivery_note   TEXT,
    CONSTRAINT draws_idempotency_key UNIQUE (activity_id, player_id, idempotency_key)
);
INSERT INTO draws_next (id, activity_id, player_id, seq, idempotency_key, day, roll, weight_total,
    candidate_id, prize_id, outcome, odds, code, source, ip, created_at, delivery, delivery_note)
SELECT id, activity_id, player_id, seq, idempotency_key, day, roll, weight_total,
    candidate_id, prize_id, outcome, odds, code, source, ip, created_at, delivery, delivery_note
FROM draws;
-- Ids are never handed out twice (AUTOINCREMENT), not even those of deleted rows.
UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'draws')
WHERE name = 'draws_next' AND EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'draws');
DROP TABLE draws;
ALTER TABLE draws_next RENAME TO draws;
CREATE INDEX draws_activity_prize_idx ON draws (activity_id, prize_id);
CREATE INDEX draws_ip_idx ON draws (activity_id, ip, created_at);
CREATE INDEX draws_activity_created_idx ON draws (activity_id, created_at);

-- A player's counters are only ever reached by their key: stored in the key's
-- B-tree (WITHOUT ROWID), a draw changes one page of each instead of two.
CREATE TABLE player_activity_next (
    activity_id  INTEGER NOT NULL REFERENCES activities (id),
    player_id    INTEGER NOT NULL REFERENCES players (id),
    draws_used   INTEGER NOT NULL DEFAULT 0 CHECK (draws_used >= 0),
    extra_left   INTEGER NOT NULL DEFAULT 0 CHECK (extra_left >= 0),
    draw_seq     INTEGER NOT NULL DEFAULT 0,
    makeups_used INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (activity_id, player_id)
) WITHOUT ROWID;
INSERT INTO player_activity_next (activity_id, player_id, draws_used, extra_left, draw_seq, makeups_used)
SELECT activity_id, player_id, draws_used, extra_left, draw_seq, makeups_used FROM player_activity;
DROP TABLE player_activity;
ALTER TABLE player_activity_next RENAME TO player_activity;

CREATE TABLE player_days_next (
    activity_id INTEGER NOT NULL REFERENCES activities (id),
    player_id   INTEGER NOT NULL REFERENCES players (id),
    day         INTEGER NOT NULL,
    draws_used  INTEGER NOT NULL DEFAULT 0 CHECK (draws_used >= 0),
    PRIMARY KEY (activity_id, player_id, day)
) WITHOUT ROWID;
INSERT INTO player_days_next (activity_id, player_id, day, draws_used)
SELECT activity_id, player_id, day, draws_used FROM player_days;
DROP TABLE player_days;
ALTER TABLE player_days_next RENAME TO player_days;
