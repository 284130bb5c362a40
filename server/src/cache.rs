//! Short-lived in-memory caches on the hot path. Nothing here decides a
//! money-like rule: stock, chances and caps are always read and written in the
//! draw's transaction. What is cached:
//! - sessions, by token hash, until they expire (a session never changes);
//! - blacklists, by activity, for [`ACTIVITY_TTL`] (dropped at once here when
//!   the open API changes one);
//! - activities, by public id, for [`ACTIVITY_TTL`]: prizes and odds are locked
//!   once an activity starts, and this instance drops its entry at once when
//!   the open API changes the activity; another instance sees a manual
//!   `activity/end` at most that long later (the time window is exact).

use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;

use crate::activities::model::Activity;
use crate::db::Db;
use crate::error::AppError;
use crate::session::Player;

/// How long an activity stays cached.
pub const ACTIVITY_TTL: Duration = Duration::from_secs(2);

/// The caches of one server instance.
#[derive(Debug, Clone)]
pub struct Caches {
    sessions: Cache<String, (Player, i64)>,
    activities: Cache<String, Arc<Activity>>,
    blacklists: Cache<i64, Arc<Vec<(String, String)>>>,
}

impl Default for Caches {
    fn default() -> Self {
        Caches::new()
    }
}

impl Caches {
    /// Empty caches.
    pub fn new() -> Caches {
        Caches {
            sessions: Cache::builder()
                .max_capacity(200_000)
                .time_to_live(Duration::from_secs(300))
                .build(),
            activities: Cache::builder()
                .max_capacity(10_000)
                .time_to_live(ACTIVITY_TTL)
                .build(),
            blacklists: Cache::builder()
                .max_capacity(10_000)
                .time_to_live(ACTIVITY_TTL)
                .build(),
        }
    }

    /// The player of a session token hash, if cached and not expired at `now`.
    pub fn session(&self, token_hash: &str, now: i64) -> Option<Player> {
        self.sessions
            .get(token_hash)
            .filter(|(_, expires)| *expires > now)
            .map(|(p, _)| p)
    }

    /// Remembers a session until `expires_at`.
    pub fn remember_session(&self, token_hash: String, player: Player, expires_at: i64) {
        self.sessions.insert(token_hash, (player, expires_at));
    }

    /// The activity, from the cache or the database.
    pub async fn activity(&self, db: &Db, public_id: &str) -> Result<Arc<Activity>, AppError> {
        if let Some(hit) = self.activities.get(public_id) {
            return Ok(hit);
        }
        let activity = Arc::new(Activity::get(db, public_id).await?);
        self.activities
            .insert(public_id.to_owned(), activity.clone());
        Ok(activity)
    }

    /// An activity's blacklist, from the cache or the database.
    pub async fn blacklist(
        &self,
        db: &Db,
        activity_id: i64,
    ) -> Result<Arc<Vec<(String, String)>>, AppError> {
        if let Some(hit) = self.blacklists.get(&activity_id) {
            return Ok(hit);
        }
        let list = Arc::new(crate::risk::load_blacklist(db, activity_id).await?);
        self.blacklists.insert(activity_id, list.clone());
        Ok(list)
    }

    /// Drops a changed blacklist.
    pub fn forget_blacklist(&self, activity_id: i64) {
        self.blacklists.invalidate(&activity_id);
    }

    /// Drops a changed activity.
    pub fn forget_activity(&self, public_id: &str) {
        self.activities.invalidate(public_id);
    }
}
