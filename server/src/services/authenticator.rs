//! The authenticator app (TOTP): adding or replacing one, and checking the
//! codes it shows, at enrollment and at sign-in alike.

use mfa_api::{FactorKind, Me, PRODUCT_NAME};

use super::limits::{self, Refused};
use super::session::LiveSession;
use super::{Actor, Deps, hash_error, internal_error, profile, recovery, session};
use crate::domain::access;
use crate::domain::attempts::AttemptKind;
use crate::domain::clock::UnixTime;
use crate::domain::factors::{pending_is_live, preferred_to_set};
use crate::domain::recovery::RecoveryCode;
use crate::domain::seal;
use crate::domain::totp::{self, TotpCode, TotpRejection, TotpSecret};
use crate::store::{AuditKind, FactorRow, Tx, kind_name};

const KIND: FactorKind = FactorKind::AuthenticatorApp;

/// A pending authenticator, to scan and confirm.
#[derive(Debug)]
pub struct Enrollment {
    pub factor_id: i64,
    /// `otpauth://totp/...`, for the QR code.
    pub otpauth_uri: String,
    pub secret: TotpSecret,
}

/// After confirming: the user as they now stand, and the recovery code when
/// this was their first factor (to show once).
#[derive(Debug)]
pub struct Confirmed {
    pub me: Me,
    pub recovery_code: Option<RecoveryCode>,
}

#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    /// Nothing to confirm: never started, replaced, or already confirmed.
    #[error("no authenticator is waiting to be confirmed")]
    NoPendingEnrollment,
    #[error("wrong code")]
    WrongCode,
    #[error("code already used")]
    CodeAlreadyUsed,
    #[error("refused without checking: {0}")]
    Refused(#[from] Refused),
    /// Too many hashes are waiting: try again in a moment.
    #[error("the server is busy")]
    Busy,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(EnrollError);
hash_error!(EnrollError);

/// A new pending authenticator with a fresh secret, replacing any earlier
/// pending one (the caller has re-authenticated). It signs nobody in until
/// confirmed with a code.
pub async fn start(deps: &Deps, session: &LiveSession) -> Result<Enrollment, EnrollError> {
    let user_id = session.user_id;
    let secret = TotpSecret::generate(&mut deps.rng());
    let mut tx = deps.begin().await?;
    let user = tx
        .user(user_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("user {user_id} vanished"))?;
    let factor_id = tx
        .add_pending_factor(user_id, KIND, None, deps.now())
        .await?;
    let sealed = seal::seal(
        &deps.key,
        &seal::totp_owner(user_id, factor_id),
        secret.as_bytes(),
        &mut deps.rng(),
    );
    tx.set_factor_secret(factor_id, &sealed).await?;
    tx.commit().await?;
    Ok(Enrollment {
        factor_id,
        otpauth_uri: totp::otpauth_uri(PRODUCT_NAME, &user.email, &secret),
        secret,
    })
}

/// Confirms the pending authenticator with a code from it, in one
/// transaction: the factor, the replaced authenticator's removal, the
/// recovery code (with the first factor), the session's stage and the audit
/// events are written together or not at all.
pub async fn confirm(
    deps: &Deps,
    session: &LiveSession,
    ip: Option<&str>,
    code: &TotpCode,
) -> Result<Confirmed, EnrollError> {
    let actor = Actor {
        user_id: session.user_id,
        ip,
    };
    let now = deps.now();
    let claimed = limits::claim(deps, actor, AttemptKind::SecondFactor).await??;
    // The first factor brings the recovery code: hashed before the
    // transaction (argon2 is slow: no transaction waits on it).
    let first = deps
        .read()
        .await?
        .recovery_code(actor.user_id)
        .await?
        .is_none();
    let fresh = match first {
        true => Some(recovery::fresh(deps).await?),
        false => None,
    };
    let mut tx = deps.begin().await?;
    let pending = tx
        .pending_factor(actor.user_id, KIND)
        .await?
        .filter(|factor| pending_is_live(factor.created_at, now))
        .ok_or(EnrollError::NoPendingEnrollment)?;
    match check_code(&mut tx, deps, actor.user_id, &pending, code).await? {
        CodeCheck::Accepted => {}
        CodeCheck::Replayed => {
            replayed(tx, actor, now).await?;
            return Err(EnrollError::CodeAlreadyUsed);
        }
        CodeCheck::Wrong => return Err(claimed.wrong(EnrollError::WrongCode)),
    }
    limits::give_back(&mut tx, actor.user_id, AttemptKind::SecondFactor).await?;
    if !tx.confirm_factor(actor.user_id, pending.id, now).await? {
        return Err(EnrollError::NoPendingEnrollment);
    }
    // One authenticator app per user: the new one replaces the old.
    for old in tx.factors(actor.user_id).await? {
        if old.kind == KIND && old.id != pending.id {
            tx.delete_factor(actor.user_id, old.id).await?;
            tx.audit(
                actor.user_id,
                AuditKind::FactorRemoved,
                kind_name(KIND),
                actor.ip,
                now,
            )
            .await?;
        }
    }
    let factors = tx.factors(actor.user_id).await?;
    if let Some(id) = preferred_to_set(factors.iter().map(|f| (f.id, f.preferred))) {
        tx.set_preferred_factor(actor.user_id, id).await?;
    }
    tx.audit(
        actor.user_id,
        AuditKind::FactorAdded,
        kind_name(KIND),
        actor.ip,
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
        (None, None) => return Err(EnrollError::NoPendingEnrollment),
    };
    let stage = access::stage_after_enrollment(session.stage);
    if stage != session.stage {
        tx.set_session_stage(&session.id, stage).await?;
    }
    session::end_others(&mut tx, session).await?;
    let me = profile::load_existing(&mut tx, actor.user_id, stage).await?;
    tx.commit().await?;
    tracing::info!(
        user_id = actor.user_id,
        factor_id = pending.id,
        "authenticator app added"
    );
    Ok(Confirmed { me, recovery_code })
}

/// Audits a right code typed again (a sign of a shoulder-surfed or phished code).
pub(super) async fn replayed(
    mut tx: Tx,
    actor: Actor<'_>,
    now: UnixTime,
) -> Result<(), sqlx::Error> {
    tx.audit(
        actor.user_id,
        AuditKind::CodeReplayed,
        kind_name(KIND),
        actor.ip,
        now,
    )
    .await?;
    tx.commit().await
}

/// What a code typed for an authenticator turned out to be.
pub(super) enum CodeCheck {
    /// Right, and its time step is now used up.
    Accepted,
    Wrong,
    /// Right, but its time step (or a later one) was already used.
    Replayed,
}

/// Checks `code` against the factor's secret and claims its time step with a
/// conditional write, so of concurrent requests with one code exactly one
/// is accepted. Counting wrong answers is the caller's.
pub(super) async fn check_code(
    tx: &mut Tx,
    deps: &Deps,
    user_id: i64,
    factor: &FactorRow,
    code: &TotpCode,
) -> anyhow::Result<CodeCheck> {
    let secret = seal::open(
        &deps.key,
        &seal::totp_owner(user_id, factor.id),
        &factor.secret_sealed,
    )
    .map_err(|e| anyhow::Error::new(e).context(format!("authenticator {}", factor.id)))?;
    let secret = TotpSecret::from_bytes(secret);
    let now = deps.now();
    Ok(match totp::verify(&secret, code, now, factor.last_step) {
        Ok(step) if tx.claim_factor_step(factor.id, step, now).await? => CodeCheck::Accepted,
        Ok(_) | Err(TotpRejection::Replayed) => CodeCheck::Replayed,
        Err(TotpRejection::Wrong) => CodeCheck::Wrong,
    })
}
