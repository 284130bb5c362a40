-- Stock slots (PostgreSQL only in practice; the table exists on both so the
-- queries are the same): a big prize's stock split over several rows, so
-- concurrent draws of one prize do not all queue on one row lock. A prize's
-- stock left is prizes.stock_left plus what its slots hold.
CREATE TABLE stock_slots (
    prize_id  BIGINT NOT NULL REFERENCES prizes (id) ON DELETE CASCADE,
    slot      BIGINT NOT NULL,
    remaining BIGINT NOT NULL CHECK (remaining >= 0),
    PRIMARY KEY (prize_id, slot)
);
