//! Sending texts, behind one interface: the provider is chosen by
//! configuration (`MFA_SMS_PROVIDER`). Each send is tried once: a retry is
//! the caller's decision, made with the same idempotency key, so that no
//! attempt whose outcome is unknown is ever repeated blindly.

use std::time::Duration;

use crate::config::SmsConfig;
use crate::domain::clock::UnixTime;
use crate::store::Store;

/// The outbox: texts kept in the database.
mod outbox;
/// A Twilio-compatible Messages API.
mod twilio;

pub use twilio::Twilio;

/// One text to send.
#[derive(Clone, Copy)]
pub struct Text<'a> {
    /// E.164.
    pub to: &'a str,
    pub body: &'a str,
    /// The same key for a retry of the same send.
    pub idempotency_key: &'a str,
}

impl std::fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Text(<redacted>)")
    }
}

/// Why a text did not (certainly) go out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The provider will not deliver to this number (invalid, landline,
    /// unsubscribed, region not enabled). Nothing was sent.
    #[error("the provider refused the number (provider code {0:?})")]
    Rejected(Option<i64>),
    /// The provider asks us to slow down. Nothing was sent.
    #[error("the provider is rate limiting")]
    RateLimited { retry_after: Option<Duration> },
    /// The provider failed or could not be reached, or our account with it
    /// is misconfigured. Nothing was sent.
    #[error("the provider is unavailable")]
    Unavailable,
    /// No answer in time: the text may or may not have gone out.
    #[error("the provider did not answer in time")]
    TimedOut,
}

/// The configured provider.
#[derive(Debug)]
pub enum SmsProvider {
    Outbox,
    Twilio(Twilio),
}

impl SmsProvider {
    pub fn from_config(config: &SmsConfig) -> anyhow::Result<Self> {
        Ok(match config {
            SmsConfig::Outbox => Self::Outbox,
            SmsConfig::Twilio(twilio) => Self::Twilio(Twilio::new(twilio.clone())?),
        })
    }

    /// Sends one text, once.
    pub async fn send(
        &self,
        store: &Store,
        text: Text<'_>,
        now: UnixTime,
    ) -> Result<(), SendError> {
        match self {
            Self::Outbox => outbox::send(store, text, now).await,
            Self::Twilio(twilio) => twilio.send(text).await,
        }
    }
}
