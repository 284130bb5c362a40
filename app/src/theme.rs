//! Themes are data (`themes/*.json`) the server turns into `/themes.css`:
//! one `[data-theme="…"]` block of custom properties each. The page picks
//! one by setting `data-theme` on `<html>`; `?theme=` overrides it (the
//! merchant preview).

/// Applies the activity's theme (or the address's `theme`, when given).
pub fn apply(theme: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let asked = crate::session::url_param("theme");
    let theme = asked.as_deref().unwrap_or(theme);
    if let Some(root) = window.document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-theme", theme);
    }
}

/// Removes the server-rendered first screen (`#huodong-shell`) once the app
/// has rendered the page itself.
pub fn drop_shell() {
    if let Some(shell) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("huodong-shell"))
    {
        shell.remove();
    }
}
