//! The root component: which page the address names. Pages are plain links
//! (a page load each): an embedded activity rarely navigates, and a router
//! would cost more bundle than it saves.

use leptos::prelude::*;

use crate::pages::{activity::ActivityPage, home::Home, not_found::NotFound, rules::RulesPage};

/// A page of the app.
#[derive(Clone, Debug, PartialEq)]
pub enum Page {
    /// `/`: the published activities.
    Home,
    /// `/a/{id}`: play one.
    Activity(String),
    /// `/a/{id}/rules`: its public rules.
    Rules(String),
    /// Anything else.
    NotFound,
}

impl Page {
    /// The page a path names.
    pub fn of(path: &str) -> Page {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let id_ok = |id: &str| {
            !id.is_empty()
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        };
        match parts.as_slice() {
            [""] => Page::Home,
            ["a", id] if id_ok(id) => Page::Activity((*id).to_owned()),
            ["a", id, "rules"] if id_ok(id) => Page::Rules((*id).to_owned()),
            _ => Page::NotFound,
        }
    }
}

/// The app.
#[component]
pub fn App() -> impl IntoView {
    let path = window().location().pathname().unwrap_or_default();
    let page = match Page::of(&path) {
        Page::Home => view! { <Home /> }.into_any(),
        Page::Activity(id) => view! { <ActivityPage id /> }.into_any(),
        Page::Rules(id) => view! { <RulesPage id /> }.into_any(),
        Page::NotFound => view! { <NotFound /> }.into_any(),
    };
    view! { <main class="shell">{page}</main> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_pages() {
        assert_eq!(Page::of("/"), Page::Home);
        assert_eq!(Page::of(""), Page::Home);
        assert_eq!(
            Page::of("/a/demo_wheel"),
            Page::Activity("demo_wheel".into())
        );
        assert_eq!(
            Page::of("/a/demo_wheel/"),
            Page::Activity("demo_wheel".into())
        );
        assert_eq!(Page::of("/a/act-1/rules"), Page::Rules("act-1".into()));
        assert_eq!(Page::of("/a/"), Page::NotFound);
        assert_eq!(Page::of("/a/x y"), Page::NotFound);
        assert_eq!(Page::of("/b/c"), Page::NotFound);
    }
}
