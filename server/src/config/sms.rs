//! The SMS provider's settings (`MFA_SMS_PROVIDER` and `MFA_TWILIO_*`).

use super::ConfigError;
use crate::domain::secret::SecretString;

/// Where texted codes go (`MFA_SMS_PROVIDER`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SmsConfig {
    /// `outbox` (the default): stored in the database, listed on the
    /// demo-mode /outbox page; nothing leaves the server.
    Outbox,
    /// `twilio`: a Twilio-compatible Messages API.
    Twilio(TwilioConfig),
}

/// A Twilio-compatible REST provider. `Debug` hides the auth token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TwilioConfig {
    /// `MFA_TWILIO_ACCOUNT_SID`.
    pub account_sid: String,
    /// `MFA_TWILIO_AUTH_TOKEN`.
    pub auth_token: SecretString,
    /// `MFA_TWILIO_FROM` or `MFA_TWILIO_MESSAGING_SERVICE_SID`.
    pub sender: TwilioSender,
    /// `MFA_TWILIO_BASE_URL` (default `https://api.twilio.com`).
    pub base_url: String,
    /// `MFA_SMS_TIMEOUT_SECS` (default 10): a send that takes longer fails.
    pub timeout: std::time::Duration,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TwilioSender {
    /// A phone number in E.164 (the `From` field).
    From(String),
    /// A messaging service (the `MessagingServiceSid` field).
    MessagingService(String),
}

impl SmsConfig {
    pub(super) fn from_lookup(set: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let provider = set("MFA_SMS_PROVIDER").unwrap_or_else(|| "outbox".to_owned());
        match provider.trim().to_ascii_lowercase().as_str() {
            "outbox" => Ok(Self::Outbox),
            "twilio" => {
                let need = |name: &'static str| set(name).ok_or(ConfigError::Missing(name));
                let sender = match (
                    set("MFA_TWILIO_FROM"),
                    set("MFA_TWILIO_MESSAGING_SERVICE_SID"),
                ) {
                    (Some(from), None) => TwilioSender::From(from),
                    (None, Some(sid)) => TwilioSender::MessagingService(sid),
                    _ => return Err(ConfigError::TwilioSender),
                };
                let timeout = match set("MFA_SMS_TIMEOUT_SECS") {
                    None => 10,
                    Some(v) => v
                        .trim()
                        .parse()
                        .ok()
                        .filter(|s| (1..=120).contains(s))
                        .ok_or(ConfigError::SmsTimeout(v))?,
                };
                let base_url = set("MFA_TWILIO_BASE_URL")
                    .unwrap_or_else(|| "https://api.twilio.com".to_owned());
                if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
                    return Err(ConfigError::TwilioBaseUrl(base_url));
                }
                Ok(Self::Twilio(TwilioConfig {
                    account_sid: need("MFA_TWILIO_ACCOUNT_SID")?,
                    auth_token: SecretString::new(need("MFA_TWILIO_AUTH_TOKEN")?),
                    sender,
                    base_url: base_url.trim_end_matches('/').to_owned(),
                    timeout: std::time::Duration::from_secs(timeout),
                }))
            }
            _ => Err(ConfigError::SmsProvider(provider)),
        }
    }
}
