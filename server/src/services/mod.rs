//! The product's operations, one module per capability, between the HTTP
//! handlers and storage. Each operation takes [`Deps`] (store, clock, random
//! source, server key), runs in one database transaction that also writes its
//! audit events, and returns its own error enum. Nothing here knows HTTP.

use std::sync::Arc;

use crate::domain::clock::{Clock, UnixTime};
use crate::domain::random::{Draw, RandomSource};
use crate::keys::ServerKey;
use crate::mail::Mailer;
use crate::sms::SmsProvider;
use crate::store::{Store, Tx};
use hashing::Hashing;

/// A person's recent security activity, and a company's audit log.
pub mod activity;
/// A factor's answer and how each kind checks it (second step, enrollment).
pub mod answer;
/// A company's apps (OpenID Connect clients), for its admins.
pub mod apps;
/// The authenticator app: adding (or replacing) one, and checking its codes.
pub mod authenticator;
/// A company's MFA policy and deadline, for its admins.
pub mod company_policy;
/// Where a person is signed in, and the browsers they trusted.
pub mod devices;
/// Confirming a factor of any kind being added, and what that ends with.
pub mod enrollment;
/// Listing and removing factors of every kind.
pub mod factors;
/// Who a reverse proxy's request belongs to.
pub mod forward_auth;
/// Bounded argon2: a hash per core at a time, in reused memory.
pub mod hashing;
/// Clearing out expired sessions in the background.
pub mod housekeeping;
/// Importing members from a CSV file.
pub mod import;
/// Inviting people to a company, and joining it.
pub mod invitations;
/// Guessing limits shared by every check, with their audit trail.
mod limits;
/// A company's members: the list, roles, removal.
pub mod members;
/// What is emailed, its queue, and the worker that sends it.
pub mod notify;
/// The OpenID Connect provider: authorization, tokens, user info, logout.
pub mod oidc;
/// Messages the outbox kept (demo mode).
pub mod outbox;
/// Passkeys: the relying party, registering one, signing in with one.
pub mod passkeys;
/// Changing a password, and choosing a new one after forgetting it.
pub mod password;
/// Phone numbers: adding or changing one, texting and checking codes.
pub mod phone;
/// The signed-in user's view of themselves.
pub mod profile;
/// Confirming the password for sensitive actions.
pub mod reauth;
/// Generating the recovery code.
pub mod recovery;
/// Running a rollout: readiness, reminders, CSV, resets.
pub mod rollout;
/// The second step of sign-in: a factor's code, or the recovery code.
pub mod second_step;
/// Sessions: finding the live one, starting and ending them.
pub mod session;
/// The password step of sign-in.
pub mod sign_in;
/// The keys that sign ID tokens.
pub mod signing_keys;

pub use limits::{Locked, Refused};

/// What every operation runs on. Cheap to clone.
#[derive(Clone)]
pub struct Deps {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn RandomSource>,
    pub key: Arc<ServerKey>,
    /// Where every argon2 hash is computed.
    pub hashing: Arc<Hashing>,
    /// Verified against when an email is unknown (see `sign_in`).
    pub decoy_hash: Arc<str>,
    /// Where texted codes go.
    pub sms: Arc<SmsProvider>,
    /// The public host name, for the origin-bound line of texted codes.
    pub host: Arc<str>,
    /// Where emails go.
    pub mailer: Arc<Mailer>,
    /// `MFA_PUBLIC_URL`, for links in emails.
    pub public_url: Arc<str>,
    /// Days before a deadline that reminders go (`MFA_REMINDER_DAYS`).
    pub reminder_days: Arc<[i64]>,
    /// Audit events older than this many seconds are deleted
    /// (`MFA_AUDIT_RETENTION_DAYS`).
    pub audit_retention_secs: i64,
    /// The WebAuthn relying party; none when the public URL is an IP
    /// address (passkeys are then off).
    pub passkeys: Option<Arc<webauthn_rs::Webauthn>>,
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

/// For service errors that hash (argon2): a full hashing queue is `Busy`.
macro_rules! hash_error {
    ($($error:ty),* $(,)?) => {$(
        impl From<$crate::services::hashing::HashError> for $error {
            fn from(e: $crate::services::hashing::HashError) -> Self {
                match e {
                    $crate::services::hashing::HashError::Busy => Self::Busy,
                    $crate::services::hashing::HashError::Failed(e) => Self::Internal(e),
                }
            }
        }
    )*};
}
use hash_error;
