//! Invitations to join a company: how long a link works, where one
//! stands, and what each role means for the membership.

use mfa_api::CompanyRole;

use super::clock::UnixTime;

/// An invitation's link works this long (sent again: from then).
pub const LIFETIME_SECS: i64 = 7 * 24 * 60 * 60;

/// Where an invitation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    Pending,
    Expired,
    Accepted,
    Revoked,
}

/// From the stored state and expiry.
pub fn standing(state: &str, expires_at: UnixTime, now: UnixTime) -> Standing {
    match state {
        "accepted" => Standing::Accepted,
        "revoked" => Standing::Revoked,
        _ if now >= expires_at => Standing::Expired,
        _ => Standing::Pending,
    }
}

/// The role as stored.
pub fn role_name(role: CompanyRole) -> &'static str {
    match role {
        CompanyRole::Member => "member",
        CompanyRole::Admin => "admin",
        CompanyRole::Payee => "payee",
    }
}

/// A stored role; anything unexpected is the least: a member.
pub fn role_from_name(name: &str) -> CompanyRole {
    match name {
        "admin" => CompanyRole::Admin,
        "payee" => CompanyRole::Payee,
        _ => CompanyRole::Member,
    }
}

/// The membership a role gives: (company admin, payee).
pub fn membership(role: &str) -> (bool, bool) {
    match role_from_name(role) {
        CompanyRole::Admin => (true, false),
        CompanyRole::Payee => (false, true),
        CompanyRole::Member => (false, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_works_seven_days_unless_answered() {
        assert_eq!(
            standing("pending", 100 + LIFETIME_SECS, 100),
            Standing::Pending
        );
        assert_eq!(standing("pending", 100, 100), Standing::Expired);
        assert_eq!(standing("accepted", 1_000, 100), Standing::Accepted);
        assert_eq!(standing("revoked", 1_000, 100), Standing::Revoked);
    }

    #[test]
    fn roles_round_trip_and_a_payee_is_a_member_with_the_flag() {
        for role in [CompanyRole::Member, CompanyRole::Admin, CompanyRole::Payee] {
            assert_eq!(role_from_name(role_name(role)), role);
        }
        assert_eq!(membership("payee"), (false, true));
        assert_eq!(membership("admin"), (true, false));
        assert_eq!(membership("member"), (false, false));
        assert_eq!(membership("nonsense"), (false, false));
    }
}
