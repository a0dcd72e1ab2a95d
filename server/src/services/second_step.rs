//! The second step of sign-in: an answer from one of the user's factors
//! (checked by `answer`, whatever its kind), or the recovery code. Success replaces the half-signed-in session with a full
//! one (a new id) in the same transaction that uses up the code.

use mfa_api::{Me, SessionStage, SignInFactor};

use super::answer::{self, CheckError, FactorAnswer, Occasion, Verdict};
use super::limits;
use super::notify;
use super::session::{self, LiveSession};
use super::{Actor, Deps, devices, factors, profile, recovery};
use crate::domain::access;
use crate::domain::attempts::AttemptKind;
use crate::domain::oidc::{Method, Methods};
use crate::domain::recovery::RecoveryCode;
use crate::domain::session::{SessionIdHash, SessionToken};
use crate::domain::{device, trusted_browser};
use crate::mail::templates::SecurityEvent;
use crate::store::{AuditKind, FactorRow, MembershipRow, Tx};

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
    /// "Don't ask again on this browser": its new trusted-browser token.
    pub trusted: Option<String>,
}

/// The factors offered at the second step, the preferred one first (not
/// those of a method a company turned off, once its deadline is past), and
/// for how many days the browser may be trusted (0: not offered).
pub async fn offered(
    deps: &Deps,
    session: &LiveSession,
) -> Result<(Vec<SignInFactor>, i64), CheckError> {
    let mut tx = deps.read().await?;
    let now = deps.now();
    let duties = factors::duties(&mut tx, session.user_id, now).await?;
    let all = tx.factors(session.user_id).await?;
    let days = trusted_browser::days(duties.iter().copied());
    Ok((offered_factors(factors::usable(all, &duties, now)), days))
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

/// Checks the answer for the half-signed-in `session`; a right one with
/// `remember` trusts the browser (`devices::trust`).
pub async fn complete(
    deps: &Deps,
    session: &LiveSession,
    ip: Option<&str>,
    answer: Answer,
    remember: bool,
) -> Result<SignedIn, CheckError> {
    let actor = Actor {
        user_id: session.user_id,
        ip,
    };
    let step = Step {
        session,
        actor,
        remember,
    };
    match answer {
        Answer::Factor(answer) => with_factor(deps, step, answer).await,
        Answer::RecoveryCode(code) => with_recovery_code(deps, step, code).await,
    }
}

/// A second step under way: whose, from where, and whether to trust the browser.
#[derive(Clone, Copy)]
struct Step<'a> {
    session: &'a LiveSession,
    actor: Actor<'a>,
    remember: bool,
}

/// An answer for one of the user's factors: the attempt is counted before
/// the answer is checked, a right one gives it back and records the
/// factor's use, and the session becomes a full one.
async fn with_factor(
    deps: &Deps,
    step: Step<'_>,
    answer: FactorAnswer,
) -> Result<SignedIn, CheckError> {
    let Step {
        session,
        actor,
        remember,
    } = step;
    let kind = answer.kind();
    let claimed = limits::claim(deps, actor, AttemptKind::SecondFactor).await??;
    let mut tx = deps.begin().await?;
    let now = deps.now();
    let memberships = tx.memberships(actor.user_id).await?;
    let duties = memberships.iter().map(|m| m.mfa_duty(now));
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
    let done = Done {
        methods,
        new_recovery_code: None,
        remember,
        memberships: Some(memberships),
    };
    signed_in(tx, deps, Some(&session.id), actor.user_id, done).await
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
    step: Step<'_>,
    code: RecoveryCode,
) -> Result<SignedIn, CheckError> {
    let Step {
        session,
        actor,
        remember,
    } = step;
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
    let done = Done {
        methods: session.methods.clone().with(Method::RecoveryCode),
        new_recovery_code: Some(fresh.code),
        remember,
        memberships: None,
    };
    signed_in(tx, deps, Some(&session.id), actor.user_id, done).await
}

/// How a sign-in with a second factor ends.
#[derive(Debug)]
pub(super) struct Done {
    /// How it was signed in.
    pub methods: Methods,
    /// After a recovery code: its replacement.
    pub new_recovery_code: Option<RecoveryCode>,
    /// "Don't ask again on this browser" was ticked.
    pub remember: bool,
    /// The user's memberships, when the caller read them in this
    /// transaction already.
    pub memberships: Option<Vec<MembershipRow>>,
}

/// Ends a sign-in with a second factor in the caller's transaction: a full
/// session signed in by `methods` replaces the browser's earlier one (the
/// half-signed-in session), the browser gets a known-device token and,
/// when asked for and allowed, a trusted-browser token.
pub(super) async fn signed_in(
    mut tx: Tx,
    deps: &Deps,
    replacing: Option<&SessionIdHash>,
    user_id: i64,
    done: Done,
) -> Result<SignedIn, CheckError> {
    let Done {
        methods,
        new_recovery_code,
        remember,
        memberships,
    } = done;
    let stage = SessionStage::Full;
    // Signed in with a factor. Should none of the user's factors count for
    // their companies (a method turned off), their deadline holds them.
    let now = deps.now();
    let memberships = match memberships {
        Some(read) => read,
        None => tx.memberships(user_id).await?,
    };
    let duties: Vec<_> = memberships.iter().map(|m| m.mfa_duty(now)).collect();
    let factors = tx.factors(user_id).await?;
    let counting = factors::counting(&factors, &duties);
    let recheck_at = access::recheck_at(stage, duties, counting, now);
    let token = session::start(
        &mut tx, deps, replacing, user_id, stage, recheck_at, &methods,
    )
    .await?;
    let profile = profile::assemble(&mut tx, user_id, stage, now, memberships, &factors)
        .await?
        .ok_or_else(|| anyhow::anyhow!("user {user_id} vanished during a sign-in"))?;
    let device_epoch = profile.device_epoch;
    let me = profile.offering_passkey(deps, &methods);
    let trusted = match remember {
        true => devices::trust(&mut tx, deps, user_id, now).await?,
        false => None,
    };
    if new_recovery_code.is_some() {
        crate::faults::point("recovery_code.commit");
    }
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
        trusted,
    })
}
