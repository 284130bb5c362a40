//! 大屏抽奖 on a player's phone: opening the activity joined the pool; the
//! phone follows the big screen's push channel (`/api/v1/live/{id}/stream`,
//! Server-Sent Events; the browser reconnects and resumes by itself) and
//! tells the player at once when they are among the winners.

use huodong_shared::api::{DrawResult, WonPrize};
use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use crate::api;
use crate::components::play::{Game, Outcome};
use crate::i18n::{english, t};
use crate::pages::activity::Play;

#[derive(Deserialize)]
struct Pool {
    count: i64,
}

#[derive(Deserialize)]
struct Tier {
    name: String,
}

#[derive(Deserialize)]
struct Rolling {
    tier: Option<Tier>,
}

#[derive(Deserialize)]
struct Winner {
    draw_id: i64,
    name: String,
}

#[derive(Deserialize)]
struct Winners {
    tier: Tier,
    winners: Vec<Winner>,
}

/// What the phone shows between rounds.
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Waiting,
    Rolling(Option<String>),
    Drawn(String, Vec<String>),
}

/// The wait-for-the-draw screen.
#[component]
pub fn LiveWait(play: Play) -> impl IntoView {
    let id = play.activity.id.clone();
    let game = Game::new(play);
    let pool = RwSignal::new(None::<i64>);
    let phase = RwSignal::new(Phase::Waiting);
    // Wins already in "my prizes" when the page opened are not news.
    let known = StoredValue::new(None::<Vec<i64>>);
    Effect::new(move |_| {
        if let Some(Ok(me)) = game.me.get()
            && known.with_value(Option::is_none)
        {
            known.set_value(Some(me.prizes.iter().map(|p| p.draw_id).collect()));
        }
    });

    let on_winners = move |w: Winners| {
        let ids: Vec<i64> = w.winners.iter().map(|x| x.draw_id).collect();
        phase.set(Phase::Drawn(
            w.tier.name.clone(),
            w.winners.into_iter().map(|x| x.name).collect(),
        ));
        let (id, token) = game.ids();
        leptos::task::spawn_local(async move {
            let Ok(me) = api::me(&id, &token).await else {
                return;
            };
            let seen = known.with_value(|k| k.clone().unwrap_or_default());
            let mine: Option<WonPrize> = me
                .prizes
                .into_iter()
                .find(|p| ids.contains(&p.draw_id) && !seen.contains(&p.draw_id));
            if let Some(prize) = mine {
                known.update_value(|k| k.get_or_insert_with(Vec::new).push(prize.draw_id));
                game.show(Outcome::Drawn(DrawResult {
                    draw_id: prize.draw_id,
                    seq: 0,
                    prize: Some(prize),
                    chances: me.chances,
                }));
            }
        });
    };

    if !game.play.with_value(|p| p.token.is_empty())
        && let Ok(source) = web_sys::EventSource::new(&format!("/api/v1/live/{id}/stream"))
    {
        let listen = |name: &str, f: Box<dyn Fn(String)>| {
            let closure =
                Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                    if let Some(data) = ev.data().as_string() {
                        f(data);
                    }
                });
            let _ = source.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
            closure.forget();
        };
        listen(
            "pool",
            Box::new(move |d| {
                if let Ok(p) = serde_json::from_str::<Pool>(&d) {
                    pool.set(Some(p.count));
                }
            }),
        );
        listen(
            "rolling",
            Box::new(move |d| {
                if let Ok(r) = serde_json::from_str::<Rolling>(&d) {
                    phase.set(Phase::Rolling(r.tier.map(|t| t.name)));
                }
            }),
        );
        listen("stopped", Box::new(move |_| phase.set(Phase::Waiting)));
        listen(
            "winners",
            Box::new(move |d| {
                if let Ok(w) = serde_json::from_str::<Winners>(&d) {
                    on_winners(w);
                }
            }),
        );
        on_cleanup(move || source.close());
    }

    let board = view! {
        <div class="live-wait" data-testid="live-wait">
            <p class="live-joined">{t("你已进入抽奖池，请关注大屏幕", "You are in the draw. Watch the big screen!")}</p>
            <p class="live-pool" data-testid="live-pool">{move || pool.get().map(|n| if english() { format!("{n} people in the pool") } else { format!("当前 {n} 人参与") })}</p>
            <div class="live-phase" aria-live="polite" data-testid="live-phase">
                {move || match phase.get() {
                    Phase::Waiting => view! { <p>{t("等待主持人开奖…", "Waiting for the host…")}</p> }.into_any(),
                    Phase::Rolling(tier) => view! {
                        <p class="live-rolling">{match tier {
                            Some(name) if english() => format!("Drawing: {name}…"),
                            Some(name) => format!("正在抽取：{name}…"),
                            None => t("正在抽奖…", "Drawing…").to_owned(),
                        }}</p>
                    }.into_any(),
                    Phase::Drawn(tier, names) => view! {
                        <p class="live-tier">{if english() { format!("{tier}: winners") } else { format!("{tier} 中奖名单") }}</p>
                        <ul class="live-names" data-testid="live-winners">
                            {names.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
            </div>
        </div>
    };
    game.frame(
        "live-game",
        t("大屏抽奖", "Live draw"),
        board.into_any(),
        None,
        false,
    )
}
