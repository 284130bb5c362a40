//! Calling a partner: the body is signed with the partner's secret (the same
//! algorithm as the open API), posted as JSON within the partner's timeout,
//! and the answer read as the `{code, msg, result}` envelope.

use std::time::Duration;

use huodong_shared::partner::Callback;
use huodong_shared::sign;
use serde::Serialize;
use serde_json::{Map, Value};

use super::PartnerConf;
use crate::db::now_secs;
use crate::ids;

/// Why a callback did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The partner has no URL for this callback.
    #[error("callback {0} is not configured")]
    NotConfigured(&'static str),
    /// No answer: connection refused, reset, or the timeout passed.
    #[error("no answer: {0}")]
    Transport(String),
    /// An HTTP status other than 2xx (with `Retry-After`, when sent).
    #[error("HTTP {status}")]
    Status {
        /// The status.
        status: u16,
        /// What `Retry-After` asked for.
        retry_after: Option<Duration>,
    },
    /// The answer is not the envelope.
    #[error("malformed answer: {0}")]
    Malformed(String),
    /// The envelope carries a non-zero code; `msg` is meant for the player.
    #[error("code {code}: {msg}")]
    Refused {
        /// The partner's code (7100, 8000, 8001, 9003, 9004 or its own).
        code: i32,
        /// The partner's message.
        msg: String,
    },
}

impl CallError {
    /// Whether the partner certainly did not act (it answered with a refusal),
    /// as opposed to "maybe it did" (no answer, or a broken one).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            CallError::Refused { .. } | CallError::NotConfigured(_)
        )
    }

    /// The partner's message for the player, if it sent one.
    pub fn partner_msg(&self) -> Option<&str> {
        match self {
            CallError::Refused { msg, .. } if !msg.trim().is_empty() => Some(msg),
            _ => None,
        }
    }
}

/// Signs `body` (an object) for `partner`: adds `timestamp`, `nonce`, `sign`.
pub fn signed_body(partner: &PartnerConf, body: &impl Serialize) -> Map<String, Value> {
    let mut map = match serde_json::to_value(body) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    map.insert("timestamp".into(), Value::from(now_secs()));
    map.insert("nonce".into(), Value::from(ids::random_hex(16)));
    sign::sign_in_place(&partner.secret, &mut map);
    map
}

/// Posts a signed callback and returns the envelope's `result` on code 0.
pub async fn call(
    http: &reqwest::Client,
    partner: &PartnerConf,
    callback: Callback,
    body: &impl Serialize,
) -> Result<Value, CallError> {
    let url = partner
        .config
        .callbacks
        .get(callback)
        .ok_or(CallError::NotConfigured(callback.as_str()))?;
    let body = signed_body(partner, body);
    let response = http
        .post(url)
        .timeout(Duration::from_millis(partner.config.timeout_ms()))
        .json(&body)
        .send()
        .await
        .map_err(|e| CallError::Transport(describe(&e)))?;
    let status = response.status();
    if !status.is_success() {
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        return Err(CallError::Status {
            status: status.as_u16(),
            retry_after,
        });
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| CallError::Transport(describe(&e)))?;
    let envelope: Value =
        serde_json::from_slice(&bytes).map_err(|e| CallError::Malformed(e.to_string()))?;
    let code = envelope
        .get("code")
        .and_then(|c| {
            c.as_i64()
                .or_else(|| c.as_str().and_then(|s| s.parse().ok()))
        })
        .ok_or_else(|| CallError::Malformed("no numeric `code`".into()))?;
    if code != 0 {
        let msg = envelope
            .get("msg")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        return Err(CallError::Refused {
            code: i32::try_from(code).unwrap_or(i32::MAX),
            msg,
        });
    }
    Ok(envelope.get("result").cloned().unwrap_or(Value::Null))
}

/// A transport error without the URL's query (it could carry a partner token).
fn describe(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timeout"
    } else if err.is_connect() {
        "connect failed"
    } else {
        "request failed"
    };
    let host = err
        .url()
        .and_then(|u| {
            u.host_str()
                .map(|h| format!("{h}:{}", u.port_or_known_default().unwrap_or(0)))
        })
        .unwrap_or_default();
    format!("{kind} {host}")
}

/// `Retry-After`: delay-seconds or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = jiff::fmt::rfc2822::parse(value)
        .ok()?
        .timestamp()
        .as_second();
    Some(Duration::from_secs(
        u64::try_from(at - now_secs()).unwrap_or(0),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after("120"), Some(Duration::from_secs(120)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
