//! Company administration: the MFA policy, readiness, reminders, and
//! what the help article shows from the server.

use serde::{Deserialize, Serialize};

use crate::Company;

/// `GET|PUT /api/companies/{id}/mfa-policy` (company admins only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaPolicy {
    pub company: Company,
    /// "Require two-factor authentication".
    pub required: bool,
    /// "Enforcement date", `YYYY-MM-DD`: from 00:00 that day in `time_zone`.
    pub enforcement_date: Option<String>,
    /// IANA name.
    pub time_zone: String,
    /// The deadline in Unix seconds, when a date is set.
    pub deadline: Option<i64>,
    /// Days people who join after the deadline get from their first sign-in.
    pub grace_days: i64,
    /// Every time zone to choose from.
    pub time_zones: Vec<String>,
}

/// `PUT /api/companies/{id}/mfa-policy`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaPolicyRequest {
    pub required: bool,
    /// `YYYY-MM-DD`; none clears the date.
    #[serde(default)]
    pub enforcement_date: Option<String>,
    /// IANA name; UTC when absent.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// 1 to 90; unchanged when absent.
    #[serde(default)]
    pub grace_days: Option<i64>,
}

/// `GET /api/companies/{id}/readiness` (company admins only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    pub enrolled: usize,
    pub not_enrolled: usize,
    pub deadline: Option<i64>,
    pub days_left: Option<i64>,
    /// Everyone in the company, those not enrolled first.
    pub members: Vec<MemberReadiness>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberReadiness {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    /// Has a second factor.
    pub enrolled: bool,
    /// Unix seconds.
    pub last_sign_in_at: Option<i64>,
    /// Deadline emails and reminders sent to them.
    pub reminders_sent: i64,
}

/// `POST /api/companies/{id}/reminders`: to one member, or (none) to
/// everyone not enrolled; at most once a day per member.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemindersRequest {
    #[serde(default)]
    pub user_id: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemindersQueued {
    /// Members emailed now (others had one today already).
    pub queued: usize,
}

/// `GET /api/help/deadline-email?lang=en|fr`: the email members get when
/// their company sets a deadline, for the help article (an example
/// company and member, rendered by the template the server sends).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExampleEmail {
    pub subject: String,
    pub text: String,
}
