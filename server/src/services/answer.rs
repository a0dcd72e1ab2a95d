//! A factor's answer (a code from an authenticator app, a code texted to a
//! phone) and how it is checked. The second step of sign-in
//! (`second_step`) and confirming a new factor (`enrollment`) both check
//! answers here: what differs between kinds of factor is only how an answer
//! is checked, and that is the one `match` on the kind below.

use mfa_api::FactorKind;

use super::limits::{Claimed, Refused};
use super::{Actor, Deps, authenticator, hash_error, internal_error, phone};
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
}

impl FactorAnswer {
    /// The kind of factor this answers for.
    pub fn kind(&self) -> FactorKind {
        match self {
            Self::AuthenticatorCode(_) => FactorKind::AuthenticatorApp,
            Self::TextedCode(_) => FactorKind::Sms,
        }
    }
}

/// When an answer is checked: the answer must be one given for this
/// occasion (a code texted at sign-in is bound to that sign-in's session).
#[derive(Clone, Copy, Debug)]
pub(super) enum Occasion<'a> {
    /// The second step of the sign-in with this session (its hash).
    SignIn { session_hash: &'a str },
    /// Confirming a factor being added.
    Enroll,
}

/// What an answer turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Right, and used up where an answer can be used once.
    Accepted,
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
    #[error("refused without checking: {0}")]
    Refused(#[from] Refused),
    /// Too many hashes are waiting: try again in a moment.
    #[error("the server is busy")]
    Busy,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(CheckError);
hash_error!(CheckError);

/// Checks `answer` against `factor` (of the answer's kind) in the caller's
/// transaction. What the check writes (a time step used up, a wrong try
/// counted against a texted code) is written there: commit it whatever the
/// verdict. Counting attempts against the user is the caller's.
pub(super) async fn check(
    tx: &mut Tx,
    deps: &Deps,
    user_id: i64,
    factor: &FactorRow,
    answer: &FactorAnswer,
    occasion: Occasion<'_>,
) -> anyhow::Result<Verdict> {
    debug_assert_eq!(factor.kind, answer.kind());
    Ok(match answer {
        FactorAnswer::AuthenticatorCode(code) => {
            authenticator::check_code(tx, deps, user_id, factor, code).await?
        }
        FactorAnswer::TextedCode(code) => {
            let (purpose, session_hash) = match occasion {
                Occasion::SignIn { session_hash } => (Purpose::SignIn, Some(session_hash)),
                Occasion::Enroll => (Purpose::Enroll, None),
            };
            let binding = Binding {
                user_id,
                purpose,
                factor_id: factor.id,
                session_hash,
            };
            phone::check_code(tx, deps, binding, code).await?
        }
    })
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
                } if matches!(occasion, Occasion::Enroll) => CheckError::ClockDrift { steps },
                Refusal::Expired => CheckError::CodeExpired,
                _ => CheckError::WrongCode,
            };
            let audit = match occasion {
                Occasion::SignIn { .. } => Some(AuditKind::SignInFailed),
                Occasion::Enroll => None,
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
