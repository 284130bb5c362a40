//! Loading and error states.

use leptos::prelude::*;

use crate::api::ApiError;

/// A placeholder with the height of the content it stands for, so nothing jumps.
#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <div class="loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            <span>"加载中…"</span>
        </div>
    }
}

/// The server's (or the network's) message, for the player.
#[component]
pub fn ErrorBox(error: ApiError) -> impl IntoView {
    view! {
        <section class="panel notice" role="alert" data-testid="error" data-code=error.code>
            <h2>"出错了"</h2>
            <p>{error.msg}</p>
            <a class="button" href="/">"返回活动列表"</a>
        </section>
    }
}
