-- Stock slots (PostgreSQL only in practice; the table exists on both so the
-- queries are the same): a big prize's stock split over several rows, so
-- concurrent draws of one prize do not all queue on one row lock. A prize's
-- stock left is prizes.stock_left plus what its slots hold.
CREATE TABLE stock_slots (
    prize_id  INTEGER NOT NULL REFERENCES prizes (id) ON DELETE CASCADE,
    slot      INTEGER NOT NULL,
    remaining INTEGER NOT NULL CHECK (remaining >= 0),
    PRIMARY KEY (prize_id, slot)
);
