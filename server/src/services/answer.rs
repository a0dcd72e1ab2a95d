//! A factor's answer (a code from an authenticator app, a code texted to a
//! phone, a passkey's response) and how it is checked. The second step of sign-in
//! (`second_step`) and confirming a new factor (`enrollment`) both check
//! answers here: what differs between kinds of factor is only how an answer
//! is checked, and that is the one `match` on the kind below.

use mfa_api::FactorKind;

use super::limits::{self, Claimed, Refused};
use super::passkeys::{self, PasskeyAnswer, PasskeyResponse};
use super::{Actor, Deps, authenticator, hash_error, internal_error, phone};
use crate::domain::attempts::AttemptKind;
use crate::domain::factors::confirmable;
use crate::domain::texted_code::TextedCode;
use crate::domain::totp::TotpCode;
use crate::store::{AuditKind, Binding, FactorRow, Purpose, Tx, kind_name};

/// What the person gave for one of their factors, parsed.
#[derive(Debug)]
pub enum FactorAnswer {
    /// The code an authenticator app shows.
    AuthenticatorCode(TotpCode),
    /// The code texted to the phone for this sign-in or this enrollment.
    TextedCode(TextedCode),
    /// The browser's response to a passkey ceremony.
    Passkey(PasskeyAnswer),
}

impl FactorAnswer {
    /// The kind of factor this answers for.
    pub fn kind(&self) -> FactorKind {
        match self {
            Self::AuthenticatorCode(_) => FactorKind::AuthenticatorApp,
            Self::TextedCode(_) => FactorKind::Sms,
            Self::Passkey(_) => FactorKind::Passkey,
        }
    }
}

/// When an answer is checked: the answer must be one given for this
/// occasion (a code texted at sign-in, a passkey's ceremony, is bound to
/// the session that asked for it).
#[derive(Clone, Copy, Debug)]
pub(super) enum Occasion<'a> {
    /// The second step of the sign-in with this session (its hash).
    SignIn { session_hash: &'a str },
    /// Confirming a factor being added, in this session (its hash).
    Enroll { session_hash: &'a str },
}

/// What an answer turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Right, for this factor (pending when enrolling), and used up where
    /// an answer can be used once.
    Accepted(FactorRow),
    Refused(Refusal),
}

/// Why an answer was not accepted.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Refusal {
    /// Wrong. For an authenticator code right at another time: how many
    /// 30-second steps off the phone's clock seems.
    Wrong { clock_drift: Option<i64> },
    /// Right, but already used (a replayed code).
    Replayed,
    /// No answer can be taken any more: none was sent, or it expired, was
    /// used, replaced or tried too often.
    Expired,
    /// A passkey whose signature count did not move forward: a copy of the
    /// key may be in use elsewhere.
    Cloned,
}

/// Why an answer was not taken, at the second step or when confirming.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The user has no factor of this kind (at the second step).
    #[error("no factor of this kind is set up")]
    NotEnrolled(FactorKind),
    /// Nothing of this kind to confirm: never started, replaced, expired,
    /// or already confirmed.
    #[error("no factor is waiting to be confirmed")]
    NoPendingEnrollment(FactorKind),
    #[error("wrong code")]
    WrongCode,
    /// Wrong, but right for a time `steps` steps away: the phone's clock is
    /// off (said only when confirming a new authenticator).
    #[error("wrong code (the clock seems {steps} steps off)")]
    ClockDrift { steps: i64 },
    #[error("code already used")]
    CodeAlreadyUsed,
    /// The texted code expired, was replaced or was tried too often.
    #[error("the code is no longer valid")]
    CodeExpired,
    /// A company of the user does not allow this method (any more).
    #[error("the company does not allow this method")]
    MethodNotAllowed(FactorKind),
    /// A passkey's signature was not accepted.
    #[error("the passkey was not accepted")]
    PasskeyRefused,
    /// "Sign in with a passkey" with a passkey nobody here holds.
    #[error("unknown passkey")]
    PasskeyUnknown,
    /// A new passkey already registered (to this account or another).
    #[error("this passkey is registered already")]
    CredentialInUse,
    /// The passkey ceremony answered is gone: it expired, was used, or was
    /// replaced by a newer one.
    #[error("the passkey request expired")]
    CeremonyExpired,
    /// The public URL is an IP address: browsers refuse passkeys there.
    #[error("passkeys are not available at this address")]
    PasskeysUnavailable,
    #[error("refused without checking: {0}")]
    Refused(#[from] Refused),
    /// Too many hashes are waiting: try again in a moment.
    #[error("the server is busy")]
    Busy,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(CheckError);

impl From<super::factors::NotAllowed> for CheckError {
    fn from(e: super::factors::NotAllowed) -> Self {
        match e {
            super::factors::NotAllowed::Method(kind) => Self::MethodNotAllowed(kind),
            super::factors::NotAllowed::Store(e) => e.into(),
        }
    }
}
hash_error!(CheckError);

/// Checks `answer` against the user's factor it answers for: at sign-in,
/// one they have; when enrolling, the one being added. Each kind finds its
/// factor its own way (a code its kind's one factor, a passkey by its
/// credential). What the check writes (a time step used up, a wrong try
/// counted against a texted code, a ceremony taken) is written in the
/// caller's transaction: commit it whatever the verdict. Counting attempts
/// against the user is the caller's.
pub(super) async fn check(
    tx: &mut Tx,
    deps: &Deps,
    user_id: i64,
    answer: &FactorAnswer,
    occasion: Occasion<'_>,
) -> Result<Verdict, CheckError> {
    let kind = answer.kind();
    let (purpose, session_hash) = match occasion {
        Occasion::SignIn { session_hash } => (Purpose::SignIn, session_hash),
        Occasion::Enroll { session_hash } => (Purpose::Enroll, session_hash),
    };
    if let FactorAnswer::Passkey(PasskeyAnswer { ceremony, response }) = answer {
        return match (response, purpose) {
            (PasskeyResponse::Asserted(credential), Purpose::SignIn) => {
                passkeys::check_assertion(tx, deps, user_id, session_hash, ceremony, credential)
                    .await
            }
            (PasskeyResponse::Created { credential, name }, Purpose::Enroll) => {
                passkeys::check_registration(
                    tx,
                    deps,
                    user_id,
                    session_hash,
                    ceremony,
                    credential,
                    name,
                )
                .await
            }
            (_, Purpose::SignIn) => Err(CheckError::NotEnrolled(kind)),
            (_, Purpose::Enroll) => Err(CheckError::NoPendingEnrollment(kind)),
        };
    }
    let factor = match purpose {
        Purpose::SignIn => tx
            .factors(user_id)
            .await?
            .into_iter()
            .find(|f| f.kind == kind)
            .ok_or(CheckError::NotEnrolled(kind))?,
        Purpose::Enroll => tx
            .pending_factor(user_id, kind)
            .await?
            .filter(|factor| confirmable(kind, factor.created_at, deps.now()))
            .ok_or(CheckError::NoPendingEnrollment(kind))?,
    };
    let verdict = match answer {
        FactorAnswer::AuthenticatorCode(code) => {
            authenticator::check_code(tx, deps, user_id, &factor, code).await?
        }
        FactorAnswer::TextedCode(code) => {
            let binding = Binding {
                user_id,
                purpose,
                factor_id: factor.id,
                session_hash: match occasion {
                    Occasion::SignIn { session_hash } => Some(session_hash),
                    Occasion::Enroll { .. } => None,
                },
            };
            phone::check_code(tx, deps, binding, code).await?
        }
        FactorAnswer::Passkey(_) => unreachable!("answered above"),
    };
    Ok(match verdict {
        Some(refusal) => Verdict::Refused(refusal),
        None => Verdict::Accepted(factor),
    })
}

/// Ends a check that accepted a sign-in's answer for `factor`, in the
/// caller's transaction: the attempt is given back, the factor's use
/// recorded and the step audited.
pub(super) async fn accepted(
    tx: &mut Tx,
    actor: Actor<'_>,
    factor: &FactorRow,
    now: i64,
) -> Result<(), sqlx::Error> {
    limits::give_back(tx, actor.user_id, AttemptKind::SecondFactor).await?;
    tx.factor_used(factor.id, now).await?;
    tx.audit(
        actor.user_id,
        AuditKind::SignIn,
        kind_name(factor.kind),
        actor.ip,
        now,
    )
    .await
}

/// Ends a check that refused the answer: commits what the check wrote,
/// audits it, and says why. A replayed code is audited as such; any other
/// refusal counts as a wrong guess (the lock the attempt's claim started
/// is what the person is told) and, at sign-in, as a failed sign-in. A
/// clock's drift is told only when confirming a new factor: at sign-in it
/// would help a guesser.
pub(super) async fn refused(
    mut tx: Tx,
    actor: Actor<'_>,
    kind: FactorKind,
    refusal: Refusal,
    occasion: Occasion<'_>,
    claimed: Claimed,
    now: i64,
) -> Result<CheckError, sqlx::Error> {
    let (audit, error) = match refusal {
        Refusal::Replayed => (Some(AuditKind::CodeReplayed), CheckError::CodeAlreadyUsed),
        wrong => {
            let error = match wrong {
                Refusal::Wrong {
                    clock_drift: Some(steps),
                } if matches!(occasion, Occasion::Enroll { .. }) => {
                    CheckError::ClockDrift { steps }
                }
                Refusal::Expired => CheckError::CodeExpired,
                Refusal::Cloned => CheckError::PasskeyRefused,
                _ if kind == FactorKind::Passkey => CheckError::PasskeyRefused,
                _ => CheckError::WrongCode,
            };
            let audit = match (wrong, occasion) {
                (Refusal::Cloned, _) => Some(AuditKind::PasskeyCloneWarning),
                (_, Occasion::SignIn { .. }) => Some(AuditKind::SignInFailed),
                (_, Occasion::Enroll { .. }) => None,
            };
            (audit, claimed.wrong(error))
        }
    };
    if let Some(audit) = audit {
        tx.audit(actor.user_id, audit, kind_name(kind), actor.ip, now)
            .await?;
    }
    tx.commit().await?;
    Ok(error)
}
