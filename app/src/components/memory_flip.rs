//! 翻牌: eight pairs of cards face down, laid out by the round's seed; turn
//! two at a time, find every pair before the time is up. The score is the
//! number of pairs found; the server checks it against the round's clock.

use std::time::Duration;

use leptos::prelude::*;

use crate::components::play::Game;
use crate::components::round::{self, Current, Dice, now_ms};
use crate::i18n::{english, t};
use crate::pages::activity::Play;

/// The faces: eight lucky characters.
const FACES: [&str; 8] = ["福", "禄", "寿", "喜", "财", "吉", "春", "安"];

/// One card: its face and whether it is turned up or found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Card {
    /// Index into [`FACES`].
    pub face: usize,
    /// Turned face up now.
    pub up: bool,
    /// Its pair was found.
    pub found: bool,
}

/// The deck for a seed: each face twice, shuffled.
pub fn deal(seed: u32) -> Vec<Card> {
    let mut cards: Vec<Card> = (0..FACES.len() * 2)
        .map(|i| Card {
            face: i / 2,
            up: false,
            found: false,
        })
        .collect();
    Dice::new(seed).shuffle(&mut cards);
    cards
}

/// The memory game.
#[component]
pub fn MemoryFlip(play: Play) -> impl IntoView {
    let rules = play.activity.rules.game.clone().unwrap_or_default();
    let game = Game::new(play);
    let current: Current = RwSignal::new(None);
    let cards = RwSignal::new(Vec::<Card>::new());
    let pairs = RwSignal::new(0i64);
    let started = StoredValue::new(0.0f64);
    let left = RwSignal::new(rules.duration_secs);
    let waiting = RwSignal::new(false);

    let end = move || {
        if current.get_untracked().is_some() && !game.busy.get_untracked() {
            round::finish(game, current, pairs.get_untracked(), Vec::new());
        }
    };
    fn clock(
        current: Current,
        started: StoredValue<f64>,
        left: RwSignal<i64>,
        end: impl Fn() + Copy + 'static,
    ) {
        let Some(round) = current.get_untracked() else {
            return;
        };
        let remaining = round.duration_secs * 1000 - (now_ms() - started.get_value()) as i64;
        left.set((remaining + 999).max(0) / 1000);
        if remaining <= 0 {
            end();
            return;
        }
        set_timeout(
            move || clock(current, started, left, end),
            Duration::from_millis(250),
        );
    }
    Effect::new(move |_| {
        if let Some(round) = current.get() {
            cards.set(deal(round.seed));
            pairs.set(0);
            started.set_value(now_ms());
            clock(current, started, left, end);
        }
    });

    let turn = move |i: usize| {
        if waiting.get_untracked() || current.get_untracked().is_none() {
            return;
        }
        let mut deck = cards.get_untracked();
        if deck[i].up || deck[i].found {
            return;
        }
        deck[i].up = true;
        let open: Vec<usize> = (0..deck.len())
            .filter(|&k| deck[k].up && !deck[k].found)
            .collect();
        if let [a, b] = open[..] {
            if deck[a].face == deck[b].face {
                deck[a].found = true;
                deck[b].found = true;
                pairs.update(|p| *p += 1);
                cards.set(deck);
                if pairs.get_untracked() as usize == FACES.len() {
                    set_timeout(end, Duration::from_millis(400));
                }
            } else {
                cards.set(deck);
                waiting.set(true);
                set_timeout(
                    move || {
                        cards.update(|d| {
                            d[a].up = false;
                            d[b].up = false;
                        });
                        waiting.set(false);
                    },
                    Duration::from_millis(700),
                );
            }
        } else {
            cards.set(deck);
        }
    };

    let intro = if english() {
        format!(
            "Find all {} pairs within {} seconds to earn a draw.",
            FACES.len(),
            rules.duration_secs
        )
    } else {
        format!(
            "{} 秒内翻出全部 {} 对相同的牌即可抽奖。",
            rules.duration_secs,
            FACES.len()
        )
    };
    let board = move || {
        if current.get().is_none() {
            return round::start_panel(game, current, intro.clone()).into_any();
        }
        let status = move || {
            if english() {
                format!(
                    "Pairs {} / {} · {} s left",
                    pairs.get(),
                    FACES.len(),
                    left.get()
                )
            } else {
                format!(
                    "已找到 {} / {} 对 · 剩余 {} 秒",
                    pairs.get(),
                    FACES.len(),
                    left.get()
                )
            }
        };
        let grid = (0..FACES.len() * 2)
            .map(|i| {
                let card = move || cards.with(|d| d.get(i).copied());
                let up = move || card().is_some_and(|c| c.up || c.found);
                view! {
                    <button class="flip-card" type="button" data-testid="card"
                        data-face=move || card().map(|c| c.face).unwrap_or(0)
                        class:up=up
                        class:found=move || card().is_some_and(|c| c.found)
                        aria-label=move || if up() { card().map(|c| FACES[c.face]).unwrap_or("").to_owned() } else if english() { format!("Card {}", i + 1) } else { format!("第 {} 张牌", i + 1) }
                        on:click=move |_| turn(i)>
                        <span class="flip-face" aria-hidden="true">{move || if up() { card().map(|c| FACES[c.face]).unwrap_or("") } else { "" }}</span>
                    </button>
                }
            })
            .collect_view();
        view! {
            <p class="round-status" data-testid="pairs" aria-live="polite">{status}</p>
            <div class="flip-grid" data-testid="cards">{grid}</div>
        }
        .into_any()
    };
    game.frame(
        "flip-game",
        t("翻牌", "Memory flip"),
        view! { <div class="round-board">{board}</div> }.into_any(),
        None,
        true,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deal_has_every_face_twice_and_follows_the_seed() {
        let deck = deal(99);
        assert_eq!(deck.len(), 16);
        for face in 0..FACES.len() {
            assert_eq!(deck.iter().filter(|c| c.face == face).count(), 2);
        }
        assert_eq!(deck, deal(99));
        assert_ne!(deck, deal(100));
    }
}
