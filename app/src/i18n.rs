//! zh-CN first, English on request: `?lang=en` in the play URL (the partner
//! passes its app's language), kept for the tab. Every player-facing string
//! is written in both languages where it is used: `t("中文", "English")`.

use std::sync::atomic::{AtomicBool, Ordering};

static ENGLISH: AtomicBool = AtomicBool::new(false);

const KEY: &str = "huodong.lang";

/// Reads the language once, at start: the URL's `lang`, else the tab's choice.
pub fn init() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let lang = crate::session::kept_param("lang", KEY, |_| true).unwrap_or_default();
    let english = lang.starts_with("en");
    ENGLISH.store(english, Ordering::Relaxed);
    if let Some(root) = window.document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", if english { "en" } else { "zh-CN" });
    }
}

/// Whether the player reads English.
pub fn english() -> bool {
    ENGLISH.load(Ordering::Relaxed)
}

/// The text in the player's language.
pub fn t(zh: &'static str, en: &'static str) -> &'static str {
    if english() { en } else { zh }
}
