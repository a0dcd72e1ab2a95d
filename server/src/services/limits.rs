//! Guessing limits inside an operation's transaction: refuse while locked,
//! count a wrong answer (auditing the one that locks), reset on a right one.
//! The policy per kind of check is the domain's (`domain::attempts`).

use super::Actor;
use crate::domain::attempts::AttemptKind;
use crate::domain::clock::UnixTime;
use crate::store::{AuditKind, Tx};

/// Far more rounds than concurrent requests of one user can force.
const CAS_ROUNDS: usize = 64;

/// Checks of this kind are refused until `until`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Locked {
    pub until: UnixTime,
    /// Seconds from now until then.
    pub wait: i64,
}

impl Locked {
    fn new(until: UnixTime, now: UnixTime) -> Self {
        Self {
            until,
            wait: until - now,
        }
    }
}

/// `Err(Locked)` while this kind of check is locked for the user.
pub(super) async fn ensure_unlocked(
    tx: &mut Tx,
    user_id: i64,
    kind: AttemptKind,
    now: UnixTime,
) -> Result<Result<(), Locked>, sqlx::Error> {
    let attempts = tx.attempts(user_id, kind).await?;
    Ok(match attempts.locked(now) {
        Some(until) => Err(Locked::new(until, now)),
        None => Ok(()),
    })
}

/// Counts one wrong answer and commits the count (it must stick, though the
/// operation fails); `Some(Locked)` when this one locked the check (then
/// audited).
pub(super) async fn wrong_answer(
    mut tx: Tx,
    actor: Actor<'_>,
    kind: AttemptKind,
    now: UnixTime,
) -> Result<Option<Locked>, sqlx::Error> {
    let locked = count_failure(&mut tx, actor, kind, now).await?;
    tx.commit().await?;
    Ok(locked)
}

async fn count_failure(
    tx: &mut Tx,
    actor: Actor<'_>,
    kind: AttemptKind,
    now: UnixTime,
) -> Result<Option<Locked>, sqlx::Error> {
    for _ in 0..CAS_ROUNDS {
        let before = tx.attempts(actor.user_id, kind).await?;
        let after = before.after_failure(kind.policy(), now);
        if !tx.swap_attempts(actor.user_id, kind, before, after).await? {
            continue;
        }
        let Some(until) = after.locked(now) else {
            return Ok(None);
        };
        tracing::warn!(
            user_id = actor.user_id,
            kind = kind.as_str(),
            "locked after too many wrong answers"
        );
        tx.audit(
            actor.user_id,
            AuditKind::Lockout,
            kind.as_str(),
            actor.ip,
            now,
        )
        .await?;
        return Ok(Some(Locked::new(until, now)));
    }
    Err(sqlx::Error::Protocol(
        "attempt counter kept changing under concurrent updates".into(),
    ))
}

pub(super) async fn right_answer(
    tx: &mut Tx,
    user_id: i64,
    kind: AttemptKind,
) -> Result<(), sqlx::Error> {
    tx.reset_failures(user_id, kind).await
}
