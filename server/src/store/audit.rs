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
}

impl AuditKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FactorAdded => "factor_added",
            Self::FactorRemoved => "factor_removed",
            Self::RecoveryCodeUsed => "recovery_code_used",
            Self::RecoveryCodeRegenerated => "recovery_code_regenerated",
            Self::Lockout => "lockout",
        }
    }
}

impl Tx {
    /// Who (`user_id`), what (`kind`, `detail`), when, and from which IP.
    pub async fn audit(
        &mut self,
        user_id: i64,
        kind: AuditKind,
        detail: &str,
        ip: Option<&str>,
        now: UnixTime,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO audit_events (user_id, kind, detail, ip, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(user_id)
            .bind(kind.as_str())
            .bind(detail)
            .bind(ip)
            .bind(now)
            .execute(self.conn())
            .await
            .map(drop)
    }
}
