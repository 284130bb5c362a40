//! The template gallery and the activity editor. The editor checks what it
//! can before sending (each message next to its field) and shows the
//! server's message — which names the field — for the rest.

use huodong_shared::api::{ActivityKind, PrizeKind};
use huodong_shared::console::ActivityChanges;
use huodong_shared::format::{datetime_cn, days_from_civil};
use huodong_shared::open::{
    CheckinRules, CreateActivity, GameRules, Milestone, PrizeInput, QuizQuestion, Release, Rules,
};
use leptos::prelude::*;
use serde_json::Value;

use crate::api;
use crate::{Screen, Session, first_text, num, text};

/// What each template is for.
const TEMPLATES: &[(ActivityKind, &str)] = &[
    (ActivityKind::Wheel, "经典转盘，指针停在服务器抽中的奖品上"),
    (ActivityKind::NineGrid, "八个奖品格，灯光绕圈停在中奖格"),
    (ActivityKind::Scratch, "手指刮开涂层，揭晓结果"),
    (ActivityKind::GoldenEgg, "三选一砸金蛋，节日氛围足"),
    (ActivityKind::Slot, "三个滚轮，三连即中奖"),
    (ActivityKind::Checkin, "每日签到、连签奖励、补签"),
    (ActivityKind::Quiz, "答对足够题目即可抽奖"),
    (ActivityKind::RedEnvelope, "限时接红包，达到分数即可抽奖"),
    (ActivityKind::MemoryFlip, "翻牌配对，全部找出即可抽奖"),
];

/// One prize row of the form (text as typed).
#[derive(Clone, Debug, PartialEq)]
pub struct PrizeRow {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: PrizeKind,
    /// Probability in percent, as typed.
    pub percent: String,
    /// Stock, as typed ("" for unlimited).
    pub stock: String,
    /// Points, for points prizes.
    pub points: String,
    /// Partner coupon id, for coupon prizes.
    pub coupon_id: String,
    /// Needs the partner's winner audit.
    pub audit: bool,
    /// Most wins per player, as typed ("" for no cap).
    pub limit: String,
    /// Redeem codes typed for a code prize, one a line.
    pub codes: String,
    /// The size of the code pool the prize already has (kept when no codes
    /// are typed).
    pub pool: Option<i64>,
    /// What the form does not edit, kept as loaded: the release plan, the
    /// image and the value.
    pub release: Option<Release>,
    /// Image URL.
    pub image: Option<String>,
    /// Value in cents.
    pub value: i64,
}

impl PrizeRow {
    /// The codes typed, one a line, blank lines left out.
    pub fn typed_codes(&self) -> Vec<String> {
        self.codes
            .lines()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// The form.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    /// An existing activity's id.
    pub id: Option<String>,
    /// Kind.
    pub kind: ActivityKind,
    /// Title.
    pub title: String,
    /// Start, `yyyy-mm-ddThh:mm` in UTC+8.
    pub starts: String,
    /// End.
    pub ends: String,
    /// Theme id.
    pub theme: String,
    /// Chances per day.
    pub per_day: String,
    /// Chances in all ("" for no cap).
    pub total: String,
    /// Points per draw.
    pub cost: String,
    /// Ask the partner's condition callback.
    pub condition: bool,
    /// Provably-fair mode.
    pub fair: bool,
    /// Prizes.
    pub prizes: Vec<PrizeRow>,
    /// Game rules (quiz and score games), kept from the template or the activity.
    pub game: Option<GameRules>,
    /// Check-in rules.
    pub checkin: Option<CheckinRules>,
    /// Check-in: points a make-up check-in costs, as typed.
    pub makeup_cost: String,
    /// Check-in: make-up check-ins allowed over the activity, as typed.
    pub makeup_limit: String,
    /// Check-in: streak rewards, (days as typed, prize position).
    pub milestones: Vec<(String, usize)>,
    /// Games: seconds a round lasts, as typed.
    pub game_secs: String,
    /// Games: seconds a round lasts at least, as typed.
    pub game_min_secs: String,
    /// Games: the score that earns a draw, as typed.
    pub game_pass: String,
    /// The rules as loaded: what the form does not edit (anti-farming, audit
    /// fallback, the partner's decision, live settings) is sent back as it was.
    pub base: Rules,
}

fn row(name: &str, kind: PrizeKind, percent: &str, stock: &str) -> PrizeRow {
    PrizeRow {
        name: name.to_owned(),
        kind,
        percent: percent.to_owned(),
        stock: stock.to_owned(),
        points: if kind == PrizeKind::Points {
            "100".to_owned()
        } else {
            String::new()
        },
        coupon_id: String::new(),
        audit: false,
        limit: String::new(),
        codes: String::new(),
        pool: None,
        release: None,
        image: None,
        value: 0,
    }
}

/// A points prize of a template: the points it awards are the ones its name says.
fn points_row(name: &str, points: &str, percent: &str, stock: &str) -> PrizeRow {
    PrizeRow {
        points: points.to_owned(),
        ..row(name, PrizeKind::Points, percent, stock)
    }
}

fn local_input(unix: i64) -> String {
    datetime_cn(unix).replacen(' ', "T", 1)
}

/// `yyyy-mm-ddThh:mm` (UTC+8) to unix seconds.
pub fn parse_local(text: &str) -> Option<i64> {
    let (date, time) = text.split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, mi) = (t.next()??, t.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || h > 23 || mi > 59 {
        return None;
    }
    Some(days_from_civil(y, m, day) * 86_400 + h * 3600 + mi * 60 - 8 * 3600)
}

impl Draft {
    /// A form with nothing filled in.
    fn blank(kind: ActivityKind) -> Draft {
        Draft {
            id: None,
            kind,
            title: String::new(),
            starts: String::new(),
            ends: String::new(),
            theme: String::new(),
            per_day: String::new(),
            total: String::new(),
            cost: String::new(),
            condition: false,
            fair: false,
            prizes: Vec::new(),
            game: None,
            checkin: None,
            makeup_cost: String::new(),
            makeup_limit: String::new(),
            milestones: Vec::new(),
            game_secs: String::new(),
            game_min_secs: String::new(),
            game_pass: String::new(),
            base: Rules::default(),
        }
    }

    /// The game and check-in settings, and their fields as text.
    fn with_settings(mut self, game: Option<GameRules>, checkin: Option<CheckinRules>) -> Draft {
        if let Some(g) = &game {
            self.game_secs = g.duration_secs.to_string();
            self.game_min_secs = g.min_secs.to_string();
            self.game_pass = g.pass_score.to_string();
        }
        if let Some(c) = &checkin {
            self.makeup_cost = c.makeup_cost.to_string();
            self.makeup_limit = c.makeup_limit.to_string();
            self.milestones = c
                .milestones
                .iter()
                .map(|m| (m.days.to_string(), m.prize))
                .collect();
        }
        self.game = game;
        self.checkin = checkin;
        self
    }

    /// A new activity from a template.
    pub fn from_template(kind: ActivityKind) -> Draft {
        let now = (js_sys::Date::now() / 1000.0) as i64;
        let start = now - now % 3600 + 3600;
        let game = match kind {
            ActivityKind::Quiz => Some(GameRules {
                duration_secs: 120,
                min_secs: 0,
                pass_score: 2,
                max_score: 3,
                max_rate: 1,
                questions: vec![
                    QuizQuestion {
                        text: "双11 是每年的几月几日？".into(),
                        options: vec![
                            "11 月 1 日".into(),
                            "11 月 11 日".into(),
                            "12 月 12 日".into(),
                        ],
                        answer: 1,
                    },
                    QuizQuestion {
                        text: "下列哪个是我们的会员权益？".into(),
                        options: vec!["积分抵现".into(), "免费停车".into()],
                        answer: 0,
                    },
                    QuizQuestion {
                        text: "活动期间每天可以参与几次？".into(),
                        options: vec!["1 次".into(), "3 次".into(), "不限".into()],
                        answer: 1,
                    },
                ],
            }),
            ActivityKind::RedEnvelope => Some(GameRules {
                duration_secs: 20,
                min_secs: 15,
                pass_score: 20,
                max_score: 60,
                max_rate: 4,
                questions: Vec::new(),
            }),
            ActivityKind::MemoryFlip => Some(GameRules {
                duration_secs: 90,
                min_secs: 8,
                pass_score: 8,
                max_score: 8,
                max_rate: 1,
                questions: Vec::new(),
            }),
            _ => None,
        };
        let checkin = (kind == ActivityKind::Checkin).then(|| CheckinRules {
            milestones: vec![
                Milestone { days: 3, prize: 0 },
                Milestone { days: 7, prize: 1 },
            ],
            makeup_cost: 20,
            makeup_limit: 2,
        });
        let prizes = if kind == ActivityKind::Checkin {
            vec![
                points_row("连签 3 天 · 100 积分", "100", "0", ""),
                points_row("连签 7 天 · 300 积分", "300", "0", "50"),
            ]
        } else {
            vec![
                row("一等奖 · 蓝牙耳机", PrizeKind::Goods, "1", "5"),
                points_row("二等奖 · 500 积分", "500", "5", "50"),
                points_row("三等奖 · 100 积分", "100", "20", ""),
            ]
        };
        Draft {
            id: None,
            kind,
            title: format!("{}活动", kind.name_zh()),
            starts: local_input(start),
            ends: local_input(start + 14 * 86_400),
            theme: "double11".into(),
            per_day: "3".into(),
            total: String::new(),
            cost: "0".into(),
            condition: false,
            fair: false,
            prizes,
            ..Draft::blank(kind)
        }
        .with_settings(game, checkin)
    }

    /// An existing activity (the console's answer) as a form.
    pub fn from_activity(v: &Value) -> Draft {
        let kind = ActivityKind::parse(&first_text(v, &["template", "kind"]))
            .unwrap_or(ActivityKind::Wheel);
        let rules: Rules = serde_json::from_value(v["rules"].clone()).unwrap_or_default();
        let prizes = v["prizes"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter(|p| text(p, "kind") != "thanks")
            .map(|p| PrizeRow {
                name: text(p, "name"),
                kind: serde_json::from_value(p["kind"].clone()).unwrap_or(PrizeKind::Goods),
                percent: {
                    let ppm = num(p, "probability_ppm");
                    huodong_shared::format::percent(ppm)
                        .trim_end_matches('%')
                        .to_owned()
                },
                stock: p["stock"]
                    .as_i64()
                    .or(p["stock_total"].as_i64())
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
                points: p["points"]
                    .as_i64()
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
                coupon_id: text(p, "coupon_id"),
                audit: p["audit"].as_bool().unwrap_or(false),
                limit: p["per_user_limit"]
                    .as_i64()
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
                codes: String::new(),
                pool: p["codes_total"].as_i64(),
                release: serde_json::from_value(p["release"].clone()).ok(),
                image: p["image"].as_str().map(str::to_owned),
                value: p["value"].as_i64().unwrap_or(0),
            })
            .collect();
        Draft {
            id: Some(first_text(v, &["activity_id", "id"])),
            kind,
            title: text(v, "title"),
            starts: local_input(num(v, "starts_at")),
            ends: local_input(num(v, "ends_at")),
            theme: text(v, "theme"),
            per_day: rules.chances_per_day.to_string(),
            total: rules
                .chances_total
                .map(|t| t.to_string())
                .unwrap_or_default(),
            cost: rules.points_cost.to_string(),
            condition: rules.condition_check,
            fair: rules.provably_fair,
            prizes,
            base: rules.clone(),
            ..Draft::blank(kind)
        }
        .with_settings(rules.game, rules.checkin)
    }
}

/// A problem with a field: (field key, message).
pub type Problem = (String, String);

/// What the editor checks before sending.
pub fn check(d: &Draft) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut bad = |field: &str, msg: String| out.push((field.to_owned(), msg));
    let title = d.title.trim().chars().count();
    if title == 0 || title > 60 {
        bad("title", format!("标题须为 1 到 60 个字（现在 {title} 个）"));
    }
    match (parse_local(&d.starts), parse_local(&d.ends)) {
        (None, _) => bad("starts", "请填写开始时间".into()),
        (_, None) => bad("ends", "请填写结束时间".into()),
        (Some(s), Some(e)) if e <= s => bad("ends", "结束时间须晚于开始时间".into()),
        _ => {}
    }
    if d.per_day
        .trim()
        .parse::<i64>()
        .map_or(true, |n| !(0..=1000).contains(&n))
    {
        bad("per_day", "每天次数须为 0 到 1000 的整数".into());
    }
    if !d.total.trim().is_empty() && d.total.trim().parse::<i64>().map_or(true, |n| n < 1) {
        bad("total", "总次数须为正整数，或留空表示不限".into());
    }
    if d.cost.trim().parse::<i64>().map_or(true, |n| n < 0) {
        bad("cost", "积分须为 0 或正整数".into());
    }
    let whole = |text: &str, range: std::ops::RangeInclusive<i64>| {
        text.trim()
            .parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
    };
    if d.checkin.is_some() {
        if whole(&d.makeup_cost, 0..=1_000_000).is_none() {
            bad("makeup_cost", "补签积分须为 0 到 1000000 的整数".into());
        }
        if whole(&d.makeup_limit, 0..=366).is_none() {
            bad("makeup_limit", "补签次数须为 0 到 366 的整数".into());
        }
        for (i, (days, prize)) in d.milestones.iter().enumerate() {
            let n = i + 1;
            if whole(days, 1..=366).is_none() {
                bad(
                    &format!("milestone{i}"),
                    format!("第 {n} 个连签奖励的天数须为 1 到 366 的整数"),
                );
            } else if *prize >= d.prizes.len() {
                bad(
                    &format!("milestone{i}"),
                    format!("第 {n} 个连签奖励须选一个奖品"),
                );
            }
        }
    }
    if let Some(g) = &d.game {
        let secs = whole(&d.game_secs, 5..=600);
        if secs.is_none() {
            bad("game_secs", "游戏时长须为 5 到 600 秒".into());
        }
        if whole(&d.game_min_secs, 0..=secs.unwrap_or(600)).is_none() {
            bad(
                "game_min_secs",
                "最短用时须为 0 到游戏时长之间的秒数".into(),
            );
        }
        if whole(&d.game_pass, 1..=g.max_score).is_none() {
            bad(
                "game_pass",
                format!(
                    "达标分数须为 1 到 {} 的整数（本游戏最高 {} 分）",
                    g.max_score, g.max_score
                ),
            );
        }
    }
    let mut sum = 0.0;
    for (i, p) in d.prizes.iter().enumerate() {
        let n = i + 1;
        if p.name.trim().is_empty() {
            bad(&format!("prize{i}.name"), format!("第 {n} 个奖品缺少名称"));
        }
        match p.percent.trim().parse::<f64>() {
            Ok(x) if (0.0..=100.0).contains(&x) => sum += x,
            _ => bad(
                &format!("prize{i}.percent"),
                format!("第 {n} 个奖品的概率须为 0 到 100 之间的数字"),
            ),
        }
        let stock = p.stock.trim();
        let typed = p.typed_codes();
        // A code prize's codes: those typed, else the pool it has.
        let pool = if !typed.is_empty() {
            typed.len() as i64
        } else {
            p.pool.unwrap_or(0)
        };
        if stock.is_empty() {
            if p.kind == PrizeKind::Goods {
                bad(
                    &format!("prize{i}.stock"),
                    format!("第 {n} 个奖品是实物，须填写数量"),
                );
            }
        } else {
            match stock.parse::<i64>() {
                Ok(s) if s < 0 => bad(
                    &format!("prize{i}.stock"),
                    format!("第 {n} 个奖品的数量不能为负数"),
                ),
                Ok(s) if p.kind == PrizeKind::Code && pool > 0 && s > pool => bad(
                    &format!("prize{i}.stock"),
                    format!("第 {n} 个奖品的数量不能多于兑换码个数（{pool} 个）"),
                ),
                Ok(_) => {}
                Err(_) => bad(
                    &format!("prize{i}.stock"),
                    format!("第 {n} 个奖品的数量须为整数，或留空表示不限"),
                ),
            }
        }
        if p.kind == PrizeKind::Code && pool == 0 {
            bad(
                &format!("prize{i}.codes"),
                format!("第 {n} 个奖品是兑换码，须填写兑换码（每行一个）"),
            );
        }
        if p.kind == PrizeKind::Code && typed.iter().any(|c| c.chars().count() > 128) {
            bad(
                &format!("prize{i}.codes"),
                format!("第 {n} 个奖品的兑换码每个不能超过 128 个字符"),
            );
        }
        if !p.limit.trim().is_empty() && p.limit.trim().parse::<i64>().map_or(true, |x| x < 1) {
            bad(
                &format!("prize{i}.limit"),
                format!("第 {n} 个奖品的每人限中须为正整数，或留空表示不限"),
            );
        }
        if p.kind == PrizeKind::Points && p.points.trim().parse::<i64>().map_or(true, |x| x <= 0) {
            bad(
                &format!("prize{i}.points"),
                format!("第 {n} 个奖品是积分，须填写发放的积分数"),
            );
        }
        if p.kind == PrizeKind::Coupon && p.coupon_id.trim().is_empty() {
            bad(
                &format!("prize{i}.coupon_id"),
                format!("第 {n} 个奖品是优惠券，须填写合作方券 ID"),
            );
        }
    }
    if sum > 100.0 + 1e-9 {
        bad(
            "prizes",
            format!("奖品概率合计 {sum}%，超过了 100%（余下的是「谢谢参与」）"),
        );
    }
    out
}

/// The request the form makes.
pub fn rules_of(d: &Draft) -> Rules {
    Rules {
        chances_per_day: d.per_day.trim().parse().unwrap_or(1),
        chances_total: d.total.trim().parse().ok(),
        points_cost: d.cost.trim().parse().unwrap_or(0),
        condition_check: d.condition,
        provably_fair: d.fair,
        checkin: d.checkin.as_ref().map(|_| CheckinRules {
            milestones: d
                .milestones
                .iter()
                .filter_map(|(days, prize)| {
                    Some(Milestone {
                        days: days.trim().parse().ok()?,
                        prize: *prize,
                    })
                })
                .collect(),
            makeup_cost: d.makeup_cost.trim().parse().unwrap_or(0),
            makeup_limit: d.makeup_limit.trim().parse().unwrap_or(0),
        }),
        game: d.game.as_ref().map(|g| GameRules {
            duration_secs: d.game_secs.trim().parse().unwrap_or(g.duration_secs),
            min_secs: d.game_min_secs.trim().parse().unwrap_or(g.min_secs),
            pass_score: d.game_pass.trim().parse().unwrap_or(g.pass_score),
            ..g.clone()
        }),
        ..d.base.clone()
    }
}

fn prizes_of(d: &Draft) -> Vec<PrizeInput> {
    d.prizes
        .iter()
        .map(|p| PrizeInput {
            name: p.name.trim().to_owned(),
            kind: p.kind,
            weight: None,
            probability: p.percent.trim().parse::<f64>().ok().map(|x| x / 100.0),
            stock: p.stock.trim().parse().ok(),
            value: p.value,
            coupon_id: Some(p.coupon_id.trim().to_owned())
                .filter(|c| !c.is_empty() && p.kind == PrizeKind::Coupon),
            points: p
                .points
                .trim()
                .parse()
                .ok()
                .filter(|_| p.kind == PrizeKind::Points),
            audit: p.audit,
            per_user_limit: p.limit.trim().parse().ok(),
            // None typed: the server keeps the pool of the prize of this name.
            codes: if p.kind == PrizeKind::Code {
                p.typed_codes()
            } else {
                Vec::new()
            },
            image: p.image.clone(),
            release: p.release,
        })
        .collect()
}

/// The template gallery.
#[component]
pub fn Gallery(screen: RwSignal<Screen>) -> impl IntoView {
    view! {
        <div class="bar"><h1>"选择模板"</h1></div>
        <ul class="gallery" data-testid="gallery">
            {TEMPLATES.iter().map(|&(kind, about)| view! {
                <li>
                    <button class="template" type="button" data-kind=kind.as_str()
                        on:click=move |_| screen.set(Screen::Edit(Box::new(Draft::from_template(kind))))>
                        <strong>{kind.name_zh()}</strong>
                        <span>{about}</span>
                    </button>
                </li>
            }).collect_view()}
        </ul>
    }
}

const KINDS: &[(PrizeKind, &str)] = &[
    (PrizeKind::Goods, "实物"),
    (PrizeKind::Coupon, "优惠券"),
    (PrizeKind::Points, "积分"),
    (PrizeKind::Code, "兑换码"),
];

/// The editor.
#[component]
pub fn Editor(
    session: StoredValue<Session>,
    screen: RwSignal<Screen>,
    draft: Draft,
) -> impl IntoView {
    let form = RwSignal::new(draft);
    let themes = RwSignal::new(Vec::<(String, String)>::new());
    leptos::task::spawn_local(async move {
        if let Ok(Value::Array(list)) = api::themes().await {
            themes.set(
                list.iter()
                    .map(|t| (text(t, "id"), text(t, "name_zh")))
                    .collect(),
            );
        }
    });
    let problems = RwSignal::new(Vec::<Problem>::new());
    let server_error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let problem = move |field: &'static str| {
        move || problems.with(|p| p.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone()))
    };
    let save = move |_| {
        let d = form.get_untracked();
        let found = check(&d);
        problems.set(found.clone());
        server_error.set(None);
        if !found.is_empty() {
            return;
        }
        saving.set(true);
        let token = session.with_value(|s| s.token.clone());
        leptos::task::spawn_local(async move {
            let starts_at = parse_local(&d.starts).unwrap_or(0);
            let ends_at = parse_local(&d.ends).unwrap_or(0);
            let answer = match &d.id {
                None => {
                    api::create(
                        &token,
                        &CreateActivity {
                            template: d.kind,
                            title: d.title.trim().to_owned(),
                            starts_at,
                            ends_at,
                            timezone: None,
                            rules: rules_of(&d),
                            prizes: prizes_of(&d),
                            theme: Some(d.theme.clone()),
                            // The console session's merchant, set by the server.
                            merchant_id: None,
                        },
                    )
                    .await
                }
                Some(id) => {
                    api::update(
                        &token,
                        id,
                        &ActivityChanges {
                            title: Some(d.title.trim().to_owned()),
                            starts_at: Some(starts_at),
                            ends_at: Some(ends_at),
                            timezone: None,
                            rules: Some(rules_of(&d)),
                            prizes: Some(prizes_of(&d)),
                            theme: Some(d.theme.clone()),
                        },
                    )
                    .await
                }
            };
            saving.set(false);
            match answer {
                Ok(v) => screen.set(Screen::Detail(first_text(&v, &["activity_id", "id"]))),
                Err(e) => server_error.set(Some(e.msg)),
            }
        });
    };

    let field = move |label: &'static str,
                      key: &'static str,
                      get: fn(&Draft) -> String,
                      set: fn(&mut Draft, String),
                      kind: &'static str| {
        view! {
            <label class="field" class:invalid=move || problem(key)().is_some()>
                <span class="label">{label}</span>
                <input type=kind data-field=key prop:value=move || form.with(get)
                    on:input=move |ev| { let v = event_target_value(&ev); form.update(|d| set(d, v)); } />
                <span class="problem" role="alert">{problem(key)}</span>
            </label>
        }
    };

    // The rows are made again only when their number changes, and a row's
    // last cell only when its kind does: a field being typed in keeps its focus.
    let count = Memo::new(move |_| form.with(|d| d.prizes.len()));
    let prize_rows = move || {
        (0..count.get()).map(|i| {
            let is_code = Memo::new(move |_| form.with(|d| d.prizes.get(i).is_some_and(|p| p.kind == PrizeKind::Code)));
            let get = move |f: fn(&PrizeRow) -> String| move || form.with(|d| d.prizes.get(i).map(f).unwrap_or_default());
            let set = move |f: fn(&mut PrizeRow, String)| move |ev: leptos::ev::Event| {
                let v = event_target_value(&ev);
                form.update(|d| if let Some(p) = d.prizes.get_mut(i) { f(p, v) });
            };
            let err = move |what: &'static str| move || problems.with(|p| p.iter().find(|(f, _)| *f == format!("prize{i}.{what}")).map(|(_, m)| m.clone()));
            view! {
                <tr data-testid="prize-row">
                    <td><input aria-label="奖品名称" data-field="prize-name" prop:value=get(|p| p.name.clone()) on:input=set(|p, v| p.name = v) /></td>
                    <td>
                        <select aria-label="奖品类型" on:change=move |ev| {
                            let v = event_target_value(&ev);
                            form.update(|d| if let Some(p) = d.prizes.get_mut(i) { p.kind = PrizeKind::parse(&v).unwrap_or(PrizeKind::Goods) });
                        }>
                            {KINDS.iter().map(|&(k, name)| view! {
                                <option value=k.as_str() selected=move || form.with(|d| d.prizes.get(i).map(|p| p.kind) == Some(k))>{name}</option>
                            }).collect_view()}
                        </select>
                    </td>
                    <td><input aria-label="概率 %" data-field="prize-percent" inputmode="decimal" prop:value=get(|p| p.percent.clone()) on:input=set(|p, v| p.percent = v) /></td>
                    <td><input aria-label="数量" data-field="prize-stock" inputmode="numeric" placeholder=move || if is_code.get() { "按码数" } else { "不限" } prop:value=get(|p| p.stock.clone()) on:input=set(|p, v| p.stock = v) /></td>
                    <td>
                        <textarea aria-label="兑换码" data-field="prize-codes" rows="3" hidden=move || !is_code.get()
                            placeholder=move || match form.with(|d| d.prizes.get(i).and_then(|p| p.pool)) {
                                Some(n) if n > 0 => format!("每行一个；留空沿用现有 {n} 个"),
                                _ => "每行一个兑换码".to_owned(),
                            }
                            prop:value=get(|p| p.codes.clone()) on:input=set(|p, v| p.codes = v)></textarea>
                        <span class="muted small" data-testid="codes-count" hidden=move || !is_code.get()>{move || form.with(|d| d.prizes.get(i).map(|p| {
                            match (p.typed_codes().len(), p.pool) {
                                (0, Some(n)) if n > 0 => format!("现有码池 {n} 个"),
                                (n, _) => format!("已填 {n} 个"),
                            }
                        }).unwrap_or_default())}</span>
                        <input aria-label="积分 / 券 ID" data-field="prize-value" placeholder="积分或券 ID" hidden=move || is_code.get()
                            prop:value=move || form.with(|d| d.prizes.get(i).map(|p| if p.kind == PrizeKind::Coupon { p.coupon_id.clone() } else { p.points.clone() }).unwrap_or_default())
                            on:input=move |ev| { let v = event_target_value(&ev); form.update(|d| if let Some(p) = d.prizes.get_mut(i) { if p.kind == PrizeKind::Coupon { p.coupon_id = v } else { p.points = v } }); } />
                    </td>
                    <td><input aria-label="每人限中" data-field="prize-limit" inputmode="numeric" placeholder="不限" prop:value=get(|p| p.limit.clone()) on:input=set(|p, v| p.limit = v) /></td>
                    <td class="center"><input type="checkbox" aria-label="需审核" prop:checked=move || form.with(|d| d.prizes.get(i).is_some_and(|p| p.audit))
                        on:change=move |ev| { let on = event_target_checked(&ev); form.update(|d| if let Some(p) = d.prizes.get_mut(i) { p.audit = on }); } /></td>
                    <td><button class="link danger" type="button" aria-label="删除奖品" on:click=move |_| form.update(|d| { if i < d.prizes.len() { d.prizes.remove(i); } })>"删除"</button></td>
                    <td class="problem" role="alert">{err("name")}{err("percent")}{err("stock")}{err("points")}{err("coupon_id")}{err("codes")}{err("limit")}</td>
                </tr>
            }
        }).collect_view()
    };

    // Check-in streak rewards: the rows as the prize rows (made again only
    // when their number changes), each naming a prize of the list.
    let milestone_count = Memo::new(move |_| form.with(|d| d.milestones.len()));
    let prize_names = Memo::new(move |_| {
        form.with(|d| {
            d.prizes
                .iter()
                .enumerate()
                .map(|(i, p)| match p.name.trim() {
                    "" => format!("第 {} 个奖品", i + 1),
                    name => name.to_owned(),
                })
                .collect::<Vec<_>>()
        })
    });
    let milestone_rows = move || {
        (0..milestone_count.get()).map(|i| {
            let days = move || form.with(|d| d.milestones.get(i).map(|m| m.0.clone()).unwrap_or_default());
            let chosen = move || form.with(|d| d.milestones.get(i).map(|m| m.1));
            let err = move || problems.with(|p| p.iter().find(|(f, _)| *f == format!("milestone{i}")).map(|(_, m)| m.clone()));
            view! {
                <li data-testid="milestone">
                    "连签"
                    <input class="days" aria-label="连签天数" data-field="milestone-days" inputmode="numeric" prop:value=days
                        on:input=move |ev| { let v = event_target_value(&ev); form.update(|d| if let Some(m) = d.milestones.get_mut(i) { m.0 = v }); } />
                    "天，奖励"
                    <select aria-label="连签奖品" data-field="milestone-prize" on:change=move |ev| {
                        let v = event_target_value(&ev).parse::<usize>().unwrap_or(usize::MAX);
                        form.update(|d| if let Some(m) = d.milestones.get_mut(i) { m.1 = v });
                    }>
                        {move || prize_names.get().into_iter().enumerate().map(|(at, name)| view! {
                            <option value=at.to_string() selected=move || chosen() == Some(at)>{name}</option>
                        }).collect_view()}
                    </select>
                    <button class="link danger" type="button" aria-label="删除连签奖励" on:click=move |_| form.update(|d| { if i < d.milestones.len() { d.milestones.remove(i); } })>"删除"</button>
                    <span class="problem" role="alert">{err}</span>
                </li>
            }
        }).collect_view()
    };
    let checkin_rules = form.with_untracked(|d| d.checkin.is_some()).then(|| view! {
        <fieldset data-testid="checkin-rules">
            <legend>"签到规则"</legend>
            {field("补签消耗积分", "makeup_cost", |d| d.makeup_cost.clone(), |d, v| d.makeup_cost = v, "number")}
            {field("补签次数上限（整个活动）", "makeup_limit", |d| d.makeup_limit.clone(), |d, v| d.makeup_limit = v, "number")}
            <div class="milestones">
                <span class="label">"连签奖励（奖品取自下方奖品列表）"</span>
                <ul>{milestone_rows}</ul>
                <button class="button secondary" type="button" data-testid="add-milestone"
                    on:click=move |_| form.update(|d| { let next = d.milestones.last().and_then(|m| m.0.trim().parse::<i64>().ok()).map_or(3, |n| n * 2); d.milestones.push((next.to_string(), 0)); })>"添加连签奖励"</button>
            </div>
        </fieldset>
    });
    let game_rules = form.with_untracked(|d| d.game.as_ref().map(|g| (g.max_score, g.questions.len()))).map(|(max, questions)| view! {
        <fieldset data-testid="game-rules">
            <legend>"游戏规则"</legend>
            {field("游戏时长（秒）", "game_secs", |d| d.game_secs.clone(), |d, v| d.game_secs = v, "number")}
            {field("最短用时（秒，防脚本）", "game_min_secs", |d| d.game_min_secs.clone(), |d, v| d.game_min_secs = v, "number")}
            {field("达标分数（达到即可抽奖）", "game_pass", |d| d.game_pass.clone(), |d, v| d.game_pass = v, "number")}
            <p class="muted">{if questions > 0 { format!("共 {questions} 道题，答对 1 题得 1 分，最高 {max} 分") } else { format!("本游戏最高 {max} 分") }}</p>
        </fieldset>
    });

    let thanks = move || {
        let sum: f64 = form.with(|d| {
            d.prizes
                .iter()
                .filter_map(|p| p.percent.trim().parse::<f64>().ok())
                .sum()
        });
        format!("谢谢参与：{:.2}%", (100.0 - sum).max(0.0))
    };

    view! {
        <div class="bar">
            <h1>{move || if form.with(|d| d.id.is_some()) { "编辑活动" } else { "新建活动" }}</h1>
            <span class="badge">{move || form.with(|d| d.kind.name_zh())}</span>
        </div>
        <form class="card editor" data-testid="editor" on:submit=|ev| ev.prevent_default()>
            <fieldset>
                <legend>"基本信息"</legend>
                {field("活动标题", "title", |d| d.title.clone(), |d, v| d.title = v, "text")}
                {field("开始时间（北京时间）", "starts", |d| d.starts.clone(), |d, v| d.starts = v, "datetime-local")}
                {field("结束时间（北京时间）", "ends", |d| d.ends.clone(), |d, v| d.ends = v, "datetime-local")}
                <label class="field">
                    <span class="label">"主题"</span>
                    <select data-field="theme" on:change=move |ev| { let v = event_target_value(&ev); form.update(|d| d.theme = v); }>
                        {move || themes.get().into_iter().map(|(id, name)| {
                            let chosen = id.clone();
                            view! { <option value=id selected=move || form.with(|d| d.theme == chosen)>{name}</option> }
                        }).collect_view()}
                    </select>
                </label>
            </fieldset>
            <fieldset>
                <legend>"参与规则"</legend>
                {field("每人每天次数", "per_day", |d| d.per_day.clone(), |d, v| d.per_day = v, "number")}
                {field("每人总次数（留空不限）", "total", |d| d.total.clone(), |d, v| d.total = v, "number")}
                {field("每次消耗积分", "cost", |d| d.cost.clone(), |d, v| d.cost = v, "number")}
                <label class="check"><input type="checkbox" prop:checked=move || form.with(|d| d.condition)
                    on:change=move |ev| { let on = event_target_checked(&ev); form.update(|d| d.condition = on); } />"参与前询问合作方资格（condition 回调）"</label>
                <label class="check"><input type="checkbox" prop:checked=move || form.with(|d| d.fair)
                    on:change=move |ev| { let on = event_target_checked(&ev); form.update(|d| d.fair = on); } />"可证明公平（开始前公布种子哈希，结束后公开种子）"</label>
            </fieldset>
            {checkin_rules}
            {game_rules}
            <fieldset>
                <legend>"奖品"</legend>
                <table class="table prizes-table">
                    <thead><tr><th>"名称"</th><th>"类型"</th><th>"概率 %"</th><th>"数量"</th><th>"积分 / 券 ID / 兑换码"</th><th>"每人限中"</th><th>"需审核"</th><th></th><th></th></tr></thead>
                    <tbody>{prize_rows}</tbody>
                </table>
                <p class="muted" data-testid="thanks-share">{thanks}</p>
                <p class="problem" role="alert">{problem("prizes")}</p>
                <button class="button secondary" type="button" data-testid="add-prize"
                    on:click=move |_| form.update(|d| d.prizes.push(row("", PrizeKind::Goods, "1", "1")))>"添加奖品"</button>
            </fieldset>
            {move || server_error.get().map(|e| view! { <p class="error" role="alert" data-testid="server-error">{e}</p> })}
            {move || (!problems.with(Vec::is_empty)).then(|| view! {
                <p class="error" role="alert" data-testid="problems">{move || format!("还有 {} 处需要修改，见标红的字段", problems.with(Vec::len))}</p>
            })}
            <div class="actions">
                <button class="button" type="button" data-testid="save" disabled=move || saving.get() on:click=save>
                    {move || if saving.get() { "保存中…" } else { "保存" }}
                </button>
                <button class="button secondary" type="button" on:click=move |_| screen.set(Screen::List)>"取消"</button>
            </div>
        </form>
    }
}
