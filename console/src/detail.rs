//! One activity: publish / end / edit, live figures with an hourly chart,
//! stock left, winners with search and CSV export, and the preview in phone
//! and PC frames.

use leptos::prelude::*;
use serde_json::Value;

use crate::api::{self, ApiError};
use crate::editor::Draft;
use crate::{Screen, Session, first_text, num, status_zh, text};

/// Bars for an hourly series: SVG, scaled to the tallest hour.
fn chart(hours: &[(String, i64, i64)]) -> impl IntoView {
    let max = hours.iter().map(|h| h.1.max(h.2)).max().unwrap_or(0).max(1);
    let width = (hours.len().max(1) * 28) as i64;
    let bars = hours
        .iter()
        .enumerate()
        .map(|(i, (label, draws, winners))| {
            let x = i as i64 * 28 + 4;
            let h1 = draws * 120 / max;
            let h2 = winners * 120 / max;
            view! {
                <g>
                    <rect x=x y=140 - h1 width="10" height=h1 class="bar-draws"><title>{format!("{label} 抽奖 {draws}")}</title></rect>
                    <rect x=x + 11 y=140 - h2 width="10" height=h2 class="bar-winners"><title>{format!("{label} 中奖 {winners}")}</title></rect>
                    <text x=x + 10 y="156" class="chart-label" text-anchor="middle">{label.clone()}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {width} 160") role="img" aria-label="按小时的抽奖与中奖数" data-testid="chart">
            <line x1="0" y1="140" x2=width y2="140" class="axis" />
            {bars}
        </svg>
    }
}

/// The hourly series of a stats answer: (label, draws, winners).
fn hours_of(stats: &Value) -> Vec<(String, i64, i64)> {
    let list = stats["by_hour"].as_array().cloned().unwrap_or_default();
    list.iter()
        .map(|h| {
            let label = first_text(h, &["hour", "label", "at"]);
            let label = label
                .rsplit(' ')
                .next()
                .unwrap_or(&label)
                .chars()
                .take(5)
                .collect();
            (label, num(h, "draws"), num(h, "wins"))
        })
        .collect()
}

/// One activity's page.
#[component]
pub fn Detail(
    session: StoredValue<Session>,
    screen: RwSignal<Screen>,
    id: String,
) -> impl IntoView {
    let token = session.with_value(|s| s.token.clone());
    let again = RwSignal::new(0u32);
    let activity = RwSignal::new(None::<Result<Value, ApiError>>);
    let stats = RwSignal::new(None::<Result<Value, ApiError>>);
    let winners = RwSignal::new(None::<Result<Value, ApiError>>);
    let query = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let theme = RwSignal::new(String::new());
    // The one-time CSV link, once made.
    let download = RwSignal::new(None::<(String, i64)>);
    {
        let (token, id) = (token.clone(), id.clone());
        Effect::new(move |_| {
            again.track();
            let (token, id) = (token.clone(), id.clone());
            leptos::task::spawn_local(async move {
                let a = api::activity(&token, &id).await;
                if let Ok(v) = &a {
                    theme.set(text(v, "theme"));
                }
                activity.set(Some(a));
                stats.set(Some(api::stats(&token, &id).await));
            });
        });
    }
    {
        let (token, id) = (token.clone(), id.clone());
        Effect::new(move |_| {
            let q = query.get();
            again.track();
            let (token, id) = (token.clone(), id.clone());
            leptos::task::spawn_local(async move {
                winners.set(Some(api::winners(&token, &id, &q).await))
            });
        });
    }
    // Live figures: read again every 15 s while the page is open.
    if let Ok(handle) = set_interval_with_handle(
        move || again.update(|n| *n += 1),
        std::time::Duration::from_secs(15),
    ) {
        on_cleanup(move || handle.clear());
    }
    let act = {
        let (token, id) = (token.clone(), id.clone());
        move |action: &'static str| {
            let (token, id) = (token.clone(), id.clone());
            leptos::task::spawn_local(async move {
                match api::act(&token, &id, action).await {
                    Ok(_) => {
                        message.set(Some(if action == "publish" {
                            "已发布".into()
                        } else {
                            "已结束".into()
                        }));
                        again.update(|n| *n += 1);
                    }
                    Err(e) => message.set(Some(e.msg)),
                }
            });
        }
    };
    let export = {
        let (token, id) = (token.clone(), id.clone());
        move |_| {
            let (token, id) = (token.clone(), id.clone());
            let q = query.get_untracked();
            leptos::task::spawn_local(async move {
                match api::export(&token, &id, &q).await {
                    Ok(link) => download.set(Some((text(&link, "url"), num(&link, "expires_in")))),
                    Err(e) => message.set(Some(e.msg)),
                }
            });
        }
    };
    let preview_id = id.clone();

    let head = move || {
        activity.get().map(|a| match a {
            Err(e) => view! { <p class="error" role="alert">{e.msg}</p> }.into_any(),
            Ok(v) => {
                let status = text(&v, "status");
                let draft = Draft::from_activity(&v);
                let act_publish = act.clone();
                let act_end = act.clone();
                view! {
                    <div class="bar">
                        <h1 data-testid="detail-title">{text(&v, "title")}</h1>
                        <span class=format!("status {status}") data-testid="status">{status_zh(&status)}</span>
                        <span class="spacer"></span>
                        {(status == "draft").then(|| view! {
                            <button class="button secondary" type="button" data-testid="edit"
                                on:click=move |_| screen.set(Screen::Edit(Box::new(draft.clone())))>"编辑"</button>
                            <button class="button" type="button" data-testid="publish" on:click=move |_| act_publish("publish")>"发布"</button>
                        })}
                        {(status == "published").then(|| view! {
                            <button class="button danger" type="button" data-testid="end" on:click=move |_| act_end("end")>"结束活动"</button>
                        })}
                    </div>
                    <p class="muted">{format!(
                        "{} – {}（北京时间） · 活动 ID {}",
                        huodong_shared::format::datetime_cn(num(&v, "starts_at")),
                        huodong_shared::format::datetime_cn(num(&v, "ends_at")),
                        first_text(&v, &["activity_id", "id"])
                    )}</p>
                }.into_any()
            }
        })
    };

    let figures = move || {
        stats.get().map(|s| match s {
            Err(e) => view! { <p class="error">{e.msg}</p> }.into_any(),
            Ok(v) => {
                let totals = if v["totals"].is_object() { v["totals"].clone() } else { v.clone() };
                let cards = [("浏览", "views"), ("参与人数", "participants"), ("抽奖次数", "draws"), ("中奖次数", "wins")]
                    .map(|(label, key)| view! {
                        <div class="figure" data-figure=key><span class="figure-value">{num(&totals, key)}</span><span class="figure-label">{label}</span></div>
                    });
                let stock = v["prizes"].as_array().or(v["stock"].as_array()).cloned().unwrap_or_default();
                let hours = hours_of(&v);
                view! {
                    <section class="card">
                        <h2>"实时数据"<span class="muted small">" · 每 15 秒刷新"</span></h2>
                        <div class="figures" data-testid="figures">{cards.into_iter().collect_view()}</div>
                        <h3>"按小时"</h3>
                        {if hours.iter().all(|h| h.1 == 0 && h.2 == 0) { view! { <p class="muted">"还没有数据"</p> }.into_any() } else { chart(&hours).into_any() }}
                        <p class="legend"><span class="key draws"></span>"抽奖" <span class="key winners"></span>"中奖"</p>
                        <h3>"库存"</h3>
                        <table class="table" data-testid="stock">
                            <thead><tr><th>"奖品"</th><th>"总数"</th><th>"剩余"</th></tr></thead>
                            <tbody>{stock.into_iter().map(|p| {
                                let total = p["stock"].as_i64().or(p["stock_total"].as_i64()).map(|n| n.to_string()).unwrap_or_else(|| "不限".into());
                                let left = p["stock_left"].as_i64().map(|n| n.to_string()).unwrap_or_else(|| "不限".into());
                                view! { <tr><td>{text(&p, "name")}</td><td>{total}</td><td>{left}</td></tr> }
                            }).collect_view()}</tbody>
                        </table>
                    </section>
                }.into_any()
            }
        })
    };

    let winner_rows = move || {
        winners.get().map(|w| match w {
            Err(e) => view! { <p class="error">{e.msg}</p> }.into_any(),
            Ok(v) => {
                let items = v["list"].as_array().cloned().unwrap_or_default();
                if items.is_empty() {
                    return view! { <p class="muted" data-testid="no-winners">"暂无中奖记录"</p> }.into_any();
                }
                view! {
                    <table class="table" data-testid="winners">
                        <thead><tr><th>"用户"</th><th>"昵称"</th><th>"奖品"</th><th>"时间"</th><th>"发放"</th></tr></thead>
                        <tbody>{items.into_iter().map(|r| view! {
                            <tr>
                                <td>{text(&r, "u_id")}</td>
                                <td>{text(&r, "nickname")}</td>
                                <td>{first_text(&r, &["prize_name", "prize", "name"])}</td>
                                <td class="muted">{huodong_shared::format::datetime_cn(r["won_at"].as_i64().or(r["at"].as_i64()).or(r["created_at"].as_i64()).unwrap_or(0))}</td>
                                <td>{text(&r, "delivery")}</td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }
        })
    };

    view! {
        <p><button class="link" type="button" on:click=move |_| screen.set(Screen::List)>"← 我的活动"</button></p>
        {head}
        {move || message.get().map(|m| view! { <p class="note" role="status" data-testid="message">{m}</p> })}
        {figures}
        <section class="card">
            <div class="bar">
                <h2>"中奖名单"</h2>
                <span class="spacer"></span>
                <input type="search" placeholder="搜索用户 ID、昵称或奖品" aria-label="搜索中奖名单" data-testid="winner-search"
                    on:change=move |ev| query.set(event_target_value(&ev)) />
                <button class="button secondary" type="button" data-testid="export" on:click=export>"导出 CSV"</button>
            </div>
            {move || download.get().map(|(url, secs)| view! {
                <p class="note">
                    <a href=url download="winners.csv" data-testid="download" on:click=move |_| download.set(None)>"下载中奖名单 CSV"</a>
                    {format!("（链接 {} 分钟内有效，只能使用一次）", (secs + 59) / 60)}
                </p>
            })}
            {winner_rows}
        </section>
        <section class="card">
            <h2>"预览"</h2>
            <p class="muted">"手机与电脑两种尺寸，可切换主题查看效果（预览中不能抽奖）"</p>
            <iframe class="preview" data-testid="preview" title="活动预览"
                src=move || format!("/preview/{}?theme={}", preview_id, theme.get())></iframe>
        </section>
    }
}
