//! 我的奖品: what the player won, with redeem codes to copy.

use huodong_shared::api::WonPrize;
use leptos::prelude::*;

use crate::i18n::t;

fn copy(text: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
}

fn state_of(prize: &WonPrize) -> Option<String> {
    match prize.delivery.as_deref() {
        Some("audit") => Some(t("审核中", "Under review").to_owned()),
        Some("pending") => Some(t("发放中", "Being sent").to_owned()),
        Some("failed") => Some(
            prize
                .note
                .clone()
                .unwrap_or_else(|| t("发放失败", "Delivery failed").to_owned()),
        ),
        _ => prize.note.clone(),
    }
}

/// The list of prizes won, newest first.
#[component]
pub fn MyPrizes(prizes: Vec<WonPrize>) -> impl IntoView {
    let empty = prizes.is_empty();
    view! {
        <section class="panel my-prizes" aria-labelledby="my-prizes-heading">
            <h2 id="my-prizes-heading">{t("我的奖品", "My prizes")}</h2>
            {empty.then(|| view! { <p class="muted">{t("还没有中奖，试试手气吧", "No prize yet, try your luck")}</p> })}
            <ul data-testid="my-prizes">
                {prizes.into_iter().map(|p| {
                    let state = state_of(&p);
                    let code = p.code.clone();
                    view! {
                        <li class="won" data-draw=p.draw_id>
                            <span class="won-name">{p.name}</span>
                            {state.map(|s| view! { <span class="won-state">{s}</span> })}
                            {code.map(|c| {
                                let copied = c.clone();
                                view! {
                                    <span class="won-code">
                                        <code>{c}</code>
                                        <button class="copy" type="button" aria-label=t("复制兑换码", "Copy the code")
                                            on:click=move |_| copy(&copied)>{t("复制", "Copy")}</button>
                                    </span>
                                }
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
