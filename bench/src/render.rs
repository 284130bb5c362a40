//! `huodong-bench first-render`: the time to first render of an activity in a
//! cold headless Chromium (a fresh profile, nothing cached) on loopback,
//! against a plain static HTML page with the same content served by the same
//! server in the same run. Both pages set the performance mark
//! `huodong:render` once their content is on screen (the activity page after
//! its server-rendered first screen: hero, time window, prizes; the static
//! page at the end of its body); the activity page also sets
//! `huodong:interactive` when the app has loaded, signed the player in and
//! rendered the game. Figures: each mark's time since navigation start,
//! median of `runs` cold starts each.

use std::time::Duration;

use huodong_tests::TestApp;
use huodong_tests::browser::Browser;
use serde_json::json;

/// The static page: what the activity page shows (hero, title, prize list),
/// written by hand, with its CSS inline and no script but the mark.
const STATIC_PAGE: &str = r#"<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>静态页 · static page</title>
<style>
body{margin:0;font-family:"WenQuanYi Micro Hei",system-ui,sans-serif;background:#fff4e6;color:#2b1a12}
.hero{background:linear-gradient(160deg,#c41824,#8c0a18);color:#fff;padding:28px 20px 36px;border-radius:0 0 28px 28px;text-align:center}
.panel{margin:16px;padding:16px 18px;background:#fff;border-radius:16px}
li{display:flex;justify-content:space-between;padding:8px 0}
</style></head>
<body><main>
<header class="hero"><span>大转盘</span><h1 id="title">双11 幸运大转盘</h1><p>活动时间 2026-11-11 00:00 – 2026-11-12 00:00（北京时间）</p></header>
<section class="panel"><h2>奖品设置</h2><ul>
<li><span>一等奖 · 蓝牙耳机</span><span>5 份</span><span>1%</span></li>
<li><span>二等奖 · 50 元优惠券</span><span>50 份</span><span>5%</span></li>
<li><span>三等奖 · 100 积分</span><span>不限</span><span>20%</span></li>
<li><span>四等奖 · 视频会员兑换码</span><span>100 份</span><span>10%</span></li>
<li><span>谢谢参与</span><span>—</span><span>64%</span></li>
</ul></section></main>
<script>performance.mark("huodong:render")</script>
</body></html>
"#;

/// Milliseconds from navigation start to the `huodong:render` mark (and to
/// `huodong:interactive`, when the page has one), in a fresh browser.
async fn cold(url: &str, interactive: bool) -> (f64, f64) {
    let browser = Browser::start(500, 900).await;
    let c = &browser.client;
    c.goto(url).await.expect("navigate");
    let mut marks = None;
    for _ in 0..300 {
        let v = c
            .execute(
                "const at = n => { const m = performance.getEntriesByName(n); return m.length ? m[0].startTime : null; };
                 return [at('huodong:render'), at('huodong:interactive')];",
                vec![],
            )
            .await
            .expect("read the marks");
        let ready = v[1].as_f64();
        if let Some(render) = v[0].as_f64()
            && (!interactive || ready.is_some())
        {
            marks = Some((render, ready.unwrap_or(render)));
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    browser.close().await;
    marks.unwrap_or_else(|| panic!("{url} never rendered"))
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Runs the benchmark.
pub async fn run(runs: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("static.html"), STATIC_PAGE)?;
    let public = dir.path().to_path_buf();
    let app = TestApp::spawn_with_bundle_and(move |config| config.public_dir = public).await;
    let (mut page, mut activity, mut playable) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        // Alternate, so both see the same machine load.
        page.push(cold(&app.url("/static.html"), false).await.0);
        let ticket = app
            .api
            .open_ok(
                "user/ticket",
                json!({"u_id": format!("render-{}", activity.len()), "activity_id": "demo_wheel"}),
            )
            .await;
        let url = ticket["play_url"].as_str().unwrap_or_default().to_owned();
        let (first, ready) = cold(&url, true).await;
        activity.push(first);
        playable.push(ready);
    }
    let (page, activity, playable) = (median(page), median(activity), median(playable));
    println!("BENCH first_render_static_ms={page:.1} ms (median of {runs} cold starts)");
    println!(
        "BENCH first_render_activity_ms={activity:.1} ms (demo_wheel with a ticket: first screen)"
    );
    println!(
        "BENCH interactive_activity_ms={playable:.1} ms (bundle loaded, signed in, game on screen)"
    );
    println!(
        "BENCH first_render_activity_vs_static={:.2} ratio (target <= 2)",
        activity / page
    );
    println!(
        "BENCH interactive_activity_vs_static={:.2} ratio",
        playable / page
    );
    Ok(())
}
