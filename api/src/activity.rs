//! Devices and activity: where the person is signed in, the browsers they
//! trusted, their recent security activity, and the company's audit log.

use serde::{Deserialize, Serialize};

/// One of the person's live sessions (`GET /api/me/sessions`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    /// Names it for `DELETE /api/me/sessions/{id}` (not its cookie).
    pub id: String,
    pub browser: Option<String>,
    pub system: Option<String>,
    /// The address it was last used from, and since when.
    pub ip: Option<String>,
    pub ip_since: i64,
    pub signed_in_at: i64,
    pub last_active_at: i64,
    /// "This browser".
    pub current: bool,
}

/// `GET /api/me/sessions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sessions {
    pub sessions: Vec<SessionInfo>,
}

/// `POST /api/me/sessions/sign-out-others`: how many sessions ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionsEnded {
    pub ended: u64,
}

/// A browser trusted to skip the second step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrustedBrowserInfo {
    /// Names it for `DELETE /api/me/trusted-browsers/{id}`.
    pub id: i64,
    pub browser: Option<String>,
    pub system: Option<String>,
    pub added_at: i64,
    pub last_used_at: i64,
    pub expires_at: i64,
}

/// `GET /api/me/trusted-browsers`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrustedBrowsers {
    pub browsers: Vec<TrustedBrowserInfo>,
    /// For how many days a browser is trusted (0: the company turned it off).
    pub remember_days: i64,
}

/// One audit event, for the person's activity or the company's log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityEvent {
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    /// What happened (`sign_in`, `sign_in_failed`, `factor_added`, ...).
    pub kind: String,
    /// More about it: for sign-ins and factors, the method
    /// (`password`, `authenticator_app`, `sms`, `passkey`, `recovery_code`,
    /// `trusted_browser`).
    pub detail: String,
    pub ip: Option<String>,
    pub browser: Option<String>,
    pub system: Option<String>,
    /// In the company's log: whose event (when the account still exists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_email: Option<String>,
}

/// A page of events, the newest first, with the cursors to the pages
/// beside it ("Previous page": `after=newer`; "Next page": `before=older`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityPage {
    pub events: Vec<ActivityEvent>,
    pub newer: Option<i64>,
    pub older: Option<i64>,
}

/// Events per page of "Recent security activity".
pub const ACTIVITY_PAGE_SIZE: u32 = 20;
/// Events per page of the company's audit log.
pub const AUDIT_LOG_PAGE_SIZE: u32 = 50;
/// How far back "Recent security activity" goes.
pub const ACTIVITY_DAYS: i64 = 90;

/// Which page (`GET /api/me/activity?before=|after=`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema, utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
#[serde(default)]
pub struct PageQuery {
    pub before: Option<i64>,
    pub after: Option<i64>,
}

/// `GET /api/companies/{id}/audit-log` (and `.csv`): which events, which page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema, utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
#[serde(default)]
pub struct AuditLogQuery {
    /// The member's email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// From this Unix time (inclusive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<i64>,
    /// Before this Unix time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<i64>,
}

impl PageQuery {
    /// As a URL query string (empty for the newest page).
    pub fn to_query_string(&self) -> String {
        match (self.before, self.after) {
            (Some(id), _) => format!("before={id}"),
            (None, Some(id)) => format!("after={id}"),
            (None, None) => String::new(),
        }
    }
}

impl AuditLogQuery {
    /// As a URL query string, the filters set and the page.
    pub fn to_query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(member) = self.member.as_deref().filter(|m| !m.trim().is_empty()) {
            parts.push(format!(
                "member={}",
                crate::percent_encode(member.trim(), b"@")
            ));
        }
        if let Some(kind) = self.kind.as_deref().filter(|k| !k.is_empty()) {
            parts.push(format!("kind={}", crate::percent_encode(kind, b"")));
        }
        let numbers = [
            ("since", self.since),
            ("until", self.until),
            ("before", self.before),
            ("after", self.after),
        ];
        for (name, value) in numbers {
            if let Some(value) = value {
                parts.push(format!("{name}={value}"));
            }
        }
        parts.join("&")
    }
}

/// `GET /api/companies/{id}/audit-log`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditLog {
    #[serde(flatten)]
    pub page: ActivityPage,
    /// Every kind the filter offers.
    pub kinds: Vec<String>,
}
