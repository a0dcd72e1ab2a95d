//! Who must keep a second factor. The one place for this rule.

/// What the rule needs to know about one of the user's memberships.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MfaDuty {
    /// Payees (members of the payments product) always need MFA.
    pub payee: bool,
    /// The company requires MFA (its admin turned enforcement on; a later issue).
    pub company_requires_mfa: bool,
}

/// True when the user must have MFA because of any of their memberships.
pub fn mfa_required(duties: impl IntoIterator<Item = MfaDuty>) -> bool {
    duties
        .into_iter()
        .any(|d| d.payee || d.company_requires_mfa)
}

/// Whether the user may remove a factor, given how many confirmed ones they have.
pub fn may_remove_factor(mfa_required: bool, confirmed_factors: usize) -> bool {
    !mfa_required || confirmed_factors > 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMBER: MfaDuty = MfaDuty {
        payee: false,
        company_requires_mfa: false,
    };
    const PAYEE: MfaDuty = MfaDuty {
        payee: true,
        company_requires_mfa: false,
    };
    const ENFORCED: MfaDuty = MfaDuty {
        payee: false,
        company_requires_mfa: true,
    };

    #[test]
    fn payees_and_enforcing_companies_require_mfa() {
        assert!(!mfa_required([MEMBER]));
        assert!(!mfa_required([]));
        assert!(mfa_required([PAYEE]));
        assert!(mfa_required([MEMBER, ENFORCED]));
    }

    #[test]
    fn the_last_factor_stays_when_mfa_is_required() {
        assert!(may_remove_factor(false, 1));
        assert!(!may_remove_factor(true, 1));
        assert!(may_remove_factor(true, 2));
    }
}
