//! The player app's entry point: mount the root component on `<body>`.

mod api;
mod app;
mod components;
mod embed;
mod i18n;
mod pages;
mod session;
mod theme;

fn main() {
    i18n::init();
    embed::init();
    leptos::mount::mount_to_body(app::App);
}
