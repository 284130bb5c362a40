-- Game rounds (quiz, red envelopes, memory flip): the server starts a round
-- and accepts its end once. A plausible score claims the round (score and
-- passed are set while it is still open), then the round spends a chance
-- through the draw under draw_key, and only then is it done; a retry of the
-- finish completes a claimed round with the score first claimed. An
-- implausible score rejects the round for good.
CREATE TABLE game_rounds (
    -- 128 random bits as hex: unguessable.
    id          TEXT PRIMARY KEY,
    activity_id BIGINT NOT NULL REFERENCES activities (id),
    player_id   BIGINT NOT NULL REFERENCES players (id),
    -- The board's seed (u32) handed to the player.
    seed        BIGINT NOT NULL,
    -- Unix milliseconds, on the server clock.
    started_ms  BIGINT NOT NULL,
    finished_ms BIGINT,
    score       BIGINT,
    passed      BOOLEAN,
    -- open: playing (or claimed, waiting for its draw); done: drawn;
    -- rejected: the score was not plausible (reason says why).
    state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'rejected')),
    reason      TEXT,
    -- The idempotency key of the draw the round spends: game-<id>.
    draw_key    TEXT NOT NULL,
    CHECK (state <> 'done' OR (score IS NOT NULL AND passed IS NOT NULL))
);
CREATE INDEX game_rounds_player_idx ON game_rounds (activity_id, player_id);
