//! The response envelope of the partner contract: `{"code", "msg", "result"}`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ErrorCode;

/// One response, success or error. `code` 0 is success; any other code is an
/// error whose `msg` may be shown to the player. Errors carry `result: ""`,
/// exactly as the seed contract's examples do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T = Value> {
    /// 0 for success, else an [`ErrorCode`] or a partner's own code.
    pub code: i32,
    /// A human-readable message; on errors it is meant for the player.
    #[serde(default)]
    pub msg: String,
    /// The payload; `""` or absent on errors.
    #[serde(default = "empty_result")]
    pub result: Value,
    #[serde(skip)]
    _marker: std::marker::PhantomData<T>,
}

fn empty_result() -> Value {
    Value::String(String::new())
}

impl<T: Serialize> Envelope<T> {
    /// A success envelope around `result`.
    pub fn ok(result: &T) -> Self {
        Envelope {
            code: 0,
            msg: "ok".to_owned(),
            result: serde_json::to_value(result).unwrap_or(Value::Null),
            _marker: std::marker::PhantomData,
        }
    }
}

impl<T> Envelope<T> {
    /// An error envelope.
    pub fn error(code: i32, msg: impl Into<String>) -> Self {
        Envelope {
            code,
            msg: msg.into(),
            result: empty_result(),
            _marker: std::marker::PhantomData,
        }
    }

    /// The runtime's own code for this envelope, if it is one.
    pub fn error_code(&self) -> Option<ErrorCode> {
        ErrorCode::from_i32(self.code)
    }
}

impl<T: DeserializeOwned> Envelope<T> {
    /// The typed payload of a success, or `(code, msg)` of an error.
    pub fn into_result(self) -> Result<T, (i32, String)> {
        if self.code != 0 {
            return Err((self.code, self.msg));
        }
        serde_json::from_value(self.result).map_err(|e| {
            (
                ErrorCode::BadRequest.as_i32(),
                format!("unexpected result: {e}"),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_error_example_parses() {
        let env: Envelope<Value> =
            serde_json::from_str(r#"{"code": 9004, "msg": "send coupon err", "result": ""}"#)
                .expect("seed example");
        assert_eq!(env.error_code(), Some(ErrorCode::CouponIssueFailed));
        assert_eq!(env.into_result(), Err((9004, "send coupon err".to_owned())));
    }

    #[test]
    fn success_round_trips() {
        let env = Envelope::ok(&vec![1, 2]);
        let text = serde_json::to_string(&env).expect("serialize");
        assert_eq!(text, r#"{"code":0,"msg":"ok","result":[1,2]}"#);
        let back: Envelope<Vec<i32>> = serde_json::from_str(&text).expect("parse");
        assert_eq!(back.into_result(), Ok(vec![1, 2]));
    }
}
