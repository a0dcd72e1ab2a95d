//! Second factors of every kind, treated alike: removing one, choosing the
//! preferred one, naming a passkey (listing them is part of the profile).

use mfa_api::{FactorKind, Me};

use super::notify;
use super::session::{self, LiveSession};
use super::{Actor, Deps, internal_error, profile};
use crate::domain::access;
use crate::domain::access::MfaDuty;
use crate::domain::clock::UnixTime;
use crate::domain::factors::preferred_to_set;
use crate::domain::passkey::PasskeyName;
use crate::mail::templates::SecurityEvent;
use crate::store::{FactorRow, Tx};

#[derive(Debug, thiserror::Error)]
pub enum FactorError {
    /// No confirmed factor of this user has that id.
    #[error("no such factor")]
    NotFound,
    /// MFA is required and this is the last factor.
    #[error("the last factor must stay")]
    FactorRequired,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(FactorError);

/// What the user's memberships ask of them at `now` (`domain::access`).
pub(super) async fn duties(
    tx: &mut Tx,
    user_id: i64,
    now: UnixTime,
) -> Result<Vec<MfaDuty>, sqlx::Error> {
    Ok(tx
        .memberships(user_id)
        .await?
        .iter()
        .map(|m| m.mfa_duty(now))
        .collect())
}

/// The user's factors that still finish a sign-in at `now` (a method a
/// company turned off stops at its deadline).
pub(super) fn usable(factors: Vec<FactorRow>, duties: &[MfaDuty], now: UnixTime) -> Vec<FactorRow> {
    factors
        .into_iter()
        .filter(|f| access::usable(f.kind, duties.iter().copied(), now))
        .collect()
}

/// How many of `factors` count as enrolled for the user's companies.
pub(super) fn counting(factors: &[FactorRow], duties: &[MfaDuty]) -> usize {
    factors
        .iter()
        .filter(|f| access::counts(f.kind, duties.iter().copied()))
        .count()
}

/// Refuses a method the user's companies do not allow (adding one).
pub(super) async fn ensure_addable(
    tx: &mut Tx,
    user_id: i64,
    kind: FactorKind,
    now: UnixTime,
) -> Result<(), NotAllowed> {
    let duties = duties(tx, user_id, now).await.map_err(NotAllowed::Store)?;
    match access::addable(duties).contains(kind) {
        true => Ok(()),
        false => Err(NotAllowed::Method(kind)),
    }
}

/// A method the company does not allow, or the store failed finding out.
#[derive(Debug, thiserror::Error)]
pub enum NotAllowed {
    #[error("the company does not allow this method")]
    Method(FactorKind),
    #[error(transparent)]
    Store(sqlx::Error),
}

/// Removes one of the user's factors (the caller has re-authenticated),
/// unless MFA is required and it is the last one. With no factor left, the
/// recovery code goes too; another factor becomes preferred if needed.
pub async fn remove(
    deps: &Deps,
    live: &LiveSession,
    ip: Option<&str>,
    factor_id: i64,
) -> Result<Me, FactorError> {
    let actor = Actor {
        user_id: live.user_id,
        ip,
    };
    let now = deps.now();
    let mut tx = deps.begin().await?;
    let factors = tx.factors(actor.user_id).await?;
    let factor = factors
        .iter()
        .find(|f| f.id == factor_id)
        .ok_or(FactorError::NotFound)?;
    let duties = duties(&mut tx, actor.user_id, now).await?;
    let requirement = access::requirement(duties.iter().copied(), now);
    let others: Vec<FactorRow> = factors
        .iter()
        .filter(|f| f.id != factor_id)
        .cloned()
        .collect();
    if !access::may_remove_factor(requirement, counting(&others, &duties)) {
        return Err(FactorError::FactorRequired);
    }
    if !tx.delete_factor(actor.user_id, factor_id).await? {
        return Err(FactorError::NotFound);
    }
    let remaining = tx.factors(actor.user_id).await?;
    if remaining.is_empty() {
        tx.delete_recovery_code(actor.user_id).await?;
        // No factor now: a deadline ahead will ask this session to enroll.
        tx.recheck_user_sessions(actor.user_id, now).await?;
    } else if let Some(id) = preferred_to_set(remaining.iter().map(|f| (f.id, f.preferred))) {
        tx.set_preferred_factor(actor.user_id, id).await?;
    }
    notify::security_event(
        &mut tx,
        deps,
        actor,
        SecurityEvent::FactorRemoved {
            factor: factor.kind,
        },
        "",
        now,
    )
    .await?;
    session::end_others(&mut tx, live).await?;
    let me = profile::load_existing(&mut tx, actor.user_id, live.stage, deps.now()).await?;
    tx.commit().await?;
    tracing::info!(user_id = actor.user_id, factor_id, "factor removed");
    Ok(me)
}

/// Makes one of the user's factors the one offered first at sign-in.
pub async fn set_preferred(
    deps: &Deps,
    live: &LiveSession,
    factor_id: i64,
) -> Result<Me, FactorError> {
    let mut tx = deps.begin().await?;
    if !tx
        .factors(live.user_id)
        .await?
        .iter()
        .any(|f| f.id == factor_id)
    {
        return Err(FactorError::NotFound);
    }
    tx.set_preferred_factor(live.user_id, factor_id).await?;
    let me = profile::load_existing(&mut tx, live.user_id, live.stage, deps.now()).await?;
    tx.commit().await?;
    Ok(me)
}

/// Names one of the user's passkeys (the only kind named by its owner).
pub async fn rename_passkey(
    deps: &Deps,
    live: &LiveSession,
    factor_id: i64,
    name: &PasskeyName,
) -> Result<Me, FactorError> {
    let mut tx = deps.begin().await?;
    if !tx
        .rename_factor(live.user_id, factor_id, FactorKind::Passkey, name.as_str())
        .await?
    {
        return Err(FactorError::NotFound);
    }
    let me = profile::load_existing(&mut tx, live.user_id, live.stage, deps.now()).await?;
    tx.commit().await?;
    Ok(me)
}
