//! The live screens, rendered by the server (no bundle cost): the public big
//! screen `/live/{id}` and the host's page `/live/{id}/host?token=…` (the
//! same screen with the controls). Designed for 1920×1080: the stage is laid
//! out at that size and scaled to fit any window or projector, in the
//! activity's theme, with the join QR code (SVG, made here) on a white card.
//! A small inline script applies the push channel's events (`EventSource`
//! reconnects by itself and resumes by event id).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use huodong_shared::live::LiveState;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use serde::Deserialize;

use crate::error::AppError;
use crate::shell::escape;
use crate::state::AppState;
use crate::themes;

/// Query of the host's page.
#[derive(Debug, Deserialize)]
pub struct HostParams {
    token: Option<String>,
}

/// The join QR code of `url` as an inline SVG element (dark on white, with
/// its quiet zone).
pub fn qr_svg(url: &str) -> String {
    let Ok(code) = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M) else {
        return String::new();
    };
    let svg = code
        .render::<svg::Color>()
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    match svg.find("<svg") {
        Some(at) => svg[at..].replacen(
            "<svg ",
            r#"<svg role="img" aria-label="扫码加入" data-testid="join-qr" "#,
            1,
        ),
        None => svg,
    }
}

/// JSON for a `<script type="application/json">`: nothing in it can close the tag.
fn script_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn html_response(status: StatusCode, html: String, host: bool) -> Response {
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The host's token is in the address: never send it on to avatar hosts.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if host {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        );
        headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    }
    response
}

fn error_page(error: &AppError) -> Response {
    let (status, msg) = match error {
        AppError::Api { code, msg } => (crate::error::status_of(*code), msg.clone()),
        _ => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "服务器内部错误".to_owned(),
        ),
    };
    let html = format!(
        r#"<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>大屏抽奖</title>
<style>body{{margin:0;min-height:100vh;display:grid;place-items:center;background:#111;color:#fff;font:32px/1.5 "PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",system-ui,sans-serif}}</style></head>
<body><p data-testid="live-error">{}</p></body></html>"#,
        escape(&msg)
    );
    html_response(status, html, true)
}

/// `GET /live/{id}`: the public big screen.
pub async fn screen(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match render(&state, &id, None).await {
        Ok(html) => html_response(StatusCode::OK, html, false),
        Err(err) => error_page(&err),
    }
}

/// `GET /live/{id}/host?token=…`: the host's page. A token in the address
/// must be this activity's; the page keeps it in the tab's session storage
/// and takes it out of the address bar (the screen may be projected).
pub async fn host(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<HostParams>,
) -> Response {
    if let Some(token) = params.token.as_deref().filter(|t| !t.is_empty())
        && let Err(err) = super::check_host_token(&state, token, &id).await
    {
        return error_page(&err);
    }
    match render(&state, &id, Some(())).await {
        Ok(html) => html_response(StatusCode::OK, html, true),
        Err(err) => error_page(&err),
    }
}

async fn render(state: &AppState, id: &str, host: Option<()>) -> Result<String, AppError> {
    let activity = super::live_activity(state, id).await?;
    let live = super::live_state(state, &activity).await?;
    Ok(page(&live, host.is_some()))
}

/// The page for `live` (with the host's controls when `host`).
pub fn page(live: &LiveState, host: bool) -> String {
    let theme = themes::all()
        .iter()
        .find(|t| t.id == live.theme)
        .or_else(|| themes::all().iter().find(|t| t.id == themes::DEFAULT));
    let theme_id = theme.map(|t| t.id.as_str()).unwrap_or(themes::DEFAULT);
    let theme_css = theme
        .map(|t| huodong_shared::theme::css(std::slice::from_ref(t)))
        .unwrap_or_default();
    let controls = if host {
        r#"<div class="controls" data-testid="host-controls">
  <span class="ctl-label">主持人</span>
  <label>奖项 <select id="tier" data-testid="tier"></select></label>
  <label>人数 <input id="count" data-testid="count" type="number" min="1" max="500" value="1"></label>
  <button id="start" data-testid="start" class="go" type="button">开始滚动</button>
  <button id="stop" data-testid="stop" class="stop" type="button" disabled>停！开奖</button>
  <button id="cancel" data-testid="cancel" class="quiet" type="button" disabled>取消本轮</button>
  <span id="host-msg" class="host-msg" role="status" aria-live="polite"></span>
  <span class="hint">空格键：开始 / 开奖</span>
</div>"#
    } else {
        ""
    };
    format!(
        r##"<!DOCTYPE html>
<html lang="zh-CN" data-theme="{theme_id}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title} · {what}</title>
<style>{theme_css}</style>
<style>{CSS}</style>
</head>
<body class="{body_class}">
{controls}
<div class="viewport" id="viewport">
<div class="stage" id="stage" data-testid="live-stage" data-phase="{phase}">
  <header class="top">
    <div class="brand">
      <span class="badge"><i class="dot"></i>LIVE · 大屏抽奖</span>
      <h1 data-testid="live-title">{title}</h1>
    </div>
    <div class="status" id="status" data-testid="live-status">等待开始</div>
  </header>
  <main class="main">
    <section class="show" aria-live="polite">
      <div class="now">
        <span class="now-label" id="now-label">即将开奖</span>
        <h2 class="now-tier" id="now-tier" data-testid="now-tier"></h2>
        <span class="now-count" id="now-count"></span>
      </div>
      <div class="reel" id="reel" data-testid="reel"></div>
      <div class="welcome" id="welcome">
        <p class="welcome-big">扫码加入，等待开奖</p>
        <p class="welcome-small">用手机扫描右侧二维码，登录后即进入抽奖名单</p>
        <div class="wall" id="wall"></div>
      </div>
    </section>
    <aside class="side">
      <div class="qr-card">
        {qr}
        <p class="qr-text">扫码参与抽奖</p>
      </div>
      <div class="pool">
        <span class="pool-n" id="pool-count" data-testid="pool-count">{pool}</span>
        <span class="pool-unit">人已加入</span>
      </div>
      <ul class="joiners" id="joiners" aria-label="最新加入"></ul>
    </aside>
  </main>
  <footer class="tiers" id="tiers" aria-label="奖项"></footer>
</div>
</div>
<script type="application/json" id="live-state">{state}</script>
<script>{SCRIPT}</script>
</body>
</html>
"##,
        title = escape(&live.title),
        what = if host { "主持人" } else { "大屏抽奖" },
        body_class = if host { "host" } else { "screen" },
        phase = escape(&live.phase),
        qr = qr_svg(&live.join_url),
        pool = live.pool.count,
        state = script_json(live),
    )
}

const CSS: &str = r#"
*{box-sizing:border-box}
html,body{margin:0;height:100%;overflow:hidden;background:#000}
body{font-family:var(--font-body,system-ui,sans-serif);-webkit-font-smoothing:antialiased}
.viewport{position:absolute;inset:0;display:flex;align-items:center;justify-content:center;overflow:hidden;background:var(--hero-gradient,#111)}
.host .viewport{top:88px}
.stage{position:relative;flex:none;width:1920px;height:1080px;transform-origin:center center;padding:44px 64px 40px;display:grid;grid-template-rows:128px 1fr 112px;gap:32px;color:var(--color-hero-text,#fff);background:var(--hero-gradient,#111);overflow:hidden}
.top{display:flex;align-items:center;justify-content:space-between;gap:48px;min-width:0}
.brand{min-width:0}
.badge{display:inline-flex;align-items:center;gap:12px;font-size:24px;font-weight:700;letter-spacing:.12em;padding:6px 18px;border-radius:999px;background:color-mix(in srgb,var(--color-hero-text) 16%,transparent)}
.dot{width:14px;height:14px;border-radius:50%;background:#ff3b30;box-shadow:0 0 0 4px rgba(255,59,48,.28);animation:blink 1.6s infinite}
h1{margin:10px 0 0;font-family:var(--font-display,inherit);font-size:64px;line-height:1.1;font-weight:800;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;text-shadow:0 3px 12px rgba(0,0,0,.25)}
.status{flex:none;font-size:34px;font-weight:700;padding:14px 32px;border-radius:999px;border:3px solid color-mix(in srgb,var(--color-hero-text) 45%,transparent)}
[data-phase="rolling"] .status{background:var(--color-accent);color:var(--color-on-accent);border-color:transparent;animation:pulse 1s infinite}
.main{display:grid;grid-template-columns:1fr 440px;gap:40px;min-height:0}
.show{position:relative;min-height:0;border-radius:36px;padding:36px 44px;display:flex;flex-direction:column;background:color-mix(in srgb,var(--color-hero-text) 9%,transparent);border:2px solid color-mix(in srgb,var(--color-hero-text) 20%,transparent);overflow:hidden}
.now{display:flex;align-items:baseline;gap:28px;min-height:96px}
.now-label{font-size:30px;font-weight:600;opacity:.85;white-space:nowrap}
.now-tier{margin:0;font-family:var(--font-display,inherit);font-size:72px;line-height:1.15;font-weight:800;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.now-count{font-size:44px;font-weight:700;white-space:nowrap;opacity:.9}
.reel{flex:1;min-height:0;display:none;align-content:center;justify-content:center;gap:24px;padding-top:16px}
.welcome{flex:1;display:flex;flex-direction:column;align-items:center;justify-content:center;text-align:center;gap:8px}
.welcome-big{margin:0;font-size:88px;font-weight:800;font-family:var(--font-display,inherit)}
.welcome-small{margin:0;font-size:34px;opacity:.85}
.wall{display:flex;flex-wrap:wrap;justify-content:center;gap:14px;margin-top:40px;max-width:1100px;max-height:180px;overflow:hidden}
.wall .av{width:80px;height:80px;font-size:34px}
.stage.showing .reel{display:grid}
.stage.showing .welcome{display:none}
.card{display:flex;align-items:center;gap:24px;min-width:0;padding:22px 30px;border-radius:var(--radius-card,20px);background:var(--color-surface,#fff);color:var(--color-text,#111);box-shadow:0 12px 36px rgba(0,0,0,.28);border:4px solid var(--color-accent,#fc0)}
.card .who{min-width:0;display:flex;flex-direction:column}
.card .name{font-weight:800;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;color:var(--color-text)}
.card .uid{font-family:var(--font-mono,monospace);color:var(--color-text-muted);white-space:nowrap}
.av{flex:none;display:inline-grid;place-items:center;border-radius:50%;overflow:hidden;background:var(--color-primary,#c00);color:var(--color-on-primary,#fff);font-weight:800;object-fit:cover}
.reel.n1{grid-template-columns:minmax(0,1100px)}
.reel.n1 .card{padding:48px 64px;gap:48px}.reel.n1 .av{width:220px;height:220px;font-size:110px}.reel.n1 .name{font-size:120px}.reel.n1 .uid{font-size:40px}
.reel.n2{grid-template-columns:repeat(2,minmax(0,1fr))}
.reel.n2 .card,.reel.n3 .card{flex-direction:column;text-align:center;padding:40px 28px}.reel.n2 .who,.reel.n3 .who{align-items:center;max-width:100%}
.reel.n2 .av,.reel.n3 .av{width:180px;height:180px;font-size:90px}.reel.n2 .name,.reel.n3 .name{font-size:76px;max-width:100%}.reel.n2 .uid,.reel.n3 .uid{font-size:34px}
.reel.n3{grid-template-columns:repeat(3,minmax(0,1fr))}
.reel.n3 .name{font-size:64px}
.reel.n6{grid-template-columns:repeat(3,minmax(0,1fr))}
.reel.n6 .av{width:104px;height:104px;font-size:52px}.reel.n6 .name{font-size:52px}.reel.n6 .uid{font-size:26px}
.reel.n9{grid-template-columns:repeat(3,minmax(0,1fr));gap:18px}
.reel.n9 .card{padding:16px 22px;gap:18px;border-width:3px}.reel.n9 .av{width:80px;height:80px;font-size:40px}.reel.n9 .name{font-size:44px}.reel.n9 .uid{font-size:24px}
.reel.n12{grid-template-columns:repeat(4,minmax(0,1fr));gap:14px}
.reel.n12 .card{flex-direction:column;text-align:center;padding:12px 14px;gap:6px;border-width:3px}.reel.n12 .who{align-items:center;max-width:100%}.reel.n12 .av{width:60px;height:60px;font-size:30px}.reel.n12 .name{font-size:36px;max-width:100%}.reel.n12 .uid{font-size:22px}
.reel.n30{grid-template-columns:repeat(5,minmax(0,1fr));gap:12px}
.reel.n30 .card{padding:10px 14px;gap:12px;border-width:2px}.reel.n30 .av{width:48px;height:48px;font-size:24px}.reel.n30 .name{font-size:28px}.reel.n30 .uid{display:none}
.reel.nmany{grid-template-columns:repeat(8,minmax(0,1fr));gap:8px;align-content:start}
.reel.nmany .card{padding:6px 10px;gap:8px;border-width:2px;box-shadow:none}.reel.nmany .av{width:32px;height:32px;font-size:16px}.reel.nmany .name{font-size:22px}.reel.nmany .uid{display:none}
.more{grid-column:1/-1;text-align:center;font-size:30px;font-weight:700}
.rolling .card{border-style:dashed}
.rolling .card .name{animation:flick .12s steps(2) infinite}
.won .card{animation:pop .5s cubic-bezier(.2,1.6,.4,1) both}
.won .card:nth-child(2){animation-delay:.06s}.won .card:nth-child(3){animation-delay:.12s}.won .card:nth-child(4){animation-delay:.18s}
.side{display:flex;flex-direction:column;gap:20px;min-height:0}
.qr-card{flex:none;background:#fff;color:#111;border-radius:28px;padding:22px 22px 14px;text-align:center;box-shadow:0 16px 40px rgba(0,0,0,.3)}
.qr-card svg{display:block;width:300px;height:300px;margin:0 auto}
.qr-text{margin:12px 0 0;font-size:32px;font-weight:800;letter-spacing:.1em;color:#111}
.pool{flex:none;display:flex;align-items:baseline;justify-content:center;gap:14px}
.pool-n{font-size:96px;line-height:1;font-weight:800;font-variant-numeric:tabular-nums;font-family:var(--font-display,inherit)}
.pool-unit{font-size:34px;font-weight:700;opacity:.9}
.joiners{list-style:none;margin:0;padding:0 8px;display:flex;flex-direction:column;gap:10px;flex:1;min-height:0;overflow:hidden}
.joiners li{flex:none;height:44px;display:flex;align-items:center;gap:16px;font-size:28px;white-space:nowrap;overflow:hidden;animation:slide .4s ease-out both}
.joiners .av{width:44px;height:44px;font-size:20px}
.joiners .j-name{overflow:hidden;text-overflow:ellipsis;font-weight:600}
.joiners .j-act{opacity:.75;font-size:24px}
.tiers{display:flex;gap:20px;align-items:stretch;overflow:hidden}
.tier{flex:1 1 0;min-width:0;display:flex;flex-direction:column;justify-content:center;padding:12px 26px;border-radius:22px;border:3px solid color-mix(in srgb,var(--color-hero-text) 30%,transparent)}
.tier .t-name{font-size:30px;font-weight:800;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.tier .t-left{font-size:24px;opacity:.9;font-variant-numeric:tabular-nums}
.tier.on{background:var(--color-accent);color:var(--color-on-accent);border-color:transparent}
.tier.done{opacity:.5}
.tier.on.done{opacity:1}
@keyframes blink{50%{opacity:.35}}
@keyframes pulse{50%{transform:scale(1.04)}}
@keyframes flick{50%{opacity:.55}}
@keyframes pop{from{transform:scale(.6);opacity:0}to{transform:none;opacity:1}}
@keyframes slide{from{transform:translateX(40px);opacity:0}to{transform:none;opacity:1}}
@media (prefers-reduced-motion:reduce){*{animation:none!important}}
.controls{position:fixed;z-index:2;top:0;left:0;right:0;height:88px;display:flex;align-items:center;gap:20px;padding:0 24px;background:#14161a;color:#f5f6f8;font:20px/1.2 system-ui,"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;border-bottom:1px solid #2a2e35}
.controls label{display:flex;align-items:center;gap:10px;white-space:nowrap}
.controls select,.controls input{font:inherit;padding:10px 12px;border-radius:10px;border:1px solid #4a505a;background:#22262d;color:#fff}
.controls select{max-width:420px}
.controls input{width:96px}
.controls button{font:inherit;font-weight:700;padding:12px 26px;border-radius:999px;border:0;cursor:pointer}
.controls button:disabled{opacity:.35;cursor:not-allowed}
.controls button:focus-visible,.controls select:focus-visible,.controls input:focus-visible{outline:3px solid #5aa0ff;outline-offset:2px}
.controls .go{background:#2ecc71;color:#05210f}
.controls .stop{background:#ff453a;color:#fff}
.controls .quiet{background:#3a3f48;color:#fff}
.ctl-label{font-weight:800;letter-spacing:.1em;color:#9aa4b2}
.host-msg{flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;color:#ffd166}
.hint{color:#8a94a3;font-size:16px;white-space:nowrap}
"#;

const SCRIPT: &str = r#"
(function(){
'use strict';
var S = JSON.parse(document.getElementById('live-state').textContent);
var $ = function(id){ return document.getElementById(id); };
var stage = $('stage'), reel = $('reel');
var isHost = document.body.classList.contains('host');
var tiers = {}; S.tiers.forEach(function(t){ tiers[t.prize_id] = t; });
var order = S.tiers.map(function(t){ return t.prize_id; });
var current = null, rollTimer = null, rollNames = [], phase = S.phase;

function fit(){
  var vp = $('viewport');
  var s = Math.min(vp.clientWidth / 1920, vp.clientHeight / 1080);
  stage.style.transform = 'scale(' + s + ')';
}
window.addEventListener('resize', fit); fit();

function avatar(p){
  if (p.avatar && /^https?:\/\//.test(p.avatar)) {
    var img = document.createElement('img');
    img.className = 'av'; img.alt = ''; img.src = p.avatar; img.referrerPolicy = 'no-referrer';
    return img;
  }
  var span = document.createElement('span');
  span.className = 'av'; span.setAttribute('aria-hidden', 'true');
  span.textContent = Array.from(p.name || '?')[0] || '?';
  return span;
}
function card(p, testid){
  var c = document.createElement('div');
  c.className = 'card';
  if (testid) c.setAttribute('data-testid', testid);
  if (p.draw_id) c.setAttribute('data-draw-id', p.draw_id);
  c.appendChild(avatar(p));
  var who = document.createElement('div'); who.className = 'who';
  var n = document.createElement('span'); n.className = 'name'; n.textContent = p.name; who.appendChild(n);
  if (p.u_id) { var u = document.createElement('span'); u.className = 'uid'; u.textContent = p.u_id; who.appendChild(u); }
  c.appendChild(who);
  return c;
}
function sizeClass(n){
  return n <= 1 ? 'n1' : n <= 2 ? 'n2' : n <= 3 ? 'n3' : n <= 6 ? 'n6' : n <= 9 ? 'n9' : n <= 12 ? 'n12' : n <= 30 ? 'n30' : 'nmany';
}
var VISIBLE = 120;

function renderTiers(){
  var box = $('tiers'); box.textContent = '';
  order.forEach(function(id){
    var t = tiers[id], d = document.createElement('div');
    var left = t.stock_left == null ? '' : t.stock_left, total = t.stock_total == null ? '' : t.stock_total;
    d.className = 'tier' + (current && current.prize_id === id ? ' on' : '') + (t.stock_left === 0 ? ' done' : '');
    d.setAttribute('data-testid', 'tier-' + id);
    var a = document.createElement('span'); a.className = 't-name'; a.textContent = t.name;
    var b = document.createElement('span'); b.className = 't-left';
    b.textContent = t.stock_left === 0 ? '已全部抽出' : ('待抽 ' + left + ' / 共 ' + total + ' 名');
    d.appendChild(a); d.appendChild(b); box.appendChild(d);
  });
  if (isHost) hostTiers();
}
function renderPool(pool){
  $('pool-count').textContent = pool.count;
  var list = $('joiners'); list.textContent = '';
  pool.newest.slice(0, 3).forEach(function(p){
    var li = document.createElement('li'); li.appendChild(avatar(p));
    var n = document.createElement('span'); n.className = 'j-name'; n.textContent = p.name;
    var a = document.createElement('span'); a.className = 'j-act'; a.textContent = '加入了';
    li.appendChild(n); li.appendChild(a); list.appendChild(li);
  });
  var wall = $('wall'); wall.textContent = '';
  pool.newest.forEach(function(p){ wall.appendChild(avatar(p)); });
}
function setNow(label, tier, count){
  $('now-label').textContent = label;
  $('now-tier').textContent = tier ? tier.name : '';
  $('now-count').textContent = count ? ('× ' + count) : '';
}
function setPhase(p, text){
  phase = p; stage.setAttribute('data-phase', p); $('status').textContent = text;
  if (isHost) hostButtons();
}
function stopRoll(){ if (rollTimer) { clearInterval(rollTimer); rollTimer = null; } }
function pickNames(n){
  // n different names where the pool has them (the screen never shows one person twice).
  var out = [], len = rollNames.length, start = Math.floor(Math.random() * Math.max(len, 1));
  for (var i = 0; i < n; i++) out.push(len ? rollNames[(start + i) % len] : { name: '？' });
  return out;
}
function shuffle(a){
  for (var i = a.length - 1; i > 0; i--) { var j = Math.floor(Math.random() * (i + 1)), t = a[i]; a[i] = a[j]; a[j] = t; }
  return a;
}
function onRolling(ev){
  stopRoll();
  current = ev.tier || null;
  if (ev.tier) tiers[ev.tier.prize_id] = ev.tier;
  rollNames = shuffle((ev.names || []).slice());
  var n = Math.max(1, Math.min(ev.count || 1, 12));
  setNow('正在抽取', ev.tier, ev.count);
  setPhase('rolling', '第 ' + ev.round + ' 轮 · 抽奖中');
  stage.classList.add('showing');
  reel.className = 'reel rolling ' + sizeClass(n);
  reel.textContent = '';
  var slots = [];
  pickNames(n).forEach(function(p){ var c = card(p); slots.push(c); reel.appendChild(c); });
  var reduced = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  rollTimer = setInterval(function(){
    var names = pickNames(slots.length);
    slots.forEach(function(c, i){
      var fresh = card(names[i]);
      c.replaceChildren.apply(c, Array.from(fresh.childNodes));
    });
  }, reduced ? 600 : 70);
  renderTiers();
}
function onWinners(ev){
  stopRoll();
  current = ev.tier;
  tiers[ev.tier.prize_id] = ev.tier;
  setNow('恭喜中奖', ev.tier, ev.winners.length);
  setPhase('idle', '第 ' + ev.round + ' 轮 · 已开奖');
  stage.classList.add('showing');
  reel.className = 'reel won ' + sizeClass(ev.winners.length);
  reel.setAttribute('data-round', ev.round);
  reel.textContent = '';
  ev.winners.slice(0, VISIBLE).forEach(function(w){ reel.appendChild(card(w, 'winner')); });
  if (ev.winners.length > VISIBLE) {
    var m = document.createElement('div'); m.className = 'more';
    m.textContent = '等共 ' + ev.winners.length + ' 人'; reel.appendChild(m);
  }
  renderTiers();
}
function onStopped(ev){
  stopRoll();
  setPhase('idle', '第 ' + ev.round + ' 轮 · 已取消');
  setNow('即将开奖', null, 0);
  stage.classList.remove('showing');
  reel.textContent = '';
}

var src = '/api/v1/live/' + encodeURIComponent(S.activity_id) + '/stream';
var es = new EventSource(src);
var handle = function(fn){ return function(e){ try { fn(JSON.parse(e.data)); } catch (err) { console.error(err); } }; };
es.addEventListener('pool', handle(renderPool));
es.addEventListener('rolling', handle(onRolling));
es.addEventListener('winners', handle(onWinners));
es.addEventListener('stopped', handle(onStopped));
es.onopen = function(){ document.body.setAttribute('data-connected', '1'); };
es.onerror = function(){ document.body.setAttribute('data-connected', '0'); };

renderPool(S.pool);
renderTiers();

// The host's controls.
var token = null;
function hostTiers(){
  var sel = $('tier'), keep = sel.value;
  sel.textContent = '';
  order.forEach(function(id){
    var t = tiers[id], o = document.createElement('option');
    o.value = id;
    o.textContent = t.name + '（待抽 ' + (t.stock_left == null ? '不限' : t.stock_left) + '）';
    o.disabled = t.stock_left === 0;
    sel.appendChild(o);
  });
  if (keep && tiers[keep] && tiers[keep].stock_left !== 0) sel.value = keep;
  else { var first = order.find(function(id){ return tiers[id].stock_left !== 0; }); if (first) sel.value = first; }
  syncCount();
}
function syncCount(){
  var t = tiers[$('tier').value], input = $('count');
  if (!t) return;
  var left = t.stock_left == null ? 500 : t.stock_left;
  input.max = Math.max(1, Math.min(500, left));
  if (!input.dataset.touched || +input.value > left) input.value = Math.max(1, Math.min(left, 500));
}
function hostButtons(){
  $('start').disabled = false;
  $('start').textContent = phase === 'rolling' ? '换奖项并重新滚动' : '开始滚动';
  $('stop').disabled = phase !== 'rolling';
  $('cancel').disabled = phase !== 'rolling';
}
function say(text){ $('host-msg').textContent = text || ''; }
function call(path, body){
  return fetch('/api/v1/live/' + encodeURIComponent(S.activity_id) + '/' + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'authorization': 'Bearer ' + token },
    body: JSON.stringify(body)
  }).then(function(r){ return r.json(); }).then(function(env){
    if (env.code !== 0) { say(env.msg); throw new Error(env.msg); }
    say(''); return env.result;
  });
}
function startRound(){
  var tier = +$('tier').value, count = +$('count').value;
  return call('start', { tier: tier, count: count }).then(function(r){ setPhase('rolling', '第 ' + r.round + ' 轮 · 抽奖中'); });
}
function stopRound(){
  var tier = +$('tier').value, count = +$('count').value;
  $('stop').disabled = true;
  return call('stop', { tier: tier, count: count }).catch(function(){ hostButtons(); });
}
if (isHost) {
  var params = new URLSearchParams(location.search);
  var key = 'huodong-live-host:' + S.activity_id;
  token = params.get('token') || sessionStorage.getItem(key);
  if (params.get('token')) {
    sessionStorage.setItem(key, token);
    history.replaceState(null, '', location.pathname);
  }
  if (!token) say('没有主持人令牌：请从合作方后台打开主持人链接');
  $('tier').addEventListener('change', function(){ $('count').dataset.touched = ''; syncCount(); });
  $('count').addEventListener('input', function(){ $('count').dataset.touched = '1'; });
  $('start').addEventListener('click', function(){ startRound().catch(function(){}); });
  $('stop').addEventListener('click', function(){ stopRound(); });
  $('cancel').addEventListener('click', function(){ call('stop', { cancel: true }).catch(function(){}); });
  document.addEventListener('keydown', function(e){
    if (e.target && /^(INPUT|SELECT|BUTTON)$/.test(e.target.tagName)) return;
    if (e.key === ' ' || e.key === 'PageDown' || e.key === 'Enter') {
      e.preventDefault();
      if (phase === 'rolling') stopRound(); else startRound().catch(function(){});
    }
  });
  hostTiers();
  hostButtons();
}
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use huodong_shared::live::PoolEvent;

    fn state() -> LiveState {
        LiveState {
            activity_id: "act_1".into(),
            title: "年会 </script><b>抽奖</b>".into(),
            theme: "no-such-theme".into(),
            phase: "idle".into(),
            round: 0,
            tiers: vec![],
            pool: PoolEvent {
                count: 3,
                newest: vec![],
            },
            join_url: "https://example.com/a/act_1".into(),
            allow_repeat_winners: false,
        }
    }

    #[test]
    fn the_page_escapes_the_title_and_carries_a_qr_code_and_the_state() {
        let html = page(&state(), false);
        assert!(!html.contains("</script><b>"), "title escaped");
        assert!(html.contains("&lt;/script&gt;&lt;b&gt;抽奖"));
        assert!(html.contains("\\u003c/script\\u003e"), "state JSON escaped");
        assert!(html.contains(r#"data-testid="join-qr""#));
        assert!(
            html.contains(r#"data-theme="double11""#),
            "unknown theme: the default"
        );
        assert!(!html.contains("host-controls"));
        assert!(page(&state(), true).contains("host-controls"));
    }

    #[test]
    fn the_qr_code_is_an_svg_element() {
        let svg = qr_svg("https://example.com/a/act_1");
        assert!(svg.starts_with("<svg "), "{svg:.40}");
        assert!(svg.ends_with("</svg>"));
    }
}
