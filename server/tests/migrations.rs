//! A database made by the previous release comes through the draw-row
//! rebuild (migration 0011: on SQLite the draws and the player counters are
//! rebuilt, on PostgreSQL the draw-number constraint goes) whole: every draw,
//! counter and reference kept, ids never handed out twice, the idempotency
//! key still unique and references still enforced.

use std::path::Path;

use huodong_server::db::Backend;
use huodong_server::db::Db;
use huodong_server::on_db;
use huodong_tests::TestDb;
use sqlx::migrate::Migrator;

/// The release before the rebuild.
const BEFORE: i64 = 10;

async fn migrate_up_to(db: &Db, version: i64) {
    let dir = match db.backend() {
        Backend::Sqlite => "migrations/sqlite",
        Backend::Postgres => "migrations/postgres",
    };
    let mut migrator = Migrator::new(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
        .await
        .expect("read the migrations");
    let up_to: Vec<_> = migrator
        .migrations
        .iter()
        .filter(|m| m.version <= version)
        .cloned()
        .collect();
    assert_eq!(up_to.len() as i64, version, "migrations 1..={version}");
    migrator.migrations = up_to.into();
    on_db!(db, pool => migrator.run(pool).await).expect("migrate to the release before");
}

async fn exec(db: &Db, sql: &str) -> Result<u64, sqlx::Error> {
    on_db!(db, pool => sqlx::raw_sql(sql).execute(pool).await.map(|r| r.rows_affected()))
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    on_db!(db, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn rows(db: &Db, sql: &str) -> Vec<(i64, i64, String)> {
    on_db!(db, pool => sqlx::query_as::<_, (i64, i64, String)>(sql).fetch_all(pool).await)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

const DRAW: &str = "INSERT INTO draws (activity_id, player_id, seq, idempotency_key, day, roll, \
     weight_total, outcome, odds, created_at) SELECT a.id, p.id, {seq}, '{key}', 20261203, 7, 100, \
     'thanks', '[]', 1764720000 FROM activities a, players p";

fn draw(seq: i64, key: &str) -> String {
    DRAW.replace("{seq}", &seq.to_string())
        .replace("{key}", key)
}

#[tokio::test]
async fn the_draw_row_rebuild_keeps_every_draw_counter_and_reference() {
    let test_db = TestDb::create().await;
    let db = Db::connect(&test_db.url, 2).await.expect("connect");
    migrate_up_to(&db, BEFORE).await;
    exec(
        &db,
        "INSERT INTO partners (app_id, name, secret, created_at) VALUES ('app', '商户', 's', 0); \
         INSERT INTO activities (public_id, partner_id, kind, title, status, starts_at, ends_at, created_at, updated_at) \
         SELECT 'act', id, 'wheel', '迁移', 'published', 0, 4102444800, 0, 0 FROM partners; \
         INSERT INTO players (partner_id, u_id, created_at) SELECT id, 'u-1', 0 FROM partners; \
         INSERT INTO player_activity (activity_id, player_id, draws_used, extra_left, draw_seq, makeups_used) \
         SELECT a.id, p.id, 3, 2, 3, 1 FROM activities a, players p; \
         INSERT INTO player_days (activity_id, player_id, day, draws_used) \
         SELECT a.id, p.id, 20261203, 3 FROM activities a, players p;",
    )
    .await
    .expect("the old release's rows");
    for (seq, key) in [(1, "k-1"), (2, "k-2"), (3, "k-3")] {
        exec(&db, &draw(seq, key)).await.expect("a draw");
    }
    // The newest draw is gone (its id must not come back); another is referred to.
    let gone = scalar(&db, "SELECT MAX(id) FROM draws").await;
    exec(&db, &format!("DELETE FROM draws WHERE id = {gone}"))
        .await
        .expect("delete the newest draw");
    exec(
        &db,
        "INSERT INTO outbox (partner_id, activity_id, callback, dedupe_key, draw_id, body, next_at, created_at) \
         SELECT a.partner_id, d.activity_id, 'events', 'win:k-2', d.id, '{}', 0, 0 \
         FROM draws d JOIN activities a ON a.id = d.activity_id WHERE d.idempotency_key = 'k-2'",
    )
    .await
    .expect("an outbox row referring to a draw");
    let before = rows(
        &db,
        "SELECT id, seq, idempotency_key FROM draws ORDER BY id",
    )
    .await;
    assert_eq!(before.len(), 2);

    db.migrate()
        .await
        .expect("the migrations after the release");

    assert_eq!(
        rows(
            &db,
            "SELECT id, seq, idempotency_key FROM draws ORDER BY id"
        )
        .await,
        before,
        "every draw kept with its id"
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT draws_used * 1000 + extra_left * 100 + draw_seq * 10 + makeups_used FROM player_activity"
        )
        .await,
        3231,
        "the player's counters kept"
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT draws_used FROM player_days WHERE day = 20261203"
        )
        .await,
        3
    );
    let referred = scalar(&db, "SELECT id FROM draws WHERE idempotency_key = 'k-2'").await;
    assert_eq!(
        scalar(
            &db,
            "SELECT draw_id FROM outbox WHERE dedupe_key = 'win:k-2'"
        )
        .await,
        referred
    );
    assert!(
        exec(&db, &format!("DELETE FROM draws WHERE id = {referred}"))
            .await
            .is_err(),
        "a draw the outbox refers to cannot be deleted: references are enforced"
    );
    assert!(
        exec(&db, &draw(9, "k-1")).await.is_err(),
        "the idempotency key is still unique"
    );
    exec(&db, &draw(3, "k-4"))
        .await
        .expect("a new draw after the rebuild");
    let new_id = scalar(&db, "SELECT id FROM draws WHERE idempotency_key = 'k-4'").await;
    assert!(
        new_id > gone,
        "ids are never handed out twice: {new_id} after {gone}"
    );
    db.close().await;
}
