use super::Store;
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

/// One row of the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRow {
    pub user_id: Option<i64>,
    pub kind: String,
    pub detail: String,
    pub ip: Option<String>,
    pub created_at: UnixTime,
}

impl Store {
    /// Who (`user_id`), what (`kind`, `detail`), when, and from which IP.
    pub async fn audit(
        &self,
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
            .execute(&self.pool)
            .await
            .map(drop)
    }

    /// The user's events, oldest first.
    pub async fn audit_events(&self, user_id: i64) -> Result<Vec<AuditRow>, sqlx::Error> {
        let rows: Vec<(Option<i64>, String, String, Option<String>, i64)> = sqlx::query_as(
            "SELECT user_id, kind, detail, ip, created_at FROM audit_events WHERE user_id = $1 ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(user_id, kind, detail, ip, created_at)| AuditRow {
                user_id,
                kind,
                detail,
                ip,
                created_at,
            })
            .collect())
    }
}
