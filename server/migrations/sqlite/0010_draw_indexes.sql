-- Every query of a player's draws names the activity first, which the unique
-- (activity_id, player_id, idempotency_key) index serves: this one only cost
-- each draw one more B-tree page written.
DROP INDEX draws_player_idx;
