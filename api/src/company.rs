//! Company administration: the MFA policy, readiness, reminders, and
//! what the help article shows from the server.

use serde::{Deserialize, Serialize};

use crate::{Company, FactorKind};

/// `GET|PUT /api/companies/{id}/mfa-policy` (company admins only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The methods members may use ("Authenticator app", "Text message
    /// (SMS)", "Passkey"): at least one.
    #[serde(default = "crate::all_methods")]
    pub allowed_methods: Vec<FactorKind>,
    /// "Trusted browsers: remember for N days" (0 to 90; 0: never).
    #[serde(default)]
    pub trusted_browser_days: i64,
}

/// `PUT /api/companies/{id}/mfa-policy`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// At least one; unchanged when absent.
    #[serde(default)]
    pub allowed_methods: Option<Vec<FactorKind>>,
    /// 0 to 90; unchanged when absent.
    #[serde(default)]
    pub trusted_browser_days: Option<i64>,
}

/// `GET /api/companies/{id}/readiness` (company admins only): the counts,
/// and one page of the list as the query asks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Readiness {
    pub enrolled: usize,
    pub not_enrolled: usize,
    pub deadline: Option<i64>,
    pub days_left: Option<i64>,
    /// Members the query's filter matches, on every page.
    pub matching: usize,
    /// This page (from 1), at most [`READINESS_PAGE_SIZE`] members.
    pub page: u32,
    pub members: Vec<MemberReadiness>,
}

/// Members per page of the readiness list.
pub const READINESS_PAGE_SIZE: u32 = 50;

/// The readiness list's query string: which members, in what order, which page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema, utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
#[serde(default)]
pub struct ReadinessQuery {
    /// Matched against name and email, case-insensitively.
    pub filter: String,
    /// Enrolled members too (for "Reset MFA"), not only those not enrolled.
    pub everyone: bool,
    pub sort: ReadinessSort,
    pub descending: bool,
    /// From 1.
    pub page: u32,
}

impl Default for ReadinessQuery {
    fn default() -> Self {
        Self {
            filter: String::new(),
            everyone: false,
            sort: ReadinessSort::Name,
            descending: false,
            page: 1,
        }
    }
}

impl ReadinessQuery {
    /// As a URL query string (`filter=...&everyone=false&...`).
    pub fn to_query_string(&self) -> String {
        format!(
            "filter={}&everyone={}&sort={}&descending={}&page={}",
            crate::percent_encode(&self.filter, b""),
            self.everyone,
            self.sort.as_str(),
            self.descending,
            self.page
        )
    }
}

/// A column the readiness list can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReadinessSort {
    #[default]
    Name,
    Email,
    LastSignIn,
    Reminders,
}

impl ReadinessSort {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Email => "email",
            Self::LastSignIn => "last_sign_in",
            Self::Reminders => "reminders",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberReadiness {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    /// Has a second factor of a method the company allows.
    pub enrolled: bool,
    /// Has factors, but only of methods the company turned off.
    #[serde(default)]
    pub needs_another_method: bool,
    /// Unix seconds.
    pub last_sign_in_at: Option<i64>,
    /// Deadline emails and reminders sent to them.
    pub reminders_sent: i64,
}

/// `POST /api/companies/{id}/reminders`: to one member, or (none) to
/// everyone not enrolled; at most once a day per member.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RemindersRequest {
    #[serde(default)]
    pub user_id: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RemindersQueued {
    /// Members emailed now (others had one today already).
    pub queued: usize,
}

/// `GET /api/help/deadline-email?lang=en|fr`: the email members get when
/// their company sets a deadline, for the help article (an example
/// company and member, rendered by the template the server sends).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExampleEmail {
    pub subject: String,
    pub text: String,
}
