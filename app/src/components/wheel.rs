//! 大转盘: the wheel of fortune. The server draws; the wheel only shows it:
//! one press makes an idempotency key, the draw answers the prize, and the
//! wheel decelerates onto that prize's segment before the result shows.

use std::time::Duration;

use leptos::prelude::*;

use crate::components::play::{Game, landing, reduced_motion, segments};
use crate::i18n::t;
use crate::pages::activity::Play;

/// How long the wheel turns, milliseconds (the CSS transition matches).
const SPIN_MS: u64 = 4_200;
/// Full turns before it settles.
const TURNS: f64 = 6.0;

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

/// The wheel, its button, the result dialog and my prizes.
#[component]
pub fn Wheel(play: Play) -> impl IntoView {
    let segments = StoredValue::new(segments(&play.activity.prizes));
    let count = segments.with_value(Vec::len);
    let rotation = RwSignal::new(0.0_f64);
    let game = Game::new(play);
    let press = move |_| {
        game.draw(move |result, done| {
            let target = segments.with_value(|s| landing(s, result));
            rotation.update(|r| *r = rotation_to(*r, target, count));
            let wait = if reduced_motion() { 300 } else { SPIN_MS + 200 };
            set_timeout(done, Duration::from_millis(wait));
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

    let board = view! {
        <div class="wheel-stage">
            <div class="wheel-pointer" aria-hidden="true"></div>
            <svg class="wheel" viewBox="-160 -160 320 320" role="img" aria-label=t("转盘上的奖品", "Prizes on the wheel")
                style=move || format!("transform: rotate({}deg)", fixed(rotation.get()))
                data-testid="wheel">
                <circle r="158" fill="var(--wheel-rim)" />
                {faces}
            </svg>
            <button class="wheel-button" data-testid="draw-button"
                disabled=move || game.blocked()
                on:click=press>
                <span class="wheel-button-label">{move || if game.busy.get() { t("抽奖中", "Drawing") } else { t("抽奖", "Spin") }}</span>
            </button>
        </div>
    };
    game.frame(
        "wheel-game",
        t("大转盘", "Wheel of fortune"),
        board.into_any(),
        None,
        true,
    )
}
