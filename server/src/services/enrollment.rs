//! Confirming a factor of any kind being added with its first answer, and
//! what that ends with: the factor confirmed (replacing the user's earlier one of that
//! kind), the preferred factor, the recovery code with the first factor,
//! the session's stage, the other sessions ended and the audit event, all
//! in the caller's transaction.

use mfa_api::Me;

use super::answer::{self, CheckError, FactorAnswer, Occasion, Verdict};
use super::limits;
use super::notify;
use super::recovery::{self, FreshCode};
use super::session::{self, LiveSession};
use super::{Actor, Deps, factors, profile};
use crate::domain::access;
use crate::domain::attempts::AttemptKind;
use crate::domain::factors::preferred_to_set;
use crate::domain::oidc::Method;
use crate::domain::passkey;
use crate::domain::recovery::RecoveryCode;
use crate::domain::session::SessionToken;
use crate::mail::templates::SecurityEvent;
use crate::store::{FactorRow, Tx, kind_name};

/// After confirming: the user as they now stand, and the recovery code when
/// this was their first factor (to show once).
#[derive(Debug)]
pub struct Confirmed {
    pub me: Me,
    pub recovery_code: Option<RecoveryCode>,
    /// The session's new cookie, when it rose a stage (must enroll -> full).
    pub session: Option<SessionToken>,
    /// The factor just confirmed.
    pub factor_id: i64,
}

/// Confirms the factor of `answer`'s kind being added with its first
/// answer (a code from the new authenticator, the code texted to the new
/// number, the new passkey's credential); the rest is [`finish`], in the
/// same transaction.
pub async fn confirm(
    deps: &Deps,
    session: &LiveSession,
    ip: Option<&str>,
    answer: FactorAnswer,
) -> Result<Confirmed, CheckError> {
    let actor = Actor {
        user_id: session.user_id,
        ip,
    };
    let now = deps.now();
    let kind = answer.kind();
    let claimed = limits::claim(deps, actor, AttemptKind::SecondFactor).await??;
    let fresh = first_factor_code(deps, actor.user_id).await?;
    let mut tx = deps.begin().await?;
    // Turned off by a company since the person started adding it.
    factors::ensure_addable(&mut tx, actor.user_id, kind, now).await?;
    let occasion = Occasion::Enroll {
        session_hash: session.id.as_str(),
    };
    let pending = match answer::check(&mut tx, deps, actor.user_id, &answer, occasion).await? {
        Verdict::Accepted(pending) => pending,
        Verdict::Refused(refusal) => {
            return Err(answer::refused(tx, actor, kind, refusal, occasion, claimed, now).await?);
        }
    };
    limits::give_back(&mut tx, actor.user_id, AttemptKind::SecondFactor).await?;
    finish(tx, deps, session, actor, &pending, fresh, now).await
}

/// The recovery code the first factor brings, hashed before the
/// confirming transaction (argon2 is slow: no transaction waits on it);
/// `None` when the user has one already.
async fn first_factor_code(deps: &Deps, user_id: i64) -> Result<Option<FreshCode>, CheckError> {
    let has_code = deps.read().await?.recovery_code(user_id).await?.is_some();
    Ok(match has_code {
        true => None,
        false => Some(recovery::fresh(deps).await?),
    })
}

/// Confirms `pending`, whose answer was right, and commits.
async fn finish(
    mut tx: Tx,
    deps: &Deps,
    session: &LiveSession,
    actor: Actor<'_>,
    pending: &FactorRow,
    fresh: Option<FreshCode>,
    now: i64,
) -> Result<Confirmed, CheckError> {
    let gone = || CheckError::NoPendingEnrollment(pending.kind);
    if !tx.confirm_factor(actor.user_id, pending.id, now).await? {
        return Err(gone());
    }
    // One factor of each kind but passkeys: the new one replaces the old,
    // and keeps its place as the preferred one.
    for old in tx.factors(actor.user_id).await? {
        if old.kind == pending.kind && old.id != pending.id && !passkey::several_allowed(old.kind) {
            tx.delete_factor(actor.user_id, old.id).await?;
            if old.preferred {
                tx.set_preferred_factor(actor.user_id, pending.id).await?;
            }
            notify::security_event(
                &mut tx,
                deps,
                actor,
                SecurityEvent::FactorRemoved { factor: old.kind },
                "",
                now,
            )
            .await?;
        }
    }
    let factors = tx.factors(actor.user_id).await?;
    if let Some(id) = preferred_to_set(factors.iter().map(|f| (f.id, f.preferred))) {
        tx.set_preferred_factor(actor.user_id, id).await?;
    }
    notify::security_event(
        &mut tx,
        deps,
        actor,
        SecurityEvent::FactorAdded {
            factor: pending.kind,
        },
        "",
        now,
    )
    .await?;
    let recovery_code = match (tx.recovery_code(actor.user_id).await?, fresh) {
        (Some(_), _) => None,
        (None, Some(fresh)) => {
            tx.set_recovery_code(actor.user_id, &fresh.hash, now)
                .await?;
            Some(fresh.code)
        }
        // The last factor was removed meanwhile (with the code): start again.
        (None, None) => return Err(gone()),
    };
    session::end_others(&mut tx, session).await?;
    // The code just confirmed proves the factor within this sign-in.
    let methods = session
        .methods
        .clone()
        .with(Method::of_factor(pending.kind));
    tx.set_session_methods(&session.id, &methods).await?;
    let stage = access::stage_after_enrollment(session.stage);
    let reissued = match stage != session.stage {
        true => Some(
            session::reissue(&mut tx, deps, session, stage, session.reauth_until)
                .await
                .map_err(|e| match e {
                    session::SessionError::NotSignedIn => gone(),
                    session::SessionError::Internal(e) => CheckError::Internal(e),
                })?,
        ),
        false => None,
    };
    let me = profile::load_existing(&mut tx, actor.user_id, stage, deps.now()).await?;
    crate::faults::point("enrollment.commit");
    tx.commit().await?;
    tracing::info!(
        user_id = actor.user_id,
        factor_id = pending.id,
        kind = kind_name(pending.kind),
        "factor added"
    );
    Ok(Confirmed {
        me,
        recovery_code,
        session: reissued,
        factor_id: pending.id,
    })
}
