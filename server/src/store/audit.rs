use super::Tx;
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
        }
    }
}

impl Tx {
    /// Who (`user_id`, when known), what (`kind`, `detail`), when, and from which IP.
    pub async fn audit(
        &mut self,
        user_id: impl Into<Option<i64>>,
        kind: AuditKind,
        detail: &str,
        ip: Option<&str>,
        now: UnixTime,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO audit_events (user_id, kind, detail, ip, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(user_id.into())
            .bind(kind.as_str())
            .bind(detail)
            .bind(ip)
            .bind(now)
            .execute(self.conn())
            .await
            .map(drop)
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
