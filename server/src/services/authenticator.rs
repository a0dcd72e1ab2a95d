//! The authenticator app (TOTP): adding or replacing one, and checking the
//! codes it shows, at enrollment and at sign-in alike.

use mfa_api::{FactorKind, PRODUCT_NAME};

pub use super::enrollment::{Confirmed, EnrollError};
use super::limits;
use super::session::LiveSession;
use super::{Actor, Deps, enrollment};
use crate::domain::attempts::AttemptKind;
use crate::domain::clock::UnixTime;
use crate::domain::factors::pending_is_live;
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

/// Confirms the pending authenticator with a code from it; the rest is
/// [`enrollment::finish`], in the same transaction.
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
    let fresh = enrollment::first_factor_code(deps, actor.user_id).await?;
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
        CodeCheck::Wrong => {
            // Still wrong, and counted; but the person holds the secret, so
            // a code from a clock a few minutes off can say so.
            let wrong = match clock_drift(deps, actor.user_id, &pending, code)? {
                Some(steps) => EnrollError::ClockDrift { steps },
                None => EnrollError::WrongCode,
            };
            return Err(claimed.wrong(wrong));
        }
    }
    limits::give_back(&mut tx, actor.user_id, AttemptKind::SecondFactor).await?;
    enrollment::finish(tx, deps, session, actor, &pending, fresh, now).await
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

/// For a wrong code at enrollment: how many steps off the phone's clock is.
fn clock_drift(
    deps: &Deps,
    user_id: i64,
    factor: &FactorRow,
    code: &TotpCode,
) -> anyhow::Result<Option<i64>> {
    let secret = open_secret(deps, user_id, factor)?;
    Ok(totp::clock_drift(&secret, code, deps.now()))
}

fn open_secret(deps: &Deps, user_id: i64, factor: &FactorRow) -> anyhow::Result<TotpSecret> {
    let secret = seal::open(
        &deps.key,
        &seal::totp_owner(user_id, factor.id),
        &factor.secret_sealed,
    )
    .map_err(|e| anyhow::Error::new(e).context(format!("authenticator {}", factor.id)))?;
    Ok(TotpSecret::from_bytes(secret))
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
    let secret = open_secret(deps, user_id, factor)?;
    let now = deps.now();
    Ok(match totp::verify(&secret, code, now, factor.last_step) {
        Ok(step) if tx.claim_factor_step(factor.id, step, now).await? => CodeCheck::Accepted,
        Ok(_) | Err(TotpRejection::Replayed) => CodeCheck::Replayed,
        Err(TotpRejection::Wrong) => CodeCheck::Wrong,
    })
}
