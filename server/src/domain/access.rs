//! Who must have MFA, and what a session at each stage may do. The one place
//! for these rules: sign-in, the session extractors and factor removal ask here.

use mfa_api::{FactorKind, MfaRequirement, RequiredBecause, SessionStage};

use super::clock::UnixTime;
use super::factors::MethodSet;

/// What the rule needs to know about one of the user's memberships.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MfaDuty {
    /// Payees (members of the payments product) always need MFA.
    pub payee: bool,
    /// The company's settings require MFA of its members.
    pub company_requires_mfa: bool,
    /// From when (this member's own deadline); none: at once.
    pub deadline: Option<UnixTime>,
    /// The methods the company allows.
    pub allowed: MethodSet,
    /// For how many days the company lets browsers skip the second step
    /// (`domain::trusted_browser`; 0: never).
    pub trusted_days: i64,
}

/// The methods the user may add: those every one of their companies allows.
pub fn addable(duties: impl IntoIterator<Item = MfaDuty>) -> MethodSet {
    duties
        .into_iter()
        .fold(MethodSet::ALL, |set, d| set.and(d.allowed))
}

/// Whether a factor of `kind` counts as enrolled for the user's companies:
/// every one allows it. A member whose factors are all of a method turned
/// off "needs another method".
pub fn counts(kind: FactorKind, duties: impl IntoIterator<Item = MfaDuty>) -> bool {
    addable(duties).contains(kind)
}

/// Whether a factor of `kind` still finishes a sign-in at `now`: allowed
/// by every company, or, where a company turned it off, until that
/// company's deadline (at once when it has none). Nobody is locked out
/// without warning: until then the banner and the email say to add another.
pub fn usable(kind: FactorKind, duties: impl IntoIterator<Item = MfaDuty>, now: UnixTime) -> bool {
    duties
        .into_iter()
        .all(|d| d.allowed.contains(kind) || d.deadline.is_some_and(|at| now < at))
}

/// The user's requirement, from all their memberships: a payee membership
/// is the stronger reason, so it is the one given.
pub fn requirement(duties: impl IntoIterator<Item = MfaDuty>, now: UnixTime) -> MfaRequirement {
    let mut because = None;
    for duty in duties {
        if duty.payee {
            because = Some(RequiredBecause::Payee);
        } else if duty.company_requires_mfa
            && duty.deadline.is_none_or(|deadline| now >= deadline)
            && because.is_none()
        {
            because = Some(RequiredBecause::CompanyPolicy);
        }
    }
    because.map_or(MfaRequirement::Optional, |because| {
        MfaRequirement::Required { because }
    })
}

/// The earliest deadline still ahead among companies that require MFA
/// (the banner's): none once MFA is required already.
pub fn upcoming_deadline(
    duties: impl IntoIterator<Item = MfaDuty>,
    now: UnixTime,
) -> Option<UnixTime> {
    duties
        .into_iter()
        .filter(|d| d.company_requires_mfa)
        .filter_map(|d| d.deadline)
        .filter(|&deadline| deadline > now)
        .min()
}

/// The stage a session starts in once the password was right.
pub fn stage_after_password(requirement: MfaRequirement, confirmed_factors: usize) -> SessionStage {
    if confirmed_factors > 0 {
        SessionStage::SecondFactorPending
    } else if requirement.is_required() {
        SessionStage::MustEnroll
    } else {
        SessionStage::Full
    }
}

/// When a session at `stage` must have its stage decided again: a full
/// session of someone with no factor, at the first of their deadlines
/// still ahead (it then becomes must-enroll, as a sign-in would make it);
/// `None` when nothing can change with time alone.
pub fn recheck_at(
    stage: SessionStage,
    duties: impl IntoIterator<Item = MfaDuty>,
    confirmed_factors: usize,
    now: UnixTime,
) -> Option<UnixTime> {
    match stage {
        SessionStage::Full if confirmed_factors == 0 => upcoming_deadline(duties, now),
        _ => None,
    }
}

/// A full session's stage decided again at `now` (its user's duties or
/// factors may have changed since it was granted): must-enroll when MFA is
/// now required of someone with no factor.
pub fn stage_now(
    stage: SessionStage,
    requirement: MfaRequirement,
    confirmed_factors: usize,
) -> SessionStage {
    match stage {
        SessionStage::Full if confirmed_factors == 0 && requirement.is_required() => {
            SessionStage::MustEnroll
        }
        other => other,
    }
}

/// The stage once a factor was enrolled during this session.
pub fn stage_after_enrollment(stage: SessionStage) -> SessionStage {
    match stage {
        SessionStage::MustEnroll => SessionStage::Full,
        other => other,
    }
}

/// Whether the user may remove a factor, given how many of their factors
/// would still count (`counts`) without it.
pub fn may_remove_factor(requirement: MfaRequirement, counting_after: usize) -> bool {
    !requirement.is_required() || counting_after > 0
}

/// What a request needs of its session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// The second step of sign-in.
    SecondStep,
    /// Reading oneself, re-authenticating, enrolling a factor.
    Enrollment,
    /// Everything else.
    Full,
}

/// Why a session may not do what a request needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("the second factor is still due")]
    SecondFactorPending,
    #[error("a second factor must be enrolled first")]
    MustEnroll,
    /// A fully (or must-enroll) signed-in session has no second step to do.
    #[error("no second step is pending")]
    NotPending,
}

/// The access rule: which stage may meet which need.
pub fn allows(stage: SessionStage, need: Need) -> Result<(), Denied> {
    match (stage, need) {
        (SessionStage::SecondFactorPending, Need::SecondStep)
        | (SessionStage::MustEnroll, Need::Enrollment)
        | (SessionStage::Full, Need::Enrollment | Need::Full) => Ok(()),
        (SessionStage::SecondFactorPending, _) => Err(Denied::SecondFactorPending),
        (SessionStage::MustEnroll, Need::Full) => Err(Denied::MustEnroll),
        (SessionStage::MustEnroll | SessionStage::Full, Need::SecondStep) => {
            Err(Denied::NotPending)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: UnixTime = 1_000_000;
    const MEMBER: MfaDuty = MfaDuty {
        payee: false,
        company_requires_mfa: false,
        deadline: None,
        allowed: MethodSet::ALL,
        trusted_days: 30,
    };
    const PAYEE: MfaDuty = MfaDuty {
        payee: true,
        company_requires_mfa: false,
        deadline: None,
        allowed: MethodSet::ALL,
        trusted_days: 30,
    };
    const ENFORCED: MfaDuty = MfaDuty {
        payee: false,
        company_requires_mfa: true,
        deadline: None,
        allowed: MethodSet::ALL,
        trusted_days: 30,
    };
    const REQUIRED_PAYEE: MfaRequirement = MfaRequirement::Required {
        because: RequiredBecause::Payee,
    };

    #[test]
    fn payees_and_enforcing_companies_require_mfa() {
        assert_eq!(requirement([MEMBER], NOW), MfaRequirement::Optional);
        assert_eq!(requirement([], NOW), MfaRequirement::Optional);
        assert_eq!(requirement([PAYEE], NOW), REQUIRED_PAYEE);
        assert_eq!(
            requirement([MEMBER, ENFORCED], NOW),
            MfaRequirement::Required {
                because: RequiredBecause::CompanyPolicy
            }
        );
        assert_eq!(requirement([ENFORCED, PAYEE], NOW), REQUIRED_PAYEE);
    }

    #[test]
    fn a_company_deadline_requires_mfa_from_that_second_on() {
        let deadline = MfaDuty {
            deadline: Some(NOW + 10),
            ..ENFORCED
        };
        assert_eq!(requirement([deadline], NOW + 9), MfaRequirement::Optional);
        assert_eq!(upcoming_deadline([deadline], NOW + 9), Some(NOW + 10));
        assert!(requirement([deadline], NOW + 10).is_required());
        assert_eq!(upcoming_deadline([deadline], NOW + 10), None);
        assert_eq!(upcoming_deadline([MEMBER, PAYEE], NOW), None);
        // A company that no longer requires MFA has no deadline to show.
        let off = MfaDuty {
            company_requires_mfa: false,
            ..deadline
        };
        assert_eq!(upcoming_deadline([off], NOW), None);
    }

    #[test]
    fn the_password_leads_to_the_second_step_enrollment_or_everything() {
        use SessionStage::*;
        assert_eq!(stage_after_password(MfaRequirement::Optional, 0), Full);
        assert_eq!(
            stage_after_password(MfaRequirement::Optional, 1),
            SecondFactorPending
        );
        assert_eq!(stage_after_password(REQUIRED_PAYEE, 0), MustEnroll);
        assert_eq!(stage_after_password(REQUIRED_PAYEE, 2), SecondFactorPending);
        assert_eq!(stage_after_enrollment(MustEnroll), Full);
        assert_eq!(stage_after_enrollment(Full), Full);
    }

    #[test]
    fn a_full_session_without_a_factor_is_decided_again_at_the_deadline() {
        use SessionStage::*;
        let ahead = MfaDuty {
            deadline: Some(NOW + 10),
            ..ENFORCED
        };
        assert_eq!(recheck_at(Full, [ahead], 0, NOW), Some(NOW + 10));
        assert_eq!(recheck_at(Full, [ahead], 1, NOW), None, "has a factor");
        assert_eq!(recheck_at(Full, [MEMBER], 0, NOW), None, "no deadline");
        assert_eq!(recheck_at(MustEnroll, [ahead], 0, NOW), None);
        let required = requirement([ahead], NOW + 10);
        assert_eq!(stage_now(Full, required, 0), MustEnroll);
        assert_eq!(stage_now(Full, required, 1), Full);
        assert_eq!(stage_now(Full, requirement([ahead], NOW + 9), 0), Full);
        assert_eq!(stage_now(Full, REQUIRED_PAYEE, 0), MustEnroll);
        assert_eq!(
            stage_now(SecondFactorPending, REQUIRED_PAYEE, 0),
            SecondFactorPending
        );
    }

    #[test]
    fn each_stage_reaches_only_its_own_endpoints() {
        use SessionStage::*;
        assert_eq!(allows(SecondFactorPending, Need::SecondStep), Ok(()));
        assert_eq!(
            allows(SecondFactorPending, Need::Enrollment),
            Err(Denied::SecondFactorPending)
        );
        assert_eq!(
            allows(SecondFactorPending, Need::Full),
            Err(Denied::SecondFactorPending)
        );
        assert_eq!(allows(MustEnroll, Need::Enrollment), Ok(()));
        assert_eq!(allows(MustEnroll, Need::Full), Err(Denied::MustEnroll));
        assert_eq!(
            allows(MustEnroll, Need::SecondStep),
            Err(Denied::NotPending)
        );
        assert_eq!(allows(Full, Need::Enrollment), Ok(()));
        assert_eq!(allows(Full, Need::Full), Ok(()));
        assert_eq!(allows(Full, Need::SecondStep), Err(Denied::NotPending));
    }

    #[test]
    fn the_last_factor_stays_when_mfa_is_required() {
        assert!(may_remove_factor(MfaRequirement::Optional, 0));
        assert!(!may_remove_factor(REQUIRED_PAYEE, 0));
        assert!(may_remove_factor(REQUIRED_PAYEE, 1));
    }

    #[test]
    fn a_method_turned_off_stops_counting_at_once_and_working_at_the_deadline() {
        let no_sms = MethodSet::of([FactorKind::AuthenticatorApp, FactorKind::Passkey]);
        let dated = MfaDuty {
            deadline: Some(NOW + 10),
            allowed: no_sms,
            trusted_days: 30,
            ..ENFORCED
        };
        assert_eq!(addable([MEMBER, dated]), no_sms);
        assert!(!counts(FactorKind::Sms, [MEMBER, dated]));
        assert!(counts(FactorKind::Passkey, [MEMBER, dated]));
        // Texts still finish a sign-in until the deadline, not from it.
        assert!(usable(FactorKind::Sms, [MEMBER, dated], NOW + 9));
        assert!(!usable(FactorKind::Sms, [MEMBER, dated], NOW + 10));
        // Without a deadline: at once.
        let undated = MfaDuty {
            allowed: no_sms,
            trusted_days: 30,
            ..ENFORCED
        };
        assert!(!usable(FactorKind::Sms, [undated], NOW));
        assert!(usable(FactorKind::AuthenticatorApp, [undated], NOW));
        assert!(usable(FactorKind::Sms, [], NOW), "no company: every method");
    }
}
