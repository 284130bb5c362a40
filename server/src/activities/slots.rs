//! Stock slots (PostgreSQL): when an activity is published, each prize with
//! a large stock and no release plan has its stock split over
//! `--stock-slots` rows. A draw takes one from a random free slot, skipping
//! slots other transactions hold, so draws of one hot prize commit side by
//! side instead of queueing on one row lock. Each slot is guarded like the
//! single counter (`remaining > 0`, `CHECK (remaining >= 0)`): never oversold.
//! SQLite needs none of this (one writer commits draws in batches).

use crate::db::Db;
use crate::error::AppError;

/// Each slot starts with at least this many, or the prize is not split.
pub const MIN_PER_SLOT: i64 = 16;

/// Splits the stock of the activity's big prizes over `slots` slots (once).
pub async fn split(db: &Db, activity_id: i64, slots: i64) -> Result<(), AppError> {
    let Db::Postgres(pool) = db else {
        return Ok(());
    };
    if slots < 2 {
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    let prizes: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, stock_left FROM prizes WHERE activity_id = $1 AND stock_left >= $2 \
         AND release_every IS NULL AND NOT EXISTS (SELECT 1 FROM stock_slots s WHERE s.prize_id = prizes.id) \
         ORDER BY id FOR UPDATE",
    )
    .bind(activity_id)
    .bind(slots * MIN_PER_SLOT)
    .fetch_all(&mut *tx)
    .await?;
    for (prize_id, stock) in prizes {
        sqlx::query(
            "INSERT INTO stock_slots (prize_id, slot, remaining) \
             SELECT $1, g, $2 / $3 + CASE WHEN g < $2 % $3 THEN 1 ELSE 0 END \
             FROM generate_series(0, $3 - 1) AS g",
        )
        .bind(prize_id)
        .bind(stock)
        .bind(slots)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE prizes SET stock_left = stock_left - $1 WHERE id = $2")
            .bind(stock)
            .bind(prize_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
