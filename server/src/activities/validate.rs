//! Validation of what partners send: every refusal names the field and says
//! what is wrong, in the player-facing language of the platform (Chinese).

use huodong_shared::ErrorCode;
use huodong_shared::api::{ActivityKind, PrizeKind};
use huodong_shared::open::{GameRules, PrizeInput, Release, Rules};

use crate::clock;
use crate::error::AppError;

/// Most prizes one activity may have.
pub const MAX_PRIZES: usize = 20;
/// Most redeem codes one prize may carry.
pub const MAX_CODES: usize = 100_000;
/// Longest activity, in seconds (a year and a day).
pub const MAX_DURATION_SECS: i64 = 366 * 86_400;
/// The weight total of probability mode: one million parts.
pub const PPM: i64 = 1_000_000;

fn invalid(field: &str, msg: &str) -> AppError {
    AppError::with_msg(ErrorCode::Validation, format!("{field}: {msg}"))
}

/// A prize ready to insert.
#[derive(Clone, Debug, PartialEq)]
pub struct NewPrize {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: PrizeKind,
    /// Weight out of the activity's total.
    pub weight: i64,
    /// Stock; `None` for unlimited.
    pub stock: Option<i64>,
    /// Value in cents.
    pub value_cents: i64,
    /// Partner coupon id.
    pub coupon_id: Option<String>,
    /// Points.
    pub points: Option<i64>,
    /// Needs audit.
    pub audit: bool,
    /// Most wins per player.
    pub per_user_limit: Option<i64>,
    /// Redeem codes.
    pub codes: Vec<String>,
    /// Image URL.
    pub image: Option<String>,
    /// Release plan.
    pub release: Option<Release>,
}

/// Trims and checks a text field's length in characters.
pub fn text(field: &str, value: &str, min: usize, max: usize) -> Result<String, AppError> {
    let value = value.trim();
    let len = value.chars().count();
    if len < min {
        return Err(invalid(field, "不能为空"));
    }
    if len > max {
        return Err(invalid(field, &format!("最多 {max} 个字符")));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(invalid(field, "不能包含控制字符"));
    }
    Ok(value.to_owned())
}

/// Checks an optional URL (http or https, at most 512 characters).
pub fn url(field: &str, value: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.len() > 512 || !(value.starts_with("https://") || value.starts_with("http://")) {
        return Err(invalid(field, "须为 http(s) 地址，最多 512 个字符"));
    }
    Ok(Some(value.to_owned()))
}

/// Checks the title.
pub fn title(value: &str) -> Result<String, AppError> {
    text("title", value, 1, 60)
}

/// Checks the time window.
pub fn window(starts_at: i64, ends_at: i64) -> Result<(), AppError> {
    if !(0..=4_102_444_800).contains(&starts_at) {
        return Err(invalid("starts_at", "须为 unix 秒"));
    }
    if ends_at <= starts_at {
        return Err(invalid("ends_at", "结束时间须晚于开始时间"));
    }
    if ends_at - starts_at > MAX_DURATION_SECS {
        return Err(invalid("ends_at", "活动最长一年"));
    }
    Ok(())
}

/// Checks the time zone; `Asia/Shanghai` when absent.
pub fn timezone(value: Option<&str>) -> Result<String, AppError> {
    let name = value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .unwrap_or("Asia/Shanghai");
    if clock::zone(name).is_none() {
        return Err(invalid(
            "timezone",
            "不是有效的 IANA 时区，例如 Asia/Shanghai",
        ));
    }
    Ok(name.to_owned())
}

/// Checks the theme: one of `themes/` (`GET /api/v1/themes` lists them);
/// none given is the default.
pub fn theme(value: Option<&str>) -> Result<String, AppError> {
    let name = value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .unwrap_or(crate::themes::DEFAULT);
    if !crate::themes::exists(name) {
        let known: Vec<&str> = crate::themes::all().iter().map(|t| t.id.as_str()).collect();
        return Err(invalid(
            "theme",
            &format!("没有这个主题，可选：{}", known.join("、")),
        ));
    }
    Ok(name.to_owned())
}

/// Most questions one quiz may have.
pub const MAX_QUESTIONS: usize = 50;

/// Whether activities of this kind are played as game rounds (a score or a
/// quiz earns the draw), and so need `rules.game`.
pub fn is_game(kind: ActivityKind) -> bool {
    matches!(
        kind,
        ActivityKind::Quiz | ActivityKind::RedEnvelope | ActivityKind::MemoryFlip
    )
}

/// Checks the rules of an activity of `kind` against the prize count.
pub fn rules(kind: ActivityKind, rules: &Rules, prize_count: usize) -> Result<(), AppError> {
    game(kind, rules.game.as_ref())?;
    crate::live::check_rules(kind, rules)?;
    if !(0..=1000).contains(&rules.chances_per_day) {
        return Err(invalid("rules.chances_per_day", "须在 0 到 1000 之间"));
    }
    if let Some(total) = rules.chances_total
        && !(0..=100_000).contains(&total)
    {
        return Err(invalid("rules.chances_total", "须在 0 到 100000 之间"));
    }
    if !(0..=1_000_000).contains(&rules.points_cost) {
        return Err(invalid("rules.points_cost", "须在 0 到 1000000 之间"));
    }
    if rules.partner_decides && rules.provably_fair {
        return Err(invalid(
            "rules.partner_decides",
            "可验证公平模式下不能由合作方指定中奖",
        ));
    }
    if rules.audit_fallback.is_some_and(|i| i >= prize_count) {
        return Err(invalid("rules.audit_fallback", "没有这个奖品"));
    }
    if let Some(checkin) = &rules.checkin {
        for (i, m) in checkin.milestones.iter().enumerate() {
            if !(1..=366).contains(&m.days) {
                return Err(invalid(
                    &format!("rules.checkin.milestones[{i}].days"),
                    "须在 1 到 366 之间",
                ));
            }
            if m.prize >= prize_count {
                return Err(invalid(
                    &format!("rules.checkin.milestones[{i}].prize"),
                    "没有这个奖品",
                ));
            }
        }
        if !(0..=1_000_000).contains(&checkin.makeup_cost)
            || !(0..=366).contains(&checkin.makeup_limit)
        {
            return Err(invalid(
                "rules.checkin",
                "补签积分须在 0 到 1000000 之间，次数在 0 到 366 之间",
            ));
        }
    }
    Ok(())
}

/// Checks a game's settings: games (quiz, red envelopes, memory flip) must
/// have them and other kinds must not. A quiz's `max_score` must equal its
/// number of questions (one point a right answer); other games have no
/// questions.
pub fn game(kind: ActivityKind, game: Option<&GameRules>) -> Result<(), AppError> {
    let game = match (is_game(kind), game) {
        (true, Some(game)) => game,
        (true, None) => return Err(invalid("rules.game", "游戏类活动须设置游戏规则")),
        (false, Some(_)) => {
            return Err(invalid(
                "rules.game",
                "只有答题、接红包、翻牌活动可以设置游戏规则",
            ));
        }
        (false, None) => return Ok(()),
    };
    if !(5..=600).contains(&game.duration_secs) {
        return Err(invalid("rules.game.duration_secs", "须在 5 到 600 秒之间"));
    }
    if !(0..=game.duration_secs).contains(&game.min_secs) {
        return Err(invalid(
            "rules.game.min_secs",
            "须在 0 到 duration_secs 之间",
        ));
    }
    if !(1..=100_000).contains(&game.max_score) {
        return Err(invalid("rules.game.max_score", "须在 1 到 100000 之间"));
    }
    if !(1..=game.max_score).contains(&game.pass_score) {
        return Err(invalid(
            "rules.game.pass_score",
            "须大于 0 且不超过 max_score",
        ));
    }
    if !(1..=100_000).contains(&game.max_rate) {
        return Err(invalid(
            "rules.game.max_rate",
            "每秒最多得分须在 1 到 100000 之间",
        ));
    }
    if kind != ActivityKind::Quiz {
        if !game.questions.is_empty() {
            return Err(invalid("rules.game.questions", "只有答题活动可以设置题目"));
        }
        return Ok(());
    }
    let count = game.questions.len();
    if !(1..=MAX_QUESTIONS).contains(&count) {
        return Err(invalid(
            "rules.game.questions",
            &format!("答题须有 1 到 {MAX_QUESTIONS} 道题"),
        ));
    }
    for (i, q) in game.questions.iter().enumerate() {
        let field = |name: &str| format!("rules.game.questions[{i}].{name}");
        text(&field("text"), &q.text, 1, 200)?;
        if !(2..=6).contains(&q.options.len()) {
            return Err(invalid(&field("options"), "须有 2 到 6 个选项"));
        }
        for (j, option) in q.options.iter().enumerate() {
            text(&field(&format!("options[{j}]")), option, 1, 100)?;
        }
        if q.answer >= q.options.len() {
            return Err(invalid(&field("answer"), "须为正确选项的位置（从 0 开始）"));
        }
    }
    if game.max_score != count as i64 {
        return Err(invalid(
            "rules.game.max_score",
            &format!("答题的满分须等于题目数量（{count}），每答对一题得 1 分"),
        ));
    }
    Ok(())
}

/// Checks the prize list and turns probabilities or weights into integer
/// weights; returns them with the activity's weight total.
pub fn prizes(inputs: &[PrizeInput]) -> Result<(Vec<NewPrize>, i64), AppError> {
    if inputs.len() > MAX_PRIZES {
        return Err(invalid("prizes", &format!("最多 {MAX_PRIZES} 个奖品")));
    }
    let by_weight = inputs.iter().any(|p| p.weight.is_some());
    let by_probability = inputs.iter().any(|p| p.probability.is_some());
    if by_weight && by_probability {
        return Err(invalid(
            "prizes",
            "所有奖品须统一使用 weight 或 probability，不能混用",
        ));
    }
    let mut out = Vec::with_capacity(inputs.len());
    let mut sum: i128 = 0;
    for (i, p) in inputs.iter().enumerate() {
        let field = |name: &str| format!("prizes[{i}].{name}");
        let name = text(&field("name"), &p.name, 1, 40)?;
        let weight = match (p.weight, p.probability) {
            (Some(w), None) => {
                if !(0..=1_000_000_000_000).contains(&w) {
                    return Err(invalid(&field("weight"), "须在 0 到 10^12 之间"));
                }
                w
            }
            (None, Some(prob)) => {
                if !prob.is_finite() || !(0.0..=1.0).contains(&prob) {
                    return Err(invalid(
                        &field("probability"),
                        "须在 0 到 1 之间（例如 0.05 表示 5%）",
                    ));
                }
                (prob * PPM as f64).round() as i64
            }
            _ => {
                return Err(invalid(
                    &field("probability"),
                    "须给出 probability 或 weight",
                ));
            }
        };
        sum += i128::from(weight);
        let stock = match p.stock {
            Some(s) if !(0..=1_000_000_000).contains(&s) => {
                return Err(invalid(&field("stock"), "库存须在 0 到 10^9 之间"));
            }
            other => other,
        };
        let codes: Vec<String> = p.codes.iter().map(|c| c.trim().to_owned()).collect();
        if p.kind != PrizeKind::Code && !codes.is_empty() {
            return Err(invalid(
                &field("codes"),
                "只有兑换码奖品（code）可以带兑换码",
            ));
        }
        if codes.len() > MAX_CODES {
            return Err(invalid(
                &field("codes"),
                &format!("最多 {MAX_CODES} 个兑换码"),
            ));
        }
        if codes.iter().any(|c| c.is_empty() || c.len() > 128) {
            return Err(invalid(&field("codes"), "兑换码须为 1 到 128 个字符"));
        }
        let stock = match p.kind {
            PrizeKind::Thanks => None,
            PrizeKind::Code => {
                let n = codes.len() as i64;
                match stock {
                    None => Some(n),
                    Some(s) if s <= n => Some(s),
                    Some(_) => return Err(invalid(&field("stock"), "库存不能多于兑换码数量")),
                }
            }
            PrizeKind::Goods if stock.is_none() => {
                return Err(invalid(&field("stock"), "实物奖品须设置库存"));
            }
            _ => stock,
        };
        let coupon_id = match p.kind {
            PrizeKind::Coupon => Some(text(
                &field("coupon_id"),
                p.coupon_id.as_deref().unwrap_or(""),
                1,
                64,
            )?),
            _ => None,
        };
        let points = match (p.kind, p.points) {
            (PrizeKind::Points, Some(n)) if (1..=100_000_000).contains(&n) => Some(n),
            (PrizeKind::Points, _) => {
                return Err(invalid(&field("points"), "积分奖品须设置 1 到 10^8 的积分"));
            }
            _ => None,
        };
        if let Some(limit) = p.per_user_limit
            && !(1..=1_000_000).contains(&limit)
        {
            return Err(invalid(&field("per_user_limit"), "须至少为 1"));
        }
        if let Some(release) = p.release {
            if stock.is_none() {
                return Err(invalid(&field("release"), "分期发放的奖品须设置库存"));
            }
            if !(1..=1_000_000_000).contains(&release.amount) {
                return Err(invalid(&field("release.amount"), "每期数量须至少为 1"));
            }
        }
        if !(0..=100_000_000_000).contains(&p.value) {
            return Err(invalid(&field("value"), "价值（分）须在 0 到 10^11 之间"));
        }
        out.push(NewPrize {
            name,
            kind: p.kind,
            weight,
            stock,
            value_cents: p.value,
            coupon_id,
            points,
            audit: p.audit,
            per_user_limit: p.per_user_limit,
            codes,
            image: url(&field("image"), p.image.as_deref())?,
            release: p.release,
        });
    }
    let total = if by_weight {
        if sum == 0 && !inputs.is_empty() {
            return Err(invalid("prizes", "权重之和须大于 0"));
        }
        i64::try_from(sum.max(1)).map_err(|_| invalid("prizes", "权重之和过大"))?
    } else {
        if sum > i128::from(PPM) {
            return Err(invalid("prizes", "概率之和超过 100%"));
        }
        PPM
    };
    Ok((out, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prize(
        kind: PrizeKind,
        probability: Option<f64>,
        weight: Option<i64>,
        stock: Option<i64>,
    ) -> PrizeInput {
        PrizeInput {
            name: "奖品".into(),
            kind,
            weight,
            probability,
            stock,
            value: 0,
            coupon_id: (kind == PrizeKind::Coupon).then(|| "110".into()),
            points: (kind == PrizeKind::Points).then_some(10),
            audit: false,
            per_user_limit: None,
            codes: vec![],
            image: None,
            release: None,
        }
    }

    #[test]
    fn probabilities_become_parts_per_million_with_thanks_for_the_rest() {
        let (list, total) = prizes(&[
            prize(PrizeKind::Goods, Some(0.01), None, Some(5)),
            prize(PrizeKind::Points, Some(0.2), None, None),
        ])
        .expect("valid");
        assert_eq!(total, PPM);
        assert_eq!(list[0].weight, 10_000);
        assert_eq!(list[1].weight, 200_000);
    }

    #[test]
    fn weights_keep_their_exact_total() {
        let (list, total) = prizes(&[
            prize(PrizeKind::Points, None, Some(1), None),
            prize(PrizeKind::Thanks, None, Some(2), None),
        ])
        .expect("valid");
        assert_eq!((list[0].weight, list[1].weight, total), (1, 2, 3));
    }

    #[test]
    fn bad_prize_lists_are_refused_with_the_field_named() {
        let cases: Vec<(Vec<PrizeInput>, &str)> = vec![
            (
                vec![
                    prize(PrizeKind::Points, Some(0.6), None, None),
                    prize(PrizeKind::Points, Some(0.5), None, None),
                ],
                "概率之和超过 100%",
            ),
            (
                vec![
                    prize(PrizeKind::Points, Some(0.1), None, None),
                    prize(PrizeKind::Points, None, Some(1), None),
                ],
                "不能混用",
            ),
            (
                vec![prize(PrizeKind::Goods, Some(0.1), None, Some(-1))],
                "prizes[0].stock",
            ),
            (
                vec![prize(PrizeKind::Goods, Some(0.1), None, None)],
                "实物奖品须设置库存",
            ),
            (
                vec![prize(PrizeKind::Points, Some(-0.1), None, None)],
                "prizes[0].probability",
            ),
            (
                vec![prize(PrizeKind::Points, Some(f64::NAN), None, None)],
                "prizes[0].probability",
            ),
            (
                vec![prize(PrizeKind::Points, None, None, None)],
                "须给出 probability 或 weight",
            ),
            (
                vec![prize(PrizeKind::Points, None, Some(0), None)],
                "权重之和须大于 0",
            ),
        ];
        for (input, expected) in cases {
            let err = prizes(&input).expect_err(expected);
            let msg = err.to_string();
            assert!(msg.contains(expected), "{msg} should mention {expected}");
        }
    }

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(title("  双11  ").expect("ok"), "双11");
        assert!(title("   ").is_err());
        assert!(title(&"长".repeat(61)).is_err());
        assert!(title("a\u{0007}b").is_err());
    }
}
