//! 九宫格: eight prize cells around a button. The server draws; a light runs
//! round the cells, slows down and stops on the cell of the prize it drew.

use std::time::Duration;

use leptos::prelude::*;

use crate::components::play::{Game, Segment, reduced_motion, segments};
use crate::i18n::t;
use crate::pages::activity::Play;

/// Grid positions (row-major 0..9, 4 is the button) in running order.
const RING: [usize; 8] = [0, 1, 2, 5, 8, 7, 6, 3];
/// Full rounds before the light stops.
const ROUNDS: usize = 3;

/// The eight cells: the prize list repeated round the ring.
fn cells(segments: &[Segment]) -> Vec<Segment> {
    (0..RING.len())
        .map(|i| segments[i % segments.len()].clone())
        .collect()
}

/// A ring position showing what the draw gave.
fn target(cells: &[Segment], prize_id: Option<i64>) -> usize {
    cells
        .iter()
        .position(|c| prize_id.is_some() && c.prize_id == prize_id)
        .or_else(|| cells.iter().position(|c| c.thanks))
        .unwrap_or(0)
}

/// Moves the light one step, `left` steps to go, slowing near the end.
fn run(light: RwSignal<usize>, left: usize, done: impl FnOnce() + 'static) {
    if left == 0 {
        done();
        return;
    }
    light.update(|l| *l = (*l + 1) % RING.len());
    let delay = match left {
        0..=3 => 320,
        4..=6 => 200,
        7..=10 => 120,
        _ => 70,
    };
    set_timeout(
        move || run(light, left - 1, done),
        Duration::from_millis(delay),
    );
}

/// The nine-grid game.
#[component]
pub fn NineGrid(play: Play) -> impl IntoView {
    let cells = StoredValue::new(cells(&segments(&play.activity.prizes)));
    let light = RwSignal::new(0usize);
    let game = Game::new(play);
    let press = move |_| {
        game.draw(move |result, done| {
            let won = result.prize.as_ref().map(|p| p.prize_id);
            let goal = cells.with_value(|c| target(c, won));
            if reduced_motion() {
                light.set(goal);
                done();
            } else {
                let here = light.get_untracked();
                let steps = ROUNDS * RING.len() + (goal + RING.len() - here) % RING.len();
                run(light, steps, done);
            }
        });
    };

    let grid = cells.with_value(|list| {
        (0..9)
            .map(|pos| {
                if pos == 4 {
                    return view! {
                        <button class="grid-button" data-testid="draw-button"
                            disabled=move || game.blocked()
                            on:click=press>
                            {move || if game.busy.get() { t("抽奖中", "Drawing") } else { t("抽奖", "Draw") }}
                        </button>
                    }
                    .into_any();
                }
                let ring = RING.iter().position(|&p| p == pos).unwrap_or(0);
                let cell = list[ring].clone();
                let lines = cell.lines.clone();
                view! {
                    <div class="grid-cell" class:thanks=cell.thanks
                        class:lit=move || light.get() == ring
                        data-ring=ring data-testid="grid-cell">
                        {lines.into_iter().map(|l| view! { <span>{l}</span> }).collect_view()}
                    </div>
                }
                .into_any()
            })
            .collect_view()
    });

    let board = view! { <div class="grid-board" data-testid="grid">{grid}</div> };
    game.frame(
        "grid-game",
        t("九宫格", "Nine-grid"),
        board.into_any(),
        None,
        true,
    )
}
