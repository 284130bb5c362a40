//! Who is playing: signs the player in from the launch ticket (or the tab's
//! session), or sends them to the partner's sign-in when they arrive from a
//! shared link without one.

use leptos::prelude::*;

use crate::session::{self, SignIn};

/// The player strip at the top of an activity.
#[component]
pub fn PlayerBar(activity_id: String, login: bool) -> impl IntoView {
    let id = activity_id.clone();
    let signed_in = LocalResource::new(move || {
        let id = id.clone();
        async move { session::sign_in(&id).await }
    });
    view! {
        <Suspense fallback=|| view! { <p class="player-bar" aria-hidden="true">" "</p> }>
            {move || Suspend::new({
                let activity_id = activity_id.clone();
                async move {
                    match signed_in.await {
                        SignIn::Player(info) => {
                            let name = info.nickname.clone().unwrap_or_else(|| info.u_id.clone());
                            let initial: String = name.chars().take(1).collect();
                            view! {
                                <p class="player-bar" data-testid="player">
                                    <span class="avatar" aria-hidden="true">{initial}</span>
                                    <span>{format!("你好，{name}")}</span>
                                </p>
                            }
                            .into_any()
                        }
                        SignIn::Anonymous if login => {
                            session::go_to_partner_login(&activity_id);
                            view! {
                                <p class="player-bar" role="status" data-testid="signing-in">
                                    "正在前往登录…"
                                </p>
                            }
                            .into_any()
                        }
                        SignIn::Anonymous => view! {
                            <p class="player-bar muted" data-testid="anonymous">
                                "请从合作方 App 或页面进入活动参与"
                            </p>
                        }
                        .into_any(),
                        SignIn::Refused(msg) => view! {
                            <p class="player-bar warn" role="alert" data-testid="signin-refused">
                                {msg}
                            </p>
                        }
                        .into_any(),
                    }
                }
            })}
        </Suspense>
    }
}
