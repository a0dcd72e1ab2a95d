//! The second step of sign-in: an answer from one of the user's factors
//! (checked by `answer`, whatever its kind), or the recovery code. Success replaces the half-signed-in session with a full
//! one (a new id) in the same transaction that uses up the code.

use mfa_api::{Me, SessionStage, SignInFactor};

use super::answer::{self, CheckError, FactorAnswer, Occasion, Verdict};
use super::limits;
use super::notify;
use super::session::{self, LiveSession};
use super::{Actor, Deps, factors, profile, recovery};
use crate::domain::access;
use crate::domain::attempts::AttemptKind;
use crate::domain::device;
use crate::domain::oidc::{Method, Methods};
use crate::domain::recovery::RecoveryCode;
use crate::domain::session::{SessionIdHash, SessionToken};
use crate::mail::templates::SecurityEvent;
use crate::store::{AuditKind, FactorRow, Tx};

/// What the person gave, parsed.
#[derive(Debug)]
pub enum Answer {
    /// An answer from one of their factors.
    Factor(FactorAnswer),
    RecoveryCode(RecoveryCode),
}

/// Fully signed in.
#[derive(Debug)]
pub struct SignedIn {
    pub token: SessionToken,
    pub me: Me,
    /// After a recovery code: its replacement, to show once.
    pub new_recovery_code: Option<RecoveryCode>,
    /// A fresh known-device token for the browser (`domain::device`).
    pub device: String,
}

/// The factors offered at the second step, the preferred one first (not
/// those of a method a company turned off, once its deadline is past).
pub async fn offered(deps: &Deps, session: &LiveSession) -> Result<Vec<SignInFactor>, CheckError> {
    let mut tx = deps.read().await?;
    let now = deps.now();
    let duties = factors::duties(&mut tx, session.user_id, now).await?;
    let all = tx.factors(session.user_id).await?;
    Ok(offered_factors(factors::usable(all, &duties, now)))
}

/// How a user's factors are offered at the second step.
pub(super) fn offered_factors(factors: Vec<FactorRow>) -> Vec<SignInFactor> {
    factors
        .into_iter()
        .map(|f| SignInFactor {
            id: f.id,
            kind: f.kind,
            label: f.label,
        })
        .collect()
}

/// Checks the answer for the half-signed-in `session`.
pub async fn complete(
    deps: &Deps,
    session: &LiveSession,
    ip: Option<&str>,
    answer: Answer,
) -> Result<SignedIn, CheckError> {
    let actor = Actor {
        user_id: session.user_id,
        ip,
    };
    match answer {
        Answer::Factor(answer) => with_factor(deps, session, actor, answer).await,
        Answer::RecoveryCode(code) => with_recovery_code(deps, session, actor, code).await,
    }
}

/// An answer for one of the user's factors: the attempt is counted before
/// the answer is checked, a right one gives it back and records the
/// factor's use, and the session becomes a full one.
async fn with_factor(
    deps: &Deps,
    session: &LiveSession,
    actor: Actor<'_>,
    answer: FactorAnswer,
) -> Result<SignedIn, CheckError> {
    let kind = answer.kind();
    let claimed = limits::claim(deps, actor, AttemptKind::SecondFactor).await??;
    let mut tx = deps.begin().await?;
    let now = deps.now();
    let duties = factors::duties(&mut tx, actor.user_id, now).await?;
    if !access::usable(kind, duties, now) {
        return Err(CheckError::MethodNotAllowed(kind));
    }
    let occasion = Occasion::SignIn {
        session_hash: session.id.as_str(),
    };
    let factor = match answer::check(&mut tx, deps, actor.user_id, &answer, occasion).await? {
        Verdict::Accepted(factor) => factor,
        Verdict::Refused(refusal) => {
            return Err(answer::refused(tx, actor, kind, refusal, occasion, claimed, now).await?);
        }
    };
    answer::accepted(&mut tx, actor, &factor, now).await?;
    let methods = session.methods.clone().with(Method::of_factor(kind));
    signed_in(tx, deps, Some(&session.id), actor.user_id, methods, None).await
}

/// How the audit log names the recovery code as a way to sign in.
const RECOVERY_CODE: &str = "recovery_code";

/// Audits a failed second step.
async fn failed(deps: &Deps, actor: Actor<'_>, how: &str) -> Result<(), sqlx::Error> {
    let mut tx = deps.begin().await?;
    tx.audit(
        actor.user_id,
        AuditKind::SignInFailed,
        how,
        actor.ip,
        deps.now(),
    )
    .await?;
    tx.commit().await
}

/// The recovery code is compared (argon2) outside any transaction; using it
/// up, storing its replacement, the new session and the audit event are one
/// transaction, so a used code always comes with its session.
async fn with_recovery_code(
    deps: &Deps,
    session: &LiveSession,
    actor: Actor<'_>,
    code: RecoveryCode,
) -> Result<SignedIn, CheckError> {
    let now = deps.now();
    let claimed = limits::claim(deps, actor, AttemptKind::RecoveryCode).await??;
    let mut tx = deps.read().await?;
    let stored = tx.recovery_code(actor.user_id).await?;
    drop(tx);
    let matches = match &stored {
        Some((hash, _)) => {
            let hash = hash.clone();
            deps.hashing
                .run(move |memory| code.matches(&hash, memory))
                .await?
        }
        None => false,
    };
    let (Some((stored_hash, _)), true) = (stored, matches) else {
        failed(deps, actor, RECOVERY_CODE).await?;
        return Err(claimed.wrong(CheckError::WrongCode));
    };
    let fresh = recovery::fresh(deps).await?;
    let mut tx = deps.begin().await?;
    if !tx
        .consume_recovery_code(actor.user_id, &stored_hash)
        .await?
    {
        // Another request used it first.
        return Err(CheckError::WrongCode);
    }
    // The recovery code also reopens the factor codes, however many failed.
    limits::give_back(&mut tx, actor.user_id, AttemptKind::RecoveryCode).await?;
    limits::give_back(&mut tx, actor.user_id, AttemptKind::SecondFactor).await?;
    tx.set_recovery_code(actor.user_id, &fresh.hash, now)
        .await?;
    notify::security_event(
        &mut tx,
        deps,
        actor,
        SecurityEvent::RecoveryCodeUsed,
        "",
        now,
    )
    .await?;
    let methods = session.methods.clone().with(Method::RecoveryCode);
    signed_in(
        tx,
        deps,
        Some(&session.id),
        actor.user_id,
        methods,
        Some(fresh.code),
    )
    .await
}

/// Ends a sign-in with a second factor in the caller's transaction: a full
/// session signed in by `methods` replaces the browser's earlier one (the
/// half-signed-in session), and the browser gets a known-device token.
pub(super) async fn signed_in(
    mut tx: Tx,
    deps: &Deps,
    replacing: Option<&SessionIdHash>,
    user_id: i64,
    methods: Methods,
    new_recovery_code: Option<RecoveryCode>,
) -> Result<SignedIn, CheckError> {
    let stage = SessionStage::Full;
    // Signed in with a factor. Should none of the user's factors count for
    // their companies (a method turned off), their deadline holds them.
    let now = deps.now();
    let duties = factors::duties(&mut tx, user_id, now).await?;
    let counting = factors::counting(&tx.factors(user_id).await?, &duties);
    let recheck_at = access::recheck_at(stage, duties, counting, now);
    let token = session::start(
        &mut tx, deps, replacing, user_id, stage, recheck_at, &methods,
    )
    .await?;
    let mut me = profile::load_existing(&mut tx, user_id, stage, deps.now()).await?;
    me.passkey_offer = profile::passkey_offer(&mut tx, deps, &me, &methods).await?;
    let device_epoch = tx.device_epoch(user_id).await?;
    tx.commit().await?;
    tracing::info!(
        user_id,
        recovery = new_recovery_code.is_some(),
        "signed in with second factor"
    );
    Ok(SignedIn {
        token,
        me,
        new_recovery_code,
        device: device::issue(
            &deps.key,
            user_id,
            device_epoch,
            deps.now(),
            &mut deps.rng(),
        ),
    })
}
