//! Creating and changing activities: the logic behind the open API's
//! `activity/*` and the console's activity endpoints. Callers resolve the
//! activity within their [`Scope`](super::model::Scope) first.

use huodong_shared::ErrorCode;
use huodong_shared::api::{ActivityStatus, PrizeKind};
use huodong_shared::open::{ActivityInfo, CreateActivity, PrizeInput, UpdateActivity};

use super::model::Activity;
use super::validate::{self, NewPrize};
use crate::db::{BeginWrite, now_secs};
use crate::error::AppError;
use crate::ids;
use crate::on_db;
use crate::state::AppState;

/// The partner's (and the console's) view of an activity.
pub async fn info(state: &AppState, activity: &Activity) -> Result<ActivityInfo, AppError> {
    let prizes = activity.prizes(&state.db).await?;
    let mut info = activity.info(&prizes, &state.config.public_url());
    if info.prizes.iter().any(|p| p.kind == PrizeKind::Code) {
        let counts: Vec<(i64, i64)> = on_db!(&state.db, pool => {
            sqlx::query_as(
                "SELECT c.prize_id, COUNT(*) FROM prize_codes c JOIN prizes p ON p.id = c.prize_id \
                 WHERE p.activity_id = $1 GROUP BY c.prize_id",
            )
            .bind(activity.id)
            .fetch_all(pool)
            .await
        })?;
        for prize in info.prizes.iter_mut().filter(|p| p.kind == PrizeKind::Code) {
            let count = counts.iter().find(|(id, _)| *id == prize.prize_id);
            prize.codes_total = Some(count.map_or(0, |(_, n)| *n));
        }
    }
    Ok(info)
}

/// The prize list of an update, with the codes of each `code` prize sent
/// without any taken from the pool of the current prize of the same name
/// (an editor that shows the pool's size need not send the codes back).
async fn keep_code_pools(
    state: &AppState,
    activity: &Activity,
    list: &[PrizeInput],
) -> Result<Vec<PrizeInput>, AppError> {
    let mut list = list.to_vec();
    if !list
        .iter()
        .any(|p| p.kind == PrizeKind::Code && p.codes.is_empty())
    {
        return Ok(list);
    }
    let pools: Vec<(i64, String, String)> = on_db!(&state.db, pool => {
        sqlx::query_as(
            "SELECT p.id, p.name, c.code FROM prize_codes c JOIN prizes p ON p.id = c.prize_id \
             WHERE p.activity_id = $1 AND p.kind = 'code' ORDER BY c.id",
        )
        .bind(activity.id)
        .fetch_all(pool)
        .await
    })?;
    let refuse = |i: usize, why: String| {
        AppError::with_msg(ErrorCode::Validation, format!("prizes[{i}].codes: {why}"))
    };
    // Each pool goes to one prize at most: a code is never handed out twice.
    let mut claimed: Vec<(i64, usize)> = Vec::new();
    for (i, prize) in list.iter_mut().enumerate() {
        if prize.kind != PrizeKind::Code || !prize.codes.is_empty() {
            continue;
        }
        let name = prize.name.trim().to_owned();
        let mut of_name: Vec<i64> = pools
            .iter()
            .filter(|(_, of, _)| of.trim() == name)
            .map(|(id, _, _)| *id)
            .collect();
        of_name.sort_unstable();
        of_name.dedup();
        let pool_id = match of_name.as_slice() {
            [] => {
                return Err(refuse(
                    i,
                    format!("兑换码奖品「{name}」没有同名的现有码池，须带上兑换码"),
                ));
            }
            [one] => *one,
            _ => {
                return Err(refuse(
                    i,
                    format!("有多个名为「{name}」的兑换码奖品，无法确定沿用哪个码池，须带上兑换码"),
                ));
            }
        };
        if let Some((_, by)) = claimed.iter().find(|(id, _)| *id == pool_id) {
            return Err(refuse(
                i,
                format!("「{name}」的码池已由第 {} 个奖品沿用，须带上兑换码", by + 1),
            ));
        }
        claimed.push((pool_id, i));
        prize.codes = pools
            .iter()
            .filter(|(id, _, _)| *id == pool_id)
            .map(|(_, _, code)| code.clone())
            .collect();
    }
    Ok(list)
}

/// The fair-mode seed and its commitment: SHA-256 of the seed's 32 raw bytes.
fn new_fair_seed() -> (String, String) {
    let seed = ids::random_hex(32);
    let raw = hex::decode(&seed).unwrap_or_default();
    let commitment = ids::sha256_hex(&raw);
    (seed, commitment)
}

/// Inserts prizes and their codes inside an open transaction.
macro_rules! insert_prizes {
    ($tx:expr, $activity_id:expr, $prizes:expr) => {{
        for (position, p) in $prizes.iter().enumerate() {
            let (prize_id,): (i64,) = sqlx::query_as(
                "INSERT INTO prizes (activity_id, position, name, kind, weight, stock_total, stock_left, \
                 per_user_limit, audit, value_cents, coupon_id, points, image, release_every, release_amount) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
            )
            .bind($activity_id)
            .bind(position as i64)
            .bind(&p.name)
            .bind(p.kind.as_str())
            .bind(p.weight)
            .bind(p.stock)
            .bind(p.per_user_limit)
            .bind(p.audit)
            .bind(p.value_cents)
            .bind(&p.coupon_id)
            .bind(p.points)
            .bind(&p.image)
            .bind(p.release.map(|r| match r.every {
                huodong_shared::open::ReleaseEvery::Day => "day",
                huodong_shared::open::ReleaseEvery::Hour => "hour",
            }))
            .bind(p.release.map(|r| r.amount))
            .fetch_one(&mut *$tx)
            .await?;
            for code in &p.codes {
                sqlx::query("INSERT INTO prize_codes (prize_id, code) VALUES ($1, $2)")
                    .bind(prize_id)
                    .bind(code)
                    .execute(&mut *$tx)
                    .await?;
            }
        }
    }};
}

fn check_rules_and_prizes(
    kind: huodong_shared::api::ActivityKind,
    rules: &huodong_shared::open::Rules,
    prizes: &[PrizeInput],
) -> Result<(Vec<NewPrize>, i64), AppError> {
    let (list, total) = validate::prizes(&crate::live::tier_inputs(kind, prizes))?;
    crate::live::check_tiers(kind, &list)?;
    validate::rules(kind, rules, list.len())?;
    Ok((list, total))
}

/// Creates a draft activity with its prizes for the partner, and for one of
/// its merchants when `merchant_id` is given (resolved by the caller).
pub async fn create(
    state: &AppState,
    partner_id: i64,
    merchant_id: Option<i64>,
    input: &CreateActivity,
) -> Result<ActivityInfo, AppError> {
    let title = validate::title(&input.title)?;
    validate::window(input.starts_at, input.ends_at)?;
    let timezone = validate::timezone(input.timezone.as_deref())?;
    let theme = validate::theme(input.theme.as_deref())?;
    let (prizes, weight_total) =
        check_rules_and_prizes(input.template, &input.rules, &input.prizes)?;
    let rules = serde_json::to_string(&input.rules).map_err(anyhow::Error::from)?;
    let (seed, commitment) = if input.rules.provably_fair {
        let (s, c) = new_fair_seed();
        (Some(s), Some(c))
    } else {
        (None, None)
    };
    let public_id = ids::activity_id();
    let now = now_secs();
    on_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        let (activity_id,): (i64,) = sqlx::query_as(
            "INSERT INTO activities (public_id, partner_id, kind, title, status, starts_at, ends_at, timezone, \
             theme, rules, weight_total, fair_seed, fair_commitment, created_at, updated_at, merchant_id) \
             VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14) RETURNING id",
        )
        .bind(&public_id)
        .bind(partner_id)
        .bind(input.template.as_str())
        .bind(&title)
        .bind(input.starts_at)
        .bind(input.ends_at)
        .bind(&timezone)
        .bind(&theme)
        .bind(&rules)
        .bind(weight_total)
        .bind(&seed)
        .bind(&commitment)
        .bind(now)
        .bind(merchant_id)
        .fetch_one(&mut *tx)
        .await?;
        insert_prizes!(tx, activity_id, prizes);
        tx.commit().await?;
        Ok::<(), sqlx::Error>(())
    })?;
    let activity = Activity::get(&state.db, &public_id).await?;
    info(state, &activity).await
}

/// Changes an activity: before the start anything may change; after it
/// only the title and the theme (the published rules cannot change).
/// `input.activity_id` is not read: `activity` is the one changed.
pub async fn update(
    state: &AppState,
    activity: &Activity,
    input: &UpdateActivity,
) -> Result<ActivityInfo, AppError> {
    let now = now_secs();
    let touches_rules = input.prizes.is_some()
        || input.rules.is_some()
        || input.starts_at.is_some()
        || input.ends_at.is_some()
        || input.timezone.is_some();
    if touches_rules && activity.is_locked(now) {
        return Err(AppError::with_msg(
            ErrorCode::Conflict,
            "活动已开始，奖品、概率与规则已锁定，不能修改",
        ));
    }
    let title = match &input.title {
        Some(t) => validate::title(t)?,
        None => activity.title.clone(),
    };
    let theme = match &input.theme {
        Some(t) => validate::theme(Some(t))?,
        None => activity.theme.clone(),
    };
    let starts_at = input.starts_at.unwrap_or(activity.starts_at);
    let ends_at = input.ends_at.unwrap_or(activity.ends_at);
    validate::window(starts_at, ends_at)?;
    let timezone = match &input.timezone {
        Some(t) => validate::timezone(Some(t))?,
        None => activity.timezone.clone(),
    };
    let rules = input
        .rules
        .clone()
        .unwrap_or_else(|| activity.rules.clone());
    let new_prizes = match &input.prizes {
        Some(list) => {
            let list = keep_code_pools(state, activity, list).await?;
            Some(check_rules_and_prizes(activity.kind, &rules, &list)?)
        }
        None => {
            let count = activity.prizes(&state.db).await?.len();
            validate::rules(activity.kind, &rules, count)?;
            None
        }
    };
    let weight_total = new_prizes
        .as_ref()
        .map(|(_, t)| *t)
        .unwrap_or(activity.weight_total);
    let (seed, commitment) = match (rules.provably_fair, &activity.fair_seed) {
        (true, Some(seed)) => (Some(seed.clone()), activity.fair_commitment.clone()),
        (true, None) => {
            let (s, c) = new_fair_seed();
            (Some(s), Some(c))
        }
        (false, _) => (None, None),
    };
    let rules_json = serde_json::to_string(&rules).map_err(anyhow::Error::from)?;
    on_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        sqlx::query(
            "UPDATE activities SET title = $1, theme = $2, starts_at = $3, ends_at = $4, timezone = $5, \
             rules = $6, weight_total = $7, fair_seed = $8, fair_commitment = $9, updated_at = $10 WHERE id = $11",
        )
        .bind(&title)
        .bind(&theme)
        .bind(starts_at)
        .bind(ends_at)
        .bind(&timezone)
        .bind(&rules_json)
        .bind(weight_total)
        .bind(&seed)
        .bind(&commitment)
        .bind(now)
        .bind(activity.id)
        .execute(&mut *tx)
        .await?;
        if let Some((prizes, _)) = &new_prizes {
            sqlx::query("DELETE FROM prize_codes WHERE prize_id IN (SELECT id FROM prizes WHERE activity_id = $1)")
                .bind(activity.id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM prizes WHERE activity_id = $1").bind(activity.id).execute(&mut *tx).await?;
            insert_prizes!(tx, activity.id, prizes);
        }
        tx.commit().await?;
        Ok::<(), sqlx::Error>(())
    })?;
    state.caches.forget_activity(&activity.public_id);
    let activity = Activity::get(&state.db, &activity.public_id).await?;
    if activity.status == ActivityStatus::Published {
        // New prizes of a published activity get their stock slots too.
        super::slots::split(&state.db, activity.id, state.config.stock_slots).await?;
    }
    info(state, &activity).await
}

/// Draft → published (idempotent). A published activity is playable
/// inside its window; its rules lock at the start.
pub async fn publish(state: &AppState, activity: &Activity) -> Result<ActivityInfo, AppError> {
    match activity.status {
        ActivityStatus::Ended => {
            return Err(AppError::with_msg(
                ErrorCode::Conflict,
                "活动已结束，不能再发布",
            ));
        }
        ActivityStatus::Published => return info(state, activity).await,
        ActivityStatus::Draft => {}
    }
    let prizes = activity.prizes(&state.db).await?;
    // A check-in's prizes are milestones; a live activity's tiers are drawn from people.
    if !matches!(
        activity.kind,
        huodong_shared::api::ActivityKind::Checkin | huodong_shared::api::ActivityKind::Live
    ) && !prizes
        .iter()
        .any(|p| p.kind() != PrizeKind::Thanks && p.weight > 0)
    {
        return Err(AppError::with_msg(
            ErrorCode::Validation,
            "prizes: 发布前至少设置一个可中的奖品",
        ));
    }
    set_status(state, activity, ActivityStatus::Published).await?;
    super::slots::split(&state.db, activity.id, state.config.stock_slots).await?;
    info(state, &Activity::get(&state.db, &activity.public_id).await?).await
}

/// Ends it now (idempotent) and reveals the fair seed.
pub async fn end(state: &AppState, activity: &Activity) -> Result<ActivityInfo, AppError> {
    if activity.status != ActivityStatus::Ended {
        set_status(state, activity, ActivityStatus::Ended).await?;
    }
    info(state, &Activity::get(&state.db, &activity.public_id).await?).await
}

async fn set_status(
    state: &AppState,
    activity: &Activity,
    status: ActivityStatus,
) -> Result<(), AppError> {
    state.caches.forget_activity(&activity.public_id);
    on_db!(&state.db, pool => {
        sqlx::query("UPDATE activities SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(status.as_str())
            .bind(now_secs())
            .bind(activity.id)
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    Ok(())
}
