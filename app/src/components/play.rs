//! What every draw game shares: the segments a prize list shows, the press
//! key, the result dialog.

use huodong_shared::api::{DrawResult, MyState, PrizeKind, PrizeView};
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::components::my_prizes::MyPrizes;

/// The player's state in a game: chances and prizes, read again after each draw.
#[derive(Clone, Copy)]
pub struct PlayerState {
    /// `GET /me`.
    pub me: LocalResource<Result<MyState, ApiError>>,
    /// Chances left now (today's and extra), once known.
    pub chances: RwSignal<Option<i64>>,
    /// Bump to read `me` again.
    pub refresh: RwSignal<u32>,
}

/// Loads the player's state and keeps `chances` in step with it.
pub fn use_player_state(activity_id: String, token: String) -> PlayerState {
    let refresh = RwSignal::new(0u32);
    let chances = RwSignal::new(None::<i64>);
    let me = LocalResource::new(move || {
        refresh.track();
        let (id, tok) = (activity_id.clone(), token.clone());
        async move {
            let answer = api::me(&id, &tok).await;
            if matches!(&answer, Err(e) if e.code == huodong_shared::ErrorCode::Unauthorized.as_i32())
            {
                // The session ran out (4 h): sign in again.
                crate::session::expired(&id);
            }
            answer
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(state)) = me.get() {
            let c = state.chances;
            let today = if c.total_left == Some(0) {
                0
            } else {
                c.today_left.max(0)
            };
            chances.set(Some(today + c.extra_left));
        }
    });
    PlayerState {
        me,
        chances,
        refresh,
    }
}

/// "剩余 N 次机会", live.
#[component]
pub fn ChancesLine(chances: RwSignal<Option<i64>>) -> impl IntoView {
    view! {
        <p class="chances" data-testid="chances" aria-live="polite">
            {move || match chances.get() {
                Some(0) => "今天的机会用完了，明天再来".to_owned(),
                Some(n) => format!("剩余 {n} 次机会"),
                None => "\u{a0}".to_owned(),
            }}
        </p>
    }
}

/// My prizes, read again after each draw.
#[component]
pub fn PlayerPrizes(state: PlayerState) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                state.me.await.ok().map(|s| view! { <MyPrizes prizes=s.prizes /> })
            })}
        </Suspense>
    }
}

/// One segment: the prize it stands for (`None`: thanks).
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    /// The prize, `None` for thanks.
    pub prize_id: Option<i64>,
    /// Its name, split into lines at " · ".
    pub lines: Vec<String>,
    /// Whether it is "thanks".
    pub thanks: bool,
}

/// The segments of a prize list ("thanks" added when it has none).
pub fn segments(prizes: &[PrizeView]) -> Vec<Segment> {
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
pub fn landing(segments: &[Segment], result: &DrawResult) -> usize {
    let won = result.prize.as_ref().map(|p| p.prize_id);
    segments
        .iter()
        .position(|s| s.prize_id.is_some() && s.prize_id == won)
        .or_else(|| segments.iter().position(|s| s.thanks))
        .unwrap_or(0)
}

/// A fresh idempotency key for one press.
pub fn press_key() -> String {
    let random = (js_sys::Math::random() * 1e12) as u64;
    format!("w{}-{random:x}", js_sys::Date::now() as u64)
}

/// One press of a draw game. Presses while `busy` are ignored; the server
/// draws; `animate` plays the landing and calls `done` when it is over, which
/// shows the result and reads the player's state again. A refusal (no
/// chances, not enough points…) shows at once.
pub fn press_draw(
    activity_id: &str,
    token: &str,
    busy: RwSignal<bool>,
    outcome: RwSignal<Option<Outcome>>,
    refresh: RwSignal<u32>,
    animate: impl FnOnce(&DrawResult, Box<dyn FnOnce()>) + 'static,
) {
    if busy.get_untracked() {
        return;
    }
    busy.set(true);
    let (id, tok) = (activity_id.to_owned(), token.to_owned());
    leptos::task::spawn_local(async move {
        match api::draw(&id, &tok, press_key()).await {
            Ok(result) => {
                let shown = result.clone();
                animate(
                    &result,
                    Box::new(move || {
                        busy.set(false);
                        outcome.set(Some(Outcome::Drawn(shown)));
                        refresh.update(|n| *n += 1);
                    }),
                );
            }
            Err(error) => {
                busy.set(false);
                outcome.set(Some(Outcome::Refused(error)));
            }
        }
    });
}

/// What the dialog shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The server drew.
    Drawn(DrawResult),
    /// The server refused (no chances, not enough points…).
    Refused(ApiError),
}

/// The result of a press: the prize (with its code), "thanks", or why not.
#[component]
pub fn ResultDialog(
    outcome: Outcome,
    on_close: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
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
