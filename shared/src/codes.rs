//! The error codes of the wire envelope, documented in one place.
//!
//! Codes 7100, 8000, 8001, 9003 and 9004 come from the partner coupon contract
//! (`seeds/003_*`) and mean the same in both directions; the rest are the
//! runtime's own. A code is stable once published: partners switch on it.

use serde::{Deserialize, Serialize};

macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])* $name:ident = $num:literal, $zh:literal, $en:literal; )*) => {
        /// Every code the runtime answers with. `Ok` is the only success.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(into = "i32", try_from = "i32")]
        pub enum ErrorCode {
            $( $(#[doc = $doc])* $name = $num, )*
        }

        impl ErrorCode {
            /// Every code, in numeric order, for documentation and tests.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name),*];

            /// The number on the wire.
            pub const fn as_i32(self) -> i32 {
                self as i32
            }

            /// The code for a number, if it is one of ours.
            pub const fn from_i32(n: i32) -> Option<Self> {
                match n {
                    $( $num => Some(ErrorCode::$name), )*
                    _ => None,
                }
            }

            /// The default player-facing message in Simplified Chinese.
            pub const fn msg_zh(self) -> &'static str {
                match self { $( ErrorCode::$name => $zh, )* }
            }

            /// The default message in English.
            pub const fn msg_en(self) -> &'static str {
                match self { $( ErrorCode::$name => $en, )* }
            }
        }
    };
}

error_codes! {
    /// Success.
    Ok = 0, "成功", "ok";
    /// The body is not valid JSON or misses a required field (HTTP 400).
    BadRequest = 1000, "请求格式错误", "malformed request";
    /// A field has a value out of its allowed range (HTTP 422).
    Validation = 1001, "参数不合法", "invalid parameter";
    /// No session, or the session has expired (HTTP 401).
    Unauthorized = 1002, "登录已失效，请重新进入活动", "session expired, please reopen the activity";
    /// The caller may not touch this object (HTTP 403).
    Forbidden = 1003, "无权访问", "forbidden";
    /// The activity, prize or record does not exist (HTTP 404).
    NotFound = 1004, "内容不存在", "not found";
    /// The request conflicts with the current state (HTTP 409).
    Conflict = 1009, "操作冲突，请稍后再试", "conflict, please retry";
    /// The body is larger than the server accepts (HTTP 413).
    PayloadTooLarge = 1013, "请求内容过大", "request body too large";
    /// Too many requests from this user or address (HTTP 429).
    RateLimited = 1029, "操作太频繁，请稍后再试", "too many requests, slow down";
    /// Something failed on our side; the details are in the server log (HTTP 500).
    Internal = 1500, "系统繁忙，请稍后再试", "internal error, please retry";
    /// The activity has not started yet.
    ActivityNotStarted = 2001, "活动尚未开始", "the activity has not started yet";
    /// The activity has ended.
    ActivityEnded = 2002, "活动已结束", "the activity has ended";
    /// The activity is not published.
    ActivityNotPublished = 2003, "活动未发布", "the activity is not published";
    /// The player has no chances left.
    NoChancesLeft = 2004, "抽奖机会已用完", "no chances left";
    /// The launch ticket is unknown or expired.
    TicketInvalid = 2005, "入场凭证无效或已过期", "the launch ticket is invalid or expired";
    /// The launch ticket was already exchanged.
    TicketUsed = 2006, "入场凭证已使用", "the launch ticket was already used";
    /// Already checked in today.
    AlreadyCheckedIn = 2007, "今天已经签到过了，明天再来吧", "already checked in today";
    /// The user or address is blacklisted for this activity.
    Blocked = 2008, "你暂时无法参加此活动", "you cannot join this activity";
    /// The partner's condition check does not let the user play (its `msg` is shown).
    NotAllowed = 2009, "暂不满足参与条件", "you do not meet the conditions of this activity";
    /// A partner callback did not answer in time or failed; nothing was charged.
    PartnerUnavailable = 2010, "服务繁忙，请稍后再试", "the partner service is busy, please retry";
    /// A game round's score is not plausible (too fast, too high, too late),
    /// or the round was already finished: it does not count.
    GameRejected = 2011, "本局成绩无效，未能计入", "this round's score was not accepted";
    /// The signature does not match (seed code).
    SignInvalid = 7100, "sign 校验错误", "sign error";
    /// The timestamp is more than 300 s away from the server clock.
    TimestampExpired = 7101, "请求已过期", "timestamp outside the allowed window";
    /// The nonce was seen before within the window.
    NonceReplayed = 7102, "重复的请求", "nonce already used";
    /// The `app_id` is unknown.
    UnknownApp = 7103, "未知的 app_id", "unknown app_id";
    /// The partner does not know the user (seed code).
    NoUser = 8000, "用户不存在", "no user";
    /// The user has not enough points (partner code).
    NotEnoughPoints = 8001, "积分不足", "not enough points";
    /// The partner failed to list coupons (seed code).
    CouponListFailed = 9003, "获取优惠券列表异常", "coupon list error";
    /// The partner failed to issue a coupon (seed code).
    CouponIssueFailed = 9004, "发放优惠券异常", "coupon issue error";
}

impl From<ErrorCode> for i32 {
    fn from(code: ErrorCode) -> i32 {
        code.as_i32()
    }
}

impl TryFrom<i32> for ErrorCode {
    type Error = String;
    fn try_from(n: i32) -> Result<Self, String> {
        ErrorCode::from_i32(n).ok_or_else(|| format!("unknown error code {n}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_number() {
        for &code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_i32(code.as_i32()), Some(code));
            assert!(!code.msg_zh().is_empty() && !code.msg_en().is_empty());
        }
    }

    #[test]
    fn seed_codes_keep_their_numbers() {
        assert_eq!(ErrorCode::SignInvalid.as_i32(), 7100);
        assert_eq!(ErrorCode::NoUser.as_i32(), 8000);
        assert_eq!(ErrorCode::NotEnoughPoints.as_i32(), 8001);
        assert_eq!(ErrorCode::CouponListFailed.as_i32(), 9003);
        assert_eq!(ErrorCode::CouponIssueFailed.as_i32(), 9004);
    }

    #[test]
    fn codes_serialize_as_bare_numbers() {
        assert_eq!(
            serde_json::to_string(&ErrorCode::NotFound).ok().as_deref(),
            Some("1004")
        );
    }
}
