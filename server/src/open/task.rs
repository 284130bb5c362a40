//! `task/complete`: extra chances for a finished partner task, idempotent by `biz_id`.

use axum::extract::State;
use huodong_shared::ErrorCode;
use huodong_shared::open::{TaskComplete, TaskResult};
use huodong_shared::partner::Callback;
use serde_json::json;

use super::Signed;
use crate::activities::model::Activity;
use crate::activities::validate;
use crate::db::{BeginWrite, now_secs};
use crate::draw::{current_chances, today};
use crate::error::{ApiResult, AppError, Reply};
use crate::on_db;
use crate::outbox::{self, Message};
use crate::state::AppState;

/// Grants the chances once per `biz_id` and answers the chances left.
#[utoipa::path(post, path = "/open/v1/task/complete", tag = "open", request_body = TaskComplete, responses((status = 200, body = TaskResult)))]
pub async fn complete(
    State(state): State<AppState>,
    signed: Signed<TaskComplete>,
) -> ApiResult<TaskResult> {
    let input = signed.body;
    let u_id = validate::text("u_id", &input.u_id, 1, 64)?;
    let task_id = validate::text("task_id", &input.task_id, 1, 64)?;
    let biz_id = validate::text("biz_id", &input.biz_id, 1, 64)?;
    let chances = input.chances.unwrap_or(1);
    if !(1..=100).contains(&chances) {
        return Err(AppError::with_msg(
            ErrorCode::Validation,
            "chances: 须在 1 到 100 之间",
        ));
    }
    let activity = Activity::owned_by(&state.db, &input.activity_id, signed.partner.id).await?;
    let now = now_secs();
    let partner = state.caches.partner(&state.db, signed.partner.id).await?;
    let (player_id, granted) = on_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        let (player_id,): (i64,) = sqlx::query_as(
            "INSERT INTO players (partner_id, u_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (partner_id, u_id) DO UPDATE SET u_id = excluded.u_id RETURNING id",
        )
        .bind(signed.partner.id)
        .bind(&u_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let fresh = sqlx::query(
            "INSERT INTO task_grants (activity_id, biz_id, player_id, task_id, chances, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (activity_id, biz_id) DO NOTHING",
        )
        .bind(activity.id)
        .bind(&biz_id)
        .bind(player_id)
        .bind(&task_id)
        .bind(chances)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if fresh && partner.has(Callback::Events) {
            let event = Message::event(
                &activity,
                "task",
                format!("{}-t-{biz_id}", activity.public_id),
                &u_id,
                now,
                json!({ "task_id": task_id, "biz_id": biz_id, "chances": chances }),
            );
            outbox::enqueue!(tx, &event);
        }
        if fresh {
            sqlx::query(
                "INSERT INTO player_activity (activity_id, player_id, extra_left) VALUES ($1, $2, $3) \
                 ON CONFLICT (activity_id, player_id) DO UPDATE SET extra_left = player_activity.extra_left + $3",
            )
            .bind(activity.id)
            .bind(player_id)
            .bind(chances)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        (player_id, fresh)
    });
    state.outbox_wake.notify_one();
    let chances = current_chances(&state.db, &activity, player_id, today(&activity, now)).await?;
    Ok(Reply(TaskResult { granted, chances }))
}
