//! The themes of `themes/*.json`, embedded at build time (see `build.rs`):
//! `GET /themes.css` is every theme as a `[data-theme="<id>"]` block of CSS
//! custom properties, rendered once by [`huodong_shared::theme::css`] and
//! served like a public file (strong ETag, gzip/brotli, five minutes of
//! cache); `GET /api/v1/themes` lists them for a console.
//!
//! A theme that does not parse or fails [`Theme::check`] is logged and left
//! out; the unit test below makes sure none ships that way.

use std::sync::LazyLock;

use axum::Router;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use huodong_shared::theme::{self, Theme, ThemeSummary};

use crate::assets::Asset;
use crate::error::Reply;
use crate::state::AppState;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/themes.rs"));
}

/// The theme the player stylesheet's `:root` fallback equals.
pub const DEFAULT: &str = "double11";

/// The checked themes and their stylesheet.
#[derive(Debug)]
pub struct Themes {
    themes: Vec<Theme>,
    css: Asset,
}

static THEMES: LazyLock<Themes> = LazyLock::new(|| Themes::load(embedded::FILES));

impl Themes {
    /// Parses and checks `(file stem, JSON)` pairs, keeping the good ones.
    pub fn load(files: &[(&str, &str)]) -> Themes {
        let mut themes = Vec::new();
        for (stem, json) in files {
            match parse(stem, json) {
                Ok(theme) => themes.push(theme),
                Err(errors) => {
                    tracing::error!(theme = stem, errors = ?errors, "theme left out");
                }
            }
        }
        let css = theme::css(&themes);
        Themes {
            css: Asset::new("/themes.css", css.into_bytes(), "public, max-age=300"),
            themes,
        }
    }
}

/// One theme file, parsed and checked.
pub fn parse(stem: &str, json: &str) -> Result<Theme, Vec<String>> {
    let theme: Theme = serde_json::from_str(json).map_err(|e| vec![e.to_string()])?;
    if theme.id != stem {
        return Err(vec![format!(
            "id {:?} differs from the file name {stem}.json",
            theme.id
        )]);
    }
    theme.check()?;
    Ok(theme)
}

/// Every theme served, sorted by id.
pub fn all() -> &'static [Theme] {
    &THEMES.themes
}

/// Whether `id` names a theme served.
pub fn exists(id: &str) -> bool {
    all().iter().any(|t| t.id == id)
}

/// `/themes.css` and `/api/v1/themes`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/themes.css", get(stylesheet))
        .route("/api/v1/themes", get(list))
}

/// `GET /themes.css`.
async fn stylesheet(headers: HeaderMap) -> Response {
    THEMES.css.respond(&headers)
}

/// `GET /api/v1/themes`: `[{id, name_zh, name_en, dark, sounds}]`.
async fn list() -> Reply<Vec<ThemeSummary>> {
    Reply(all().iter().map(Theme::summary).collect())
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderValue, StatusCode, header};

    use super::*;

    #[test]
    fn every_embedded_theme_parses_and_checks() {
        assert!(
            embedded::FILES.len() >= 12,
            "{} files",
            embedded::FILES.len()
        );
        for (stem, json) in embedded::FILES {
            if let Err(errors) = parse(stem, json) {
                panic!("themes/{stem}.json:\n  {}", errors.join("\n  "));
            }
        }
        assert_eq!(all().len(), embedded::FILES.len());
        assert!(exists(DEFAULT));
        assert!(!exists("festival-nope"));
    }

    #[test]
    fn a_broken_theme_is_left_out() {
        let good = embedded::FILES
            .iter()
            .find(|(stem, _)| *stem == DEFAULT)
            .expect("the default theme");
        let themes = Themes::load(&[*good, ("other", good.1), ("bad", "{")]);
        assert_eq!(themes.themes.len(), 1);
    }

    #[test]
    fn the_stylesheet_is_css_with_a_strong_etag_and_every_theme() {
        let res = THEMES.css.respond(&HeaderMap::new());
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            "text/css; charset=utf-8"
        );
        assert_eq!(res.headers()[header::CACHE_CONTROL], "public, max-age=300");
        let etag = res.headers()[header::ETAG].clone();
        let tag = etag.to_str().expect("ASCII");
        assert!(tag.starts_with('"') && !tag.starts_with("W/"), "{tag}");
        let mut again = HeaderMap::new();
        again.insert(header::IF_NONE_MATCH, etag);
        assert_eq!(
            THEMES.css.respond(&again).status(),
            StatusCode::NOT_MODIFIED
        );
        let mut compressed = HeaderMap::new();
        compressed.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br"));
        assert_eq!(
            THEMES.css.respond(&compressed).headers()[header::CONTENT_ENCODING],
            "br"
        );
        let css = theme::css(all());
        for t in all() {
            assert!(css.contains(&format!("[data-theme=\"{}\"]", t.id)));
        }
    }
}
