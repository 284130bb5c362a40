//! Provably-fair verification: once an activity has ended its seed is
//! revealed, and anyone can re-run every draw from public data. A chance a
//! game round spent without passing was not rolled (the round's score made
//! it "thanks"): it is not part of the record.

use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};

use super::pick;
use crate::activities::model::Activity;
use crate::db::now_secs;
use crate::error::{ApiResult, AppError, Reply};
use crate::on_db;
use crate::state::AppState;
use huodong_shared::ErrorCode;

/// One draw as the public record shows it.
#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow)]
pub struct PublicDraw {
    /// Draw id (the cursor).
    pub id: i64,
    /// The player's draw number.
    pub seq: i64,
    /// The partner's user id (turned into `player_ref` in the answer).
    #[serde(skip)]
    pub u_id: String,
    /// SHA-256 prefix of the user id.
    #[sqlx(skip)]
    pub player_ref: String,
    /// The roll in `[0, weight_total)`.
    pub roll: i64,
    /// The weight total drawn from.
    pub weight_total: i64,
    /// `[[prize_id, weight, stock_left], …]` at the draw.
    pub odds: String,
    /// The prize the roll landed on.
    pub candidate_id: Option<i64>,
    /// The prize awarded.
    pub prize_id: Option<i64>,
    /// won | thanks | out_of_stock | user_limit | not_released.
    pub outcome: String,
}

/// The verification report.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Report {
    /// The activity.
    pub activity_id: String,
    /// The revealed seed.
    pub seed: String,
    /// The commitment published before the start.
    pub commitment: String,
    /// SHA-256 of the seed equals the commitment.
    pub commitment_ok: bool,
    /// Draws re-run.
    pub draws_checked: i64,
    /// Draws whose roll or prize does not follow from the seed and the odds.
    pub mismatches: Vec<i64>,
    /// No prize was awarded more often than its stock.
    pub stock_ok: bool,
}

/// Query of the public record.
#[derive(Debug, Deserialize)]
pub struct Cursor {
    /// Draws with an id after this one.
    #[serde(default)]
    pub after: i64,
}

async fn ended_fair_activity(
    state: &AppState,
    public_id: &str,
) -> Result<(Activity, String, String), AppError> {
    let activity = Activity::get(&state.db, public_id).await?;
    let (Some(commitment), true) = (
        activity.fair_commitment.clone(),
        activity.rules.provably_fair,
    ) else {
        return Err(AppError::with_msg(
            ErrorCode::Validation,
            "该活动未开启可验证公平模式",
        ));
    };
    let Some(seed) = activity.revealed_seed(now_secs()) else {
        return Err(AppError::with_msg(
            ErrorCode::Conflict,
            "活动结束后才公开种子，届时可验证",
        ));
    };
    Ok((activity, seed, commitment))
}

async fn page(
    state: &AppState,
    activity_id: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<PublicDraw>, AppError> {
    let rows: Vec<PublicDraw> = on_db!(&state.db, pool => {
        sqlx::query_as(
            "SELECT d.id, d.seq, p.u_id, d.roll, d.weight_total, d.odds, d.candidate_id, d.prize_id, d.outcome \
             FROM draws d JOIN players p ON p.id = d.player_id \
             WHERE d.activity_id = $1 AND d.id > $2 AND d.source = 'draw' \
             AND NOT (d.roll = -1 AND d.prize_id IS NULL AND EXISTS (SELECT 1 FROM game_rounds g \
             WHERE g.activity_id = d.activity_id AND g.player_id = d.player_id \
             AND g.draw_key = d.idempotency_key AND g.passed = FALSE)) \
             ORDER BY d.id LIMIT $3",
        )
        .bind(activity_id)
        .bind(after)
        .bind(limit)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|mut d| {
            d.player_ref = pick::player_ref(&d.u_id);
            d
        })
        .collect())
}

/// Whether one draw follows from the seed and its recorded odds.
pub fn draw_follows(seed: &str, activity_id: &str, d: &PublicDraw) -> bool {
    let roll = pick::fair_roll(seed, activity_id, &d.player_ref, d.seq, d.weight_total);
    let Ok(odds) = serde_json::from_str::<Vec<(i64, i64, Option<i64>)>>(&d.odds) else {
        return false;
    };
    let weights: Vec<i64> = odds.iter().map(|o| o.1).collect();
    let candidate = pick::pick(&weights, roll).map(|i| odds[i].0);
    let prize_ok = match d.outcome.as_str() {
        "won" => d.prize_id == candidate && candidate.is_some(),
        "thanks" => d.prize_id == candidate,
        "out_of_stock" | "user_limit" | "not_released" | "review" => {
            d.prize_id.is_none() && candidate.is_some()
        }
        _ => false,
    };
    roll == d.roll && candidate == d.candidate_id && prize_ok
}

/// `GET /api/v1/activities/{id}/verify`: re-runs every draw.
pub async fn verify(
    State(state): State<AppState>,
    Path(public_id): Path<String>,
) -> ApiResult<Report> {
    let (activity, seed, commitment) = ended_fair_activity(&state, &public_id).await?;
    let mut after = 0;
    let mut checked = 0;
    let mut mismatches = Vec::new();
    loop {
        let rows = page(&state, activity.id, after, 1000).await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        for d in &rows {
            checked += 1;
            if !draw_follows(&seed, &activity.public_id, d) {
                mismatches.push(d.id);
            }
        }
    }
    let over: Option<(i64,)> = on_db!(&state.db, pool => {
        sqlx::query_as(
            "SELECT p.id FROM prizes p WHERE p.activity_id = $1 AND p.stock_total IS NOT NULL AND \
             (SELECT COUNT(*) FROM draws d WHERE d.prize_id = p.id) > p.stock_total LIMIT 1",
        )
        .bind(activity.id)
        .fetch_optional(pool)
        .await
    })?;
    Ok(Reply(Report {
        activity_id: activity.public_id,
        commitment_ok: pick::seed_matches(&seed, &commitment),
        seed,
        commitment,
        draws_checked: checked,
        mismatches,
        stock_ok: over.is_none(),
    }))
}

/// `GET /api/v1/activities/{id}/draws?after=ID`: the public record, 500 at a time.
pub async fn public_draws(
    State(state): State<AppState>,
    Path(public_id): Path<String>,
    Query(cursor): Query<Cursor>,
) -> ApiResult<Vec<PublicDraw>> {
    let (activity, _, _) = ended_fair_activity(&state, &public_id).await?;
    Ok(Reply(page(&state, activity.id, cursor.after, 500).await?))
}
