//! The activity's first screen, rendered by the server into `index.html` for
//! `/a/{id}`: the theme on `<html>`, the hero (kind, title, time window), a
//! placeholder as tall as the game, and the prize list — the same markup and
//! classes the app renders, so the page paints as soon as the HTML arrives
//! (like a static page) and the app takes over without a jump when its
//! bundle has loaded (it removes `#huodong-shell`).

use huodong_shared::api::{ActivityView, PrizeKind};
use huodong_shared::format::{datetime_cn, odds};

/// HTML-escapes text for element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The first screen of `activity` (in English when `english`).
pub fn render(activity: &ActivityView, english: bool) -> String {
    let t = |zh: &'static str, en: &'static str| if english { en } else { zh };
    let mut prizes = String::new();
    for p in &activity.prizes {
        let quantity = match (p.kind, p.stock_total) {
            (PrizeKind::Thanks, _) => "—".to_owned(),
            (_, Some(n)) if english => n.to_string(),
            (_, Some(n)) => format!("{n} 份"),
            (_, None) => t("不限", "unlimited").to_owned(),
        };
        prizes.push_str(&format!(
            r#"<li class="prize" data-kind="{}"><span class="prize-name">{}</span><span class="prize-qty">{}</span><span class="prize-odds">{}</span></li>"#,
            p.kind.as_str(),
            escape(&p.name),
            escape(&quantity),
            odds(p.probability_ppm),
        ));
    }
    format!(
        r#"<main class="shell" id="huodong-shell" aria-busy="true"><article class="activity" data-kind="{kind}"><header class="hero"><p class="player-bar muted">&#160;</p><span class="badge">{kind_name}</span><h1>{title}</h1><p class="window">{open} {from} – {to} {tz}</p></header><div class="game-placeholder" aria-hidden="true"></div><section class="panel prizes"><h2>{prizes_title}</h2><ul>{prizes}</ul></section></article></main><script>performance.mark("huodong:render")</script>"#,
        kind = activity.kind.as_str(),
        kind_name = if english {
            activity.kind.name_en()
        } else {
            activity.kind.name_zh()
        },
        title = escape(&activity.title),
        open = t("活动时间", "Open"),
        from = datetime_cn(activity.starts_at),
        to = datetime_cn(activity.ends_at),
        tz = t("（北京时间）", "(UTC+8)"),
        prizes_title = t("奖品设置", "Prizes"),
    )
}

/// `index.html` with the first screen in its body, the theme on `<html>`,
/// and its stylesheets inline (`style` answers the text of a linked
/// stylesheet: the bundle's CSS, or the activity's theme for
/// `/themes.css`): no render-blocking request before the first paint.
pub fn inject(
    index: &str,
    activity: &ActivityView,
    theme: &str,
    english: bool,
    scripts: &[&str],
    style: impl Fn(&str) -> Option<String>,
) -> String {
    let mut html = String::with_capacity(index.len() + 16 * 1024);
    let mut rest = index;
    while let Some(at) = rest.find('<') {
        html.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find('>').map_or(rest.len(), |e| e + 1);
        let tag = &rest[..end];
        if let Some(attributes) = tag.strip_prefix("<html") {
            html.push_str(&format!(
                "<html lang=\"{}\" data-theme=\"{}\"{attributes}",
                if english { "en" } else { "zh-CN" },
                escape(theme),
            ));
        } else if tag.starts_with("<link") && tag.contains("stylesheet") {
            match href(tag).and_then(&style) {
                Some(css) => {
                    html.push_str(&format!("<style>{}</style>", css.replace("</", "<\\/")))
                }
                None => html.push_str(tag),
            }
        } else if tag.starts_with("<body") {
            html.push_str(tag);
            // Classic scripts (the WeChat JS-SDK) run before the app starts.
            for src in scripts {
                html.push_str(&format!("<script src=\"{}\"></script>", escape(src)));
            }
            html.push_str(&render(activity, english));
        } else {
            html.push_str(tag);
        }
        rest = &rest[end..];
    }
    html.push_str(rest);
    html
}

/// The `href` of a tag, quoted or not.
fn href(tag: &str) -> Option<&str> {
    let at = tag.find("href=")? + "href=".len();
    let value = &tag[at..];
    let value = value
        .strip_prefix('"')
        .or_else(|| value.strip_prefix('\''))
        .unwrap_or(value);
    let end = value.find(['"', '\'', ' ', '>']).unwrap_or(value.len());
    Some(&value[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_screen_goes_into_the_body_with_its_theme_and_styles_inline() {
        let index = r#"<!doctype html><html lang=zh-CN><head><link href=/main-1.css rel=stylesheet><link href=/themes.css rel=stylesheet><link href=/app.js rel=modulepreload></head><body><noscript>x</noscript></body></html>"#;
        let view: ActivityView = serde_json::from_value(serde_json::json!({
            "id": "a1", "kind": "wheel", "title": "<b>大转盘</b>", "status": "published",
            "starts_at": 0, "ends_at": 86400, "timezone": "Asia/Shanghai", "theme": "kids",
            "prizes": [{"id": 1, "name": "一等奖 · 耳机", "kind": "goods", "probability_ppm": 10000,
                        "stock_total": 5, "image": null, "release": null}],
            "rules": {}, "fair_commitment": null, "fair_seed": null
        }))
        .expect("a view");
        let html = inject(
            index,
            &view,
            "kids",
            false,
            &["https://wx.example/jweixin.js"],
            |href| match href {
                "/main-1.css" => Some(".a{color:red}".to_owned()),
                "/themes.css" => Some("[data-theme=kids]{--x:1}".to_owned()),
                _ => None,
            },
        );
        assert!(
            html.starts_with(r#"<!doctype html><html lang="zh-CN" data-theme="kids" lang=zh-CN>"#)
        );
        assert!(
            html.contains("<style>.a{color:red}</style><style>[data-theme=kids]{--x:1}</style>")
        );
        assert!(html.contains("<link href=/app.js rel=modulepreload>"));
        assert!(html.contains(
            r#"<body><script src="https://wx.example/jweixin.js"></script><main class="shell" id="huodong-shell""#
        ));
        assert!(
            html.contains("&lt;b&gt;大转盘&lt;/b&gt;"),
            "the title is escaped"
        );
        assert!(html.contains("一等奖 · 耳机") && html.contains("5 份") && html.contains("1%"));
        assert!(html.ends_with("<noscript>x</noscript></body></html>"));
    }

    #[test]
    fn text_is_escaped_in_content_and_attributes() {
        assert_eq!(
            escape(r#"<script>"x" & 'y'</script>"#),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }
}
