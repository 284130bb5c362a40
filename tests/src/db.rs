//! A fresh database for each test: a temporary SQLite file, or a new
//! PostgreSQL database made from the admin URL and dropped afterwards.

use std::path::PathBuf;

/// Which backend this test run uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A temporary file.
    Sqlite,
    /// A database on the PostgreSQL server.
    Postgres,
}

impl Backend {
    /// From `HUODONG_TEST_BACKEND`: `sqlite` (the default) or `postgres`.
    pub fn from_env() -> Backend {
        match std::env::var("HUODONG_TEST_BACKEND").as_deref() {
            Ok("postgres") => Backend::Postgres,
            Ok("sqlite") | Err(_) => Backend::Sqlite,
            Ok(other) => panic!("HUODONG_TEST_BACKEND must be sqlite or postgres, not {other:?}"),
        }
    }
}

/// The PostgreSQL admin URL.
pub fn pg_admin_url() -> String {
    std::env::var("HUODONG_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A database that exists for one test.
pub struct TestDb {
    /// The URL the server connects to.
    pub url: String,
    /// The backend.
    pub backend: Backend,
    pg_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A new empty database on the run's backend.
    pub async fn create() -> TestDb {
        TestDb::create_on(Backend::from_env()).await
    }

    /// A new empty database on `backend`.
    pub async fn create_on(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path: PathBuf = dir.path().join("test.sqlite3");
                TestDb {
                    url: format!("sqlite://{}", path.display()),
                    backend,
                    pg_name: None,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                use sqlx::Connection;
                let admin = pg_admin_url();
                let name = format!("hd_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL at {admin} does not answer ({e}); scripts/test.sh starts one")
                });
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("CREATE DATABASE");
                let _ = conn.close().await;
                let base = admin
                    .rsplit_once('/')
                    .map(|(b, _)| b.to_owned())
                    .unwrap_or(admin);
                TestDb {
                    url: format!("{base}/{name}"),
                    backend,
                    pg_name: Some(name),
                    _dir: None,
                }
            }
        }
    }
}

impl TestDb {
    /// Runs a scalar query on a connection of its own (the server may be
    /// another process, or dead).
    pub async fn scalar(&self, sql: &str) -> i64 {
        let db = huodong_server::db::Db::connect(&self.url, 1)
            .await
            .expect("connect to the test database");
        let value = huodong_server::on_db!(&db, pool => {
            sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await
        })
        .expect("scalar query");
        db.close().await;
        value
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else {
            return;
        };
        // Drop runs inside the test's runtime: clean up on a thread of our own.
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            let Ok(runtime) = runtime else { return };
            runtime.block_on(async move {
                use sqlx::Connection;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&pg_admin_url()).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    if let Err(e) = sqlx::query(&sql).execute(&mut conn).await {
                        eprintln!("could not drop test database {name}: {e}");
                    }
                    let _ = conn.close().await;
                }
            });
        });
        let _ = cleanup.join();
    }
}
