//! Demo data: a demo partner and one published activity per lottery kind,
//! the check-in calendar and the three games (quiz, red envelopes, memory
//! flip), so a fresh install has something to open. Idempotent: seeding
//! twice changes nothing.

use huodong_shared::api::{ActivityKind, PrizeKind};
use huodong_shared::open::{CheckinRules, GameRules, Milestone, QuizQuestion, Rules};

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

/// The live big screen's tiers: how many winners each (drawn from the people
/// who joined, not by odds: weight 0).
const LIVE_TIERS: &[DemoPrize] = &[
    DemoPrize {
        name: "一等奖 · 平板电脑",
        kind: PrizeKind::Goods,
        ppm: 0,
        stock: Some(1),
        value_cents: 399_900,
    },
    DemoPrize {
        name: "二等奖 · 蓝牙耳机",
        kind: PrizeKind::Goods,
        ppm: 0,
        stock: Some(3),
        value_cents: 29_900,
    },
    DemoPrize {
        name: "三等奖 · 100 积分",
        kind: PrizeKind::Points,
        ppm: 0,
        stock: Some(10),
        value_cents: 100,
    },
];

/// The prizes a demo activity of `kind` offers.
fn prizes_of(kind: ActivityKind) -> &'static [DemoPrize] {
    match kind {
        ActivityKind::Checkin => CHECKIN_REWARDS,
        ActivityKind::Live => LIVE_TIERS,
        _ => PRIZES,
    }
}

/// The public id of the demo live big screen.
pub const DEMO_LIVE: &str = "demo_live";

/// The demo activities: public id, kind, title, theme.
pub const ACTIVITIES: &[(&str, ActivityKind, &str, &str)] = &[
    (
        "demo_wheel",
        ActivityKind::Wheel,
        "双11 幸运大转盘",
        "double11",
    ),
    (
        "demo_nine_grid",
        ActivityKind::NineGrid,
        "九宫格 · 天天抽好礼",
        "spring_festival",
    ),
    (
        "demo_scratch",
        ActivityKind::Scratch,
        "刮刮乐 · 刮出惊喜",
        "summer",
    ),
    (
        "demo_golden_egg",
        ActivityKind::GoldenEgg,
        "砸金蛋 · 好运连连",
        "luxury_gold",
    ),
    (
        "demo_slot",
        ActivityKind::Slot,
        "老虎机 · 三连中大奖",
        "sports",
    ),
    (
        "demo_checkin",
        ActivityKind::Checkin,
        "每日签到 · 连签有礼",
        "corporate_blue",
    ),
    (
        "demo_quiz",
        ActivityKind::Quiz,
        "答题 · 购物节知识挑战",
        "minimal_light",
    ),
    (
        "demo_red_envelope",
        ActivityKind::RedEnvelope,
        "接红包 · 红包雨来啦",
        "spring_festival",
    ),
    (
        "demo_memory_flip",
        ActivityKind::MemoryFlip,
        "翻牌 · 记忆大挑战",
        "kids",
    ),
    (
        DEMO_LIVE,
        ActivityKind::Live,
        "年会大屏抽奖 · 好运到你家",
        "corporate_blue",
    ),
];

/// The demo quiz: question, options, the right option's position.
const QUIZ: &[(&str, &[&str], usize)] = &[
    (
        "“双11”购物节在每年的哪一天？",
        &["11 月 1 日", "11 月 11 日", "12 月 12 日", "10 月 11 日"],
        1,
    ),
    (
        "按照《消费者权益保护法》，网购的商品一般可以在收货后几天内无理由退货？",
        &["3 天", "7 天", "15 天", "30 天"],
        1,
    ),
    (
        "“满 300 减 40”时，买一件 320 元的商品实际要付多少钱？",
        &["280 元", "300 元", "320 元", "260 元"],
        0,
    ),
    (
        "下面哪一种做法能更好地保护网购账户的安全？",
        &[
            "把短信验证码告诉“客服”",
            "所有网站都用同一个简单密码",
            "开启登录短信验证",
            "点开陌生链接领红包",
        ],
        2,
    ),
    (
        "春节是农历的哪一天？",
        &["正月初一", "正月十五", "五月初五", "八月十五"],
        0,
    ),
];

/// The game settings of a demo game (none for other kinds).
fn demo_game(kind: ActivityKind) -> Option<GameRules> {
    match kind {
        ActivityKind::Quiz => Some(GameRules {
            duration_secs: 120,
            min_secs: 5,
            pass_score: 3,
            max_score: QUIZ.len() as i64,
            max_rate: 1,
            questions: QUIZ
                .iter()
                .map(|&(text, options, answer)| QuizQuestion {
                    text: text.to_owned(),
                    options: options.iter().map(|&o| o.to_owned()).collect(),
                    answer,
                })
                .collect(),
        }),
        // Envelopes fall for 20 s; at most 4 caught a second, 60 in all.
        ActivityKind::RedEnvelope => Some(GameRules {
            duration_secs: 20,
            min_secs: 15,
            pass_score: 20,
            max_score: 60,
            max_rate: 4,
            questions: Vec::new(),
        }),
        // 8 pairs, all of them to pass, at most one pair a second.
        ActivityKind::MemoryFlip => Some(GameRules {
            duration_secs: 90,
            min_secs: 8,
            pass_score: 8,
            max_score: 8,
            max_rate: 1,
            questions: Vec::new(),
        }),
        _ => None,
    }
}

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
        game: demo_game(kind),
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
            if kind == ActivityKind::Live {
                sqlx::query("INSERT INTO live_state (activity_id) VALUES ($1) ON CONFLICT (activity_id) DO NOTHING")
                    .bind(activity_id)
                    .execute(&mut *tx)
                    .await?;
            }
            for (position, prize) in prizes_of(kind).iter().enumerate() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_activity_has_valid_rules() {
        for &(public_id, kind, _, _) in ACTIVITIES {
            let rules: Rules = serde_json::from_str(&demo_rules(kind)).expect("rules parse");
            let prizes: Vec<crate::activities::validate::NewPrize> = prizes_of(kind)
                .iter()
                .map(|p| crate::activities::validate::NewPrize {
                    name: p.name.to_owned(),
                    kind: p.kind,
                    weight: p.ppm,
                    stock: p.stock,
                    value_cents: p.value_cents,
                    coupon_id: None,
                    points: None,
                    audit: false,
                    per_user_limit: None,
                    codes: Vec::new(),
                    image: None,
                    release: None,
                })
                .collect();
            let checked = crate::activities::validate::rules(kind, &rules, prizes.len())
                .and_then(|()| crate::live::check_tiers(kind, &prizes));
            if let Err(err) = checked {
                panic!("{public_id}: {err}");
            }
        }
    }
}
