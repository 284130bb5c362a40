-- Partners, activities and their prizes.
CREATE TABLE partners (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id      TEXT NOT NULL CONSTRAINT partners_app_id_key UNIQUE,
    name        TEXT NOT NULL,
    secret      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE activities (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id       TEXT NOT NULL CONSTRAINT activities_public_id_key UNIQUE,
    partner_id      INTEGER NOT NULL REFERENCES partners (id),
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'ended')),
    starts_at       INTEGER NOT NULL,
    ends_at         INTEGER NOT NULL,
    timezone        TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    theme           TEXT NOT NULL DEFAULT 'festival',
    rules           TEXT NOT NULL DEFAULT '{}',
    -- A draw picks a number in [0, weight_total); what no prize covers is "thanks".
    weight_total    INTEGER NOT NULL DEFAULT 1000000 CHECK (weight_total > 0),
    fair_seed       TEXT,
    fair_commitment TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CONSTRAINT activities_window_check CHECK (ends_at > starts_at)
);
CREATE INDEX activities_partner_idx ON activities (partner_id);

CREATE TABLE prizes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id     INTEGER NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    kind            TEXT NOT NULL CHECK (kind IN ('thanks', 'points', 'coupon', 'goods', 'code')),
    weight          INTEGER NOT NULL CHECK (weight >= 0),
    stock_total     INTEGER CHECK (stock_total IS NULL OR stock_total >= 0),
    -- Guarded by "stock_left > 0" in every decrement and by this check.
    stock_left      INTEGER CHECK (stock_left IS NULL OR stock_left >= 0),
    per_user_limit  INTEGER CHECK (per_user_limit IS NULL OR per_user_limit > 0),
    -- Release plan: so many per day or per hour instead of all at once.
    release_every   TEXT CHECK (release_every IS NULL OR release_every IN ('day', 'hour')),
    release_amount  INTEGER CHECK (release_amount IS NULL OR release_amount > 0),
    audit           BOOLEAN NOT NULL DEFAULT FALSE,
    value_cents     INTEGER NOT NULL DEFAULT 0,
    coupon_id       TEXT,
    points          INTEGER,
    image           TEXT,
    CONSTRAINT prizes_position_key UNIQUE (activity_id, position)
);
