//! Merchants: a partner's sub-accounts (the platform tier). A merchant's id
//! is unique within its partner only, so every lookup names the partner.

use huodong_shared::ErrorCode;
use huodong_shared::console as wire;

use crate::db::{Db, now_secs};
use crate::error::AppError;
use crate::{ids, on_db};

/// A merchant row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Merchant {
    /// Internal id.
    pub id: i64,
    /// Its id within the partner.
    pub public_id: String,
    /// The partner.
    pub partner_id: i64,
    /// Name.
    pub name: String,
    /// Unix seconds.
    pub created_at: i64,
}

const COLUMNS: &str = "id, public_id, partner_id, name, created_at";

/// Checks a merchant id the partner chose: 1 to 64 of `A-Z a-z 0-9 _ -`.
pub fn validate_id(value: &str) -> Result<String, AppError> {
    let ok = (1..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !ok {
        return Err(AppError::with_msg(
            ErrorCode::Validation,
            "merchant_id: 须为 1 到 64 个字母、数字、_ 或 -",
        ));
    }
    Ok(value.to_owned())
}

impl Merchant {
    /// The partner's merchant with this id, or 404.
    pub async fn get(db: &Db, partner_id: i64, public_id: &str) -> Result<Merchant, AppError> {
        let sql =
            format!("SELECT {COLUMNS} FROM merchants WHERE partner_id = $1 AND public_id = $2");
        let found: Option<Merchant> = on_db!(db, pool => {
            sqlx::query_as(&sql).bind(partner_id).bind(public_id).fetch_optional(pool).await
        })?;
        found.ok_or_else(|| AppError::not_found("商户"))
    }

    /// The merchant with this internal id.
    pub async fn by_id(db: &Db, id: i64) -> Result<Merchant, AppError> {
        let sql = format!("SELECT {COLUMNS} FROM merchants WHERE id = $1");
        let found: Option<Merchant> = on_db!(db, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await
        })?;
        found.ok_or_else(|| AppError::not_found("商户"))
    }

    /// Creates the merchant, or renames it when the partner already has one
    /// with this id.
    pub async fn upsert(
        db: &Db,
        partner_id: i64,
        public_id: Option<&str>,
        name: &str,
    ) -> Result<Merchant, AppError> {
        let public_id = match public_id.filter(|id| !id.is_empty()) {
            Some(id) => validate_id(id)?,
            None => format!("mch_{}", ids::random_hex(8)),
        };
        let sql = format!(
            "INSERT INTO merchants (public_id, partner_id, name, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (partner_id, public_id) DO UPDATE SET name = excluded.name RETURNING {COLUMNS}"
        );
        Ok(on_db!(db, pool => {
            sqlx::query_as(&sql)
                .bind(&public_id)
                .bind(partner_id)
                .bind(name)
                .bind(now_secs())
                .fetch_one(pool)
                .await
        })?)
    }

    /// A page of the partner's merchants, oldest first, after internal id `after`.
    pub async fn list(
        db: &Db,
        partner_id: i64,
        after: i64,
        limit: i64,
    ) -> Result<Vec<Merchant>, AppError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM merchants WHERE partner_id = $1 AND id > $2 ORDER BY id LIMIT $3"
        );
        Ok(on_db!(db, pool => {
            sqlx::query_as(&sql).bind(partner_id).bind(after).bind(limit).fetch_all(pool).await
        })?)
    }

    /// As the open API and the console show it.
    pub fn wire(&self) -> wire::Merchant {
        wire::Merchant {
            merchant_id: self.public_id.clone(),
            name: self.name.clone(),
            created_at: self.created_at,
        }
    }
}

/// Rows per page: 1 to 500, 100 when not given.
pub fn page_limit(limit: Option<i64>) -> Result<i64, AppError> {
    let limit = limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(AppError::with_msg(
            ErrorCode::Validation,
            "limit: 须在 1 到 500 之间",
        ));
    }
    Ok(limit)
}

/// A numeric cursor (the last row's id); `None` when absent or empty.
pub fn id_cursor(cursor: Option<&str>) -> Result<Option<i64>, AppError> {
    match cursor.filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => c
            .parse()
            .ok()
            .filter(|n: &i64| *n >= 0)
            .map(Some)
            .ok_or_else(|| AppError::with_msg(ErrorCode::Validation, "cursor: 无效的游标")),
    }
}

/// The cursor of the next page: the last id, when the page is full.
pub fn next_cursor(
    ids: impl DoubleEndedIterator<Item = i64> + ExactSizeIterator,
    limit: i64,
) -> Option<String> {
    let mut ids = ids;
    (ids.len() as i64 == limit)
        .then(|| ids.next_back().map(|id| id.to_string()))
        .flatten()
}
