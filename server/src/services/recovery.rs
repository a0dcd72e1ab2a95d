//! The recovery code: made with the first factor, shown once, replaced on
//! use or on request (which voids the old one).

use mfa_api::Me;

use super::hashing::HashError;
use super::notify;
use super::session::{self, LiveSession};
use super::{Actor, Deps, hash_error, internal_error, profile};
use crate::domain::recovery::RecoveryCode;
use crate::domain::slow_hash::Salt;
use crate::mail::templates::SecurityEvent;

/// A new code and its hash, made before the transaction that stores it
/// (argon2 is slow: no transaction waits on it).
pub(super) struct FreshCode {
    pub code: RecoveryCode,
    pub hash: String,
}

pub(super) async fn fresh(deps: &Deps) -> Result<FreshCode, HashError> {
    let code = RecoveryCode::generate(&mut deps.rng());
    let salt = Salt::generate(&mut deps.rng());
    let to_hash = code.clone();
    let hash = deps
        .hashing
        .run(move |memory| to_hash.hash(salt, memory))
        .await??;
    Ok(FreshCode { code, hash })
}

/// The new code, to show once, and the user as they now stand.
#[derive(Debug)]
pub struct Regenerated {
    pub code: RecoveryCode,
    pub me: Me,
}

#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    /// No factor yet: the recovery code comes with the first one.
    #[error("no second factor is set up")]
    NotEnrolled,
    /// Too many hashes are waiting: try again in a moment.
    #[error("the server is busy")]
    Busy,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(RecoveryError);
hash_error!(RecoveryError);

/// Voids the recovery code and makes a new one (the caller has re-authenticated).
pub async fn regenerate(
    deps: &Deps,
    live: &LiveSession,
    ip: Option<&str>,
) -> Result<Regenerated, RecoveryError> {
    let actor = Actor {
        user_id: live.user_id,
        ip,
    };
    let fresh = fresh(deps).await?;
    let mut tx = deps.begin().await?;
    if tx.factors(actor.user_id).await?.is_empty() {
        return Err(RecoveryError::NotEnrolled);
    }
    let now = deps.now();
    tx.set_recovery_code(actor.user_id, &fresh.hash, now)
        .await?;
    notify::security_event(
        &mut tx,
        deps,
        actor,
        SecurityEvent::RecoveryCodeRegenerated,
        "",
        now,
    )
    .await?;
    session::end_others(&mut tx, live).await?;
    let me = profile::load_existing(&mut tx, actor.user_id, live.stage, deps.now()).await?;
    tx.commit().await?;
    Ok(Regenerated {
        code: fresh.code,
        me,
    })
}
