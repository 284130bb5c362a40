//! A round of a score game or quiz: the server starts it (and its clock),
//! the game plays it, the server checks the score and spends the chance on a
//! draw (a score below the pass mark draws "thanks").

use huodong_shared::api::{GameFinish, GameRound};
use leptos::prelude::*;

use crate::api;
use crate::components::play::{Game, Outcome};
use crate::i18n::t;

/// The round being played, if any.
pub type Current = RwSignal<Option<GameRound>>;

/// Asks the server for a round; a refusal (no chances…) shows in the dialog.
pub fn start(game: Game, current: Current) {
    if game.busy.get_untracked() || current.get_untracked().is_some() || game.refuse_preview() {
        return;
    }
    game.busy.set(true);
    let (id, token) = game.ids();
    leptos::task::spawn_local(async move {
        match api::game_start(&id, &token).await {
            Ok(round) => {
                game.busy.set(false);
                current.set(Some(round));
            }
            Err(error) => game.show(Outcome::Refused(error)),
        }
    });
}

/// Sends the round's score (a quiz: its answers) and shows what it came to.
pub fn finish(game: Game, current: Current, score: i64, answers: Vec<usize>) {
    let Some(round) = current.get_untracked() else {
        return;
    };
    game.busy.set(true);
    let (id, token) = game.ids();
    let body = GameFinish {
        round_id: round.round_id,
        score,
        answers,
    };
    leptos::task::spawn_local(async move {
        let answer = api::game_finish(&id, &token, &body).await;
        current.set(None);
        game.show(match answer {
            Ok(result) => Outcome::Scored(result),
            Err(error) => Outcome::Refused(error),
        });
    });
}

/// A small deterministic generator for a round's layout (xorshift32).
#[derive(Clone, Copy, Debug)]
pub struct Dice(u32);

impl Dice {
    /// From the round's seed (never zero).
    pub fn new(seed: u32) -> Dice {
        Dice(seed | 1)
    }

    /// The next number below `n`.
    pub fn below(&mut self, n: u32) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x % n.max(1)
    }

    /// Shuffles `items` in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u32 + 1) as usize;
            items.swap(i, j);
        }
    }
}

/// Now, milliseconds.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The start panel: what the round asks of the player, and the button.
pub fn start_panel(game: Game, current: Current, intro: String) -> impl IntoView {
    view! {
        <div class="round-start">
            <p class="round-intro">{intro}</p>
            <button class="button round-button" type="button" data-testid="start-round"
                disabled=move || game.blocked()
                on:click=move |_| start(game, current)>
                {move || if game.busy.get() { t("准备中…", "Getting ready…") } else { t("开始游戏", "Start") }}
            </button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dice_repeat_for_a_seed_and_stay_in_range() {
        let (mut a, mut b) = (Dice::new(42), Dice::new(42));
        for _ in 0..100 {
            let x = a.below(7);
            assert_eq!(x, b.below(7));
            assert!(x < 7);
        }
        let mut cards: Vec<u32> = (0..16).collect();
        Dice::new(7).shuffle(&mut cards);
        let mut sorted = cards.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..16).collect::<Vec<_>>());
        assert_ne!(cards, sorted);
    }
}
