//! `/`: the published activities, as the demo install's start page.

use leptos::prelude::*;

use crate::api;
use crate::components::status::{ErrorBox, Loading};

/// The list of activities.
#[component]
pub fn Home() -> impl IntoView {
    let list = LocalResource::new(api::activities);
    view! {
        <header class="hero">
            <p class="eyebrow">"营销活动运行时 · Activity runtime"</p>
            <h1>"精选活动"</h1>
        </header>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(items) if items.is_empty() => {
                        view! { <p class="empty">"暂无进行中的活动"</p> }.into_any()
                    }
                    Ok(items) => view! {
                        <ul class="cards" data-testid="activity-list">
                            {items.into_iter().map(|a| view! {
                                <li class="card">
                                    <a href=format!("/a/{}", a.id)>
                                        <span class="badge">{a.kind.name_zh()}</span>
                                        <span class="card-title">{a.title}</span>
                                    </a>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Transition>
    }
}
