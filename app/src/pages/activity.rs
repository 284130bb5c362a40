//! `/a/{id}`: one activity, signed in from its launch ticket, with its game.

use huodong_shared::api::{ActivityKind, ActivityView};
use leptos::prelude::*;

use crate::api;
use crate::components::checkin::CheckinCalendar;
use crate::components::golden_egg::GoldenEgg;
use crate::components::live_wait::LiveWait;
use crate::components::memory_flip::MemoryFlip;
use crate::components::nine_grid::NineGrid;
use crate::components::player_bar::PlayerBar;
use crate::components::prize_list::PrizeList;
use crate::components::quiz::Quiz;
use crate::components::red_envelope::RedEnvelope;
use crate::components::scratch_card::ScratchCard;
use crate::components::slot_machine::SlotMachine;
use crate::components::status::{ErrorBox, Loading};
use crate::components::wheel::Wheel;
use crate::i18n::t;
use crate::session::{self, SignIn};
use huodong_shared::format::datetime_cn;

/// What a game component gets: the activity and the player's token.
#[derive(Clone)]
pub struct Play {
    /// The activity.
    pub activity: std::sync::Arc<ActivityView>,
    /// The session's bearer token.
    pub token: String,
}

/// The game of an activity for a signed-in player.
fn game(activity: &std::sync::Arc<ActivityView>, who: &SignIn) -> Option<AnyView> {
    let token = match who {
        SignIn::Player(info) => info.token.clone(),
        // A merchant preview shows the game; it does not play.
        SignIn::Anonymous if session::preview() => String::new(),
        _ => return None,
    };
    let play = Play {
        activity: activity.clone(),
        token,
    };
    Some(match activity.kind {
        ActivityKind::Wheel => view! { <Wheel play /> }.into_any(),
        ActivityKind::NineGrid => view! { <NineGrid play /> }.into_any(),
        ActivityKind::GoldenEgg => view! { <GoldenEgg play /> }.into_any(),
        ActivityKind::Slot => view! { <SlotMachine play /> }.into_any(),
        ActivityKind::Scratch => view! { <ScratchCard play /> }.into_any(),
        ActivityKind::Checkin => view! { <CheckinCalendar play /> }.into_any(),
        ActivityKind::Quiz => view! { <Quiz play /> }.into_any(),
        ActivityKind::RedEnvelope => view! { <RedEnvelope play /> }.into_any(),
        ActivityKind::MemoryFlip => view! { <MemoryFlip play /> }.into_any(),
        ActivityKind::Live => view! { <LiveWait play /> }.into_any(),
        _ => return None,
    })
}

/// The activity page: header, the game, prizes and the rules link.
#[component]
pub fn ActivityPage(id: String) -> impl IntoView {
    let activity = {
        let id = id.clone();
        api::load(async move { api::activity(&id).await.map(std::sync::Arc::new) })
    };
    let who = api::load(async move { session::sign_in(&id).await });
    // Tell the host page once the activity is on screen.
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        let shown = activity.with(|a| match a {
            Some(Ok(a)) => Some(a.id.clone()),
            _ => None,
        });
        match (shown, who.with(Option::is_some)) {
            (Some(id), true) => {
                crate::embed::ready(&id);
                true
            }
            _ => false,
        }
    });
    let close = crate::embed::hosted().then(|| {
        view! {
            <button class="close" type="button" data-testid="close" aria-label=t("关闭", "Close")
                on:click=|_| crate::embed::close()>"×"</button>
        }
    });
    move || match (activity.get(), who.get()) {
        (Some(Err(error)), _) => {
            crate::theme::drop_shell();
            view! { <ErrorBox error /> }.into_any()
        }
        (Some(Ok(a)), Some(who)) => {
            crate::theme::apply(&a.theme);
            crate::theme::drop_shell();
            view! {
                <article class="activity" data-kind=a.kind.as_str()>
                    <header class="hero">
                        {close.clone()}
                        <PlayerBar activity_id=a.id.clone() login=a.login who=who.clone() />
                        <span class="badge">{if crate::i18n::english() { a.kind.name_en() } else { a.kind.name_zh() }}</span>
                        <h1 data-testid="activity-title">{a.title.clone()}</h1>
                        <p class="window">
                            {format!("{} {} – {} {}", t("活动时间", "Open"), datetime_cn(a.starts_at), datetime_cn(a.ends_at), t("（北京时间）", "(UTC+8)"))}
                        </p>
                    </header>
                    {game(&a, &who)}
                    <PrizeList prizes=a.prizes.clone() />
                    <p class="back"><a class="button secondary" href=format!("/a/{}/rules", a.id)>{t("查看活动规则", "Rules")}</a></p>
                </article>
            }
            .into_any()
        }
        _ => view! { <Loading /> }.into_any(),
    }
}
