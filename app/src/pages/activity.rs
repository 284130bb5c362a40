//! `/a/:id`: one activity, signed in from its launch ticket, with its game.

use huodong_shared::api::{ActivityKind, ActivityView};
use leptos::prelude::*;

use crate::api;
use crate::components::golden_egg::GoldenEgg;
use crate::components::nine_grid::NineGrid;
use crate::components::player_bar::PlayerBar;
use crate::components::prize_list::PrizeList;
use crate::components::scratch_card::ScratchCard;
use crate::components::slot_machine::SlotMachine;
use crate::components::status::{ErrorBox, Loading};
use crate::components::wheel::Wheel;
use crate::format::datetime_cn;
use crate::session::{self, SignIn};

/// The game of an activity for a signed-in player.
fn game(activity: &ActivityView, who: &SignIn) -> Option<AnyView> {
    let SignIn::Player(info) = who else {
        return None;
    };
    match activity.kind {
        ActivityKind::Wheel => Some(
            view! {
                <Wheel activity_id=activity.id.clone() prizes=activity.prizes.clone() token=info.token.clone() />
            }
            .into_any(),
        ),
        ActivityKind::NineGrid => Some(
            view! {
                <NineGrid activity_id=activity.id.clone() prizes=activity.prizes.clone() token=info.token.clone() />
            }
            .into_any(),
        ),
        ActivityKind::GoldenEgg => Some(
            view! { <GoldenEgg activity_id=activity.id.clone() token=info.token.clone() /> }.into_any(),
        ),
        ActivityKind::Slot => Some(
            view! {
                <SlotMachine activity_id=activity.id.clone() prizes=activity.prizes.clone() token=info.token.clone() />
            }
            .into_any(),
        ),
        ActivityKind::Scratch => Some(
            view! { <ScratchCard activity_id=activity.id.clone() token=info.token.clone() /> }.into_any(),
        ),
        _ => None,
    }
}

/// The activity page: header, the game, prizes and the rules link.
#[component]
pub fn ActivityPage() -> impl IntoView {
    let activity = api::use_route_activity();
    let params = leptos_router::hooks::use_params_map();
    let who = LocalResource::new(move || {
        let id = params.read().get("id").unwrap_or_default();
        async move { session::sign_in(&id).await }
    });
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let who = who.await;
                match activity.await {
                    Ok(a) => view! {
                        <article class="activity" data-kind=a.kind.as_str()>
                            <header class="hero">
                                <PlayerBar activity_id=a.id.clone() login=a.login who=who.clone() />
                                <span class="badge">{a.kind.name_zh()}</span>
                                <h1 data-testid="activity-title">{a.title.clone()}</h1>
                                <p class="window">
                                    {format!("活动时间 {} 至 {}（北京时间）", datetime_cn(a.starts_at), datetime_cn(a.ends_at))}
                                </p>
                            </header>
                            {game(&a, &who)}
                            <PrizeList prizes=a.prizes.clone() />
                            <p class="back"><a class="button secondary" href=format!("/a/{}/rules", a.id)>"查看活动规则"</a></p>
                        </article>
                    }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Transition>
    }
}
