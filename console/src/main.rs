//! The merchant console: opened from the partner's back office through a
//! one-time SSO URL (`console/ticket` → `/console/?ticket=…`, usually in an
//! iframe), it lists the merchant's activities, creates them from a template
//! gallery, edits them with validation that explains itself, previews them in
//! any theme in phone and PC frames, publishes and ends them, and follows
//! their figures, winners and CSV export.

mod api;
mod detail;
mod editor;

use leptos::prelude::*;
use serde_json::Value;

use crate::api::ApiError;

/// Which screen is up.
#[derive(Clone, Debug, PartialEq)]
pub enum Screen {
    /// The merchant's activities.
    List,
    /// The template gallery.
    Gallery,
    /// The editor: a new activity of a kind, or an existing one.
    Edit(Box<editor::Draft>),
    /// One activity: figures, winners, preview, publish/end.
    Detail(String),
}

/// The console session: the bearer token and who it is for.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    /// Bearer token for `/api/v1/console/…`.
    pub token: String,
    /// The merchant's name, for the header.
    pub merchant: String,
}

const KEY: &str = "huodong.console";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

fn ticket_in_url() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get("ticket")
        .filter(|t| !t.is_empty())
}

/// Signs in from the URL's ticket (once; the ticket leaves the address bar)
/// or finds this tab's session.
async fn sign_in() -> Result<Session, ApiError> {
    if let Some(ticket) = ticket_in_url() {
        if let Some(window) = web_sys::window()
            && let Ok(history) = window.history()
        {
            let path = window.location().pathname().unwrap_or_default();
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
        }
        let answer = api::session(&ticket).await?;
        let session = Session {
            token: text(&answer, "token"),
            merchant: first_text(&answer["merchant"], &["name", "merchant_id"]),
        };
        if let Some(s) = storage() {
            let _ = s.set_item(KEY, &format!("{}\n{}", session.token, session.merchant));
        }
        return Ok(session);
    }
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|v| {
            let (token, merchant) = v.split_once('\n')?;
            Some(Session {
                token: token.to_owned(),
                merchant: merchant.to_owned(),
            })
        })
        .ok_or(ApiError {
            code: 1002,
            msg: "请从合作方后台打开活动管理（登录已失效）".to_owned(),
        })
}

/// A string field of a JSON object ("" when absent).
pub fn text(v: &Value, key: &str) -> String {
    match &v[key] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The first of several fields that is present.
pub fn first_text(v: &Value, keys: &[&str]) -> String {
    keys.iter()
        .map(|k| text(v, k))
        .find(|t| !t.is_empty())
        .unwrap_or_default()
}

/// A number field (0 when absent).
pub fn num(v: &Value, key: &str) -> i64 {
    v[key].as_i64().unwrap_or(0)
}

/// Status in Chinese.
pub fn status_zh(status: &str) -> &'static str {
    match status {
        "draft" => "草稿",
        "published" => "已发布",
        "ended" => "已结束",
        _ => "—",
    }
}

/// The console.
#[component]
fn App() -> impl IntoView {
    let session = RwSignal::new(None::<Result<Session, ApiError>>);
    leptos::task::spawn_local(async move { session.set(Some(sign_in().await)) });
    let screen = RwSignal::new(Screen::List);
    move || match session.get() {
        None => view! { <p class="loading" role="status">"加载中…"</p> }.into_any(),
        Some(Err(e)) => view! {
            <section class="card notice" role="alert" data-testid="console-error">
                <h1>"无法打开活动管理"</h1><p>{e.msg}</p>
            </section>
        }
        .into_any(),
        Some(Ok(s)) => {
            let merchant = s.merchant.clone();
            let session = StoredValue::new(s);
            view! {
                <header class="top">
                    <button class="brand" type="button" on:click=move |_| screen.set(Screen::List)>"活动管理后台"</button>
                    <span class="merchant" data-testid="merchant">{merchant}</span>
                </header>
                <main class="page">
                    {move || match screen.get() {
                        Screen::List => view! { <ActivityList session screen /> }.into_any(),
                        Screen::Gallery => view! { <editor::Gallery screen /> }.into_any(),
                        Screen::Edit(draft) => view! { <editor::Editor session screen draft=*draft /> }.into_any(),
                        Screen::Detail(id) => view! { <detail::Detail session screen id /> }.into_any(),
                    }}
                </main>
            }
            .into_any()
        }
    }
}

/// The merchant's activities.
#[component]
fn ActivityList(session: StoredValue<Session>, screen: RwSignal<Screen>) -> impl IntoView {
    let list = RwSignal::new(None::<Result<Value, ApiError>>);
    let token = session.with_value(|s| s.token.clone());
    leptos::task::spawn_local(async move { list.set(Some(api::activities(&token).await)) });
    view! {
        <div class="bar">
            <h1>"我的活动"</h1>
            <button class="button" type="button" data-testid="new-activity"
                on:click=move |_| screen.set(Screen::Gallery)>"新建活动"</button>
        </div>
        {move || match list.get() {
            None => view! { <p class="loading">"加载中…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e.msg}</p> }.into_any(),
            Some(Ok(v)) => {
                let items = v["list"].as_array().cloned().unwrap_or_default();
                if items.is_empty() {
                    return view! { <p class="empty">"还没有活动，从模板新建一个吧"</p> }.into_any();
                }
                view! {
                    <table class="table" data-testid="activities">
                        <thead><tr><th>"活动"</th><th>"类型"</th><th>"状态"</th><th>"时间（北京时间）"</th></tr></thead>
                        <tbody>
                            {items.into_iter().map(|a| {
                                let id = first_text(&a, &["activity_id", "id"]);
                                let kind = first_text(&a, &["template", "kind"]);
                                let kind_zh = huodong_shared::api::ActivityKind::parse(&kind).map(|k| k.name_zh()).unwrap_or("");
                                let status = text(&a, "status");
                                let when = format!(
                                    "{} – {}",
                                    huodong_shared::format::datetime_cn(num(&a, "starts_at")),
                                    huodong_shared::format::datetime_cn(num(&a, "ends_at"))
                                );
                                let open = id.clone();
                                view! {
                                    <tr>
                                        <td><button class="link" type="button" data-activity=id.clone()
                                            on:click=move |_| screen.set(Screen::Detail(open.clone()))>{text(&a, "title")}</button></td>
                                        <td>{kind_zh}</td>
                                        <td><span class=format!("status {status}")>{status_zh(&status)}</span></td>
                                        <td class="muted">{when}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }
        }}
    }
}

fn main() {
    mount_to_body(App);
}
