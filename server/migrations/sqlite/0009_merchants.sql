-- The platform tier: a partner's merchants (sub-accounts), whose activities
-- the merchant console manages; one-time console tickets and console
-- sessions (both stored hashed); and activity views, counted for the figures.
CREATE TABLE merchants (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The partner's own id for the merchant, or mch_… when it gave none.
    public_id   TEXT NOT NULL,
    partner_id  INTEGER NOT NULL REFERENCES partners (id),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    created_at  INTEGER NOT NULL,
    CONSTRAINT merchants_partner_public_id_key UNIQUE (partner_id, public_id)
);

-- NULL: the partner's own activity (no merchant).
ALTER TABLE activities ADD COLUMN merchant_id INTEGER REFERENCES merchants (id);
CREATE INDEX activities_merchant_idx ON activities (partner_id, merchant_id, id);

-- sso: opens the console (console/ticket); export: one download of an
-- activity's winners. Single use: used_at is set by the exchange.
CREATE TABLE console_tickets (
    ticket_hash TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('sso', 'export')),
    partner_id  INTEGER NOT NULL REFERENCES partners (id),
    merchant_id INTEGER NOT NULL REFERENCES merchants (id),
    activity_id INTEGER REFERENCES activities (id),
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);

CREATE TABLE console_sessions (
    token_hash  TEXT PRIMARY KEY,
    partner_id  INTEGER NOT NULL REFERENCES partners (id),
    merchant_id INTEGER NOT NULL REFERENCES merchants (id),
    expires_at  INTEGER NOT NULL
);

-- One row per opened activity page (a launch ticket exchanged for a session).
CREATE TABLE activity_views (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id INTEGER NOT NULL REFERENCES activities (id),
    player_id   INTEGER NOT NULL REFERENCES players (id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX activity_views_activity_idx ON activity_views (activity_id, created_at);

-- The figures group draws and check-ins by time.
CREATE INDEX draws_activity_created_idx ON draws (activity_id, created_at);
