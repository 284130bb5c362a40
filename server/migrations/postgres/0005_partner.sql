-- Partner integration: callback settings, and the outbox every partner call
-- that must not be lost goes through (events, coupon issue, points add and
-- refunds), written in the same transaction as the state change it describes.
ALTER TABLE partners ADD COLUMN config TEXT NOT NULL DEFAULT '{}';

CREATE TABLE outbox (
    id           BIGSERIAL PRIMARY KEY,
    partner_id   BIGINT NOT NULL REFERENCES partners (id),
    activity_id  BIGINT REFERENCES activities (id),
    -- Which callback: events | coupon_issue | points_add
    callback     TEXT NOT NULL,
    -- The event_id or biz_id the partner sees: a retry carries the same.
    dedupe_key   TEXT NOT NULL CONSTRAINT outbox_dedupe_key UNIQUE,
    draw_id      BIGINT REFERENCES draws (id),
    body         TEXT NOT NULL,
    -- pending: to deliver; done: acknowledged; failed: refused for good;
    -- dead: not acknowledged within the horizon; cancelled: not needed.
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'done', 'failed', 'dead', 'cancelled')),
    attempts     BIGINT NOT NULL DEFAULT 0,
    -- Unix milliseconds: when it is due, and until when a worker holds it.
    next_at      BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0,
    last_error   TEXT,
    result       TEXT,
    created_at   BIGINT NOT NULL,
    done_at      BIGINT
);
CREATE INDEX outbox_due_idx ON outbox (status, next_at);
CREATE INDEX outbox_partner_idx ON outbox (partner_id, id);

-- A prize the partner delivers: pending | issued | failed, and its message.
ALTER TABLE draws ADD COLUMN delivery TEXT;
ALTER TABLE draws ADD COLUMN delivery_note TEXT;
