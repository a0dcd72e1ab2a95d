use mfa_api::OutboxChannel;

use super::{SendError, Text};
use crate::domain::clock::UnixTime;
use crate::store::Store;

/// Keeps the text in the outbox table: "sent" once committed.
pub async fn send(store: &Store, text: Text<'_>, now: UnixTime) -> Result<(), SendError> {
    let stored = async {
        let mut tx = store.begin().await?;
        tx.put_in_outbox(OutboxChannel::Sms, text.to, None, text.body, now)
            .await?;
        tx.commit().await
    };
    stored.await.map_err(|e| {
        tracing::error!(error = %e, "the outbox could not store a text");
        SendError::Unavailable
    })
}
