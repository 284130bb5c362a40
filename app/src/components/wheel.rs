//! 大转盘: the wheel of fortune. The server draws; the wheel only shows it:
//! one press makes an idempotency key, the draw answers the prize, and the
//! wheel decelerates onto that prize's segment before the result shows.

use std::time::Duration;

use huodong_shared::api::{DrawResult, PrizeKind, PrizeView};
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::components::my_prizes::MyPrizes;

/// How long the wheel turns, milliseconds (the CSS transition matches).
const SPIN_MS: u64 = 4_200;
/// Full turns before it settles.
const TURNS: f64 = 6.0;

/// One segment: the prize it stands for (`None`: thanks).
#[derive(Clone, Debug, PartialEq)]
struct Segment {
    prize_id: Option<i64>,
    lines: Vec<String>,
    thanks: bool,
}

fn segments(prizes: &[PrizeView]) -> Vec<Segment> {
    let mut list: Vec<Segment> = prizes
        .iter()
        .map(|p| Segment {
            prize_id: (p.kind != PrizeKind::Thanks).then_some(p.id),
            lines: p.name.split(" · ").map(str::to_owned).collect(),
            thanks: p.kind == PrizeKind::Thanks,
        })
        .collect();
    if !list.iter().any(|s| s.thanks) {
        list.push(Segment {
            prize_id: None,
            lines: vec!["谢谢参与".to_owned()],
            thanks: true,
        });
    }
    list
}

/// The segment a draw landed on.
fn landing(segments: &[Segment], result: &DrawResult) -> usize {
    let won = result.prize.as_ref().map(|p| p.prize_id);
    segments
        .iter()
        .position(|s| s.prize_id.is_some() && s.prize_id == won)
        .or_else(|| segments.iter().position(|s| s.thanks))
        .unwrap_or(0)
}

/// The rotation (degrees, clockwise) after `current` that puts the middle of
/// segment `index` of `count` under the pointer at the top.
fn rotation_to(current: f64, index: usize, count: usize) -> f64 {
    let width = 360.0 / count as f64;
    let center = (index as f64 + 0.5) * width;
    let base = (current / 360.0).ceil() * 360.0;
    base + TURNS * 360.0 + (360.0 - center)
}

/// `x` with two decimals, without Rust's float formatting (it would add
/// tens of kilobytes to the bundle).
fn fixed(x: f64) -> String {
    let hundredths = (x * 100.0).round() as i64;
    let sign = if hundredths < 0 { "-" } else { "" };
    let abs = hundredths.abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

fn point(angle_deg: f64, radius: f64) -> (f64, f64) {
    // The browser's Math: no libm in the bundle.
    let rad = (angle_deg - 90.0) * std::f64::consts::PI / 180.0;
    (
        radius * js_sys::Math::cos(rad),
        radius * js_sys::Math::sin(rad),
    )
}

fn arc(index: usize, count: usize, radius: f64) -> String {
    let width = 360.0 / count as f64;
    let (x0, y0) = point(index as f64 * width, radius);
    let (x1, y1) = point((index + 1) as f64 * width, radius);
    let large = i32::from(width > 180.0);
    let r = fixed(radius);
    format!(
        "M0 0 L{} {} A{r} {r} 0 {large} 1 {} {} Z",
        fixed(x0),
        fixed(y0),
        fixed(x1),
        fixed(y1)
    )
}

/// A fresh idempotency key for one press.
fn press_key() -> String {
    let random = (js_sys::Math::random() * 1e12) as u64;
    format!("w{}-{random:x}", js_sys::Date::now() as u64)
}

/// What the dialog shows.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Drawn(DrawResult),
    Refused(ApiError),
}

/// The wheel, its button, the result dialog and my prizes.
#[component]
pub fn Wheel(activity_id: String, prizes: Vec<PrizeView>, token: String) -> impl IntoView {
    let segments = StoredValue::new(segments(&prizes));
    let count = segments.with_value(Vec::len);
    let rotation = RwSignal::new(0.0_f64);
    let spinning = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Outcome>);
    let refresh = RwSignal::new(0u32);
    let chances = RwSignal::new(None::<i64>);
    let (id, tok) = (activity_id.clone(), token.clone());
    let me = LocalResource::new(move || {
        refresh.track();
        let (id, tok) = (id.clone(), tok.clone());
        async move { api::me(&id, &tok).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(state)) = me.get() {
            chances.set(Some(
                state.chances.today_left.max(0) + state.chances.extra_left,
            ));
        }
    });

    let press = move |_| {
        if spinning.get_untracked() {
            return;
        }
        spinning.set(true);
        let (id, tok) = (activity_id.clone(), token.clone());
        leptos::task::spawn_local(async move {
            match api::draw(&id, &tok, press_key()).await {
                Ok(result) => {
                    let target = segments.with_value(|s| landing(s, &result));
                    rotation.update(|r| *r = rotation_to(*r, target, count));
                    set_timeout(
                        move || {
                            spinning.set(false);
                            outcome.set(Some(Outcome::Drawn(result)));
                            refresh.update(|n| *n += 1);
                        },
                        Duration::from_millis(SPIN_MS + 200),
                    );
                }
                Err(error) => {
                    spinning.set(false);
                    outcome.set(Some(Outcome::Refused(error)));
                }
            }
        });
    };

    let faces = segments.with_value(|list| {
        let width = 360.0 / list.len() as f64;
        list.iter()
            .enumerate()
            .map(|(i, s)| {
                let center = (i as f64 + 0.5) * width;
                let fill = if s.thanks {
                    "var(--wheel-thanks)"
                } else if i % 2 == 0 {
                    "var(--wheel-a)"
                } else {
                    "var(--wheel-b)"
                };
                let lines = s.lines.clone();
                let n = lines.len() as f64;
                view! {
                    <g>
                        <path d=arc(i, list.len(), 150.0) fill=fill stroke="var(--wheel-line)" stroke-width="2" />
                        <g transform=format!("rotate({}) translate(0 -100)", fixed(center))>
                            {lines.into_iter().enumerate().map(|(k, line)| {
                                let y = (k as f64 - (n - 1.0) / 2.0) * 17.0;
                                view! {
                                    <text y=fixed(y) text-anchor="middle" dominant-baseline="middle"
                                        class="wheel-text">{line}</text>
                                }
                            }).collect_view()}
                        </g>
                    </g>
                }
            })
            .collect_view()
    });

    view! {
        <section class="game wheel-game" aria-label="大转盘">
            <div class="wheel-stage">
                <div class="wheel-pointer" aria-hidden="true"></div>
                <svg class="wheel" viewBox="-160 -160 320 320" role="img" aria-label="转盘上的奖品"
                    style=move || format!("transform: rotate({}deg)", fixed(rotation.get()))
                    data-testid="wheel">
                    <circle r="158" fill="var(--wheel-rim)" />
                    {faces}
                </svg>
                <button class="wheel-button" data-testid="draw-button"
                    disabled=move || spinning.get() || chances.get() == Some(0)
                    on:click=press>
                    <span class="wheel-button-label">{move || if spinning.get() { "抽奖中" } else { "抽奖" }}</span>
                </button>
            </div>
            <p class="chances" data-testid="chances" aria-live="polite">
                {move || match chances.get() {
                    Some(0) => "今天的机会用完了，明天再来".to_owned(),
                    Some(n) => format!("剩余 {n} 次机会"),
                    None => "\u{a0}".to_owned(),
                }}
            </p>
            {move || outcome.get().map(|o| view! { <ResultDialog outcome=o on_close=move || outcome.set(None) /> })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    me.await.ok().map(|state| view! { <MyPrizes prizes=state.prizes /> })
                })}
            </Suspense>
        </section>
    }
}

/// The result of a press: the prize (with its code), "thanks", or why not.
#[component]
fn ResultDialog(outcome: Outcome, on_close: impl Fn() + Send + Sync + 'static) -> impl IntoView {
    let (title, body, code, note, won) =
        match outcome {
            Outcome::Drawn(result) => match result.prize {
                Some(prize) => {
                    let note =
                        match prize.delivery.as_deref() {
                            Some("audit") => Some("中奖审核中，审核通过后发放".to_owned()),
                            Some("pending") => Some(prize.note.clone().unwrap_or_else(|| {
                                "奖品发放中，请稍后在「我的奖品」查看".to_owned()
                            })),
                            Some("failed") => Some(
                                prize
                                    .note
                                    .clone()
                                    .unwrap_or_else(|| "奖品发放失败，请联系客服".to_owned()),
                            ),
                            _ => prize.note.clone(),
                        };
                    ("恭喜中奖！".to_owned(), prize.name, prize.code, note, true)
                }
                None => (
                    "谢谢参与".to_owned(),
                    "差一点点，下次好运！".to_owned(),
                    None,
                    None,
                    false,
                ),
            },
            Outcome::Refused(error) => ("提示".to_owned(), error.msg, None, None, false),
        };
    view! {
        <div class="dialog-backdrop">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="result-title"
                data-testid="result" data-won=won.to_string()>
                <h2 id="result-title">{title}</h2>
                <p class="dialog-prize" data-testid="result-prize">{body}</p>
                {code.map(|c| view! { <p class="dialog-code">"兑换码 "<code data-testid="result-code">{c}</code></p> })}
                {note.map(|n| view! { <p class="dialog-note">{n}</p> })}
                <button class="button" autofocus on:click=move |_| on_close()>"好的"</button>
            </div>
        </div>
    }
}
