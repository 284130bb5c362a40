//! Partner callbacks (runtime → partner): the bodies the runtime sends and the
//! results it expects, plus the partner's configuration (`partner/config` in
//! the open API). Every callback body also carries `timestamp`, `nonce` and
//! `sign` (the same algorithm as the open API, with the partner's secret);
//! every answer is the `{code, msg, result}` envelope.
//!
//! The coupon list and coupon issue bodies follow the partner coupon contract
//! field by field (`page`/`page_size`; `u_id`/`coupon_id`/`game_id`/`game_name`;
//! `count`/`title`/`ignore`/`list`; `cd_key`/`type`/`des`).

use serde::{Deserialize, Deserializer, Serialize};

/// Which callback a URL is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Callback {
    /// 优惠券列表查询: `page`, `page_size` → [`CouponList`].
    CouponList,
    /// 优惠券发放: [`CouponIssue`] → [`CouponIssued`].
    CouponIssue,
    /// 积分扣减 before a paid draw: [`PointsChange`] → [`PointsBalance`].
    PointsDeduct,
    /// 积分增加 (a points prize, or a refund): [`PointsChange`] → [`PointsBalance`].
    PointsAdd,
    /// 参与条件: [`ConditionCheck`] → [`ConditionAnswer`].
    Condition,
    /// 中奖审核: [`AuditRequest`] → [`AuditAnswer`].
    Audit,
    /// 用户行为推送: [`EventBody`]; code 0 acknowledges.
    Events,
    /// 指定中奖 (partner-decided outcomes): [`DecideRequest`] → [`DecideAnswer`].
    Decide,
}

impl Callback {
    /// Every callback.
    pub const ALL: &'static [Callback] = &[
        Callback::CouponList,
        Callback::CouponIssue,
        Callback::PointsDeduct,
        Callback::PointsAdd,
        Callback::Condition,
        Callback::Audit,
        Callback::Events,
        Callback::Decide,
    ];

    /// The name used in configuration and in the outbox.
    pub const fn as_str(self) -> &'static str {
        match self {
            Callback::CouponList => "coupon_list",
            Callback::CouponIssue => "coupon_issue",
            Callback::PointsDeduct => "points_deduct",
            Callback::PointsAdd => "points_add",
            Callback::Condition => "condition",
            Callback::Audit => "audit",
            Callback::Events => "events",
            Callback::Decide => "decide",
        }
    }

    /// The callback of a name.
    pub fn parse(name: &str) -> Option<Callback> {
        Callback::ALL.iter().copied().find(|c| c.as_str() == name)
    }
}

/// The URLs of the callbacks a partner implements; an absent one is not used.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CallbackUrls {
    /// Coupon list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_list: Option<String>,
    /// Coupon issue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_issue: Option<String>,
    /// Points deduct.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_deduct: Option<String>,
    /// Points add (prizes and refunds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_add: Option<String>,
    /// Condition check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// Winner audit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<String>,
    /// Behaviour events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<String>,
    /// Partner-decided outcomes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decide: Option<String>,
}

impl CallbackUrls {
    /// The URL of a callback, if configured.
    pub fn get(&self, callback: Callback) -> Option<&str> {
        match callback {
            Callback::CouponList => self.coupon_list.as_deref(),
            Callback::CouponIssue => self.coupon_issue.as_deref(),
            Callback::PointsDeduct => self.points_deduct.as_deref(),
            Callback::PointsAdd => self.points_add.as_deref(),
            Callback::Condition => self.condition.as_deref(),
            Callback::Audit => self.audit.as_deref(),
            Callback::Events => self.events.as_deref(),
            Callback::Decide => self.decide.as_deref(),
        }
        .filter(|url| !url.is_empty())
    }
}

/// A partner's integration settings. The secret is not part of it: it is set
/// when the partner is created and never answered or logged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PartnerConfig {
    /// One URL per callback the partner implements.
    #[serde(default)]
    pub callbacks: CallbackUrls,
    /// How long one callback may take, milliseconds (100 to 30,000; default 3,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// Origins allowed to embed the partner's activities (`https://shop.example.com`):
    /// the `frame-ancestors` policy and the postMessage targets.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Where a player without a session is sent to sign in; the runtime adds
    /// `redirect_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_url: Option<String>,
}

/// The default callback timeout, milliseconds.
pub const DEFAULT_TIMEOUT_MS: u64 = 3_000;

impl PartnerConfig {
    /// The callback timeout in milliseconds.
    pub fn timeout_ms(&self) -> u64 {
        self.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS)
    }
}

/// `partner/config` in the open API: with `config`, replaces the settings;
/// without, reads them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerConfigChange {
    /// The new settings; absent to only read them.
    #[serde(default)]
    pub config: Option<PartnerConfig>,
}

/// 优惠券列表查询 (runtime → partner), as in the coupon contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CouponListRequest {
    /// Page, from 1.
    #[serde(default = "first_page")]
    pub page: i64,
    /// Items per page (default 10).
    #[serde(default = "ten")]
    pub page_size: i64,
}

fn first_page() -> i64 {
    1
}

fn ten() -> i64 {
    10
}

/// One coupon of the partner's list. `id` may be a number or a string on the
/// wire; it is kept as text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coupon {
    /// Coupon id (required).
    #[serde(deserialize_with = "text_or_number")]
    pub id: String,
    /// Name (required).
    pub name: String,
    /// How many there are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num: Option<i64>,
    /// Kind, e.g. 优惠券.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub des: Option<String>,
    /// Expiry date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_date: Option<String>,
}

/// The coupon list result, as in the coupon contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CouponList {
    /// Total coupons (required).
    pub count: i64,
    /// Column titles for the console, e.g. `{"name": "名称"}` (required).
    pub title: serde_json::Map<String, serde_json::Value>,
    /// Fields not shown in the console, comma separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore: Option<String>,
    /// This page.
    pub list: Vec<Coupon>,
}

/// 发放优惠券 (runtime → partner), as in the coupon contract, plus `biz_id`:
/// the same `biz_id` must issue once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponIssue {
    /// The player.
    pub u_id: String,
    /// Which coupon.
    pub coupon_id: String,
    /// The activity id.
    pub game_id: String,
    /// The activity title.
    pub game_name: String,
    /// The idempotency id of this issue.
    pub biz_id: String,
}

/// What coupon issue answers (all optional).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponIssued {
    /// Redeem code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cd_key: Option<String>,
    /// Kind.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Description, shown with the prize.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub des: Option<String>,
}

/// Points deduct or add. A refund is a points add with `reason` `refund` and
/// `origin_biz_id` naming the deduction it undoes: the partner adds the points
/// back only if it applied that deduction, and must refuse the deduction if it
/// arrives after its refund.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsChange {
    /// The player.
    pub u_id: String,
    /// How many points (> 0).
    pub points: i64,
    /// The idempotency id.
    pub biz_id: String,
    /// The activity id.
    pub activity_id: String,
    /// `draw`, `checkin_makeup`, `prize` or `refund`.
    pub reason: String,
    /// For a refund: the deduction it undoes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_biz_id: Option<String>,
}

/// What points deduct and add answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsBalance {
    /// The balance after the change.
    #[serde(default)]
    pub balance: i64,
}

/// Condition check: may this user play?
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionCheck {
    /// The player.
    pub u_id: String,
    /// The activity id.
    pub activity_id: String,
}

/// What the condition check answers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionAnswer {
    /// Whether the user may play.
    pub allowed: bool,
    /// Shown to the player when not allowed.
    #[serde(default)]
    pub msg: String,
}

/// Winner audit: may this user be awarded this prize?
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRequest {
    /// The player.
    pub u_id: String,
    /// The activity id.
    pub activity_id: String,
    /// The prize.
    pub prize_id: i64,
    /// Its name.
    pub prize_name: String,
    /// The draw.
    pub draw_id: i64,
}

/// What winner audit answers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditAnswer {
    /// Whether the user may have the prize.
    pub approved: bool,
}

/// A behaviour event pushed to the partner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventBody {
    /// Unique id: a retry carries the same id.
    pub event_id: String,
    /// `view`, `participate`, `win`, `share`, `checkin` or `task`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The player.
    pub u_id: String,
    /// The activity id.
    pub activity_id: String,
    /// When it happened, unix seconds.
    pub at: i64,
    /// Details: the draw, the prize, the day…
    #[serde(default)]
    pub data: serde_json::Value,
}

/// A prize still in stock, offered to the decision callback.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrizeOffer {
    /// The prize.
    pub prize_id: i64,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: String,
    /// Stock left (`None`: unlimited).
    pub stock_left: Option<i64>,
}

/// Partner-decided outcome: which prize does this draw give?
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecideRequest {
    /// The player.
    pub u_id: String,
    /// The activity id.
    pub activity_id: String,
    /// The prizes still in stock.
    pub prizes: Vec<PrizeOffer>,
}

/// What the decision callback answers: `decision` is `prize` (with
/// `prize_id`), `none` (nothing this time) or `draw` (let the runtime draw).
/// Stock, caps and audits still apply to a chosen prize.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecideAnswer {
    /// `prize`, `none` or `draw`.
    pub decision: String,
    /// The chosen prize for `prize`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prize_id: Option<i64>,
}

fn text_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Number(serde_json::Number),
    }
    Ok(match Id::deserialize(d)? {
        Id::Text(s) => s,
        Id::Number(n) => n.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_coupon_list_example_parses() {
        let json = r#"{"count":3,"title":{"name":"名称"},"ignore":"id,name","list":[
            {"id":110,"name":"优惠券1","num":16,"type":"优惠券","des":"描述","valid_date":"2017-11-17"},
            {"id":"111","name":"优惠券2"}]}"#;
        let list: CouponList = serde_json::from_str(json).expect("parses");
        assert_eq!(list.count, 3);
        assert_eq!(list.list[0].id, "110");
        assert_eq!(list.list[0].kind.as_deref(), Some("优惠券"));
        assert_eq!(list.list[1].id, "111");
        assert_eq!(list.ignore.as_deref(), Some("id,name"));
    }

    #[test]
    fn callback_names_round_trip() {
        for &c in Callback::ALL {
            assert_eq!(Callback::parse(c.as_str()), Some(c));
            assert_eq!(
                serde_json::to_string(&c).ok(),
                Some(format!("\"{}\"", c.as_str()))
            );
        }
    }
}
