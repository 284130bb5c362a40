//! The root component: routes of the player app.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::pages::{activity::ActivityPage, home::Home, not_found::NotFound, rules::RulesPage};

/// The app: `/` lists activities, `/a/:id` plays one.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <main class="shell">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home />
                    <Route path=path!("/a/:id") view=ActivityPage />
                    <Route path=path!("/a/:id/rules") view=RulesPage />
                </Routes>
            </main>
        </Router>
    }
}
