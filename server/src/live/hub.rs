//! The fan-out of live events inside one instance: a tokio broadcast channel
//! per activity that has viewers, fed by one poller per instance.
//!
//! Events are rows of `live_events` (written in the transaction of the
//! change they report), so every instance sharing the database sees them:
//! the poller reads each watched activity's new rows every
//! [`POLL_INTERVAL`] (at once when this instance wrote one: [`Hub::wake`])
//! and broadcasts them in id order. One activity's events commit in id order
//! (taking the next id locks its `live_state` row), so "after the highest id
//! seen" never skips one. The pool's size is checked about once a second
//! (at once after a join here) and a `pool` snapshot broadcast when it changed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::sync::{Notify, broadcast, watch};

use crate::db::Db;
use crate::error::AppError;

/// How often the poller looks for new events.
pub const POLL_INTERVAL: Duration = Duration::from_millis(200);
/// Polls between two checks of the pool size.
const POOL_EVERY: u32 = 5;
/// Frames a slow viewer may fall behind before it re-reads the database.
const CAPACITY: usize = 256;
/// Polls a channel without viewers is kept (then dropped).
const IDLE_POLLS: u32 = 50;

/// One message of the push channel.
#[derive(Debug)]
pub struct Frame {
    /// The event id (`None` for `pool` snapshots).
    pub seq: Option<i64>,
    /// `pool`, `rolling`, `winners` or `stopped`.
    pub kind: String,
    /// The JSON data.
    pub data: String,
}

/// A watched activity.
#[derive(Debug)]
pub struct Channel {
    tx: broadcast::Sender<Arc<Frame>>,
    last_seq: AtomicI64,
    pool_count: AtomicI64,
    pool_dirty: AtomicBool,
    idle: AtomicU32,
}

#[derive(Debug, Default)]
struct Inner {
    channels: Mutex<HashMap<i64, Arc<Channel>>>,
    wake: Notify,
    poller: OnceLock<tokio::task::JoinHandle<()>>,
    closed: OnceLock<watch::Sender<bool>>,
}

/// The live events of this instance. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Hub {
    inner: Arc<Inner>,
}

/// A viewer's subscription.
pub struct Subscription {
    /// Frames as the poller broadcasts them.
    pub frames: broadcast::Receiver<Arc<Frame>>,
    /// Turns true when the server shuts down: the stream ends.
    pub closed: watch::Receiver<bool>,
}

impl Hub {
    /// A hub with no viewers.
    pub fn new() -> Hub {
        Hub::default()
    }

    fn closed_tx(&self) -> &watch::Sender<bool> {
        self.inner.closed.get_or_init(|| watch::channel(false).0)
    }

    /// Subscribes to an activity's frames. `seen` is its highest event id
    /// read before subscribing: a new channel broadcasts from there.
    pub fn subscribe(&self, db: &Db, activity_id: i64, seen: i64) -> Subscription {
        self.ensure_poller(db);
        let frames = {
            let mut channels = self
                .inner
                .channels
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            let channel = channels.entry(activity_id).or_insert_with(|| {
                Arc::new(Channel {
                    tx: broadcast::channel(CAPACITY).0,
                    last_seq: AtomicI64::new(seen),
                    pool_count: AtomicI64::new(-1),
                    pool_dirty: AtomicBool::new(false),
                    idle: AtomicU32::new(0),
                })
            });
            channel.idle.store(0, Ordering::Relaxed);
            channel.tx.subscribe()
        };
        Subscription {
            frames,
            closed: self.closed_tx().subscribe(),
        }
    }

    /// Viewers of an activity on this instance.
    pub fn viewers(&self, activity_id: i64) -> usize {
        self.inner
            .channels
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&activity_id)
            .map_or(0, |c| c.tx.receiver_count())
    }

    /// A viewer read the pool's size: the channel's starting point, so the
    /// poller broadcasts only a change from it.
    pub fn pool_seen(&self, activity_id: i64, count: i64) {
        if let Some(channel) = self
            .inner
            .channels
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&activity_id)
        {
            let _ = channel.pool_count.compare_exchange(
                -1,
                count,
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
        }
    }

    /// This instance wrote an event: poll now.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Someone joined an activity's pool here: check its size now.
    pub fn pool_changed(&self, activity_id: i64) {
        if let Some(channel) = self
            .inner
            .channels
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&activity_id)
        {
            channel.pool_dirty.store(true, Ordering::Relaxed);
        }
        self.wake();
    }

    /// Ends every stream and the poller (the server is shutting down).
    pub fn close(&self) {
        self.closed_tx().send_replace(true);
        if let Some(poller) = self.inner.poller.get() {
            poller.abort();
        }
    }

    fn ensure_poller(&self, db: &Db) {
        if self.inner.poller.get().is_some() {
            return;
        }
        let hub = self.clone();
        let db = db.clone();
        let mut started = false;
        self.inner.poller.get_or_init(|| {
            started = true;
            tokio::spawn(async move { hub.poll_forever(db).await })
        });
        if started {
            tracing::debug!("live poller started");
        }
    }

    async fn poll_forever(self, db: Db) {
        let mut closed = self.closed_tx().subscribe();
        let mut tick: u32 = 0;
        loop {
            tokio::select! {
                () = tokio::time::sleep(POLL_INTERVAL) => {}
                () = self.inner.wake.notified() => {}
                _ = closed.changed() => return,
            }
            tick = tick.wrapping_add(1);
            let watched: Vec<(i64, Arc<Channel>)> = {
                let mut channels = self
                    .inner
                    .channels
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                channels.retain(|_, c| {
                    c.tx.receiver_count() > 0 || c.idle.fetch_add(1, Ordering::Relaxed) < IDLE_POLLS
                });
                channels
                    .iter()
                    .filter(|(_, c)| c.tx.receiver_count() > 0)
                    .map(|(id, c)| (*id, c.clone()))
                    .collect()
            };
            for (activity_id, channel) in watched {
                if let Err(err) = self.poll_one(&db, activity_id, &channel, tick).await {
                    tracing::warn!(activity_id, error = %err, "live poll failed");
                }
            }
        }
    }

    async fn poll_one(
        &self,
        db: &Db,
        activity_id: i64,
        channel: &Channel,
        tick: u32,
    ) -> Result<(), AppError> {
        loop {
            let after = channel.last_seq.load(Ordering::Relaxed);
            let frames = super::events_after(db, activity_id, after, 500).await?;
            let more = frames.len() == 500;
            for frame in frames {
                if let Some(seq) = frame.seq {
                    channel.last_seq.store(seq, Ordering::Relaxed);
                }
                let _ = channel.tx.send(Arc::new(frame));
            }
            if !more {
                break;
            }
        }
        if channel.pool_dirty.swap(false, Ordering::Relaxed) || tick.is_multiple_of(POOL_EVERY) {
            let count = super::pool_count(db, activity_id).await?;
            if channel.pool_count.swap(count, Ordering::Relaxed) != count {
                let pool = super::pool_snapshot(db, activity_id).await?;
                let _ = channel.tx.send(Arc::new(super::pool_frame(&pool)));
            }
        }
        Ok(())
    }
}
