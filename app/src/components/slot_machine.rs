//! 老虎机: three reels of prize symbols. The server draws; the reels spin and
//! stop one after another — three of the drawn prize for a win, a mixed row
//! for "thanks".

use std::time::Duration;

use leptos::prelude::*;

use crate::components::play::{Game, landing, segments};
use crate::i18n::t;
use crate::pages::activity::Play;

/// Height of one symbol, CSS pixels (matches `.reel-symbol`).
const SYMBOL_PX: usize = 72;
/// Full turns of the strip each reel makes before it stops.
const ROUNDS: usize = 4;
/// When each reel stops, milliseconds after the spin starts.
const STOPS_MS: [u64; 3] = [1_600, 2_100, 2_600];

/// Where each reel stops: all on the prize for a win; for "thanks" a row
/// that is never three of a kind.
fn stops(target: usize, won: bool, count: usize) -> [usize; 3] {
    if won || count < 2 {
        [target; 3]
    } else {
        [target, (target + 1) % count, target]
    }
}

/// The slot machine.
#[component]
pub fn SlotMachine(play: Play) -> impl IntoView {
    let segs = segments(&play.activity.prizes);
    let symbols: Vec<String> = segs
        .iter()
        .map(|s| s.lines.first().cloned().unwrap_or_default())
        .collect();
    let count = symbols.len();
    let segs = StoredValue::new(segs);
    // Each reel's position (index into its strip) and whether it animates.
    let positions = [
        RwSignal::new(0usize),
        RwSignal::new(1usize),
        RwSignal::new(2usize),
    ];
    let animate = RwSignal::new(false);
    let game = Game::new(play);
    let press = move |_| {
        game.draw(move |result, done| {
            let target = segs.with_value(|s| landing(s, result));
            let ends = stops(target, result.prize.is_some(), count);
            // Back to the first turn without animation, then spin: two
            // frames, so the reset is laid out before the spin starts.
            animate.set(false);
            for reel in positions {
                reel.update(|p| *p %= count);
            }
            request_animation_frame(move || {
                request_animation_frame(move || {
                    animate.set(true);
                    for (reel, end) in positions.iter().zip(ends) {
                        reel.set(ROUNDS * count + end);
                    }
                });
            });
            set_timeout(done, Duration::from_millis(STOPS_MS[2] + 250));
        });
    };

    let strip_len = (ROUNDS + 1) * count;
    let reels = positions
        .iter()
        .enumerate()
        .map(|(i, &position)| {
            let strip: Vec<String> = (0..strip_len).map(|k| symbols[k % count].clone()).collect();
            let style = move || {
                let duration = if animate.get() { STOPS_MS[i] } else { 0 };
                format!(
                    "transform: translateY(-{}px); transition-duration: {duration}ms",
                    position.get() * SYMBOL_PX
                )
            };
            view! {
                <div class="reel" data-testid="reel">
                    <div class="reel-strip" style=style>
                        {strip.into_iter().map(|s| view! { <div class="reel-symbol">{s}</div> }).collect_view()}
                    </div>
                </div>
            }
        })
        .collect_view();

    let board = view! {
        <div class="slot-machine">
            <div class="reels" aria-hidden="true">{reels}</div>
            <button class="slot-button" data-testid="draw-button"
                disabled=move || game.blocked()
                on:click=press>
                {move || if game.busy.get() { t("转动中…", "Spinning…") } else { t("开始", "Start") }}
            </button>
        </div>
    };
    game.frame(
        "slot-game",
        t("老虎机", "Slot machine"),
        board.into_any(),
        None,
        true,
    )
}
