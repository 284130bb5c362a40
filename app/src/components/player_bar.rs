//! Who is playing: the signed-in player, or — for a player who arrived from a
//! shared link without a ticket — a move to the partner's sign-in.

use leptos::prelude::*;

use crate::i18n::t;
use crate::session::{self, SignIn};

/// The player strip at the top of an activity.
#[component]
pub fn PlayerBar(activity_id: String, login: bool, who: SignIn) -> impl IntoView {
    match who {
        SignIn::Player(info) => {
            let name = info.nickname.clone().unwrap_or_else(|| info.u_id.clone());
            let initial: String = name.chars().take(1).collect();
            view! {
                <p class="player-bar" data-testid="player">
                    <span class="avatar" aria-hidden="true">{initial}</span>
                    <span>{if crate::i18n::english() { format!("Hi, {name}") } else { format!("你好，{name}") }}</span>
                </p>
            }
            .into_any()
        }
        SignIn::Anonymous if session::preview() => view! {
            <p class="player-bar muted" data-testid="preview">{t("预览模式", "Preview")}</p>
        }
        .into_any(),
        SignIn::Anonymous if login => {
            session::go_to_partner_login(&activity_id);
            view! {
                <p class="player-bar muted" role="status" data-testid="signing-in">
                    {t("正在前往登录…", "Signing in…")}
                </p>
            }
            .into_any()
        }
        SignIn::Anonymous => view! {
            <p class="player-bar muted" data-testid="anonymous">
                {t("请从合作方 App 或页面进入活动参与", "Open this activity from the partner's app or page to play")}
            </p>
        }
        .into_any(),
        SignIn::Refused(msg) => view! {
            <p class="player-bar warn" role="alert" data-testid="signin-refused">{msg}</p>
        }
        .into_any(),
    }
}
