-- The live big-screen lottery: the pool of people who joined, host tokens,
-- the host's state per activity, the rounds drawn, and the events pushed to
-- every screen (a per-activity sequence, so a reconnecting screen gets what
-- it missed and every instance sharing the database delivers them).

-- Who joined (opened the activity with a ticket): the people drawn from.
CREATE TABLE live_pool (
    activity_id INTEGER NOT NULL REFERENCES activities (id),
    player_id   INTEGER NOT NULL REFERENCES players (id),
    joined_at   INTEGER NOT NULL,
    PRIMARY KEY (activity_id, player_id)
);
CREATE INDEX live_pool_newest_idx ON live_pool (activity_id, joined_at);

-- Host tokens, stored hashed, each for one activity.
CREATE TABLE live_hosts (
    token_hash  TEXT PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES activities (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

-- One row per live activity: the phase the host put it in, the round, the
-- tier named at start, and the event counter. Taking the next event id
-- updates this row, so one activity's events commit in id order.
CREATE TABLE live_state (
    activity_id INTEGER PRIMARY KEY REFERENCES activities (id),
    phase       TEXT NOT NULL DEFAULT 'idle' CHECK (phase IN ('idle', 'rolling')),
    round       INTEGER NOT NULL DEFAULT 0,
    tier_id     INTEGER REFERENCES prizes (id),
    tier_count  INTEGER,
    event_seq   INTEGER NOT NULL DEFAULT 0
);

-- Each round drawn: the tier, how many were asked for and drawn, and the
-- eligible pool it was drawn from (player ids in the order the rolls index:
-- winner k is the roll of its draw row into what was left after k-1 picks).
CREATE TABLE live_rounds (
    activity_id INTEGER NOT NULL REFERENCES activities (id),
    round       INTEGER NOT NULL,
    prize_id    INTEGER NOT NULL REFERENCES prizes (id),
    requested   INTEGER NOT NULL,
    drawn       INTEGER NOT NULL,
    eligible    TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (activity_id, round)
);

-- The events pushed to the screens: rolling, winners, stopped.
CREATE TABLE live_events (
    activity_id INTEGER NOT NULL REFERENCES activities (id),
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    data        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (activity_id, seq)
);
