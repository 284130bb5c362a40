//! 接红包: red envelopes fall for the round's length; every one caught
//! (tapped, clicked, or focused and pressed) scores a point. The server
//! checks the score against the round's clock and rate bound.

use std::time::Duration;

use leptos::prelude::*;

use crate::components::play::Game;
use crate::components::round::{self, Current, Dice, now_ms};
use crate::i18n::{english, t};
use crate::pages::activity::Play;

/// Envelopes on screen at once (a pool of slots reused round robin).
const SLOTS: usize = 8;
/// Lanes across the board.
const LANES: u32 = 5;
/// A new envelope every so often, milliseconds.
const EVERY_MS: u64 = 380;
/// How long one takes to fall, milliseconds (matches `.envelope`).
const FALL_MS: u64 = 2_600;

/// One slot: which envelope it shows (a fresh number each time) and its lane.
type Slot = RwSignal<Option<(u32, u32)>>;

/// Drops envelopes until the round's time is up, then finishes it.
fn tick(game: Game, current: Current, slots: [Slot; SLOTS], state: Ticks) {
    let Some(round) = current.get_untracked() else {
        return;
    };
    let elapsed = now_ms() - state.started.get_value();
    let total_ms = (round.duration_secs * 1000) as f64;
    state
        .left
        .set(((total_ms - elapsed) / 1000.0).ceil().max(0.0) as i64);
    if elapsed >= total_ms {
        for slot in slots {
            slot.set(None);
        }
        round::finish(game, current, state.score.get_untracked(), Vec::new());
        return;
    }
    let n = state.next.get_value();
    state.next.set_value(n + 1);
    let lane = state.dice.try_update_value(|d| d.below(LANES)).unwrap_or(0);
    let slot = slots[n as usize % SLOTS];
    slot.set(Some((n, lane)));
    set_timeout(
        move || {
            if slot.get_untracked().is_some_and(|(k, _)| k == n) {
                slot.set(None);
            }
        },
        Duration::from_millis(FALL_MS),
    );
    set_timeout(
        move || tick(game, current, slots, state),
        Duration::from_millis(EVERY_MS),
    );
}

/// The running round's counters.
#[derive(Clone, Copy)]
struct Ticks {
    started: StoredValue<f64>,
    next: StoredValue<u32>,
    dice: StoredValue<Dice>,
    score: RwSignal<i64>,
    left: RwSignal<i64>,
}

/// The red-envelope game.
#[component]
pub fn RedEnvelope(play: Play) -> impl IntoView {
    let rules = play.activity.rules.game.clone().unwrap_or_default();
    let game = Game::new(play);
    let current: Current = RwSignal::new(None);
    let slots: [Slot; SLOTS] = std::array::from_fn(|_| RwSignal::new(None));
    let state = Ticks {
        started: StoredValue::new(0.0),
        next: StoredValue::new(0),
        dice: StoredValue::new(Dice::new(1)),
        score: RwSignal::new(0),
        left: RwSignal::new(rules.duration_secs),
    };
    // A new round: reset the counters and start dropping.
    Effect::new(move |_| {
        if let Some(round) = current.get() {
            state.started.set_value(now_ms());
            state.next.set_value(0);
            state.dice.set_value(Dice::new(round.seed));
            state.score.set(0);
            state.left.set(round.duration_secs);
            tick(game, current, slots, state);
        }
    });
    let intro = if english() {
        format!(
            "Catch the falling red envelopes: {} in {} seconds earn a draw.",
            rules.pass_score, rules.duration_secs
        )
    } else {
        format!(
            "{} 秒内接住 {} 个红包即可抽奖，点一下就能接住。",
            rules.duration_secs, rules.pass_score
        )
    };
    let field = slots
        .into_iter()
        .map(|slot| {
            move || {
                slot.get().map(|(n, lane)| {
                    let left = format!("left: {}%", 4 + lane * 19);
                    view! {
                        <button class="envelope" type="button" style=left data-testid="envelope"
                            aria-label=t("红包", "Red envelope")
                            on:pointerdown=move |_| {
                                if slot.get_untracked().is_some_and(|(k, _)| k == n) {
                                    slot.set(None);
                                    state.score.update(|s| *s += 1);
                                }
                            }
                            on:keydown=move |ev| {
                                if (ev.key() == "Enter" || ev.key() == " ")
                                    && slot.get_untracked().is_some_and(|(k, _)| k == n)
                                {
                                    slot.set(None);
                                    state.score.update(|s| *s += 1);
                                }
                            }>
                            <span class="envelope-seal" aria-hidden="true">"福"</span>
                        </button>
                    }
                })
            }
        })
        .collect_view();
    let board = move || {
        if current.get().is_none() {
            return round::start_panel(game, current, intro.clone()).into_any();
        }
        let score = move || {
            if english() {
                format!("Caught {}", state.score.get())
            } else {
                format!("已接 {} 个", state.score.get())
            }
        };
        let left = move || {
            if english() {
                format!("{} s left", state.left.get())
            } else {
                format!("剩余 {} 秒", state.left.get())
            }
        };
        view! {
            <div class="round-status">
                <span data-testid="score" aria-live="polite">{score}</span>
                <span data-testid="time-left">{left}</span>
            </div>
        }
        .into_any()
    };
    let view = view! {
        <div class="round-board">
            {board}
            <div class="envelope-field" data-testid="envelope-field" hidden=move || current.get().is_none()>{field}</div>
        </div>
    };
    game.frame(
        "envelope-game",
        t("接红包", "Catch the red envelopes"),
        view.into_any(),
        None,
        true,
    )
}
