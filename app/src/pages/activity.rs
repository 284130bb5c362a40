//! `/a/:id`: one activity.

use leptos::prelude::*;

use crate::api;
use crate::components::player_bar::PlayerBar;
use crate::components::prize_list::PrizeList;
use crate::components::status::{ErrorBox, Loading};
use crate::format::datetime_cn;

/// The activity page: header, time window and prizes from the server.
#[component]
pub fn ActivityPage() -> impl IntoView {
    let activity = api::use_route_activity();
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match activity.await {
                    Ok(a) => view! {
                        <article class="activity" data-kind=a.kind.as_str()>
                            <header class="hero">
                                <PlayerBar activity_id=a.id.clone() login=a.login />
                                <span class="badge">{a.kind.name_zh()}</span>
                                <h1 data-testid="activity-title">{a.title.clone()}</h1>
                                <p class="window">
                                    {format!("活动时间 {} 至 {}（北京时间）", datetime_cn(a.starts_at), datetime_cn(a.ends_at))}
                                </p>
                            </header>
                            <PrizeList prizes=a.prizes />
                            <p class="back"><a class="button secondary" href=format!("/a/{}/rules", a.id)>"查看活动规则"</a></p>
                        </article>
                    }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Transition>
    }
}
