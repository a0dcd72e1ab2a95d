//! Notifications: what is emailed, queued in the transaction of the change
//! that causes it, and the worker that sends the queue. A queued email is
//! claimed by one worker at a time (with a lease another worker takes over
//! when it runs out), tried again with growing waits while the mail server
//! is unreachable, and marked sent once it was handed over. A worker sends
//! a batch one email at a time: just before each send it extends that
//! email's lease past the longest a send can take, if it still holds it, so
//! an email further down a slow batch is either still its own or already
//! another worker's (then skipped), never both.

use std::time::Duration;

use super::devices::{self, Forgotten};
use super::{Actor, Deps};
use crate::domain::clock::UnixTime;
use crate::domain::seal;
use crate::mail::OutgoingEmail;
use crate::mail::templates::{self, EmailContent, Language, SecurityEvent};
use crate::store::{AuditKind, NewEmail, Tx, kind_name};

/// How long a worker holds the emails it claimed, until it sends them.
const LEASE_SECS: i64 = 120;
/// How long a worker holds an email it is sending: far longer than a send
/// can take (each SMTP step times out after 20 s).
const SEND_LEASE_SECS: i64 = 600;
/// Emails a worker claims at a time.
const BATCH: i64 = 20;
/// The first wait after a failed try; each next one is twice as long, up to an hour.
const FIRST_RETRY_SECS: i64 = 30;

/// The wait before try number `attempts + 1`.
pub fn retry_wait(attempts: i64) -> i64 {
    let doublings = u32::try_from(attempts.clamp(0, 7)).unwrap_or(7);
    (FIRST_RETRY_SECS << doublings).min(3600)
}

/// A change to the member's own account: audited and emailed to them, in
/// the caller's transaction.
pub(super) async fn security_event(
    tx: &mut Tx,
    deps: &Deps,
    actor: Actor<'_>,
    event: SecurityEvent,
    detail: &str,
    now: UnixTime,
) -> Result<(), sqlx::Error> {
    let kind = match event {
        SecurityEvent::FactorAdded { .. } => AuditKind::FactorAdded,
        SecurityEvent::FactorRemoved { .. } => AuditKind::FactorRemoved,
        SecurityEvent::RecoveryCodeUsed => AuditKind::RecoveryCodeUsed,
        SecurityEvent::RecoveryCodeRegenerated => AuditKind::RecoveryCodeRegenerated,
        SecurityEvent::Lockout => AuditKind::Lockout,
        SecurityEvent::MfaReset { .. } => AuditKind::MfaReset,
        SecurityEvent::PasswordChanged { by_reset: false } => AuditKind::PasswordChanged,
        SecurityEvent::PasswordChanged { by_reset: true } => AuditKind::PasswordReset,
    };
    let detail = match event {
        SecurityEvent::FactorAdded { factor } | SecurityEvent::FactorRemoved { factor } => {
            kind_name(factor)
        }
        _ => detail,
    };
    tx.audit(actor.user_id, kind, detail, actor.ip, now).await?;
    if let Some(why) = Forgotten::after(&event) {
        devices::forget_all(tx, actor.user_id, why, now).await?;
    }
    let Some(user) = tx.user(actor.user_id).await? else {
        return Ok(());
    };
    let content = EmailContent::SecurityEvent {
        event,
        name: user.name,
        at: now,
        ip: actor.ip.map(str::to_owned),
    };
    let key = format!(
        "security:{}:{}",
        actor.user_id,
        hex::encode(rand::Rng::r#gen::<[u8; 12]>(&mut deps.rng()))
    );
    let to = Recipient {
        user_id: Some(actor.user_id),
        email: &user.email,
        language: &user.language,
    };
    enqueue(tx, to, &content, &key, None, now, now)
        .await
        .map(drop)
}

/// Who an email goes to.
#[derive(Clone, Copy, Debug)]
pub(super) struct Recipient<'a> {
    /// None for someone without an account yet (an invitation).
    pub user_id: Option<i64>,
    pub email: &'a str,
    pub language: &'a str,
}

/// Queues `content` for `to` under `dedup_key` (nothing when that key was
/// queued before), due at `send_after`.
pub(super) async fn enqueue(
    tx: &mut Tx,
    to: Recipient<'_>,
    content: &EmailContent,
    dedup_key: &str,
    topic: Option<&str>,
    now: UnixTime,
    send_after: UnixTime,
) -> Result<bool, sqlx::Error> {
    let payload = serde_json::to_string(content).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    tx.enqueue_email(&NewEmail {
        dedup_key,
        user_id: to.user_id,
        recipient: to.email,
        language: to.language,
        kind: content.kind(),
        payload: &payload,
        now,
        send_after,
        topic,
    })
    .await
}

/// An email prepared for [`enqueue_planned`].
#[derive(Debug)]
pub(super) struct Planned<'a> {
    to: Recipient<'a>,
    kind: &'static str,
    payload: String,
    dedup_key: String,
    send_after: UnixTime,
}

impl<'a> Planned<'a> {
    pub(super) fn new(
        to: Recipient<'a>,
        content: &EmailContent,
        dedup_key: String,
        send_after: UnixTime,
    ) -> Result<Self, sqlx::Error> {
        Ok(Self {
            to,
            kind: content.kind(),
            payload: serde_json::to_string(content)
                .map_err(|e| sqlx::Error::Encode(Box::new(e)))?,
            dedup_key,
            send_after,
        })
    }
}

/// Queues many prepared emails at once (as [`enqueue`] one by one).
pub(super) async fn enqueue_planned(
    tx: &mut Tx,
    planned: &[Planned<'_>],
    topic: Option<&str>,
    now: UnixTime,
) -> Result<u64, sqlx::Error> {
    let emails: Vec<NewEmail> = planned
        .iter()
        .map(|p| NewEmail {
            dedup_key: &p.dedup_key,
            user_id: p.to.user_id,
            recipient: p.to.email,
            language: p.to.language,
            kind: p.kind,
            payload: &p.payload,
            now,
            send_after: p.send_after,
            topic,
        })
        .collect();
    tx.enqueue_emails(&emails).await
}

/// What one round of the worker did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub failed: usize,
}

/// Claims the due emails and sends them, one by one.
pub async fn deliver_due(deps: &Deps, worker: &str) -> anyhow::Result<Round> {
    let now = deps.now();
    let mut tx = deps.begin().await?;
    let claimed = tx
        .claim_emails(worker, now, now + LEASE_SECS, BATCH)
        .await?;
    tx.commit().await?;
    let mut round = Round::default();
    for email in claimed {
        let outgoing = match serde_json::from_str::<EmailContent>(&email.payload) {
            Ok(content) => {
                let link_token = link_token(deps, &content);
                let rendered = templates::render(
                    &content,
                    Language::from_code(&email.language),
                    &deps.public_url,
                    link_token.as_deref(),
                );
                OutgoingEmail {
                    to: email.recipient.clone(),
                    subject: rendered.subject,
                    text: rendered.text,
                    html: rendered.html,
                    message_id: format!(
                        "<{}.{}@{}>",
                        email.id,
                        short_hash(&email.dedup_key),
                        deps.host
                    ),
                }
            }
            Err(e) => {
                // Written by a newer release: leave it for that one.
                tracing::error!(email_id = email.id, error = %e, "a queued email cannot be read");
                let mut tx = deps.begin().await?;
                tx.email_failed(email.id, worker, now + 3600, "unreadable payload")
                    .await?;
                tx.commit().await?;
                round.failed += 1;
                continue;
            }
        };
        if !still_applies(deps, &email, now).await? {
            let mut tx = deps.begin().await?;
            tx.email_cancelled(email.id, now).await?;
            tx.commit().await?;
            continue;
        }
        let mut tx = deps.begin().await?;
        let held = tx
            .renew_email_lease(email.id, worker, deps.now() + SEND_LEASE_SECS)
            .await?;
        tx.commit().await?;
        if !held {
            // Its lease ran out while the batch was being sent, and another
            // worker has it now (or sent it already).
            tracing::info!(
                email_id = email.id,
                "an email of the batch went to another worker"
            );
            continue;
        }
        let sent = deps.mailer.send(&deps.store, &outgoing, now).await;
        crate::faults::point("email.sent");
        let mut tx = deps.begin().await?;
        match sent {
            Ok(()) => {
                tx.email_sent(email.id, worker, deps.now()).await?;
                round.sent += 1;
            }
            Err(e) => {
                let wait = retry_wait(email.attempts);
                tracing::warn!(email_id = email.id, attempts = email.attempts + 1, retry_in = wait, error = %format!("{e:#}"), "an email could not be sent");
                tx.email_failed(email.id, worker, now + wait, &format!("{e:#}"))
                    .await?;
                round.failed += 1;
            }
        }
        tx.commit().await?;
    }
    Ok(round)
}

/// An emailed link's token (a reset, an invitation), opened from its seal
/// to be sent (none for other emails, or a seal this server's key does not
/// open: the email then links to where a new link can be had).
fn link_token(deps: &Deps, content: &EmailContent) -> Option<String> {
    let (owner, sealed) = match content {
        EmailContent::PasswordReset {
            reset_id,
            token_sealed,
            ..
        } => (seal::reset_link_owner(*reset_id), token_sealed),
        EmailContent::Invitation {
            invitation_id,
            token_sealed,
            ..
        } => (seal::invitation_owner(*invitation_id), token_sealed),
        _ => return None,
    };
    seal::open(&deps.key, &owner, sealed)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
}

/// Planned emails are checked again when their time comes.
async fn still_applies(
    deps: &Deps,
    email: &crate::store::QueuedEmail,
    now: UnixTime,
) -> anyhow::Result<bool> {
    let Ok(content) = serde_json::from_str::<EmailContent>(&email.payload) else {
        return Ok(true);
    };
    let mut tx = deps.read().await?;
    Ok(super::company_policy::still_applies(&mut tx, &content, now).await?)
}

fn short_hash(text: &str) -> String {
    use sha2::Digest;
    hex::encode(&sha2::Sha256::digest(text.as_bytes())[..8])
}

/// Sends the queue in the background, every few seconds, until the
/// process ends. Each server instance runs one, under its own name.
pub fn spawn_worker(deps: Deps) -> tokio::task::JoinHandle<()> {
    let worker = format!(
        "{}-{}",
        std::process::id(),
        hex::encode(rand::Rng::r#gen::<[u8; 4]>(&mut deps.rng()))
    );
    tokio::spawn(async move {
        loop {
            match deliver_due(&deps, &worker).await {
                Ok(round) if round.sent + round.failed > 0 => continue,
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = %format!("{e:#}"), "the email worker failed a round")
                }
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        assert_eq!(retry_wait(0), 30);
        assert_eq!(retry_wait(1), 60);
        assert_eq!(retry_wait(3), 240);
        assert_eq!(retry_wait(7), 3600);
        assert_eq!(retry_wait(50), 3600);
    }
}
