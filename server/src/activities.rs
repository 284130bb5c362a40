//! Reading activities: the public view the player app and the rules page use.

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use huodong_shared::api::{
    ActivityKind, ActivityStatus, ActivitySummary, ActivityView, PrizeKind, PrizeView,
};

use crate::error::{ApiResult, AppError, Reply};
use crate::on_db;
use crate::state::AppState;

/// Routes under `/api/v1/activities`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/activities", get(list))
        .route("/api/v1/activities/{id}", get(show))
}

#[derive(sqlx::FromRow)]
struct ActivityRow {
    id: i64,
    public_id: String,
    kind: String,
    title: String,
    status: String,
    starts_at: i64,
    ends_at: i64,
    timezone: String,
    theme: String,
}

#[derive(sqlx::FromRow)]
struct PrizeRow {
    id: i64,
    name: String,
    kind: String,
    probability_ppm: i64,
    stock_total: Option<i64>,
    image: Option<String>,
}

fn kind_of(row: &ActivityRow) -> Result<ActivityKind, AppError> {
    ActivityKind::parse(&row.kind).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "activity {} has unknown kind {}",
            row.id,
            row.kind
        ))
    })
}

fn status_of(row: &ActivityRow) -> Result<ActivityStatus, AppError> {
    ActivityStatus::parse(&row.status).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "activity {} has unknown status {}",
            row.id,
            row.status
        ))
    })
}

const ACTIVITY_COLUMNS: &str =
    "id, public_id, kind, title, status, starts_at, ends_at, timezone, theme";

/// `GET /api/v1/activities`: published activities, oldest first.
async fn list(State(state): State<AppState>) -> ApiResult<Vec<ActivitySummary>> {
    let sql = format!(
        "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE status = 'published' ORDER BY id LIMIT 100"
    );
    let rows: Vec<ActivityRow> =
        on_db!(&state.db, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
    let list = rows
        .iter()
        .map(|row| {
            Ok::<_, AppError>(ActivitySummary {
                id: row.public_id.clone(),
                kind: kind_of(row)?,
                title: row.title.clone(),
                status: status_of(row)?,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Reply(list))
}

/// `GET /api/v1/activities/{id}`: one activity with its prizes.
async fn show(
    State(state): State<AppState>,
    Path(public_id): Path<String>,
) -> ApiResult<ActivityView> {
    let sql = format!("SELECT {ACTIVITY_COLUMNS} FROM activities WHERE public_id = $1");
    let row: Option<ActivityRow> = on_db!(&state.db, pool => {
        sqlx::query_as(&sql).bind(&public_id).fetch_optional(pool).await
    })?;
    let row = row.ok_or_else(|| AppError::not_found("活动"))?;
    let prizes: Vec<PrizeRow> = on_db!(&state.db, pool => {
        sqlx::query_as(
            "SELECT id, name, kind, probability_ppm, stock_total, image \
             FROM prizes WHERE activity_id = $1 ORDER BY position",
        )
        .bind(row.id)
        .fetch_all(pool)
        .await
    })?;
    let prizes = prizes
        .into_iter()
        .map(|p| {
            let kind = PrizeKind::parse(&p.kind).ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("prize {} has unknown kind", p.id))
            })?;
            Ok::<_, AppError>(PrizeView {
                id: p.id,
                name: p.name,
                kind,
                probability_ppm: p.probability_ppm,
                stock_total: p.stock_total,
                image: p.image,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Reply(ActivityView {
        kind: kind_of(&row)?,
        status: status_of(&row)?,
        id: row.public_id,
        title: row.title,
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        timezone: row.timezone,
        theme: row.theme,
        prizes,
    }))
}
