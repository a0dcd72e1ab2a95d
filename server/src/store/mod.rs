//! Storage behind a small interface: the rest of the server calls these
//! methods and never sees SQL. One set of portable queries (`$1` parameters,
//! integer timestamps and flags) runs on SQLite and PostgreSQL alike through
//! sqlx's `Any` driver; only the migrations differ per engine.

use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

/// Companies, users and memberships.
mod accounts;
/// Guessing limits per user.
mod attempts;
/// The security audit log.
mod audit;
/// Authenticator apps and recovery codes.
mod factors;
/// Browser sessions.
mod sessions;

pub use accounts::{MembershipRow, UserRow};
pub use audit::AuditKind;
pub use factors::TotpRow;
pub use sessions::SessionRow;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    fn of(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            anyhow::bail!("unsupported database URL scheme")
        }
    }
}

/// A connection pool and the queries the product needs.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
}

impl Store {
    /// Connects and brings the schema up to date.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        install_default_drivers();
        let engine = Engine::of(url)?;
        let mut options = AnyPoolOptions::new()
            .max_connections(if engine == Engine::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(10));
        if engine == Engine::Sqlite {
            options = options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL lets readers run beside the one writer; waits instead of
                    // failing when another connection holds the write lock.
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;")
                        .await?;
                    Ok(())
                })
            });
        }
        // The URL can carry a password: never put it in an error message.
        let pool = options
            .connect(url)
            .await
            .context("connecting to the database")?;
        let migrator = match engine {
            Engine::Sqlite => &SQLITE_MIGRATIONS,
            Engine::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&pool)
            .await
            .context("running database migrations")?;
        Ok(Self { pool, engine })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// A round trip to the database, for the health check.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(drop)
    }
}

/// Reads a 0/1 flag column (kept as an integer so both engines agree).
fn flag(value: i64) -> bool {
    value != 0
}
