//! The outbox: what the outbox providers kept, for the demo's /outbox page.

use mfa_api::OutboxMessage;

use super::Deps;

/// The page shows at most this many.
const SHOWN: i64 = 200;

/// The newest messages, newest first.
pub async fn recent(deps: &Deps) -> Result<Vec<OutboxMessage>, sqlx::Error> {
    deps.read().await?.outbox(SHOWN).await
}
