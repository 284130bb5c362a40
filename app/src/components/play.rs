//! What every game shares: the player's state (chances, prizes), the press of
//! a draw, the result dialog, the share button — one [`Game`] per page, and
//! [`Game::frame`] around each game's own board.

use huodong_shared::api::{
    CheckinResult, DrawResult, GameResult, MyState, PrizeKind, PrizeView, WonPrize,
};
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::components::my_prizes::MyPrizes;
use crate::embed;
use crate::i18n::t;
use crate::pages::activity::Play;

/// What the dialog shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The server drew.
    Drawn(DrawResult),
    /// A game round was scored and spent its chance on a draw.
    Scored(GameResult),
    /// A check-in (today's or a make-up).
    Checked(CheckinResult),
    /// The server refused (no chances, not enough points…).
    Refused(ApiError),
}

/// One game on the page: the activity, the player's state, the dialog.
#[derive(Clone, Copy)]
pub struct Game {
    /// The activity and the session.
    pub play: StoredValue<Play>,
    /// `GET /me`, read again after each play.
    pub me: RwSignal<Option<Result<MyState, ApiError>>>,
    /// Bump to read `me` again.
    pub refresh: RwSignal<u32>,
    /// The dialog, when open.
    pub outcome: RwSignal<Option<Outcome>>,
    /// A play is under way (presses are ignored).
    pub busy: RwSignal<bool>,
}

impl Game {
    /// Loads the player's state.
    pub fn new(play: Play) -> Game {
        let refresh = RwSignal::new(0u32);
        let (id, token) = (play.activity.id.clone(), play.token.clone());
        let me = api::reload(refresh, move || {
            let (id, token) = (id.clone(), token.clone());
            async move {
                if token.is_empty() {
                    return Err(preview_refusal());
                }
                let answer = api::me(&id, &token).await;
                if matches!(&answer, Err(e) if e.code == huodong_shared::ErrorCode::Unauthorized.as_i32())
                {
                    // The session ran out (4 h): sign in again.
                    crate::session::expired(&id);
                }
                answer
            }
        });
        Game {
            play: StoredValue::new(play),
            me,
            refresh,
            outcome: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }

    /// The activity id and the token.
    pub fn ids(&self) -> (String, String) {
        self.play
            .with_value(|p| (p.activity.id.clone(), p.token.clone()))
    }

    /// Refuses a play in a merchant preview (no session); true if it did.
    pub fn refuse_preview(&self) -> bool {
        let preview = self.play.with_value(|p| p.token.is_empty());
        if preview {
            self.show(Outcome::Refused(preview_refusal()));
        }
        preview
    }

    /// Chances left now (today's and extra), once known; reactive.
    pub fn chances(&self) -> Option<i64> {
        self.me.with(|me| match me {
            Some(Ok(state)) => {
                let c = &state.chances;
                let today = if c.total_left == Some(0) {
                    0
                } else {
                    c.today_left.max(0)
                };
                Some(today + c.extra_left)
            }
            _ => None,
        })
    }

    /// Whether a press cannot play now (busy, or no chances left); reactive.
    pub fn blocked(&self) -> bool {
        self.busy.get() || self.chances() == Some(0)
    }

    /// Shows an outcome, tells the host page, and reads the state again.
    pub fn show(&self, outcome: Outcome) {
        embed::result(&outcome);
        self.busy.set(false);
        self.outcome.set(Some(outcome));
        self.refresh.update(|n| *n += 1);
    }

    /// One press of a draw game. Presses while busy are ignored; the server
    /// draws; `animate` plays the landing and calls `done` when it is over,
    /// which shows the result. A refusal (no chances, not enough points…)
    /// shows at once.
    pub fn draw(self, animate: impl FnOnce(&DrawResult, Box<dyn FnOnce()>) + 'static) {
        if self.busy.get_untracked() || self.refuse_preview() {
            return;
        }
        self.busy.set(true);
        let (id, token) = self.ids();
        leptos::task::spawn_local(async move {
            match api::draw(&id, &token, press_key()).await {
                Ok(result) => {
                    let shown = result.clone();
                    animate(&result, Box::new(move || self.show(Outcome::Drawn(shown))));
                }
                Err(error) => self.show(Outcome::Refused(error)),
            }
        });
    }

    /// The frame around a board: chances (unless `chances` is false: the
    /// calendar), share, the dialog, my prizes. `reset` runs when the dialog
    /// closes (a new egg, a new card…).
    pub fn frame(
        self,
        class: &'static str,
        label: &'static str,
        board: AnyView,
        reset: Option<Callback<()>>,
        chances: bool,
    ) -> AnyView {
        let outcome = self.outcome;
        let close = move || {
            outcome.set(None);
            if let Some(reset) = reset {
                reset.run(());
            }
        };
        view! {
            <section class=format!("game {class}") aria-label=label>
                {board}
                <p class="chances" data-testid="chances" aria-live="polite" hidden=!chances>
                    {move || match self.chances() {
                        Some(0) => t("今天的机会用完了，明天再来", "No chances left today, come back tomorrow").to_owned(),
                        Some(n) if crate::i18n::english() => format!("{n} chances left"),
                        Some(n) => format!("剩余 {n} 次机会"),
                        None => "\u{a0}".to_owned(),
                    }}
                </p>
                <ShareButton game=self />
                {move || outcome.get().map(|o| view! { <ResultDialog outcome=o on_close=close /> })}
                {move || self.me.get().and_then(Result::ok).map(|s| view! { <MyPrizes prizes=s.prizes /> })}
            </section>
        }
        .into_any()
    }
}

/// What a merchant preview answers a press.
fn preview_refusal() -> ApiError {
    ApiError {
        code: 0,
        msg: t(
            "预览模式：玩家从合作方 App 进入后即可参与",
            "Preview: players join from the partner's app",
        )
        .to_owned(),
    }
}

/// "分享给好友": tells the server (the share event) and the host app, which
/// does the actual sharing.
#[component]
fn ShareButton(game: Game) -> impl IntoView {
    let shared = RwSignal::new(false);
    let share = move |_| {
        let (id, token) = game.ids();
        embed::share(&id);
        leptos::task::spawn_local(async move {
            if api::share(&id, &token).await.is_ok() {
                shared.set(true);
            }
        });
    };
    view! {
        <p class="share-line">
            <button class="button secondary share" type="button" data-testid="share" on:click=share>
                {move || if shared.get() { t("已分享，谢谢支持", "Shared, thank you") } else { t("分享给好友", "Share with friends") }}
            </button>
        </p>
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

/// The segments of a prize list ("thanks" added when it has none; prizes
/// that are never drawn — check-in rewards — left out).
pub fn segments(prizes: &[PrizeView]) -> Vec<Segment> {
    let mut list: Vec<Segment> = prizes
        .iter()
        .filter(|p| p.probability_ppm > 0 || p.kind == PrizeKind::Thanks)
        .map(|p| Segment {
            prize_id: (p.kind != PrizeKind::Thanks).then_some(p.id),
            lines: p.name.split(" · ").map(str::to_owned).collect(),
            thanks: p.kind == PrizeKind::Thanks,
        })
        .collect();
    if !list.iter().any(|s| s.thanks) {
        list.push(Segment {
            prize_id: None,
            lines: vec![t("谢谢参与", "Thanks").to_owned()],
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

/// Whether the player asked for less motion.
pub fn reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

/// The note under a prize: audit, delivery under way, failed.
pub fn delivery_note(prize: &WonPrize) -> Option<String> {
    match prize.delivery.as_deref() {
        Some("audit") => Some(
            t(
                "中奖审核中，审核通过后发放",
                "Under review; sent once approved",
            )
            .to_owned(),
        ),
        Some("pending") => Some(prize.note.clone().unwrap_or_else(|| {
            t(
                "奖品发放中，请稍后在「我的奖品」查看",
                "Being sent, see My prizes shortly",
            )
            .to_owned()
        })),
        Some("failed") => Some(prize.note.clone().unwrap_or_else(|| {
            t(
                "奖品发放失败，请联系客服",
                "Delivery failed, please contact support",
            )
            .to_owned()
        })),
        _ => prize.note.clone(),
    }
}

/// The dialog's parts: title, main line, prizes (name, code, note), won.
struct Shown {
    title: String,
    body: String,
    prizes: Vec<WonPrize>,
    won: bool,
}

fn shown(outcome: Outcome) -> Shown {
    let thanks = || t("差一点点，下次好运！", "So close, better luck next time!").to_owned();
    match outcome {
        Outcome::Drawn(result) => drawn(result, String::new(), thanks()),
        Outcome::Scored(result) => {
            let score = if crate::i18n::english() {
                format!("Score {}. ", result.score)
            } else {
                format!("本局得分 {}。", result.score)
            };
            let miss = if result.passed {
                t(
                    "闯关成功！这次抽奖没有抽中，下次好运",
                    "Well played! The draw gave nothing this time",
                )
                .to_owned()
            } else {
                t(
                    "没有达到抽奖分数，再接再厉！",
                    "Not enough for a draw this time, try again!",
                )
                .to_owned()
            };
            drawn(result.draw, score, miss)
        }
        Outcome::Checked(result) => {
            let won = !result.rewards.is_empty();
            Shown {
                title: t("签到成功", "Checked in").to_owned(),
                body: if crate::i18n::english() {
                    format!("{}-day streak", result.streak)
                } else {
                    format!("已连续签到 {} 天", result.streak)
                },
                prizes: result.rewards,
                won,
            }
        }
        Outcome::Refused(error) => Shown {
            title: t("提示", "Notice").to_owned(),
            body: error.msg,
            prizes: Vec::new(),
            won: false,
        },
    }
}

fn drawn(result: DrawResult, lead: String, miss: String) -> Shown {
    match result.prize {
        Some(prize) => Shown {
            title: t("恭喜中奖！", "You won!").to_owned(),
            body: lead,
            prizes: vec![prize],
            won: true,
        },
        None => Shown {
            title: t("谢谢参与", "No prize this time").to_owned(),
            body: lead + &miss,
            prizes: Vec::new(),
            won: false,
        },
    }
}

/// The result of a play: the prize (with its code), "thanks", or why not.
#[component]
pub fn ResultDialog(
    outcome: Outcome,
    on_close: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let Shown {
        title,
        body,
        prizes,
        won,
    } = shown(outcome);
    let body = if prizes.is_empty() {
        Some(view! { <p class="dialog-prize" data-testid="result-prize">{body}</p> }.into_any())
    } else {
        (!body.is_empty()).then(|| view! { <p class="dialog-line">{body}</p> }.into_any())
    };
    view! {
        <div class="dialog-backdrop">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="result-title"
                data-testid="result" data-won=won.to_string()>
                <h2 id="result-title">{title}</h2>
                {body}
                {prizes.into_iter().map(|prize| {
                    let note = delivery_note(&prize);
                    view! {
                        <p class="dialog-prize" data-testid="result-prize">{prize.name}</p>
                        {prize.code.map(|c| view! { <p class="dialog-code">{t("兑换码 ", "Code ")}<code data-testid="result-code">{c}</code></p> })}
                        {note.map(|n| view! { <p class="dialog-note">{n}</p> })}
                    }
                }).collect_view()}
                <button class="button" autofocus on:click=move |_| on_close()>{t("好的", "OK")}</button>
            </div>
        </div>
    }
}
