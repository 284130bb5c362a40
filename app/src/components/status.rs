//! Loading and error states.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::i18n::t;

/// A placeholder with the height of the content it stands for, so nothing jumps.
#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <div class="loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            <span>{t("加载中…", "Loading…")}</span>
        </div>
    }
}

/// The server's (or the network's) message, for the player.
#[component]
pub fn ErrorBox(error: ApiError) -> impl IntoView {
    view! {
        <section class="panel notice" role="alert" data-testid="error" data-code=error.code>
            <h2>{t("出错了", "Something went wrong")}</h2>
            <p>{error.msg}</p>
            <a class="button" href="/">{t("返回活动列表", "All activities")}</a>
        </section>
    }
}
