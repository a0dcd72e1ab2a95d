//! Storage behind a small interface: the services open a [`Tx`], call its
//! methods, and never see SQL. Every query runs inside a transaction, so an
//! operation that fails part-way leaves nothing behind. One set of portable
//! queries (`$1` parameters, integer timestamps and flags) runs on SQLite and
//! PostgreSQL alike through sqlx's `Any` driver; only the migrations differ
//! per engine. No rules live here: those are the domain's.

use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Connection, Executor, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::files;

/// A factor kind column's bit in SQL, as `domain::factors::MethodSet::bit`
/// gives it (a company's allowed methods are stored as these bits).
macro_rules! kind_bit {
    ($column:literal) => {
        concat!(
            "(CASE ",
            $column,
            " WHEN 'authenticator_app' THEN 1 WHEN 'sms' THEN 2 WHEN 'passkey' THEN 4 ELSE 0 END)"
        )
    };
}

/// Companies, their settings, users and memberships.
mod accounts;
/// Deadlines being announced to a company's members.
mod announcements;
/// Apps signing in through OpenID Connect: clients, codes, tokens, keys.
mod apps;
/// Guessing limits per user and kind of check.
mod attempts;
/// The security audit log.
mod audit;
/// WebAuthn ceremonies under way.
mod ceremonies;
/// Company settings and members.
mod companies;
/// The queue of emails to send.
mod email_queue;
/// Second factors of every kind.
mod factors;
/// Invitations to join a company.
mod invitations;
/// Messages kept by the outbox provider.
mod outbox;
/// Passkeys' credentials and their users' WebAuthn handles.
mod passkeys;
/// Links to choose a new password, and the requests for them.
mod password_resets;
/// The recovery code.
mod recovery;
/// Browser sessions.
mod sessions;
/// Codes sent by text message.
mod texted_codes;
/// Password sign-in throttles.
mod throttles;
/// Browsers trusted to skip the second step.
mod trusted_browsers;

pub use accounts::{Credentials, MembershipRow, ProfileRow, UserRow};
pub use announcements::{Announcement, Unenrolled};
pub use apps::{AppRow, CodeRow, NewApp, SigningKeyRow, TokenRow};
pub use audit::{AuditKind, AuditPage, AuditRow, Cursor, LogFilter};
pub use ceremonies::{CeremonyPurpose, CeremonyRow, NewCeremony};
pub use companies::{CompanyMember, CompanySettings, LARGE_COMPANY, MemberQuery};
pub use email_queue::{NewEmail, QueuedEmail};
pub use factors::{FactorRow, kind_name};
pub use invitations::{InvitationRow, NewInvitation};
pub use passkeys::{PasskeyRow, PasskeyUse};
pub use password_resets::PasswordResetRow;
pub use sessions::{NewSession, SessionListRow, SessionRow};
pub use texted_codes::{Binding, CodeState, NewTextedCode, Purpose, TextedCodeRow};
pub use trusted_browsers::TrustedBrowserRow;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Engine {
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
    /// Where writes go: on SQLite one connection of its own, on PostgreSQL
    /// the pool.
    writes: AnyPool,
    engine: Engine,
    /// SQLite has one writer at a time: this process's write transactions
    /// queue here, in order, rather than in SQLite's busy handler (which
    /// polls with sleeps of up to 100 ms and costs wake-ups and latency).
    writer: Option<Arc<Mutex<()>>>,
}

/// How long a write transaction waits for its turn before giving up.
const WRITER_WAIT: Duration = Duration::from_secs(10);

/// `path`, created private if needed, locked for this process alone (the
/// wait off the async threads); unlocked when the file is dropped.
async fn lock_file(path: PathBuf) -> anyhow::Result<std::fs::File> {
    tokio::task::spawn_blocking(move || {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        file.lock()
            .with_context(|| format!("locking {}", path.display()))?;
        Ok(file)
    })
    .await?
}

impl Store {
    /// Connects and brings the schema up to date.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        install_default_drivers();
        let engine = Engine::of(url)?;
        let database_file = sqlite_file(url);
        if let Some(path) = &database_file {
            // Created private before SQLite opens it; its -wal and -shm
            // files take the database file's permissions.
            files::create_private(path)?;
        }
        let max = match engine {
            Engine::Sqlite => 8,
            Engine::Postgres => 16,
        };
        // The URL can carry a password: never put it in an error message.
        let pool = pool_options(engine, max)
            .connect(url)
            .await
            .context("connecting to the database")?;
        let migrator = match engine {
            Engine::Sqlite => &SQLITE_MIGRATIONS,
            Engine::Postgres => &POSTGRES_MIGRATIONS,
        };
        // Instances starting together migrate one at a time: PostgreSQL's
        // advisory lock (sqlx takes it); for SQLite, which has none, a lock
        // on a file beside the database, held until the migrations are done.
        let _migrating = match &database_file {
            Some(path) => Some(lock_file(path.with_extension("migrating")).await?),
            None => None,
        };
        migrator
            .run(&pool)
            .await
            .context("running database migrations")?;
        if let Some(path) = &database_file {
            for suffix in ["", "-wal", "-shm"] {
                let mut name = path.clone().into_os_string();
                name.push(suffix);
                files::private_file(&PathBuf::from(name))?;
            }
        }
        let writer = (engine == Engine::Sqlite).then(|| Arc::new(Mutex::new(())));
        // SQLite's writes, one at a time anyway, all go through one
        // connection of their own: no other connection writes, so its page
        // cache stays valid from one write to the next (a connection that
        // sees another's write discards its cache and reads the pages again).
        // (An in-memory database exists once per connection: it keeps one.)
        let writes = match (engine, &database_file) {
            (Engine::Sqlite, Some(_)) => pool_options(engine, 1)
                .connect(url)
                .await
                .context("connecting to the database")?,
            _ => pool.clone(),
        };
        Ok(Self {
            pool,
            writes,
            engine,
            writer,
        })
    }

    /// A transaction that may write. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`): a deferred transaction that reads and then
    /// writes fails outright when another connection wrote in between, while
    /// an immediate one waits its turn (`busy_timeout`).
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        let turn = self.write_turn().await?;
        let tx = match self.engine {
            Engine::Sqlite => self.writes.begin_with("BEGIN IMMEDIATE").await?,
            Engine::Postgres => self.writes.begin().await?,
        };
        Ok(Tx {
            inner: Conn::Writing(tx),
            engine: self.engine,
            _turn: turn,
        })
    }

    /// A connection for reading, outside any transaction: each statement
    /// sees the latest committed state, and no BEGIN or COMMIT round trips
    /// are paid (they were a third of `GET /api/me`'s). Reads that must
    /// agree with a write belong in that write's transaction ([`Store::begin`]).
    pub async fn read(&self) -> Result<Tx, sqlx::Error> {
        Ok(Tx {
            inner: Conn::Autocommit(self.pool.acquire().await?),
            engine: self.engine,
            _turn: None,
        })
    }

    /// A connection whose statements each commit on their own, for one
    /// conditional write that needs no transaction around it (a single
    /// round trip instead of BEGIN, the write and COMMIT). On SQLite it
    /// holds the write turn, as [`Store::begin`] does.
    pub async fn single_writes(&self) -> Result<Tx, sqlx::Error> {
        let turn = self.write_turn().await?;
        Ok(Tx {
            inner: Conn::Autocommit(self.writes.acquire().await?),
            engine: self.engine,
            _turn: turn,
        })
    }

    /// SQLite's one writer at a time (in this process), waited for.
    async fn write_turn(&self) -> Result<Option<OwnedMutexGuard<()>>, sqlx::Error> {
        match &self.writer {
            Some(writer) => Ok(Some(
                tokio::time::timeout(WRITER_WAIT, writer.clone().lock_owned())
                    .await
                    .map_err(|_| sqlx::Error::PoolTimedOut)?,
            )),
            None => Ok(None),
        }
    }

    /// A round trip to the database, for the health check.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(drop)
    }
}

/// One database transaction (or, from [`Store::read`], a connection that
/// only reads); every query of the product is a method of it. Dropped
/// without [`Tx::commit`], a transaction rolls back.
pub struct Tx {
    inner: Conn,
    engine: Engine,
    /// A write transaction's turn (SQLite), released when it ends.
    _turn: Option<OwnedMutexGuard<()>>,
}

enum Conn {
    Writing(Transaction<'static, Any>),
    /// No transaction: each statement commits on its own.
    Autocommit(PoolConnection<Any>),
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.inner {
            Conn::Writing(tx) => tx.commit().await,
            Conn::Autocommit(_) => Ok(()),
        }
    }

    fn conn(&mut self) -> &mut sqlx::AnyConnection {
        match &mut self.inner {
            Conn::Writing(tx) => tx,
            Conn::Autocommit(conn) => conn,
        }
    }

    /// Serialises this transaction with every other that locks one of
    /// `keys` (held until it ends): a transaction-scoped advisory lock on
    /// PostgreSQL, where several instances write at once; SQLite's write
    /// transactions take turns anyway. Callers lock keys in one fixed order.
    pub async fn lock_keys(&mut self, keys: &[&str]) -> Result<(), sqlx::Error> {
        if self.engine == Engine::Postgres {
            for key in keys {
                sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                    .bind(*key)
                    .execute(self.conn())
                    .await?;
            }
        }
        Ok(())
    }

    /// `FOR UPDATE` where the engine has row locks; SQLite's write
    /// transactions (`BEGIN IMMEDIATE`) are serialised anyway.
    fn for_update(&self) -> &'static str {
        match self.engine {
            Engine::Sqlite => "",
            Engine::Postgres => " FOR UPDATE",
        }
    }
}

/// The pool's settings for `engine`, with at most `max` connections.
fn pool_options(engine: Engine, max: u32) -> AnyPoolOptions {
    let mut options = AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(10))
        // SQLite is a local file: no acquire-time ping (a round trip
        // to the connection's thread on every acquire).
        .test_before_acquire(engine != Engine::Sqlite)
        // A connection must come back from its last user outside any
        // transaction. One that did not (seen under load when requests
        // are cancelled mid-flight: its BEGIN IMMEDIATE kept SQLite's
        // write lock, and every writer then failed after busy_timeout)
        // is closed, which ends its transaction, rather than reused. A
        // rollback still queued on it is waited for first (the ping).
        .before_acquire(|conn, _meta| {
            Box::pin(async move {
                if conn.is_in_transaction() {
                    conn.ping().await?;
                }
                let clean = !conn.is_in_transaction();
                if !clean {
                    tracing::warn!("a pooled connection was still in a transaction: closed");
                }
                Ok(clean)
            })
        });
    if engine == Engine::Sqlite {
        options = options.after_connect(|conn, _meta| {
            Box::pin(async move {
                // WAL lets readers run beside the one writer; waits instead of
                // failing when another connection holds the write lock.
                conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 4000;")
                    .await?;
                Ok(())
            })
        });
    }
    options
}

/// The database file of a `sqlite:` URL (none for an in-memory database).
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// Reads a 0/1 flag column (kept as an integer so both engines agree).
fn flag(value: i64) -> bool {
    value != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_database_file_of_sqlite_urls() {
        assert_eq!(
            sqlite_file("sqlite://./data/mfa.db?mode=rwc"),
            Some(PathBuf::from("./data/mfa.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:///var/lib/mfa.db"),
            Some(PathBuf::from("/var/lib/mfa.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
    }
}
