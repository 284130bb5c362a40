//! The winners of a merchant's activity: searched page by page, and
//! exported as CSV (UTF-8 with a byte-order mark, so Excel reads Chinese;
//! RFC 4180 quoting; cells that Excel would run as formulas are defused).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use huodong_shared::api::PrizeKind;
use huodong_shared::console::{
    CsvQuery, ExportLink, ExportRequest, Winner, WinnerList, WinnersQuery,
};
use jiff::tz::TimeZone;

use super::activities::scoped;
use super::{ApiQuery, ConsoleUser, EXPORT_TTL_SECS, TicketKind, issue_ticket, redeem};
use crate::activities::model::{Activity, Scope};
use crate::clock;
use crate::db::Db;
use crate::error::{ApiResult, AppError, Reply};
use crate::merchants::{Merchant, id_cursor, next_cursor, page_limit};
use crate::on_db;
use crate::state::AppState;

#[derive(sqlx::FromRow)]
struct WinnerRow {
    draw_id: i64,
    at: i64,
    u_id: String,
    nickname: Option<String>,
    prize_id: i64,
    prize_name: String,
    prize_kind: String,
    code: Option<String>,
    delivery: Option<String>,
    delivery_note: Option<String>,
    source: String,
}

impl From<WinnerRow> for Winner {
    fn from(r: WinnerRow) -> Winner {
        Winner {
            draw_id: r.draw_id,
            at: r.at,
            u_id: r.u_id,
            nickname: r.nickname,
            prize_id: r.prize_id,
            prize_name: r.prize_name,
            prize_kind: PrizeKind::parse(&r.prize_kind).unwrap_or(PrizeKind::Thanks),
            code: r.code,
            delivery: r.delivery,
            delivery_note: r.delivery_note,
            source: r.source,
        }
    }
}

/// The search: part of a `u_id`, a nickname or a prize name (ASCII letters
/// in any case), and a prize.
struct Filter {
    pattern: Option<String>,
    prize_id: Option<i64>,
}

impl Filter {
    fn new(q: Option<&str>, prize_id: Option<i64>) -> Result<Filter, AppError> {
        let q = q.map(str::trim).filter(|q| !q.is_empty());
        let pattern = match q {
            Some(q) => {
                let q = crate::activities::validate::text("q", q, 1, 64)?;
                let escaped = q
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                Some(format!("%{}%", escaped.to_lowercase()))
            }
            None => None,
        };
        Ok(Filter { pattern, prize_id })
    }
}

/// Winners of `activity` after (`newest_first`: before) the draw id `cursor`.
async fn winners(
    db: &Db,
    activity_id: i64,
    filter: &Filter,
    cursor: Option<i64>,
    newest_first: bool,
    limit: i64,
) -> Result<Vec<Winner>, AppError> {
    let (bound, order, start) = if newest_first {
        ("d.id < $2", "DESC", i64::MAX)
    } else {
        ("d.id > $2", "ASC", 0)
    };
    let sql = format!(
        "SELECT d.id AS draw_id, d.created_at AS at, pl.u_id, pl.nickname, d.prize_id, p.name AS prize_name, \
         p.kind AS prize_kind, d.code, d.delivery, d.delivery_note, d.source \
         FROM draws d JOIN players pl ON pl.id = d.player_id JOIN prizes p ON p.id = d.prize_id \
         WHERE d.activity_id = $1 AND p.kind <> 'thanks' AND {bound} \
         AND ($3 = '' OR LOWER(pl.u_id) LIKE $3 ESCAPE '\\' OR LOWER(COALESCE(pl.nickname, '')) LIKE $3 ESCAPE '\\' \
              OR LOWER(p.name) LIKE $3 ESCAPE '\\') \
         AND ($4 = 0 OR d.prize_id = $4) \
         ORDER BY d.id {order} LIMIT $5"
    );
    let rows: Vec<WinnerRow> = on_db!(db, pool => {
        sqlx::query_as(&sql)
            .bind(activity_id)
            .bind(cursor.unwrap_or(start))
            .bind(filter.pattern.as_deref().unwrap_or(""))
            .bind(filter.prize_id.unwrap_or(0))
            .bind(limit)
            .fetch_all(pool)
            .await
    })?;
    Ok(rows.into_iter().map(Winner::from).collect())
}

/// `GET /api/v1/console/activities/{id}/winners`: newest first.
#[utoipa::path(get, path = "/api/v1/console/activities/{id}/winners", tag = "console",
    security(("console_token" = [])),
    params(("id" = String, Path, description = "activity id"), WinnersQuery),
    responses((status = 200, body = WinnerList)))]
pub async fn list(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<WinnersQuery>,
) -> ApiResult<WinnerList> {
    let activity = scoped(&state, &user, &id).await?;
    let limit = page_limit(query.limit)?;
    let cursor = id_cursor(query.cursor.as_deref())?;
    let filter = Filter::new(query.q.as_deref(), query.prize_id)?;
    let list = winners(&state.db, activity.id, &filter, cursor, true, limit).await?;
    Ok(Reply(WinnerList {
        next_cursor: next_cursor(list.iter().map(|w| w.draw_id), limit),
        list,
    }))
}

/// `POST /api/v1/console/activities/{id}/export`: a one-time link to the
/// winners' CSV, for a plain download (a link cannot carry the bearer header).
#[utoipa::path(post, path = "/api/v1/console/activities/{id}/export", tag = "console",
    security(("console_token" = [])),
    params(("id" = String, Path, description = "activity id"), ExportRequest),
    responses((status = 200, body = ExportLink)))]
pub async fn export(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
    ApiQuery(request): ApiQuery<ExportRequest>,
) -> ApiResult<ExportLink> {
    let activity = scoped(&state, &user, &id).await?;
    Filter::new(request.q.as_deref(), None)?;
    let ticket = issue_ticket(
        &state.db,
        &user.merchant,
        TicketKind::Export,
        Some(activity.id),
    )
    .await?;
    let mut url = format!(
        "{}/api/v1/console/activities/{}/winners.csv?ticket={ticket}",
        state.config.public_url(),
        activity.public_id
    );
    if let Some(q) = request
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
    {
        url.push_str("&q=");
        url.push_str(&percent_encode(q));
    }
    Ok(Reply(ExportLink {
        url,
        expires_in: EXPORT_TTL_SECS,
    }))
}

/// `GET /api/v1/console/activities/{id}/winners.csv`: every winner, oldest
/// first, with the bearer header or the one-time `ticket` of an export link.
#[utoipa::path(get, path = "/api/v1/console/activities/{id}/winners.csv", tag = "console",
    security(("console_token" = []), ()),
    params(("id" = String, Path, description = "activity id"), CsvQuery),
    responses((status = 200, description = "UTF-8 CSV with a byte-order mark", content_type = "text/csv", body = String)))]
pub async fn csv(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<CsvQuery>,
) -> Result<Response, AppError> {
    let activity = match query.ticket.as_deref().filter(|t| !t.is_empty()) {
        Some(ticket) => {
            let redeemed = redeem(&state.db, ticket, TicketKind::Export).await?;
            let scope = Scope {
                partner_id: redeemed.partner_id,
                merchant_id: Some(redeemed.merchant_id),
            };
            let activity = Activity::in_scope(&state.db, &id, scope).await?;
            if Some(activity.id) != redeemed.activity_id {
                return Err(AppError::not_found("活动"));
            }
            // The merchant must still exist (it cannot be deleted today).
            Merchant::by_id(&state.db, redeemed.merchant_id).await?;
            activity
        }
        None => {
            let user = ConsoleUser::from_headers(&state, &headers).await?;
            scoped(&state, &user, &id).await?
        }
    };
    let filter = Filter::new(query.q.as_deref(), None)?;
    let tz = clock::zone(&activity.timezone).unwrap_or(TimeZone::UTC);
    let mut out = String::from("\u{feff}");
    push_row(
        &mut out,
        &[
            "中奖编号",
            "中奖时间",
            "用户ID",
            "昵称",
            "奖品",
            "奖品类型",
            "兑换码",
            "发放状态",
            "备注",
            "来源",
        ],
    );
    let mut cursor = None;
    loop {
        let page = winners(&state.db, activity.id, &filter, cursor, false, 1000).await?;
        for w in &page {
            let at = jiff::Timestamp::from_second(w.at)
                .map(|t| {
                    t.to_zoned_datetime(tz.clone())
                        .strftime("%Y-%m-%d %H:%M:%S")
                        .to_string()
                })
                .unwrap_or_default();
            push_row(
                &mut out,
                &[
                    &w.draw_id.to_string(),
                    &at,
                    &w.u_id,
                    w.nickname.as_deref().unwrap_or(""),
                    &w.prize_name,
                    kind_label(w.prize_kind),
                    w.code.as_deref().unwrap_or(""),
                    delivery_label(w.delivery.as_deref()),
                    w.delivery_note.as_deref().unwrap_or(""),
                    if w.source == "milestone" {
                        "签到奖励"
                    } else {
                        "抽奖"
                    },
                ],
            );
        }
        match page.last() {
            Some(last) if page.len() == 1000 => cursor = Some(last.draw_id),
            _ => break,
        }
    }
    let disposition = format!(
        "attachment; filename=\"winners-{}.csv\"",
        activity.public_id
    );
    let mut response = out.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

fn kind_label(kind: PrizeKind) -> &'static str {
    match kind {
        PrizeKind::Thanks => "谢谢参与",
        PrizeKind::Points => "积分",
        PrizeKind::Coupon => "优惠券",
        PrizeKind::Goods => "实物",
        PrizeKind::Code => "兑换码",
    }
}

fn delivery_label(delivery: Option<&str>) -> &'static str {
    match delivery {
        Some("audit") => "待审核",
        Some("pending") => "发放中",
        Some("issued") => "已发放",
        Some("failed") => "发放失败",
        _ => "",
    }
}

/// One CSV record, CRLF-terminated (RFC 4180).
fn push_row(out: &mut String, fields: &[&str]) {
    for (i, value) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_field(value));
    }
    out.push_str("\r\n");
}

/// A field quoted when it must be, its quotes doubled. Players choose their
/// nicknames: a cell starting with `=`, `+`, `-` or `@` would run as a
/// formula in Excel, so it gets a leading `'`.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// Percent-encodes everything but the unreserved characters.
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("小明"), "小明");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field(""), "");
    }

    #[test]
    fn formulas_are_defused() {
        assert_eq!(csv_field("=1+1"), "'=1+1");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("-2,3"), "\"'-2,3\"");
    }

    #[test]
    fn rows_end_with_crlf() {
        let mut out = String::new();
        push_row(&mut out, &["1", "张三,\"三儿\""]);
        assert_eq!(out, "1,\"张三,\"\"三儿\"\"\"\r\n");
    }

    #[test]
    fn queries_are_percent_encoded() {
        assert_eq!(percent_encode("小 a&b"), "%E5%B0%8F%20a%26b");
    }
}
