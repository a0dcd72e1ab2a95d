//! The product's operations, one module per capability, between the HTTP
//! handlers and storage. Each operation takes [`Deps`] (store, clock, random
//! source, server key), runs in one database transaction that also writes its
//! audit events, and returns its own error enum. Nothing here knows HTTP.

use std::sync::Arc;

use crate::domain::clock::{Clock, UnixTime};
use crate::domain::random::{Draw, RandomSource};
use crate::keys::ServerKey;
use crate::store::{Store, Tx};

/// The authenticator app: adding (or replacing) one, and checking its codes.
pub mod authenticator;
/// Listing and removing factors of every kind.
pub mod factors;
/// Guessing limits shared by every check, with their audit trail.
mod limits;
/// The signed-in user's view of themselves.
pub mod profile;
/// Confirming the password for sensitive actions.
pub mod reauth;
/// Generating the recovery code.
pub mod recovery;
/// The second step of sign-in: a factor's code, or the recovery code.
pub mod second_step;
/// Sessions: finding the live one, starting and ending them.
pub mod session;
/// The password step of sign-in.
pub mod sign_in;

pub use limits::{Locked, Refused};

/// What every operation runs on. Cheap to clone.
#[derive(Clone)]
pub struct Deps {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn RandomSource>,
    pub key: Arc<ServerKey>,
    /// Verified against when an email is unknown (see `sign_in`).
    pub decoy_hash: Arc<str>,
}

impl Deps {
    pub fn now(&self) -> UnixTime {
        self.clock.now()
    }

    /// The random source as an `RngCore + CryptoRng`.
    pub fn rng(&self) -> Draw<'_> {
        Draw(self.random.as_ref())
    }

    async fn begin(&self) -> Result<Tx, sqlx::Error> {
        self.store.begin().await
    }

    async fn read(&self) -> Result<Tx, sqlx::Error> {
        self.store.read().await
    }
}

/// Who is acting, for limits and the audit log.
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    pub user_id: i64,
    /// The client's address, when known.
    pub ip: Option<&'a str>,
}

/// Runs CPU-heavy work (argon2) off the async executor.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    Ok(tokio::task::spawn_blocking(work).await?)
}

/// Each service error has an `Internal` variant for faults of ours (the
/// database, a blocking task); this gives it the conversions `?` needs.
macro_rules! internal_error {
    ($($error:ty),* $(,)?) => {$(
        impl From<sqlx::Error> for $error {
            fn from(e: sqlx::Error) -> Self {
                Self::Internal(anyhow::Error::new(e).context("database"))
            }
        }
    )*};
}
use internal_error;
