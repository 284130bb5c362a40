//! 砸金蛋: three golden eggs; the player picks one, it shakes and cracks, and
//! out comes the prize the server drew.

use std::time::Duration;

use leptos::prelude::*;

use crate::components::play::{Game, Outcome};
use crate::i18n::t;
use crate::pages::activity::Play;

/// How long the egg shakes and cracks before the result shows.
const CRACK_MS: u64 = 1_100;

/// The golden-egg game.
#[component]
pub fn GoldenEgg(play: Play) -> impl IntoView {
    let hit = RwSignal::new(None::<usize>);
    let cracked = RwSignal::new(false);
    let game = Game::new(play);
    let smash = move |egg: usize| {
        if hit.get_untracked().is_some() || game.busy.get_untracked() {
            return;
        }
        hit.set(Some(egg));
        game.draw(move |_, done| {
            cracked.set(true);
            set_timeout(done, Duration::from_millis(CRACK_MS));
        });
    };
    // A refusal shows at once: the egg is whole again.
    Effect::new(move |_| {
        if matches!(game.outcome.get(), Some(Outcome::Refused(_))) {
            hit.set(None);
        }
    });
    let reset = Callback::new(move |()| {
        hit.set(None);
        cracked.set(false);
    });

    let board = view! {
        <p class="egg-hint">{t("选一个金蛋，砸开看看有什么", "Pick a golden egg and smash it")}</p>
        <div class="eggs" data-testid="eggs">
            {(0..3).map(|egg| {
                let label = if crate::i18n::english() { format!("Smash egg {}", egg + 1) } else { format!("砸第 {} 个金蛋", egg + 1) };
                view! {
                    <button class="egg" type="button" data-testid="egg"
                        aria-label=label
                        class:hit=move || hit.get() == Some(egg)
                        class:cracked=move || cracked.get() && hit.get() == Some(egg)
                        disabled=move || hit.get().is_some() || game.chances() == Some(0)
                        on:click=move |_| smash(egg)>
                        <span class="egg-shell" aria-hidden="true"></span>
                    </button>
                }
            }).collect_view()}
        </div>
    };
    game.frame(
        "egg-game",
        t("砸金蛋", "Golden eggs"),
        board.into_any(),
        Some(reset),
        true,
    )
}
