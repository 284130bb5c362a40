//! Demo data: a demo partner and one published activity per lottery kind, so
//! a fresh install has something to open. Idempotent: seeding twice changes
//! nothing.

use huodong_shared::api::{ActivityKind, PrizeKind};
use huodong_shared::open::{CheckinRules, Milestone, Rules};

use crate::db::{Db, now_secs};
use crate::on_db;

/// The demo partner's `app_id`.
pub const DEMO_APP_ID: &str = "demo";
/// The demo partner's secret (published on purpose: it is a demo).
pub const DEMO_SECRET: &str = "demo-secret-change-me";

struct DemoPrize {
    name: &'static str,
    kind: PrizeKind,
    ppm: i64,
    stock: Option<i64>,
    value_cents: i64,
}

const PRIZES: &[DemoPrize] = &[
    DemoPrize {
        name: "一等奖 · 蓝牙耳机",
        kind: PrizeKind::Goods,
        ppm: 10_000,
        stock: Some(5),
        value_cents: 29_900,
    },
    DemoPrize {
        name: "二等奖 · 50 元优惠券",
        kind: PrizeKind::Coupon,
        ppm: 50_000,
        stock: Some(50),
        value_cents: 5_000,
    },
    DemoPrize {
        name: "三等奖 · 100 积分",
        kind: PrizeKind::Points,
        ppm: 200_000,
        stock: None,
        value_cents: 100,
    },
    DemoPrize {
        name: "四等奖 · 视频会员兑换码",
        kind: PrizeKind::Code,
        ppm: 100_000,
        stock: Some(100),
        value_cents: 1_500,
    },
    DemoPrize {
        name: "谢谢参与",
        kind: PrizeKind::Thanks,
        ppm: 640_000,
        stock: None,
        value_cents: 0,
    },
];

/// The check-in calendar's streak rewards (never drawn: weight 0).
const CHECKIN_REWARDS: &[DemoPrize] = &[
    DemoPrize {
        name: "连签 3 天 · 100 积分",
        kind: PrizeKind::Points,
        ppm: 0,
        stock: None,
        value_cents: 100,
    },
    DemoPrize {
        name: "连签 7 天 · 50 元优惠券",
        kind: PrizeKind::Coupon,
        ppm: 0,
        stock: Some(50),
        value_cents: 5_000,
    },
];

/// The demo activities: public id, kind, title, theme.
pub const ACTIVITIES: &[(&str, ActivityKind, &str, &str)] = &[
    (
        "demo_wheel",
        ActivityKind::Wheel,
        "双11 幸运大转盘",
        "festival",
    ),
    (
        "demo_nine_grid",
        ActivityKind::NineGrid,
        "九宫格 · 天天抽好礼",
        "festival",
    ),
    (
        "demo_scratch",
        ActivityKind::Scratch,
        "刮刮乐 · 刮出惊喜",
        "festival",
    ),
    (
        "demo_golden_egg",
        ActivityKind::GoldenEgg,
        "砸金蛋 · 好运连连",
        "festival",
    ),
    (
        "demo_slot",
        ActivityKind::Slot,
        "老虎机 · 三连中大奖",
        "festival",
    ),
    (
        "demo_checkin",
        ActivityKind::Checkin,
        "每日签到 · 连签有礼",
        "festival",
    ),
];

fn demo_rules(kind: ActivityKind) -> String {
    let rules = Rules {
        chances_per_day: 3,
        checkin: (kind == ActivityKind::Checkin).then(|| CheckinRules {
            milestones: vec![
                Milestone { days: 3, prize: 0 },
                Milestone { days: 7, prize: 1 },
            ],
            makeup_cost: 20,
            makeup_limit: 2,
        }),
        ..Rules::default()
    };
    serde_json::to_string(&rules).unwrap_or_else(|_| "{}".to_owned())
}

/// The demo partner's settings for a reference partner at `base`.
pub fn demo_partner_config(base: &str) -> String {
    let base = base.trim_end_matches('/');
    let config = huodong_shared::partner::PartnerConfig {
        callbacks: huodong_shared::partner::CallbackUrls {
            coupon_list: Some(format!("{base}/coupon/list")),
            coupon_issue: Some(format!("{base}/coupon/issue")),
            points_deduct: Some(format!("{base}/points/deduct")),
            points_add: Some(format!("{base}/points/add")),
            condition: Some(format!("{base}/condition")),
            audit: Some(format!("{base}/audit")),
            events: Some(format!("{base}/events")),
            decide: None,
        },
        timeout_ms: Some(3_000),
        allowed_origins: Vec::new(),
        login_url: Some(format!("{base}/login")),
    };
    serde_json::to_string(&config).unwrap_or_else(|_| "{}".into())
}

/// Seeds the demo partner and activities if they are not there yet; with
/// `partner_url`, points the demo partner's callbacks at that reference partner.
pub async fn seed_demo(db: &Db, partner_url: Option<&str>) -> Result<(), sqlx::Error> {
    let now = now_secs();
    on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        sqlx::query(
            "INSERT INTO partners (app_id, name, secret, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (app_id) DO NOTHING",
        )
        .bind(DEMO_APP_ID)
        .bind("演示合作方")
        .bind(DEMO_SECRET)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let (partner_id,): (i64,) = sqlx::query_as("SELECT id FROM partners WHERE app_id = $1")
            .bind(DEMO_APP_ID)
            .fetch_one(&mut *tx)
            .await?;
        if let Some(url) = partner_url {
            sqlx::query("UPDATE partners SET config = $1 WHERE id = $2")
                .bind(demo_partner_config(url))
                .bind(partner_id)
                .execute(&mut *tx)
                .await?;
        }
        for &(public_id, kind, title, theme) in ACTIVITIES {
            let inserted: Option<(i64,)> = sqlx::query_as(
                "INSERT INTO activities (public_id, partner_id, kind, title, status, starts_at, ends_at, \
                 timezone, theme, rules, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 'published', $5, $6, 'Asia/Shanghai', $7, $9, $8, $8) \
                 ON CONFLICT (public_id) DO NOTHING RETURNING id",
            )
            .bind(public_id)
            .bind(partner_id)
            .bind(kind.as_str())
            .bind(title)
            .bind(now - 86_400)
            .bind(now + 90 * 86_400)
            .bind(theme)
            .bind(now)
            .bind(demo_rules(kind))
            .fetch_optional(&mut *tx)
            .await?;
            let Some((activity_id,)) = inserted else { continue };
            let prizes = if kind == ActivityKind::Checkin { CHECKIN_REWARDS } else { PRIZES };
            for (position, prize) in prizes.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO prizes (activity_id, position, name, kind, weight, \
                     stock_total, stock_left, value_cents, points, coupon_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9)",
                )
                .bind(activity_id)
                .bind(position as i64)
                .bind(prize.name)
                .bind(prize.kind.as_str())
                .bind(prize.ppm)
                .bind(prize.stock)
                .bind(prize.value_cents)
                .bind((prize.kind == PrizeKind::Points).then_some(100i64))
                .bind((prize.kind == PrizeKind::Coupon).then_some("110"))
                .execute(&mut *tx)
                .await?;
                if prize.kind == PrizeKind::Code {
                    let (prize_id,): (i64,) =
                        sqlx::query_as("SELECT id FROM prizes WHERE activity_id = $1 AND position = $2")
                            .bind(activity_id)
                            .bind(position as i64)
                            .fetch_one(&mut *tx)
                            .await?;
                    for n in 0..prize.stock.unwrap_or(0) {
                        sqlx::query("INSERT INTO prize_codes (prize_id, code) VALUES ($1, $2)")
                            .bind(prize_id)
                            .bind(format!("VIP-{public_id}-{n:04}").to_uppercase())
                            .execute(&mut *tx)
                            .await?;
                    }
                }
            }
        }
        tx.commit().await
    })
}
