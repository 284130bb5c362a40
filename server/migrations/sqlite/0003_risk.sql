-- Anti-farming: per-activity blacklist by user or address, and the review
-- list of players an automatic rule flagged (they cannot win audited prizes).
CREATE TABLE blacklist (
    activity_id INTEGER NOT NULL REFERENCES activities (id),
    kind        TEXT NOT NULL CHECK (kind IN ('u_id', 'ip')),
    value       TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (activity_id, kind, value)
);

CREATE TABLE review_list (
    activity_id INTEGER NOT NULL REFERENCES activities (id),
    player_id   INTEGER NOT NULL REFERENCES players (id),
    reason      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (activity_id, player_id)
);

CREATE INDEX draws_ip_idx ON draws (activity_id, ip, created_at);
