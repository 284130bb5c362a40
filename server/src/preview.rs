//! `GET /preview/{id}?theme=…`: the merchant preview. Any activity in any
//! theme, in a phone frame and a PC frame side by side, with the themes to
//! pick from. A plain server page (no bundle cost); the frames load the
//! player page with `preview=1`, where the games render but do not play.

use axum::Router;
use axum::extract::{Path, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::state::AppState;
use crate::themes;

/// The preview route.
pub fn router() -> Router<AppState> {
    Router::new().route("/preview/{id}", get(preview))
}

#[derive(Deserialize)]
struct Params {
    theme: Option<String>,
    lang: Option<String>,
}

fn id_ok(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The page for activity `id` in `theme` (`None`: the activity's own).
pub fn page(id: &str, theme: Option<&str>, english: bool) -> String {
    let t = |zh: &'static str, en: &'static str| if english { en } else { zh };
    let lang = if english { "&lang=en" } else { "" };
    let src = match theme {
        Some(theme) => format!("/a/{id}?preview=1&theme={theme}{lang}"),
        None => format!("/a/{id}?preview=1{lang}"),
    };
    let mut chips = format!(
        r#"<a class="chip{}" href="/preview/{id}{}">{}</a>"#,
        if theme.is_none() { " on" } else { "" },
        if english { "?lang=en" } else { "" },
        t("活动主题", "Activity's theme"),
    );
    for th in themes::all() {
        let on = if theme == Some(th.id.as_str()) {
            " on"
        } else {
            ""
        };
        let name = if english { &th.name_en } else { &th.name_zh };
        chips.push_str(&format!(
            r#"<a class="chip{on}" data-theme-id="{id_}" href="/preview/{id}?theme={id_}{lang}">{name}</a>"#,
            id_ = th.id,
        ));
    }
    format!(
        r#"<!DOCTYPE html>
<html lang="{html_lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · {id}</title>
<style>
  body {{ margin: 0; font-family: "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", system-ui, sans-serif; background: #eef1f5; color: #1f2933; }}
  header {{ padding: 16px 24px 8px; }}
  h1 {{ margin: 0 0 10px; font-size: 20px; }}
  nav {{ display: flex; flex-wrap: wrap; gap: 8px; }}
  .chip {{ padding: 6px 12px; border-radius: 999px; background: #fff; color: #1f2933; text-decoration: none; font-size: 14px; border: 1px solid #cbd2d9; }}
  .chip.on {{ background: #1f2933; color: #fff; border-color: #1f2933; }}
  .chip:focus-visible {{ outline: 3px solid #2f80ed; outline-offset: 2px; }}
  main {{ display: flex; flex-wrap: wrap; gap: 32px; align-items: flex-start; padding: 16px 24px 32px; }}
  figure {{ margin: 0; }}
  figcaption {{ font-size: 13px; color: #52606d; margin: 0 0 8px; }}
  .phone {{ width: 390px; height: 780px; border: 12px solid #111; border-radius: 44px; overflow: hidden; background: #111; box-shadow: 0 12px 32px rgba(0,0,0,.25); }}
  .phone iframe {{ width: 390px; height: 780px; border: 0; display: block; background: #fff; }}
  .pc {{ width: 704px; border-radius: 10px; overflow: hidden; background: #d9dee4; box-shadow: 0 12px 32px rgba(0,0,0,.2); }}
  .pc .bar {{ height: 28px; display: flex; align-items: center; gap: 6px; padding: 0 12px; }}
  .pc .bar i {{ width: 10px; height: 10px; border-radius: 50%; background: #9aa5b1; }}
  .pc .screen {{ width: 704px; height: 440px; overflow: hidden; }}
  .pc iframe {{ width: 1280px; height: 800px; border: 0; transform: scale(0.55); transform-origin: 0 0; background: #fff; }}
</style>
</head>
<body>
<header>
  <h1>{title}：{id}</h1>
  <nav aria-label="{themes_label}">{chips}</nav>
</header>
<main>
  <figure><figcaption>{phone_label} · 390 × 780</figcaption>
    <div class="phone"><iframe data-testid="phone-frame" title="{phone_label}" src="{src}"></iframe></div></figure>
  <figure><figcaption>{pc_label} · 1280 × 800</figcaption>
    <div class="pc"><div class="bar"><i></i><i></i><i></i></div><div class="screen"><iframe data-testid="pc-frame" title="{pc_label}" src="{src}"></iframe></div></div></figure>
</main>
</body>
</html>
"#,
        html_lang = if english { "en" } else { "zh-CN" },
        title = t("活动预览", "Activity preview"),
        themes_label = t("主题", "Themes"),
        phone_label = t("手机", "Phone"),
        pc_label = t("电脑", "PC"),
    )
}

async fn preview(Path(id): Path<String>, Query(params): Query<Params>) -> Response {
    let theme = params.theme.filter(|t| !t.is_empty());
    if !id_ok(&id) || theme.as_deref().is_some_and(|t| !themes::exists(t)) {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "没有这个活动或主题 / no such activity or theme\n",
        )
            .into_response();
    }
    let english = params.lang.as_deref().is_some_and(|l| l.starts_with("en"));
    let mut response = page(&id, theme.as_deref(), english).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'self'"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_frames_the_activity_in_the_theme_and_lists_every_theme() {
        let html = page("demo_wheel", Some("minimal_dark"), false);
        assert!(html.contains(r#"src="/a/demo_wheel?preview=1&theme=minimal_dark""#));
        assert_eq!(html.matches("<iframe").count(), 2);
        for theme in themes::all() {
            assert!(html.contains(&format!(r#"data-theme-id="{}""#, theme.id)));
        }
        assert!(page("x", None, true).contains("Activity preview"));
        assert!(!id_ok("a/b") && !id_ok("") && id_ok("demo_wheel"));
    }
}
