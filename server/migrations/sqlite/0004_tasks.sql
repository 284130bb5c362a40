-- Custom tasks reported by partners: each biz_id grants its extra chances once.
CREATE TABLE task_grants (
    activity_id INTEGER NOT NULL REFERENCES activities (id),
    biz_id      TEXT NOT NULL,
    player_id   INTEGER NOT NULL REFERENCES players (id),
    task_id     TEXT NOT NULL,
    chances     INTEGER NOT NULL CHECK (chances > 0),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (activity_id, biz_id)
);
