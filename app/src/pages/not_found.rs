//! Any address the app does not know.

use leptos::prelude::*;

use crate::i18n::t;

/// A friendly 404.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="panel notice" role="alert">
            <h1>{t("页面不存在", "Page not found")}</h1>
            <p>{t("链接可能已失效。", "The link may have expired.")}</p>
            <a class="button" href="/">{t("返回活动列表", "All activities")}</a>
        </section>
    }
}
