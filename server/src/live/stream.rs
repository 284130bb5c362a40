//! `GET /api/v1/live/{id}/stream`: the push channel as Server-Sent Events
//! (the format is documented in `huodong_shared::live`). A connection gets a
//! `pool` snapshot, then the stored events after `Last-Event-ID` (or
//! `?after=`; without either, the latest [`REPLAY`](super::REPLAY)), then
//! every new one as the instance's poller broadcasts it. A viewer that falls
//! behind the broadcast, or sees a gap in the ids, re-reads the database, so
//! it never misses one.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use super::hub::{Frame, Subscription};
use crate::db::Db;
use crate::error::AppError;
use crate::state::AppState;

/// Query of the stream.
#[derive(Debug, Deserialize)]
pub struct StreamParams {
    /// Resume after this event id (for clients that cannot set `Last-Event-ID`).
    after: Option<i64>,
}

/// The retry delay told to `EventSource`s.
const RETRY: Duration = Duration::from_millis(1500);

struct Viewer {
    db: Db,
    activity_id: i64,
    queue: VecDeque<Arc<Frame>>,
    sub: Subscription,
    last: i64,
    first: bool,
}

impl Viewer {
    /// Re-reads what came after `last` from the database.
    async fn catch_up(&mut self) -> Result<(), AppError> {
        loop {
            let frames = super::events_after(&self.db, self.activity_id, self.last, 500).await?;
            let more = frames.len() == 500;
            for frame in frames {
                self.last = frame.seq.unwrap_or(self.last);
                self.queue.push_back(Arc::new(frame));
            }
            if !more {
                return Ok(());
            }
        }
    }

    /// The next event to send; `None` ends the stream.
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(frame) = self.queue.pop_front() {
                let mut event = Event::default().event(&frame.kind).data(&frame.data);
                if let Some(seq) = frame.seq {
                    event = event.id(seq.to_string());
                }
                if std::mem::take(&mut self.first) {
                    event = event.retry(RETRY);
                }
                return Some(event);
            }
            let received = tokio::select! {
                received = self.sub.frames.recv() => received,
                _ = self.sub.closed.wait_for(|closed| *closed) => return None,
            };
            match received {
                Ok(frame) => match frame.seq {
                    None => self.queue.push_back(frame),
                    Some(seq) if seq <= self.last => {}
                    Some(seq) if seq == self.last + 1 => {
                        self.last = seq;
                        self.queue.push_back(frame);
                    }
                    // A gap: what is missing is in the database.
                    Some(_) => {
                        if self.catch_up().await.is_err() {
                            return None;
                        }
                    }
                },
                Err(RecvError::Lagged(_)) => {
                    if self.catch_up().await.is_err() {
                        return None;
                    }
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }
}

fn last_event_id(headers: &HeaderMap, params: &StreamParams) -> Option<i64> {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .or(params.after)
        .filter(|id| *id >= 0)
}

/// `GET /api/v1/live/{id}/stream`.
pub async fn stream(
    State(state): State<AppState>,
    Path(public_id): Path<String>,
    Query(params): Query<StreamParams>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let activity = super::live_activity(&state, &public_id).await?;
    let after = last_event_id(&headers, &params);
    // Subscribe before reading, so nothing falls between the two.
    let seen = super::max_seq(&state.db, activity.id).await?;
    let sub = state.live.subscribe(&state.db, activity.id, seen);
    let mut viewer = Viewer {
        db: state.db.clone(),
        activity_id: activity.id,
        queue: VecDeque::new(),
        sub,
        last: 0,
        first: true,
    };
    let pool = super::pool_snapshot(&state.db, activity.id).await?;
    state.live.pool_seen(activity.id, pool.count);
    viewer.queue.push_back(Arc::new(super::pool_frame(&pool)));
    match after {
        Some(after) => {
            viewer.last = after;
            viewer.catch_up().await?;
        }
        None => {
            let from = (seen - super::REPLAY).max(0);
            viewer.last = from;
            viewer.catch_up().await?;
        }
    }
    let events = futures_util::stream::unfold(viewer, |mut viewer| async move {
        viewer
            .next()
            .await
            .map(|event| (Ok::<_, Infallible>(event), viewer))
    });
    Ok(sse_response(events))
}

fn sse_response(
    events: impl Stream<Item = Result<Event, Infallible>> + Send + 'static,
) -> Response {
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    let headers = response.headers_mut();
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    headers.insert(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    response
}
