//! Any route the app does not know.

use leptos::prelude::*;

/// A friendly 404.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="panel notice" role="alert">
            <h1>"页面不存在"</h1>
            <p>"链接可能已失效。"</p>
            <a class="button" href="/">"返回活动列表"</a>
        </section>
    }
}
