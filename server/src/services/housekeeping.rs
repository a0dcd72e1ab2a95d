//! Work done in the background rather than on the paths people wait for:
//! clearing out ended sessions (refused anyway once expired), deleting
//! audit events past their retention, and finishing deadline announcements
//! a stopped server left midway.

use std::time::Duration;

use super::{Deps, company_policy};

/// How often the sweep runs.
const EVERY: Duration = Duration::from_secs(5 * 60);

/// Deletes the sessions, codes, tokens, WebAuthn ceremonies and trusted
/// browsers that have expired; returns how many.
pub async fn sweep(deps: &Deps) -> Result<u64, sqlx::Error> {
    let mut tx = deps.begin().await?;
    let deleted = tx.delete_expired_sessions(deps.now()).await?
        + tx.delete_expired_grants(deps.now()).await?
        + tx.forget_expired_ceremonies(deps.now()).await?
        + tx.delete_expired_trusted_browsers(deps.now()).await?;
    tx.commit().await?;
    Ok(deleted)
}

/// Audit events are deleted this many per transaction: the writer is never
/// held long, whatever the backlog.
pub const AUDIT_SLICE: i64 = 1_000;

/// Deletes the audit events older than the retention, a slice per
/// transaction, until none is left; returns how many.
pub async fn forget_old_audit_events(deps: &Deps) -> Result<u64, sqlx::Error> {
    let before = deps.now() - deps.audit_retention_secs;
    let mut deleted = 0;
    loop {
        let mut tx = deps.begin().await?;
        let slice = tx.delete_audit_events_before(before, AUDIT_SLICE).await?;
        tx.commit().await?;
        deleted += slice;
        if slice < AUDIT_SLICE as u64 {
            return Ok(deleted);
        }
        // Let the requests waiting for the writer go first.
        tokio::task::yield_now().await;
    }
}

/// Sweeps now and then, for as long as the server runs.
pub fn spawn(deps: Deps) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = sweep(&deps).await {
                tracing::error!(error = %e, "the session sweep failed");
            }
            match forget_old_audit_events(&deps).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(events = n, "old audit events deleted"),
                Err(e) => tracing::error!(error = %e, "deleting old audit events failed"),
            }
            match company_policy::resume_announcements(&deps).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(companies = n, "deadline announcements resumed"),
                Err(e) => tracing::error!(error = %e, "resuming deadline announcements failed"),
            }
            tokio::time::sleep(EVERY).await;
        }
    })
}
