//! `/`: the published activities, as the demo install's start page.

use leptos::prelude::*;

use crate::api;
use crate::components::status::{ErrorBox, Loading};
use crate::i18n::t;

/// The list of activities.
#[component]
pub fn Home() -> impl IntoView {
    let list = api::load(api::activities());
    view! {
        <header class="hero">
            <p class="eyebrow">{t("营销活动运行时", "Marketing activity runtime")}</p>
            <h1>{t("精选活动", "Activities")}</h1>
        </header>
        {move || match list.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Ok(items)) if items.is_empty() => {
                view! { <p class="empty">{t("暂无进行中的活动", "No activity running")}</p> }.into_any()
            }
            Some(Ok(items)) => view! {
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
            Some(Err(error)) => view! { <ErrorBox error /> }.into_any(),
        }}
    }
}
