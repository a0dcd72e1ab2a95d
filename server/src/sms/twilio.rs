use std::time::Duration;

use anyhow::Context;
use reqwest::StatusCode;
use serde::Deserialize;

use super::{SendError, Text};
use crate::config::{TwilioConfig, TwilioSender};

/// A Twilio-compatible Messages API: `POST {base}/2010-04-01/Accounts/{sid}/Messages.json`,
/// form-encoded, with HTTP basic auth (account SID, auth token).
#[derive(Debug)]
pub struct Twilio {
    config: TwilioConfig,
    client: reqwest::Client,
    url: String,
}

/// The error body Twilio answers with.
#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    code: Option<i64>,
}

/// Twilio error codes that mean "this number cannot get this text":
/// invalid To, not a mobile number, region not enabled, unsubscribed
/// (STOP), unreachable To.
const NUMBER_REFUSED: [i64; 6] = [21211, 21214, 21408, 21610, 21612, 21614];

impl Twilio {
    pub fn new(config: TwilioConfig) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("mfa-server/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("building the HTTP client for the SMS provider")?;
        if !config.base_url.starts_with("https://") {
            tracing::warn!(base_url = %config.base_url, "MFA_TWILIO_BASE_URL is not https: texts and the auth token travel in the clear");
        }
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            config.base_url,
            mfa_api::percent_encode(&config.account_sid, b"")
        );
        Ok(Self {
            config,
            client,
            url,
        })
    }

    pub async fn send(&self, text: Text<'_>) -> Result<(), SendError> {
        let sender = match &self.config.sender {
            TwilioSender::From(from) => ("From", from.as_str()),
            TwilioSender::MessagingService(sid) => ("MessagingServiceSid", sid.as_str()),
        };
        let response = self
            .client
            .post(&self.url)
            .basic_auth(
                &self.config.account_sid,
                Some(self.config.auth_token.expose()),
            )
            .header("Idempotency-Key", text.idempotency_key)
            .form(&[("To", text.to), sender, ("Body", text.body)])
            .send()
            .await;
        let response = match response {
            Ok(response) => response,
            Err(e) if e.is_timeout() => {
                tracing::warn!("the SMS provider did not answer in time");
                return Err(SendError::TimedOut);
            }
            Err(e) => {
                // reqwest's message names the URL, never the credentials.
                tracing::error!(error = %e.without_url(), "the SMS provider could not be reached");
                return Err(SendError::Unavailable);
            }
        };
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok())
            .map(Duration::from_secs);
        let body: ErrorBody = match response.bytes().await {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
            Err(e) if e.is_timeout() => return Err(SendError::TimedOut),
            Err(_) => ErrorBody::default(),
        };
        match status {
            StatusCode::TOO_MANY_REQUESTS => {
                tracing::warn!(code = body.code, "the SMS provider is rate limiting");
                Err(SendError::RateLimited { retry_after })
            }
            StatusCode::BAD_REQUEST
                if body.code.is_some_and(|code| NUMBER_REFUSED.contains(&code)) =>
            {
                tracing::info!(code = body.code, "the SMS provider refused the number");
                Err(SendError::Rejected(body.code))
            }
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND => {
                tracing::error!(
                    status = status.as_u16(),
                    code = body.code,
                    "the SMS provider refused our credentials or account: check MFA_TWILIO_*"
                );
                Err(SendError::Unavailable)
            }
            _ => {
                tracing::error!(
                    status = status.as_u16(),
                    code = body.code,
                    "the SMS provider failed"
                );
                Err(SendError::Unavailable)
            }
        }
    }
}
