//! Guessing limits: every attempt is claimed, in its own committed
//! transaction, BEFORE the secret is compared, so neither parallel requests
//! nor a failure part-way can evaluate a guess that was not counted; a right
//! answer gives the count back. The policy per kind of check is the
//! domain's (`domain::attempts`).

use super::notify;
use super::{Actor, Deps};
use crate::domain::attempts::{AttemptKind, Attempts, Claim};
use crate::domain::clock::UnixTime;
use crate::mail::templates::SecurityEvent;
use crate::store::Tx;

/// Checks of this kind are refused until `until`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Locked {
    pub until: UnixTime,
    /// Seconds from now until then.
    pub wait: i64,
}

impl Locked {
    pub(super) fn new(until: UnixTime, now: UnixTime) -> Self {
        Self {
            until,
            wait: until - now,
        }
    }
}

/// Why an attempt was refused without being checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("locked until {}", .0.until)]
    Locked(Locked),
    /// Too many failures since the last success: this kind of check stays
    /// closed (factor codes reopen after a sign-in with the recovery code).
    #[error("closed after too many failures")]
    Closed,
}

/// A counted attempt, to check now.
#[derive(Clone, Copy, Debug)]
#[must_use]
pub(super) struct Claimed {
    /// Set when this attempt started a lock: a wrong answer gets it.
    locks: Option<Locked>,
}

impl Claimed {
    /// What a wrong answer gets: the lock it started, or `wrong`.
    pub fn wrong<E: From<Refused>>(self, wrong: E) -> E {
        match self.locks {
            Some(locked) => E::from(Refused::Locked(locked)),
            None => wrong,
        }
    }
}

/// Counts one attempt (committed at once), or refuses it while the check is
/// locked or closed. The claim that starts a lock is audited.
///
/// Usually one conditional write: the count read, then set one higher only
/// if it is still what was read (`swap_attempts`), each statement
/// committed alone. Another claim in between (the write finds the count
/// moved) or a claim that starts a lock (its audit event and email go in
/// the same transaction) takes the transactional path, which counts it
/// all the same.
pub(super) async fn claim(
    deps: &Deps,
    actor: Actor<'_>,
    kind: AttemptKind,
) -> Result<Result<Claimed, Refused>, sqlx::Error> {
    let now = deps.now();
    let mut single = deps.store.single_writes().await?;
    let before = single.attempts(actor.user_id, kind).await?;
    match before.claim(kind.policy(), now) {
        Claim::Locked(until) => return Ok(Err(Refused::Locked(Locked::new(until, now)))),
        Claim::Closed => return Ok(Err(Refused::Closed)),
        Claim::Granted { after, locks: None } => {
            if single
                .swap_attempts(actor.user_id, kind, before, after)
                .await?
            {
                return Ok(Ok(Claimed { locks: None }));
            }
        }
        Claim::Granted { locks: Some(_), .. } => {}
    }
    // Released first: the transaction takes SQLite's write turn too.
    drop(single);
    claim_in_transaction(deps, actor, kind, now).await
}

/// [`claim`] in a transaction that holds the count's row until it ends.
async fn claim_in_transaction(
    deps: &Deps,
    actor: Actor<'_>,
    kind: AttemptKind,
    now: UnixTime,
) -> Result<Result<Claimed, Refused>, sqlx::Error> {
    let mut tx = deps.begin().await?;
    let attempts = tx.attempts_for_update(actor.user_id, kind).await?;
    let (after, locks) = match attempts.claim(kind.policy(), now) {
        Claim::Granted { after, locks } => (after, locks),
        Claim::Locked(until) => return Ok(Err(Refused::Locked(Locked::new(until, now)))),
        Claim::Closed => return Ok(Err(Refused::Closed)),
    };
    tx.set_attempts(actor.user_id, kind, after).await?;
    if locks.is_some() {
        tracing::warn!(
            user_id = actor.user_id,
            kind = kind.as_str(),
            failures = after.failures,
            "locked after too many attempts"
        );
        notify::security_event(
            &mut tx,
            deps,
            actor,
            SecurityEvent::Lockout,
            kind.as_str(),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Ok(Claimed {
        locks: locks.map(|until| Locked::new(until, now)),
    }))
}

/// A right answer, in the operation's transaction: the count of this kind
/// starts again (and a lock its own claim started is lifted).
pub(super) async fn give_back(
    tx: &mut Tx,
    user_id: i64,
    kind: AttemptKind,
) -> Result<(), sqlx::Error> {
    tx.set_attempts(user_id, kind, Attempts::default()).await
}
