//! Sending email, behind one interface chosen by configuration: SMTP
//! (`MFA_SMTP_URL`, with lettre) or the outbox (stored in the database and
//! written as `.eml` files in the data directory). Every email has a plain
//! text and an HTML part. What to send, and when, is `services::notify`'s.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use mfa_api::{OutboxChannel, PRODUCT_NAME};

use crate::config::Config;
use crate::domain::clock::UnixTime;
use crate::files;
use crate::store::Store;

/// What each email says.
pub mod templates;

/// One email, rendered.
#[derive(Clone, Debug)]
pub struct OutgoingEmail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// `<...@host>`: the same for every try of one queued email, so a
    /// duplicate (after a crash between sending and recording it) is
    /// recognisable as one.
    pub message_id: String,
}

/// The configured way out.
pub enum Mailer {
    /// Kept in the `outbox` table and as `.eml` files in `dir`.
    Outbox { dir: PathBuf, from: Mailbox },
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Outbox { dir, .. } => write!(f, "Mailer::Outbox({})", dir.display()),
            Self::Smtp { from, .. } => write!(f, "Mailer::Smtp(from {from})"),
        }
    }
}

impl Mailer {
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let from: Mailbox = match &config.mail_from {
            Some(from) => from
                .parse()
                .context("MFA_MAIL_FROM is not an email address")?,
            None => format!(
                "{PRODUCT_NAME} <no-reply@{}>",
                mail_domain(config.public_host())
            )
            .parse()
            .context("the default sender address")?,
        };
        Ok(match &config.smtp_url {
            None => Self::Outbox {
                dir: config.data_dir.join("outbox"),
                from,
            },
            Some(url) => Self::Smtp {
                transport: AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp_url(url.expose()))
                    .context("MFA_SMTP_URL")?
                    .timeout(Some(Duration::from_secs(20)))
                    .build(),
                from,
            },
        })
    }

    /// Sends one email, once.
    pub async fn send(
        &self,
        store: &Store,
        email: &OutgoingEmail,
        now: UnixTime,
    ) -> anyhow::Result<()> {
        match self {
            Self::Outbox { dir, from } => {
                let message = message(from, email)?;
                let mut tx = store.begin().await?;
                let id = tx
                    .put_in_outbox(
                        OutboxChannel::Email,
                        &email.to,
                        Some(&email.subject),
                        &email.text,
                        now,
                    )
                    .await?;
                files::private_dir(dir)?;
                let eml = String::from_utf8(message.formatted()).context("an .eml file")?;
                files::write_private(&dir.join(format!("{now}-{id}.eml")), &eml)?;
                tx.commit().await?;
                Ok(())
            }
            Self::Smtp { transport, from } => {
                transport
                    .send(message(from, email)?)
                    .await
                    .context("SMTP")?;
                Ok(())
            }
        }
    }
}

/// The message: both parts, our sender, the queue's message id.
fn message(from: &Mailbox, email: &OutgoingEmail) -> anyhow::Result<Message> {
    Message::builder()
        .from(from.clone())
        .to(email.to.parse().context("recipient")?)
        .subject(&email.subject)
        .message_id(Some(email.message_id.clone()))
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(email.text.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(email.html.clone()),
                ),
        )
        .context("building the email")
}

/// A host name usable after `@` (an IP address gets a `.invalid` name).
fn mail_domain(host: &str) -> String {
    if host.parse::<std::net::IpAddr>().is_ok() || !host.contains('.') {
        "localhost.invalid".to_owned()
    } else {
        host.to_owned()
    }
}

/// `MFA_SMTP_URL` as lettre reads it. `smtps://` is TLS from the start.
/// `smtp://` upgrades with STARTTLS: required when it carries credentials
/// for another host (a password never crosses the network in the clear),
/// else when the server offers it; `?tls=required`, `?tls=opportunistic`
/// or `?tls=none` say so explicitly.
pub fn smtp_url(url: &str) -> String {
    let Some(rest) = url.strip_prefix("smtp://") else {
        return url.to_owned();
    };
    let (base, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut params: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    let tls = params
        .iter()
        .find_map(|p| p.strip_prefix("tls="))
        .map(str::to_owned);
    params.retain(|p| !p.starts_with("tls="));
    let authority = base.split('/').next().unwrap_or(base);
    let (credentials, host) = match authority.rsplit_once('@') {
        Some((credentials, host)) => (Some(credentials), host),
        None => (None, authority),
    };
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let loopback = host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    let tls = match tls.as_deref() {
        Some("none") => None,
        Some(explicit) => Some(explicit.to_owned()),
        None if credentials.is_some() && !loopback => Some("required".to_owned()),
        None => Some("opportunistic".to_owned()),
    };
    if let Some(tls) = tls {
        params.push(format!("tls={tls}"));
    }
    match params.is_empty() {
        true => format!("smtp://{base}"),
        false => format!("smtp://{base}?{}", params.join("&")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_upgrade_with_starttls() {
        assert_eq!(
            smtp_url("smtp://user:pw@mail.example.com:587"),
            "smtp://user:pw@mail.example.com:587?tls=required"
        );
        assert_eq!(
            smtp_url("smtp://mail.example.com:25"),
            "smtp://mail.example.com:25?tls=opportunistic"
        );
        assert_eq!(
            smtp_url("smtp://user:pw@127.0.0.1:2525"),
            "smtp://user:pw@127.0.0.1:2525?tls=opportunistic"
        );
        assert_eq!(
            smtp_url("smtp://127.0.0.1:2525?tls=none"),
            "smtp://127.0.0.1:2525"
        );
        assert_eq!(
            smtp_url("smtp://u:p@mail.example.com?tls=opportunistic"),
            "smtp://u:p@mail.example.com?tls=opportunistic"
        );
        assert_eq!(
            smtp_url("smtps://u:p@mail.example.com"),
            "smtps://u:p@mail.example.com"
        );
    }

    #[test]
    fn the_default_sender_has_a_mail_domain() {
        assert_eq!(mail_domain("mfa.example.com"), "mfa.example.com");
        assert_eq!(mail_domain("127.0.0.1"), "localhost.invalid");
        assert_eq!(mail_domain("localhost"), "localhost.invalid");
    }
}
