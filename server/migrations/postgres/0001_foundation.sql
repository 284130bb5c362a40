-- Partners, activities and their prizes.
CREATE TABLE partners (
    id          BIGSERIAL PRIMARY KEY,
    app_id      TEXT NOT NULL CONSTRAINT partners_app_id_key UNIQUE,
    name        TEXT NOT NULL,
    secret      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE activities (
    id              BIGSERIAL PRIMARY KEY,
    public_id       TEXT NOT NULL CONSTRAINT activities_public_id_key UNIQUE,
    partner_id      BIGINT NOT NULL REFERENCES partners (id),
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'ended')),
    starts_at       BIGINT NOT NULL,
    ends_at         BIGINT NOT NULL,
    timezone        TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    theme           TEXT NOT NULL DEFAULT 'festival',
    rules           TEXT NOT NULL DEFAULT '{}',
    -- A draw picks a number in [0, weight_total); what no prize covers is "thanks".
    weight_total    BIGINT NOT NULL DEFAULT 1000000 CHECK (weight_total > 0),
    fair_seed       TEXT,
    fair_commitment TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CONSTRAINT activities_window_check CHECK (ends_at > starts_at)
);
CREATE INDEX activities_partner_idx ON activities (partner_id);

CREATE TABLE prizes (
    id              BIGSERIAL PRIMARY KEY,
    activity_id     BIGINT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    position        BIGINT NOT NULL,
    name            TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    kind            TEXT NOT NULL CHECK (kind IN ('thanks', 'points', 'coupon', 'goods', 'code')),
    weight          BIGINT NOT NULL CHECK (weight >= 0),
    stock_total     BIGINT CHECK (stock_total IS NULL OR stock_total >= 0),
    -- Guarded by "stock_left > 0" in every decrement and by this check.
    stock_left      BIGINT CHECK (stock_left IS NULL OR stock_left >= 0),
    per_user_limit  BIGINT CHECK (per_user_limit IS NULL OR per_user_limit > 0),
    -- Release plan: so many per day or per hour instead of all at once.
    release_every   TEXT CHECK (release_every IS NULL OR release_every IN ('day', 'hour')),
    release_amount  BIGINT CHECK (release_amount IS NULL OR release_amount > 0),
    audit           BOOLEAN NOT NULL DEFAULT FALSE,
    value_cents     BIGINT NOT NULL DEFAULT 0,
    coupon_id       TEXT,
    points          BIGINT,
    image           TEXT,
    CONSTRAINT prizes_position_key UNIQUE (activity_id, position)
);
