//! Talking to the page or app that embeds the activity.
//!
//! - In an iframe made by `public/embed.js`: the script puts its page's
//!   origin in the frame's address (`embed=<origin>`); every message goes to
//!   `parent.postMessage(message, <that exact origin>)`, never `*` — and the
//!   server's `frame-ancestors` only lets the partner's allowed origins frame
//!   the page at all. Messages: `ready`, `resize`, `result`, `share`, `close`,
//!   each `{"source": "huodong", "type": …, "activity": id, …}`.
//! - In a WeChat mini-program web-view (the JSSDK present,
//!   `__wxjs_environment == "miniprogram"`): `wx.miniProgram.postMessage`
//!   carries the same messages, `close` is `wx.miniProgram.navigateBack`.
//! - In an app WebView: `window.webkit.messageHandlers.huodong` (iOS) or
//!   `window.HuodongBridge.postMessage` (Android) get the message as JSON text.

use std::cell::RefCell;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::components::play::Outcome;

const KEY: &str = "huodong.embed";

thread_local! {
    /// The embedding page's origin, when framed by `embed.js`.
    static HOST: RefCell<Option<String>> = const { RefCell::new(None) };
    /// The activity on screen.
    static ACTIVITY: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Whether `text` is an origin: scheme, host and maybe a port, no path.
pub fn is_origin(text: &str) -> bool {
    let rest = match text.split_once("://") {
        Some(("https" | "http", rest)) => rest,
        _ => return false,
    };
    !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b':')
}

fn framed() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    match window.parent() {
        Ok(Some(parent)) => !Object::is(&parent, &window),
        _ => false,
    }
}

/// Reads the host's origin (the address's `embed`, else the tab's) once.
pub fn init() {
    let Some(window) = web_sys::window() else {
        return;
    };
    if !framed() {
        return;
    }
    let host = crate::session::kept_param("embed", KEY, is_origin);
    if host.is_some()
        && let Some(root) = window.document().and_then(|d| d.document_element())
    {
        let _ = root.class_list().add_1("embedded");
    }
    HOST.with(|h| *h.borrow_mut() = host);
}

/// Whether a host page or app listens (shows the close button).
pub fn hosted() -> bool {
    HOST.with(|h| h.borrow().is_some()) || mini_program().is_some() || app_bridge()
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn call(target: &JsValue, method: &str, arg: &JsValue) {
    if let Ok(f) = get(target, method).dyn_into::<Function>() {
        let _ = f.call1(target, arg);
    }
}

/// `wx.miniProgram`, inside a mini-program web-view.
fn mini_program() -> Option<JsValue> {
    let global = js_sys::global();
    if get(&global, "__wxjs_environment").as_string().as_deref() != Some("miniprogram") {
        return None;
    }
    let mp = get(&get(&global, "wx"), "miniProgram");
    (!mp.is_undefined()).then_some(mp)
}

fn app_bridge() -> bool {
    let global = js_sys::global();
    !get(&global, "HuodongBridge").is_undefined()
        || !get(&get(&get(&global, "webkit"), "messageHandlers"), "huodong").is_undefined()
}

fn set(object: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(object, &JsValue::from_str(key), &value.into());
}

fn message(kind: &str) -> Object {
    let m = Object::new();
    set(&m, "source", "huodong");
    set(&m, "type", kind);
    set(&m, "activity", ACTIVITY.with(|a| a.borrow().clone()));
    m
}

fn send(message: Object) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(origin) = HOST.with(|h| h.borrow().clone())
        && let Ok(Some(parent)) = window.parent()
    {
        let _ = parent.post_message(&message, &origin);
    }
    let global = js_sys::global();
    if let Some(mp) = mini_program() {
        let wrapped = Object::new();
        set(&wrapped, "data", message.clone());
        call(&mp, "postMessage", &wrapped);
    }
    if let Ok(text) = js_sys::JSON::stringify(&message) {
        let android = get(&global, "HuodongBridge");
        if !android.is_undefined() {
            call(&android, "postMessage", &text);
        }
        let ios = get(&get(&get(&global, "webkit"), "messageHandlers"), "huodong");
        if !ios.is_undefined() {
            call(&ios, "postMessage", &message);
        }
    }
}

/// The activity is playable: the `huodong:interactive` performance mark, `ready`,
/// then `resize` whenever its height changes.
pub fn ready(activity_id: &str) {
    // For the first-render benchmark (and anyone's performance tools).
    call(
        &get(&js_sys::global(), "performance"),
        "mark",
        &JsValue::from_str("huodong:interactive"),
    );
    ACTIVITY.with(|a| *a.borrow_mut() = activity_id.to_owned());
    send(message("ready"));
    if HOST.with(|h| h.borrow().is_none()) {
        return;
    }
    let last = std::rc::Rc::new(std::cell::Cell::new(0i32));
    let measure = move || {
        let height = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
            .map(|b| b.scroll_height())
            .unwrap_or(0);
        if height != last.get() {
            last.set(height);
            let m = message("resize");
            set(&m, "height", height);
            send(m);
        }
    };
    measure();
    let observer = Closure::<dyn FnMut()>::new(measure);
    if let Ok(resize) = web_sys::ResizeObserver::new(observer.as_ref().unchecked_ref())
        && let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
    {
        resize.observe(&body);
    }
    observer.forget();
}

/// A play's outcome: `result` with `won` and the prize's name and kind
/// (never its redeem code).
pub fn result(outcome: &Outcome) {
    let m = message("result");
    let (won, prize) = match outcome {
        Outcome::Drawn(r) => (r.prize.is_some(), r.prize.as_ref()),
        Outcome::Scored(r) => {
            set(&m, "score", r.score as f64);
            (r.draw.prize.is_some(), r.draw.prize.as_ref())
        }
        Outcome::Checked(r) => {
            set(&m, "streak", r.streak as f64);
            (!r.rewards.is_empty(), r.rewards.first())
        }
        Outcome::Refused(e) => {
            set(&m, "code", e.code);
            (false, None)
        }
    };
    set(&m, "won", won);
    if let Some(p) = prize {
        set(&m, "prize", p.name.as_str());
        set(&m, "prize_kind", p.kind.as_str());
        set(&m, "draw_id", p.draw_id as f64);
    }
    send(m);
}

/// The player pressed "share": the host shares the activity's address.
pub fn share(activity_id: &str) {
    let m = message("share");
    let url = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .map(|o| format!("{o}/a/{activity_id}"))
        .unwrap_or_default();
    set(&m, "url", url);
    send(m);
}

/// The player closed the activity.
pub fn close() {
    send(message("close"));
    if let Some(mp) = mini_program() {
        call(&mp, "navigateBack", &Object::new());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bare_origins_are_hosts() {
        assert!(is_origin("https://shop.example.com"));
        assert!(is_origin("http://127.0.0.1:8080"));
        assert!(!is_origin("*"));
        assert!(!is_origin("https://shop.example.com/path"));
        assert!(!is_origin("javascript://x"));
        assert!(!is_origin("https://"));
        assert!(!is_origin("https://a.example?x=1"));
    }
}
