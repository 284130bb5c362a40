//! 砸金蛋: three golden eggs; the player picks one, it shakes and cracks, and
//! out comes the prize the server drew.

use std::time::Duration;

use leptos::prelude::*;

use crate::api;
use crate::components::play::{
    ChancesLine, Outcome, PlayerPrizes, ResultDialog, press_key, use_player_state,
};

/// How long the egg shakes and cracks before the result shows.
const CRACK_MS: u64 = 1_100;

/// The golden-egg game.
#[component]
pub fn GoldenEgg(activity_id: String, token: String) -> impl IntoView {
    let hit = RwSignal::new(None::<usize>);
    let cracked = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Outcome>);
    let state = use_player_state(activity_id.clone(), token.clone());
    let (chances, refresh) = (state.chances, state.refresh);

    let smash = move |egg: usize| {
        if hit.get_untracked().is_some() {
            return;
        }
        hit.set(Some(egg));
        let (id, tok) = (activity_id.clone(), token.clone());
        leptos::task::spawn_local(async move {
            match api::draw(&id, &tok, press_key()).await {
                Ok(result) => {
                    cracked.set(true);
                    set_timeout(
                        move || {
                            outcome.set(Some(Outcome::Drawn(result)));
                            refresh.update(|n| *n += 1);
                        },
                        Duration::from_millis(CRACK_MS),
                    );
                }
                Err(error) => {
                    hit.set(None);
                    outcome.set(Some(Outcome::Refused(error)));
                }
            }
        });
    };
    let close = move || {
        outcome.set(None);
        hit.set(None);
        cracked.set(false);
    };

    view! {
        <section class="game egg-game" aria-label="砸金蛋">
            <p class="egg-hint">"选一个金蛋，砸开看看有什么"</p>
            <div class="eggs" data-testid="eggs">
                {(0..3).map(|egg| {
                    let smash = smash.clone();
                    view! {
                        <button class="egg" type="button" data-testid="egg"
                            aria-label=format!("砸第 {} 个金蛋", egg + 1)
                            class:hit=move || hit.get() == Some(egg)
                            class:cracked=move || cracked.get() && hit.get() == Some(egg)
                            disabled=move || hit.get().is_some() || chances.get() == Some(0)
                            on:click=move |_| smash(egg)>
                            <span class="egg-shell" aria-hidden="true"></span>
                        </button>
                    }
                }).collect_view()}
            </div>
            <ChancesLine chances />
            {move || outcome.get().map(|o| view! { <ResultDialog outcome=o on_close=close /> })}
            <PlayerPrizes state />
        </section>
    }
}
