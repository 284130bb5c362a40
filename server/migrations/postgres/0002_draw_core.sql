-- Players, tickets, sessions, replay protection, chances, draws, codes, check-ins.
CREATE TABLE players (
    id          BIGSERIAL PRIMARY KEY,
    partner_id  BIGINT NOT NULL REFERENCES partners (id),
    u_id        TEXT NOT NULL,
    nickname    TEXT,
    avatar      TEXT,
    created_at  BIGINT NOT NULL,
    CONSTRAINT players_partner_u_id_key UNIQUE (partner_id, u_id)
);

CREATE TABLE tickets (
    ticket      TEXT PRIMARY KEY,
    player_id   BIGINT NOT NULL REFERENCES players (id),
    activity_id BIGINT NOT NULL REFERENCES activities (id),
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    player_id   BIGINT NOT NULL REFERENCES players (id),
    activity_id BIGINT NOT NULL REFERENCES activities (id),
    expires_at  BIGINT NOT NULL
);

-- A nonce is accepted once per partner within the timestamp window.
CREATE TABLE nonces (
    app_id      TEXT NOT NULL,
    nonce       TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    PRIMARY KEY (app_id, nonce)
);
CREATE INDEX nonces_expires_idx ON nonces (expires_at);

-- Per player and activity: allowance used, extra chances, draw sequence.
CREATE TABLE player_activity (
    activity_id BIGINT NOT NULL REFERENCES activities (id),
    player_id   BIGINT NOT NULL REFERENCES players (id),
    draws_used  BIGINT NOT NULL DEFAULT 0 CHECK (draws_used >= 0),
    extra_left  BIGINT NOT NULL DEFAULT 0 CHECK (extra_left >= 0),
    draw_seq    BIGINT NOT NULL DEFAULT 0,
    makeups_used BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (activity_id, player_id)
);

-- Per player, activity and local day (yyyymmdd): draws from the daily allowance.
CREATE TABLE player_days (
    activity_id BIGINT NOT NULL REFERENCES activities (id),
    player_id   BIGINT NOT NULL REFERENCES players (id),
    day         BIGINT NOT NULL,
    draws_used  BIGINT NOT NULL DEFAULT 0 CHECK (draws_used >= 0),
    PRIMARY KEY (activity_id, player_id, day)
);

CREATE TABLE draws (
    id              BIGSERIAL PRIMARY KEY,
    activity_id     BIGINT NOT NULL REFERENCES activities (id),
    player_id       BIGINT NOT NULL REFERENCES players (id),
    seq             BIGINT NOT NULL,
    idempotency_key TEXT NOT NULL,
    day             BIGINT NOT NULL,
    -- What the roll pointed at, and what the player got (NULL: thanks).
    roll            BIGINT NOT NULL,
    weight_total    BIGINT NOT NULL,
    candidate_id    BIGINT REFERENCES prizes (id),
    prize_id        BIGINT REFERENCES prizes (id),
    -- won | thanks | out_of_stock | user_limit
    outcome         TEXT NOT NULL,
    -- The odds drawn from: [[prize_id, weight], ...] in prize order.
    odds            TEXT NOT NULL,
    code            TEXT,
    source          TEXT NOT NULL DEFAULT 'draw',
    ip              TEXT,
    created_at      BIGINT NOT NULL,
    CONSTRAINT draws_idempotency_key UNIQUE (activity_id, player_id, idempotency_key),
    CONSTRAINT draws_seq_key UNIQUE (activity_id, player_id, seq)
);
CREATE INDEX draws_activity_prize_idx ON draws (activity_id, prize_id);
CREATE INDEX draws_player_idx ON draws (player_id, activity_id);

-- Pre-loaded redeem codes; each handed to one winning draw.
CREATE TABLE prize_codes (
    id          BIGSERIAL PRIMARY KEY,
    prize_id    BIGINT NOT NULL REFERENCES prizes (id) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    draw_id     BIGINT CONSTRAINT prize_codes_draw_key UNIQUE REFERENCES draws (id)
);
CREATE INDEX prize_codes_free_idx ON prize_codes (prize_id, draw_id);

-- One check-in per player per local day, enforced by the key.
CREATE TABLE checkins (
    activity_id BIGINT NOT NULL REFERENCES activities (id),
    player_id   BIGINT NOT NULL REFERENCES players (id),
    day         BIGINT NOT NULL,
    made_up     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (activity_id, player_id, day)
);
