//! The player app's entry point: mount the root component on `<body>`.

mod api;
mod app;
mod components;
mod format;
mod pages;
mod session;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
