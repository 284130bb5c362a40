//! The one error type at the HTTP edge. Every failure becomes the wire envelope
//! `{"code", "msg", "result": ""}`; internal errors are logged with context and
//! answer a generic message.

use axum::extract::FromRequest;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use huodong_shared::{Envelope, ErrorCode};
use serde::Serialize;

/// An error the API answers with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A refusal with a code and a message for the caller (status from the code).
    #[error("{code:?}: {msg}")]
    Api {
        /// The wire code.
        code: ErrorCode,
        /// The message the caller (often the player) reads.
        msg: String,
    },
    /// A database failure: 500 with a generic message (or 409 for a write race).
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// Any other internal failure: 500 with a generic message.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// A refusal with the code's default Chinese message.
    pub fn code(code: ErrorCode) -> Self {
        AppError::Api {
            code,
            msg: code.msg_zh().to_owned(),
        }
    }

    /// A refusal with a specific message.
    pub fn with_msg(code: ErrorCode, msg: impl Into<String>) -> Self {
        AppError::Api {
            code,
            msg: msg.into(),
        }
    }

    /// 404 for the named thing.
    pub fn not_found(what: &str) -> Self {
        AppError::with_msg(ErrorCode::NotFound, format!("{what}不存在"))
    }

    /// The wire code of this error.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            AppError::Api { code, .. } => *code,
            AppError::Db(_) | AppError::Internal(_) => ErrorCode::Internal,
        }
    }
}

/// The HTTP status that goes with a code.
pub fn status_of(code: ErrorCode) -> StatusCode {
    use ErrorCode::*;
    match code {
        Ok => StatusCode::OK,
        BadRequest => StatusCode::BAD_REQUEST,
        Validation => StatusCode::UNPROCESSABLE_ENTITY,
        Unauthorized | TicketInvalid | TicketUsed => StatusCode::UNAUTHORIZED,
        SignInvalid | TimestampExpired | NonceReplayed | UnknownApp => StatusCode::UNAUTHORIZED,
        Forbidden => StatusCode::FORBIDDEN,
        NotFound => StatusCode::NOT_FOUND,
        Conflict => StatusCode::CONFLICT,
        PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        RateLimited => StatusCode::TOO_MANY_REQUESTS,
        Internal => StatusCode::INTERNAL_SERVER_ERROR,
        // Business refusals are answered 200 with a non-zero code, as the
        // partner contract does, so players see the message instead of a
        // transport error.
        ActivityNotStarted | ActivityEnded | ActivityNotPublished | NoChancesLeft
        | AlreadyCheckedIn | Blocked | NotAllowed | PartnerUnavailable | NoUser
        | NotEnoughPoints | CouponListFailed | CouponIssueFailed | GameRejected => StatusCode::OK,
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (code, msg) = match self {
            AppError::Api { code, msg } => (code, msg),
            AppError::Db(err) => {
                tracing::error!(error = %err, "database error");
                (ErrorCode::Internal, ErrorCode::Internal.msg_zh().to_owned())
            }
            AppError::Internal(err) => {
                tracing::error!(error = ?err, "internal error");
                (ErrorCode::Internal, ErrorCode::Internal.msg_zh().to_owned())
            }
        };
        let body: Envelope = Envelope::error(code.as_i32(), msg);
        (status_of(code), axum::Json(body)).into_response()
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        let code = match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
            _ => ErrorCode::BadRequest,
        };
        AppError::with_msg(
            code,
            format!("{}: {}", code.msg_zh(), rejection.body_text()),
        )
    }
}

/// A JSON body extractor whose rejection is the project's own error envelope,
/// so even a malformed body gets `{"code": 1000, …}`.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

/// A success answer: `{"code": 0, "msg": "ok", "result": …}`.
pub struct Reply<T>(pub T);

impl<T: Serialize> IntoResponse for Reply<T> {
    fn into_response(self) -> Response {
        /// [`Envelope::ok`], written straight from the answer rather than
        /// through a JSON tree.
        #[derive(Serialize)]
        struct Success<'a, T> {
            code: i32,
            msg: &'static str,
            result: &'a T,
        }
        axum::Json(Success {
            code: 0,
            msg: "ok",
            result: &self.0,
        })
        .into_response()
    }
}

/// What handlers return.
pub type ApiResult<T> = Result<Reply<T>, AppError>;
