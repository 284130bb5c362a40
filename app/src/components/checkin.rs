//! 签到日历: this month's calendar with the days checked in, today's button,
//! the streak and its milestone rewards, and make-up check-ins (补签) of
//! missed days at the activity's points cost.

use huodong_shared::api::CheckinState;
use leptos::prelude::*;

use crate::api;
use crate::components::play::{Game, Outcome};
use crate::i18n::{english, t};
use crate::pages::activity::Play;
use huodong_shared::format::{day_cn, month_grid, ymd};

const WEEK_ZH: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
const WEEK_EN: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

/// What a day of the calendar is for the player.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayState {
    /// Checked in.
    Done,
    /// Today, not yet checked in.
    Today,
    /// Missed: before today, within the activity.
    Missed,
    /// Before the activity, or still to come.
    Off,
}

/// The state of `day` for a player.
pub fn day_state(state: &CheckinState, first_day: i64, day: i64) -> DayState {
    if state.days.contains(&day) {
        DayState::Done
    } else if day == state.today {
        DayState::Today
    } else if day < state.today && day >= first_day {
        DayState::Missed
    } else {
        DayState::Off
    }
}

/// The check-in calendar.
#[component]
pub fn CheckinCalendar(play: Play) -> impl IntoView {
    let first_day = day_cn(play.activity.starts_at);
    let rules = play.activity.rules.checkin.clone().unwrap_or_default();
    let milestones: Vec<(i64, String)> = rules
        .milestones
        .iter()
        .map(|m| {
            let name = play
                .activity
                .prizes
                .get(m.prize)
                .map(|p| p.name.clone())
                .unwrap_or_default();
            (m.days, name)
        })
        .collect();
    let cost = rules.makeup_cost;
    let limit = rules.makeup_limit;
    // A merchant preview (no session) shows an empty month.
    let preview = play.token.is_empty();
    let game = Game::new(play);
    let picked = RwSignal::new(None::<i64>);
    // The month on show (year, month); `None`: today's. Earlier months of
    // the activity stay reachable: on the 1st, yesterday is last month's.
    let shown = RwSignal::new(None::<(i64, i64)>);
    let first_month = {
        let (y, m, _) = ymd(first_day);
        (y, m)
    };
    let state = move || {
        game.me
            .with(|me| {
                me.as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .map(|s| s.checkin.clone())
            })
            .or_else(|| {
                preview.then(|| CheckinState {
                    today: day_cn((js_sys::Date::now() / 1000.0) as i64),
                    makeups_left: limit,
                    ..CheckinState::default()
                })
            })
    };

    let check_in = move |makeup: Option<i64>| {
        if game.busy.get_untracked() || game.refuse_preview() {
            return;
        }
        game.busy.set(true);
        let (id, token) = game.ids();
        leptos::task::spawn_local(async move {
            let answer = match makeup {
                Some(day) => api::makeup(&id, &token, day).await,
                None => api::checkin(&id, &token).await,
            };
            picked.set(None);
            game.show(match answer {
                Ok(result) => Outcome::Checked(result),
                Err(error) => Outcome::Refused(error),
            });
        });
    };

    let calendar = move || {
        let s = state()?;
        let (ty, tm, _) = ymd(s.today);
        let this_month = (ty, tm);
        let (year, month) = shown
            .get()
            .unwrap_or(this_month)
            .clamp(first_month, this_month);
        let step = move |by: i64| {
            let n = year * 12 + (month - 1) + by;
            let to = (n.div_euclid(12), n.rem_euclid(12) + 1);
            shown.set(Some(to.clamp(first_month, this_month)));
        };
        // Arrows only when the activity spans more than one month so far.
        let nav = first_month < this_month;
        let (at_first, at_last) = ((year, month) <= first_month, (year, month) >= this_month);
        let title = if english() {
            format!("{year}-{month:02}")
        } else {
            format!("{year} 年 {month} 月")
        };
        let week = if english() { WEEK_EN } else { WEEK_ZH };
        let cells = month_grid(year, month)
            .into_iter()
            .map(|day| {
                let Some(day) = day else {
                    return view! { <span class="day blank" aria-hidden="true"></span> }.into_any();
                };
                let state = day_state(&s, first_day, day);
                let n = day % 100;
                let can_pick = state == DayState::Missed && s.makeups_left > 0;
                let label = match state {
                    DayState::Done => t("已签到", "checked in"),
                    DayState::Today => t("今天", "today"),
                    DayState::Missed if can_pick => t("漏签，可补签", "missed, can make up"),
                    DayState::Missed => t("漏签", "missed"),
                    DayState::Off => "",
                };
                let aria = if english() {
                    format!("{month}/{n} {label}")
                } else {
                    format!("{month} 月 {n} 日 {label}")
                };
                view! {
                    <button type="button" class="day" data-day=day data-testid="day"
                        class:done=state == DayState::Done
                        class:today=day == s.today
                        class:missed=state == DayState::Missed
                        class:closed=state == DayState::Off && day < s.today
                        class:picked=move || picked.get() == Some(day)
                        aria-label=aria
                        aria-pressed=move || (picked.get() == Some(day)).to_string()
                        disabled=!can_pick
                        on:click=move |_| picked.set(Some(day))>
                        {n}
                    </button>
                }
                .into_any()
            })
            .collect_view();
        let streak = if english() {
            format!("{}-day streak", s.streak)
        } else {
            format!("已连续签到 {} 天", s.streak)
        };
        let checked = s.checked_in_today;
        let makeups = s.makeups_left;
        Some(view! {
            <div class="calendar-head">
                <div class="calendar-nav">
                    {nav.then(|| view! {
                        <button class="month-step" type="button" data-testid="prev-month"
                            aria-label=t("上个月", "Previous month")
                            disabled=at_first
                            on:click=move |_| step(-1)>"‹"</button>
                    })}
                    <h2 class="calendar-title" aria-live="polite">{title}</h2>
                    {nav.then(|| view! {
                        <button class="month-step" type="button" data-testid="next-month"
                            aria-label=t("下个月", "Next month")
                            disabled=at_last
                            on:click=move |_| step(1)>"›"</button>
                    })}
                </div>
                <p class="streak" data-testid="streak">{streak}</p>
            </div>
            <div class="calendar" role="group" aria-label=t("签到日历", "Check-ins of the month") data-testid="calendar">
                {week.iter().map(|w| view! { <span class="weekday" aria-hidden="true">{*w}</span> }).collect_view()}
                {cells}
            </div>
            <button class="button checkin-button" type="button" data-testid="checkin-button"
                disabled=move || checked || game.busy.get()
                on:click=move |_| check_in(None)>
                {if checked { t("今日已签到", "Checked in today") } else { t("立即签到", "Check in") }}
            </button>
            <p class="makeup-line" data-testid="makeup-line">
                {move || match picked.get() {
                    Some(day) => {
                        let (_, m, d) = ymd(day);
                        let text = match (english(), cost) {
                            (true, 0) => format!("Make up {m}/{d} for free"),
                            (true, _) => format!("Make up {m}/{d} for {cost} points"),
                            (false, 0) => format!("免费补签 {m} 月 {d} 日"),
                            (false, _) => format!("补签 {m} 月 {d} 日，消耗 {cost} 积分"),
                        };
                        let left = if english() {
                            format!("{makeups} make-ups left")
                        } else {
                            format!("还可补签 {makeups} 次")
                        };
                        view! {
                            <button class="button secondary makeup-button" type="button" data-testid="makeup-button"
                                disabled=move || game.busy.get()
                                on:click=move |_| check_in(Some(day))>
                                {text}<small class="makeup-left">{left}</small>
                            </button>
                        }.into_any()
                    }
                    None if makeups > 0 => view! {
                        <span class="muted">{match (english(), cost) {
                            (true, 0) => format!("Tap a missed day to make it up ({makeups} left, free)"),
                            (true, _) => format!("Tap a missed day to make it up ({makeups} left, {cost} points each)"),
                            (false, 0) => format!("点选漏签的日子可以免费补签（还可补签 {makeups} 次）"),
                            (false, _) => format!("点选漏签的日子可以补签（还可补签 {makeups} 次，每次 {cost} 积分）"),
                        }}</span>
                    }.into_any(),
                    None => view! { <span class="muted">{t("补签次数已用完", "No make-ups left")}</span> }.into_any(),
                }}
            </p>
        })
    };

    let rewards = {
        let list = milestones
            .into_iter()
            .map(|(days, name)| {
                let reached = move || state().is_some_and(|s| s.streak >= days);
                let title = if english() { format!("{days}-day streak") } else { format!("连签 {days} 天") };
                // "连签 3 天 · 100 积分" under "连签 3 天": the rest is enough.
                let name = name
                    .strip_prefix(title.as_str())
                    .and_then(|rest| rest.strip_prefix(" · "))
                    .map(str::to_owned)
                    .unwrap_or(name);
                view! {
                    <li class="milestone" class:reached=reached data-testid="milestone">
                        <span class="milestone-days">{title}</span>
                        <span class="milestone-prize">{name}</span>
                        <span class="milestone-state">{move || if reached() { t("已达成", "Reached") } else { "" }}</span>
                    </li>
                }
            })
            .collect_view();
        view! {
            <h3 class="milestones-title">{t("连签奖励", "Streak rewards")}</h3>
            <ul class="milestones">{list}</ul>
        }
    };

    let board = view! {
        <div class="checkin-board">{calendar}{rewards}</div>
    };
    game.frame(
        "checkin-game",
        t("签到日历", "Check-in calendar"),
        board.into_any(),
        None,
        false,
    )
}
