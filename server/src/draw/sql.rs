//! The SQL of a draw, written once: the sqlx path (PostgreSQL, and check-in
//! rewards on both backends) and the SQLite writer thread run these same
//! statements. `$n` placeholders work on both engines.

/// Whether a draw with this idempotency key exists.
pub const KEY_SEEN: &str =
    "SELECT id FROM draws WHERE activity_id = $1 AND player_id = $2 AND idempotency_key = $3";

/// Takes the next draw number and locks the player's row; returns
/// `draw_seq, draws_used, extra_left`.
pub const NEXT_SEQ: &str = "INSERT INTO player_activity (activity_id, player_id, draw_seq) VALUES ($1, $2, 1) \
     ON CONFLICT (activity_id, player_id) DO UPDATE SET draw_seq = player_activity.draw_seq + 1 \
     RETURNING draw_seq, draws_used, extra_left";

/// Takes one of the day's chances if any is left (`$4` per day); returns the day's count.
pub const TAKE_DAY_CHANCE: &str = "INSERT INTO player_days (activity_id, player_id, day, draws_used) \
     VALUES ($1, $2, $3, 1) ON CONFLICT (activity_id, player_id, day) DO UPDATE \
     SET draws_used = player_days.draws_used + 1 WHERE player_days.draws_used < $4 RETURNING draws_used";

/// Counts an allowance draw.
pub const COUNT_DRAW: &str = "UPDATE player_activity SET draws_used = draws_used + 1 WHERE activity_id = $1 AND player_id = $2";

/// Spends an extra chance.
pub const TAKE_EXTRA: &str = "UPDATE player_activity SET extra_left = extra_left - 1 \
     WHERE activity_id = $1 AND player_id = $2 AND extra_left > 0";

/// The activity's prizes with their stock, in order. Stock left counts the
/// prize's own counter and its stock slots (PostgreSQL); `slotted` says
/// whether it has slots.
pub const PRIZES: &str = "SELECT id, position, name, kind, weight, stock_total, \
     stock_left + COALESCE((SELECT CAST(SUM(s.remaining) AS BIGINT) FROM stock_slots s WHERE s.prize_id = prizes.id), 0) AS stock_left, \
     per_user_limit, audit, value_cents, coupon_id, points, image, release_every, release_amount, \
     EXISTS (SELECT 1 FROM stock_slots s WHERE s.prize_id = prizes.id) AS slotted \
     FROM prizes WHERE activity_id = $1 ORDER BY position";

/// Takes one from a free stock slot of prize `$1`, starting the search at a
/// random slot `$2`, skipping slots other draws hold (PostgreSQL).
pub const TAKE_SLOT: &str = "UPDATE stock_slots SET remaining = remaining - 1 WHERE prize_id = $1 AND slot = \
     (SELECT slot FROM stock_slots WHERE prize_id = $1 AND remaining > 0 \
     ORDER BY (slot + $2) % 1024 LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING remaining";

/// As [`TAKE_SLOT`], waiting for a held slot (all were held); the guard is
/// re-checked on the row as it is after the wait.
pub const TAKE_SLOT_WAIT: &str = "UPDATE stock_slots SET remaining = remaining - 1 WHERE prize_id = $1 AND slot = \
     (SELECT slot FROM stock_slots WHERE prize_id = $1 AND remaining > 0 \
     ORDER BY (slot + $2) % 1024 LIMIT 1) AND remaining > 0 RETURNING remaining";

/// Draws from one address since a time.
pub const RECENT_FROM_IP: &str =
    "SELECT COUNT(*) FROM draws WHERE activity_id = $1 AND ip = $2 AND created_at > $3";

/// Puts a player on the review list.
pub const FLAG_FOR_REVIEW: &str = "INSERT INTO review_list (activity_id, player_id, reason, created_at) \
     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";

/// Whether a player is on the review list.
pub const ON_REVIEW: &str =
    "SELECT player_id FROM review_list WHERE activity_id = $1 AND player_id = $2";

/// How often a player has won a prize.
pub const WINS_OF_PRIZE: &str =
    "SELECT COUNT(*) FROM draws WHERE activity_id = $1 AND player_id = $2 AND prize_id = $3";

/// Takes one from a prize's stock above the release floor `$2`.
pub const TAKE_STOCK: &str =
    "UPDATE prizes SET stock_left = stock_left - 1 WHERE id = $1 AND stock_left > $2";

/// The columns and values of a recorded draw (see [`RECORD_DRAW`]).
macro_rules! insert_draw {
    () => {
        "INSERT INTO draws (activity_id, player_id, seq, idempotency_key, day, roll, \
         weight_total, candidate_id, prize_id, outcome, odds, ip, created_at, delivery) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    };
}

/// Records a draw; returns its id.
pub const RECORD_DRAW: &str = concat!(insert_draw!(), " RETURNING id");

/// [`RECORD_DRAW`] for the SQLite writer, which takes the id from the
/// connection (a `RETURNING` clause costs SQLite a temporary table and a
/// statement journal per draw).
pub const INSERT_DRAW: &str = insert_draw!();

/// Hands the first free code of prize `$2` to draw `$1`; returns the code.
pub const CLAIM_CODE: &str = "UPDATE prize_codes SET draw_id = $1 WHERE id = (SELECT id FROM prize_codes \
     WHERE prize_id = $2 AND draw_id IS NULL ORDER BY id LIMIT 1) AND draw_id IS NULL RETURNING code";

/// Writes the code onto the draw.
pub const SET_CODE: &str = "UPDATE draws SET code = $1 WHERE id = $2";

// The SQLite writer's own statements. It holds the write lock for its whole
// batch, so it reads a player's counters and then writes them, each a plain
// single-row statement: an upsert or a `RETURNING` clause would make SQLite
// open a temporary table and a statement journal for every draw. (`?N`
// placeholders: these never run on PostgreSQL.)

/// A player's counters in an activity: `draw_seq, draws_used, extra_left`.
pub const PLAYER_COUNTERS: &str = "SELECT draw_seq, draws_used, extra_left FROM player_activity \
     WHERE activity_id = ?1 AND player_id = ?2";

/// A player's first draw in an activity, from the allowance.
pub const FIRST_DRAW: &str = "INSERT INTO player_activity (activity_id, player_id, draw_seq, draws_used, extra_left) \
     VALUES (?1, ?2, 1, 1, 0)";

/// The next draw number; counts an allowance draw (`?3` = 1) or spends an
/// extra chance (`?3` = 0).
pub const NEXT_DRAW: &str = "UPDATE player_activity SET draw_seq = draw_seq + 1, \
     draws_used = draws_used + ?3, extra_left = extra_left - (1 - ?3) \
     WHERE activity_id = ?1 AND player_id = ?2";

/// The draws of a local day taken from the daily allowance.
pub const DAY_USED: &str =
    "SELECT draws_used FROM player_days WHERE activity_id = ?1 AND player_id = ?2 AND day = ?3";

/// The first allowance draw of a day.
pub const FIRST_OF_DAY: &str =
    "INSERT INTO player_days (activity_id, player_id, day, draws_used) VALUES (?1, ?2, ?3, 1)";

/// Another allowance draw of a day.
pub const NEXT_OF_DAY: &str = "UPDATE player_days SET draws_used = draws_used + 1 \
     WHERE activity_id = ?1 AND player_id = ?2 AND day = ?3";
