-- Partners, activities and their prizes: the foundation the draw core builds on.
CREATE TABLE partners (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id      TEXT    NOT NULL CONSTRAINT partners_app_id_key UNIQUE,
    name        TEXT    NOT NULL,
    secret      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE activities (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id   TEXT    NOT NULL CONSTRAINT activities_public_id_key UNIQUE,
    partner_id  INTEGER NOT NULL REFERENCES partners (id),
    kind        TEXT    NOT NULL,
    title       TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    status      TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'ended')),
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL,
    timezone    TEXT    NOT NULL DEFAULT 'Asia/Shanghai',
    theme       TEXT    NOT NULL DEFAULT 'festival',
    rules       TEXT    NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CONSTRAINT activities_window_check CHECK (ends_at > starts_at)
);
CREATE INDEX activities_partner_idx ON activities (partner_id);

CREATE TABLE prizes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id     INTEGER NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    name            TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    kind            TEXT    NOT NULL CHECK (kind IN ('thanks', 'points', 'coupon', 'goods', 'code')),
    probability_ppm INTEGER NOT NULL CHECK (probability_ppm BETWEEN 0 AND 1000000),
    stock_total     INTEGER CHECK (stock_total IS NULL OR stock_total >= 0),
    stock_left      INTEGER CHECK (stock_left IS NULL OR stock_left >= 0),
    value_cents     INTEGER NOT NULL DEFAULT 0,
    image           TEXT,
    config          TEXT    NOT NULL DEFAULT '{}',
    CONSTRAINT prizes_position_key UNIQUE (activity_id, position)
);
