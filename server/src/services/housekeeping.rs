//! Work done in the background rather than on the paths people wait for:
//! clearing out ended sessions (refused anyway once expired), and finishing
//! deadline announcements a stopped server left midway.

use std::time::Duration;

use super::{Deps, company_policy};

/// How often the sweep runs.
const EVERY: Duration = Duration::from_secs(5 * 60);

/// Deletes the sessions, codes, tokens and WebAuthn ceremonies that have
/// expired; returns how many.
pub async fn sweep(deps: &Deps) -> Result<u64, sqlx::Error> {
    let mut tx = deps.begin().await?;
    let deleted = tx.delete_expired_sessions(deps.now()).await?
        + tx.delete_expired_grants(deps.now()).await?
        + tx.forget_expired_ceremonies(deps.now()).await?;
    tx.commit().await?;
    Ok(deleted)
}

/// Sweeps now and then, for as long as the server runs.
pub fn spawn(deps: Deps) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = sweep(&deps).await {
                tracing::error!(error = %e, "the session sweep failed");
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
