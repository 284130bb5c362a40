//! The player's session in this tab: a launch ticket in the URL is exchanged
//! once for a bearer token, kept in `sessionStorage` per activity (no cookie:
//! embedded iframes often cannot keep third-party cookies), and the ticket is
//! taken out of the address bar. A player who arrives with neither is sent to
//! the partner's sign-in when the partner has one.

use gloo_net::http::Request;
use huodong_shared::Envelope;
use huodong_shared::api::{SessionInfo, SessionRequest};

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

fn key(activity_id: &str) -> String {
    format!("huodong.session.{activity_id}")
}

/// The stored session of an activity.
pub fn stored(activity_id: &str) -> Option<SessionInfo> {
    let text = storage()?.get_item(&key(activity_id)).ok()??;
    serde_json::from_str(&text).ok()
}

/// Forgets an expired session and reloads the page, which signs in again
/// (through the partner's sign-in when it has one).
pub fn expired(activity_id: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&key(activity_id));
    }
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// A query parameter of the current address (`None` when absent or empty).
pub fn url_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
        .filter(|v| !v.is_empty())
}

/// A query parameter that lasts for the tab: the address's value, kept in
/// `sessionStorage` under `key` (when `valid`), else the tab's kept value.
/// The address loses its query (the spent ticket) or the player navigates;
/// the language and the host page stay.
pub fn kept_param(name: &str, key: &str, valid: impl Fn(&str) -> bool) -> Option<String> {
    let storage = storage();
    match url_param(name).filter(|v| valid(v)) {
        Some(value) => {
            if let Some(s) = &storage {
                let _ = s.set_item(key, &value);
            }
            Some(value)
        }
        None => storage
            .and_then(|s| s.get_item(key).ok().flatten())
            .filter(|v| valid(v)),
    }
}

/// Whether the page is a merchant preview (`?preview=1`): no sign-in, the
/// games render but do not play.
pub fn preview() -> bool {
    url_param("preview").is_some_and(|v| v == "1")
}

/// The `ticket` query parameter of the current address.
fn ticket_in_url() -> Option<String> {
    url_param("ticket")
}

/// Takes the one-time ticket out of the address bar (it is spent), keeping
/// the rest of the query (`theme`, `lang`, `embed`…).
fn forget_ticket_in_url() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let path = location.pathname().unwrap_or_default();
    let search = location.search().unwrap_or_default();
    let rest = web_sys::UrlSearchParams::new_with_str(&search)
        .map(|params| {
            params.delete("ticket");
            String::from(params.to_string())
        })
        .unwrap_or_default();
    let url = if rest.is_empty() {
        path
    } else {
        format!("{path}?{rest}")
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// What signing in came to.
#[derive(Clone, Debug, PartialEq)]
pub enum SignIn {
    /// Signed in (from the ticket, or earlier in this tab).
    Player(SessionInfo),
    /// No ticket and no session.
    Anonymous,
    /// The ticket was refused (expired, used): the server's message.
    Refused(String),
}

/// Exchanges the URL's ticket, or finds the tab's session.
pub async fn sign_in(activity_id: &str) -> SignIn {
    if let Some(ticket) = ticket_in_url() {
        let body = SessionRequest { ticket };
        let answer = match Request::post("/api/v1/session").json(&body) {
            Ok(request) => match request.send().await {
                Ok(response) => response.json::<Envelope<SessionInfo>>().await.ok(),
                Err(_) => None,
            },
            Err(_) => None,
        };
        forget_ticket_in_url();
        return match answer.map(Envelope::into_result) {
            Some(Ok(info)) => {
                if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(&info)) {
                    let _ = storage.set_item(&key(activity_id), &text);
                }
                SignIn::Player(info)
            }
            Some(Err((_, msg))) => SignIn::Refused(msg),
            None => SignIn::Refused("网络不太好，请稍后重试".to_owned()),
        };
    }
    match stored(activity_id) {
        Some(info) => SignIn::Player(info),
        None => SignIn::Anonymous,
    }
}

/// Sends the player to the partner's sign-in, which brings them back here
/// with a ticket.
pub fn go_to_partner_login(activity_id: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window
            .location()
            .replace(&format!("/api/v1/activities/{activity_id}/login"));
    }
}
