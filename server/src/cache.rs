//! Short-lived in-memory caches on the hot path. Nothing here decides a
//! money-like rule: stock, chances and caps are always read and written in the
//! draw's transaction. What is cached:
//! - sessions, by token hash, until they expire (a session never changes);
//! - blacklists, by activity, for [`ACTIVITY_TTL`] (dropped at once here when
//!   the open API changes one);
//! - partners' settings, by id, for [`ACTIVITY_TTL`] (dropped here at once
//!   when `partner/config` changes them);
//! - condition-check answers, by activity and player, for [`CONDITION_TTL`];
//! - activities, by public id, for [`ACTIVITY_TTL`]: prizes and odds are locked
//!   once an activity starts, and this instance drops its entry at once when
//!   the open API changes the activity; another instance sees a manual
//!   `activity/end` at most that long later (the time window is exact).

use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;

use huodong_shared::partner::ConditionAnswer;

use crate::activities::model::Activity;
use crate::db::Db;
use crate::error::AppError;
use crate::partner::{CONDITION_TTL, PartnerConf};
use crate::session::Player;

/// How long an activity stays cached.
pub const ACTIVITY_TTL: Duration = Duration::from_secs(2);

/// The caches of one server instance.
#[derive(Debug, Clone)]
pub struct Caches {
    sessions: Cache<String, (Player, i64)>,
    activities: Cache<String, Arc<Activity>>,
    blacklists: Cache<i64, Arc<Vec<(String, String)>>>,
    partners: Cache<i64, Arc<PartnerConf>>,
    conditions: Cache<(i64, i64), Arc<ConditionAnswer>>,
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
            partners: Cache::builder()
                .max_capacity(10_000)
                .time_to_live(ACTIVITY_TTL)
                .build(),
            conditions: Cache::builder()
                .max_capacity(200_000)
                .time_to_live(CONDITION_TTL)
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

    /// A partner and its settings, from the cache or the database.
    pub async fn partner(&self, db: &Db, partner_id: i64) -> Result<Arc<PartnerConf>, AppError> {
        if let Some(hit) = self.partners.get(&partner_id) {
            return Ok(hit);
        }
        let partner = Arc::new(PartnerConf::load(db, partner_id).await?);
        self.partners.insert(partner_id, partner.clone());
        Ok(partner)
    }

    /// Drops a partner whose settings changed.
    pub fn forget_partner(&self, partner_id: i64) {
        self.partners.invalidate(&partner_id);
    }

    /// A recent condition answer for (activity, player).
    pub fn condition(&self, key: (i64, i64)) -> Option<Arc<ConditionAnswer>> {
        self.conditions.get(&key)
    }

    /// Remembers a condition answer for [`CONDITION_TTL`].
    pub fn remember_condition(&self, key: (i64, i64), answer: Arc<ConditionAnswer>) {
        self.conditions.insert(key, answer);
    }

    /// Drops a changed activity.
    pub fn forget_activity(&self, public_id: &str) {
        self.activities.invalidate(public_id);
    }
}
