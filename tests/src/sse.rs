//! A Server-Sent Events reader over a streaming reqwest response, for the
//! live screen's push channel: `id:`, `event:` and `data:` lines, a blank
//! line ends an event, `:` lines are comments (keep-alives).

use std::time::Duration;

use serde_json::Value;

use crate::Api;

/// One event of the stream.
#[derive(Clone, Debug, PartialEq)]
pub struct SseEvent {
    /// The `id:` (stored events have one; `pool` snapshots not).
    pub id: Option<i64>,
    /// The `event:` name.
    pub event: String,
    /// The `data:` as JSON.
    pub data: Value,
}

/// An open stream.
pub struct SseClient {
    response: reqwest::Response,
    buf: Vec<u8>,
    id: Option<i64>,
    event: String,
    data: String,
}

impl SseClient {
    /// Opens `path` on `api`, resuming after `last_event_id` when given.
    pub async fn connect(api: &Api, path: &str, last_event_id: Option<i64>) -> SseClient {
        let mut request = api
            .client
            .get(api.url(path))
            .header("accept", "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id.to_string());
        }
        let response = request.send().await.expect("stream answers");
        assert_eq!(response.status(), 200, "stream status");
        let kind = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(kind.starts_with("text/event-stream"), "{kind}");
        SseClient {
            response,
            buf: Vec::new(),
            id: None,
            event: String::new(),
            data: String::new(),
        }
    }

    /// The next event; `None` when the stream ended.
    pub async fn next(&mut self) -> Option<SseEvent> {
        loop {
            while let Some(at) = self.buf.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=at).collect();
                let line = String::from_utf8_lossy(&line);
                let line = line.trim_end_matches(['\n', '\r']);
                if line.is_empty() {
                    if self.data.is_empty() && self.event.is_empty() {
                        continue;
                    }
                    let data = std::mem::take(&mut self.data);
                    let event = SseEvent {
                        id: self.id.take(),
                        event: std::mem::take(&mut self.event),
                        data: serde_json::from_str(&data).unwrap_or(Value::String(data)),
                    };
                    return Some(event);
                }
                if line.starts_with(':') {
                    continue;
                }
                let (field, value) = line.split_once(':').unwrap_or((line, ""));
                let value = value.strip_prefix(' ').unwrap_or(value);
                match field {
                    "id" => self.id = value.parse().ok(),
                    "event" => self.event = value.to_owned(),
                    "data" => {
                        if !self.data.is_empty() {
                            self.data.push('\n');
                        }
                        self.data.push_str(value);
                    }
                    _ => {}
                }
            }
            match self.response.chunk().await {
                Ok(Some(chunk)) => self.buf.extend_from_slice(&chunk),
                Ok(None) | Err(_) => return None,
            }
        }
    }

    /// The next event named `event` within `timeout` (others are skipped).
    pub async fn next_of(&mut self, event: &str, timeout: Duration) -> SseEvent {
        tokio::time::timeout(timeout, async {
            loop {
                match self.next().await {
                    Some(e) if e.event == event => return e,
                    Some(_) => {}
                    None => panic!("the stream ended before a {event} event"),
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("no {event} event within {timeout:?}"))
    }

    /// Every event that arrives within `window`.
    pub async fn drain(&mut self, window: Duration) -> Vec<SseEvent> {
        let mut events = Vec::new();
        let _ = tokio::time::timeout(window, async {
            while let Some(e) = self.next().await {
                events.push(e);
            }
        })
        .await;
        events
    }
}
