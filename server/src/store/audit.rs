use super::Tx;
use crate::client::Client;
use crate::domain::clock::UnixTime;

/// What happened, for the audit log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditKind {
    FactorAdded,
    FactorRemoved,
    RecoveryCodeUsed,
    RecoveryCodeRegenerated,
    Lockout,
    /// A right code whose time step was already used.
    CodeReplayed,
    /// A passkey's signature count did not move forward: a copy of the key
    /// may be in use elsewhere (refused).
    PasskeyCloneWarning,
    /// A sign-in step passed (detail: which).
    SignIn,
    /// A sign-in step failed (detail: which); the user is unknown when the
    /// email matched no account.
    SignInFailed,
    /// A company admin changed the MFA policy (detail: the new settings).
    CompanyPolicyChanged,
    /// A user's factors and recovery code were removed by an admin or the
    /// operator (detail: by whom); the user enrolls again.
    MfaReset,
    /// An admin's reset refused: the member also belongs to a company the
    /// admin does not administer (detail: which).
    MfaResetRefused,
    /// The user changed their password (typing the old one).
    PasswordChanged,
    /// A link to choose a new password was asked for (detail: sent or
    /// not, and why not).
    PasswordResetAsked,
    /// The password was changed with a forgotten-password link.
    PasswordReset,
    /// An invitation was sent or sent again (detail: company, role).
    InvitationSent,
    /// An invitation was revoked.
    InvitationRevoked,
    /// An invitation was accepted (detail: a new account or an existing one).
    InvitationAccepted,
    /// An admin changed a member's role (detail: which).
    MemberRoleChanged,
    /// An admin removed a member from the company.
    MemberRemoved,
    /// An admin sent reminders now (detail: to how many).
    RemindersSent,
    /// An admin exported the readiness list.
    ReadinessExported,
    /// An admin added an app (detail: its name and client id).
    AppAdded,
    /// An admin gave an app a new secret.
    AppSecretRotated,
    /// An admin deleted an app.
    AppDeleted,
    /// An app was given a sign-in (detail: the app's name).
    AppSignIn,
    /// An app's sign-in refused (detail: the app's name and why).
    AppSignInRefused,
    /// A browser was trusted to skip the second step (detail: for how many days).
    TrustedBrowserAdded,
    /// Trusted browsers were forgotten (detail: how many, and why).
    TrustedBrowserForgotten,
    /// The user signed one of their other sessions out (detail: how many).
    SessionEnded,
    /// An admin exported the audit log (detail: its filters and rows).
    AuditLogExported,
}

impl AuditKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FactorAdded => "factor_added",
            Self::FactorRemoved => "factor_removed",
            Self::RecoveryCodeUsed => "recovery_code_used",
            Self::RecoveryCodeRegenerated => "recovery_code_regenerated",
            Self::Lockout => "lockout",
            Self::CodeReplayed => "code_replayed",
            Self::PasskeyCloneWarning => "passkey_clone_warning",
            Self::SignIn => "sign_in",
            Self::SignInFailed => "sign_in_failed",
            Self::CompanyPolicyChanged => "company_policy_changed",
            Self::MfaReset => "mfa_reset",
            Self::MfaResetRefused => "mfa_reset_refused",
            Self::PasswordChanged => "password_changed",
            Self::PasswordResetAsked => "password_reset_asked",
            Self::PasswordReset => "password_reset",
            Self::InvitationSent => "invitation_sent",
            Self::InvitationRevoked => "invitation_revoked",
            Self::InvitationAccepted => "invitation_accepted",
            Self::MemberRoleChanged => "member_role_changed",
            Self::MemberRemoved => "member_removed",
            Self::RemindersSent => "reminders_sent",
            Self::ReadinessExported => "readiness_exported",
            Self::AppAdded => "app_added",
            Self::AppSecretRotated => "app_secret_rotated",
            Self::AppDeleted => "app_deleted",
            Self::AppSignIn => "app_sign_in",
            Self::AppSignInRefused => "app_sign_in_refused",
            Self::TrustedBrowserAdded => "trusted_browser_added",
            Self::TrustedBrowserForgotten => "trusted_browser_forgotten",
            Self::SessionEnded => "session_ended",
            Self::AuditLogExported => "audit_log_exported",
        }
    }

    /// Every kind, as the audit log's filter offers them.
    pub const ALL: [Self; 31] = [
        Self::SignIn,
        Self::SignInFailed,
        Self::FactorAdded,
        Self::FactorRemoved,
        Self::RecoveryCodeUsed,
        Self::RecoveryCodeRegenerated,
        Self::Lockout,
        Self::CodeReplayed,
        Self::PasskeyCloneWarning,
        Self::PasswordChanged,
        Self::PasswordResetAsked,
        Self::PasswordReset,
        Self::TrustedBrowserAdded,
        Self::TrustedBrowserForgotten,
        Self::SessionEnded,
        Self::MfaReset,
        Self::MfaResetRefused,
        Self::CompanyPolicyChanged,
        Self::InvitationSent,
        Self::InvitationRevoked,
        Self::InvitationAccepted,
        Self::MemberRoleChanged,
        Self::MemberRemoved,
        Self::RemindersSent,
        Self::ReadinessExported,
        Self::AuditLogExported,
        Self::AppAdded,
        Self::AppSecretRotated,
        Self::AppDeleted,
        Self::AppSignIn,
        Self::AppSignInRefused,
    ];

    /// The kind a stored name names.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// An audit event as read back, with its member's name and email when the
/// account still exists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRow {
    pub id: i64,
    pub created_at: UnixTime,
    pub kind: String,
    pub detail: String,
    pub ip: Option<String>,
    /// `domain::browser`'s label; empty when unknown.
    pub browser: String,
    pub user_id: Option<i64>,
    pub name: Option<String>,
    pub email: Option<String>,
}

type Row = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
);

fn audit_row((id, created_at, kind, detail, ip, browser, user_id, name, email): Row) -> AuditRow {
    AuditRow {
        id,
        created_at,
        kind,
        detail,
        ip,
        browser,
        user_id,
        name,
        email,
    }
}

/// Where a page of events starts: the newest, or next to an event already shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Cursor {
    #[default]
    Newest,
    /// The events older than this one ("Next page").
    Before(i64),
    /// The events newer than this one ("Previous page").
    After(i64),
}

impl Cursor {
    /// The SQL condition on `(time, id)` (the events are in time order,
    /// then id order), `cursor_row` being the SQL of the cursor event's own
    /// `(time, id)`, and the order to read in: the newest first, or, going
    /// back, the oldest first, to be reversed.
    fn sql(self, time_and_id: &str, cursor_row: &str) -> (String, &'static str) {
        match self {
            Self::Newest => (String::new(), "DESC"),
            Self::Before(_) => (format!(" AND {time_and_id} < ({cursor_row})"), "DESC"),
            Self::After(_) => (format!(" AND {time_and_id} > ({cursor_row})"), "ASC"),
        }
    }

    fn id(self) -> Option<i64> {
        match self {
            Self::Newest => None,
            Self::Before(id) | Self::After(id) => Some(id),
        }
    }
}

/// What the company's audit log is narrowed to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogFilter {
    pub user_id: Option<i64>,
    pub kind: Option<AuditKind>,
    /// From this time (inclusive).
    pub since: Option<UnixTime>,
    /// Before this time.
    pub until: Option<UnixTime>,
}

/// Up to `limit` events from the cursor, the newest first, and whether
/// more lie beyond them in the direction read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditPage {
    pub events: Vec<AuditRow>,
    pub more: bool,
}

/// The rows read (up to `limit + 1`, in the order read) as a page.
fn page(rows: Vec<Row>, cursor: Cursor, limit: i64) -> AuditPage {
    let mut rows: Vec<AuditRow> = rows.into_iter().map(audit_row).collect();
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    if matches!(cursor, Cursor::After(_)) {
        rows.reverse();
    }
    AuditPage { events: rows, more }
}

impl Tx {
    /// Who (`user_id`, when known), what (`kind`, `detail`), when, and from
    /// which IP and browser (the request's, `crate::client`). Shown in the
    /// audit log of every company the user belongs to.
    pub async fn audit(
        &mut self,
        user_id: impl Into<Option<i64>>,
        kind: AuditKind,
        detail: &str,
        ip: Option<&str>,
        now: UnixTime,
    ) -> Result<(), sqlx::Error> {
        let user_id = user_id.into();
        let id = self.audit_event(user_id, kind, detail, ip, now).await?;
        let Some(user_id) = user_id else {
            return Ok(());
        };
        sqlx::query(
            "INSERT INTO audit_event_companies (event_id, company_id, user_id, kind, created_at) \
             SELECT $1, company_id, $2, $3, $4 FROM memberships WHERE user_id = $2",
        )
        .bind(id)
        .bind(user_id)
        .bind(kind.as_str())
        .bind(now)
        .execute(self.conn())
        .await
        .map(drop)
    }

    /// As [`Tx::audit`], for what happens in one company (an admin's
    /// action, an app's sign-in): shown in that company's log only.
    pub async fn audit_in(
        &mut self,
        company_id: i64,
        user_id: impl Into<Option<i64>>,
        kind: AuditKind,
        detail: &str,
        ip: Option<&str>,
        now: UnixTime,
    ) -> Result<(), sqlx::Error> {
        let user_id = user_id.into();
        let id = self.audit_event(user_id, kind, detail, ip, now).await?;
        sqlx::query(
            "INSERT INTO audit_event_companies (event_id, company_id, user_id, kind, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(company_id)
        .bind(user_id)
        .bind(kind.as_str())
        .bind(now)
        .execute(self.conn())
        .await
        .map(drop)
    }

    async fn audit_event(
        &mut self,
        user_id: Option<i64>,
        kind: AuditKind,
        detail: &str,
        ip: Option<&str>,
        now: UnixTime,
    ) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "INSERT INTO audit_events (user_id, kind, detail, ip, browser, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(user_id)
        .bind(kind.as_str())
        .bind(detail)
        .bind(ip)
        .bind(Client::current().browser())
        .bind(now)
        .fetch_one(self.conn())
        .await
    }

    /// The user's own events since `since`, a page from `cursor`, the newest first.
    pub async fn user_activity(
        &mut self,
        user_id: i64,
        since: UnixTime,
        cursor: Cursor,
        limit: i64,
    ) -> Result<AuditPage, sqlx::Error> {
        let (after, order) = cursor.sql(
            "(e.created_at, e.id)",
            "SELECT c.created_at, c.id FROM audit_events c WHERE c.id = $4 AND c.user_id = $1",
        );
        let sql = format!(
            "SELECT e.id, e.created_at, e.kind, e.detail, e.ip, e.browser, e.user_id, NULL, NULL \
             FROM audit_events e WHERE e.user_id = $1 AND e.created_at >= $2{after} \
             ORDER BY e.created_at {order}, e.id {order} LIMIT $3"
        );
        let query = sqlx::query_as::<_, Row>(&sql)
            .bind(user_id)
            .bind(since)
            .bind(limit + 1);
        let query = match cursor.id() {
            Some(id) => query.bind(id),
            None => query,
        };
        Ok(page(query.fetch_all(self.conn()).await?, cursor, limit))
    }

    /// A page of the company's audit log from `cursor`, narrowed by `filter`,
    /// the newest first. Each filter is a range of one index of
    /// `audit_event_companies` (company, then the filter's column, then time
    /// and id), read in order until the page is full.
    pub async fn company_log(
        &mut self,
        company_id: i64,
        filter: &LogFilter,
        cursor: Cursor,
        limit: i64,
    ) -> Result<AuditPage, sqlx::Error> {
        let mut conditions = String::new();
        let mut param = 2;
        let mut next = |column: &str, op: &str| {
            param += 1;
            conditions.push_str(&format!(" AND l.{column} {op} ${param}"));
        };
        if filter.user_id.is_some() {
            next("user_id", "=");
        }
        if filter.kind.is_some() {
            next("kind", "=");
        }
        if filter.since.is_some() {
            next("created_at", ">=");
        }
        if filter.until.is_some() {
            next("created_at", "<");
        }
        let (after, order) = cursor.sql(
            "(l.created_at, l.event_id)",
            &format!(
                "SELECT c.created_at, c.event_id FROM audit_event_companies c \
                 WHERE c.company_id = $1 AND c.event_id = ${}",
                param + 1
            ),
        );
        let sql = format!(
            "SELECT l.event_id, l.created_at, l.kind, e.detail, e.ip, e.browser, l.user_id, u.name, u.email \
             FROM audit_event_companies l JOIN audit_events e ON e.id = l.event_id \
             LEFT JOIN users u ON u.id = l.user_id \
             WHERE l.company_id = $1{conditions}{after} \
             ORDER BY l.created_at {order}, l.event_id {order} LIMIT $2"
        );
        let mut query = sqlx::query_as::<_, Row>(&sql)
            .bind(company_id)
            .bind(limit + 1);
        if let Some(user_id) = filter.user_id {
            query = query.bind(user_id);
        }
        if let Some(kind) = filter.kind {
            query = query.bind(kind.as_str());
        }
        if let Some(since) = filter.since {
            query = query.bind(since);
        }
        if let Some(until) = filter.until {
            query = query.bind(until);
        }
        if let Some(id) = cursor.id() {
            query = query.bind(id);
        }
        Ok(page(query.fetch_all(self.conn()).await?, cursor, limit))
    }

    /// Deletes up to `limit` of the oldest audit events made before
    /// `before`; returns how many. The oldest have the lowest ids, so the
    /// scan in id order stops as soon as it has its slice.
    pub async fn delete_audit_events_before(
        &mut self,
        before: UnixTime,
        limit: i64,
    ) -> Result<u64, sqlx::Error> {
        sqlx::query(
            "DELETE FROM audit_events WHERE id IN \
             (SELECT id FROM audit_events WHERE created_at < $1 ORDER BY id LIMIT $2)",
        )
        .bind(before)
        .bind(limit)
        .execute(self.conn())
        .await
        .map(|done| done.rows_affected())
    }
}
