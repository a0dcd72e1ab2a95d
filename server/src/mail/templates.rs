//! What each email says, in English and French, as plain text and HTML.
//! Rendered when the email is sent, from what was queued.

use mfa_api::{FactorKind, PRODUCT_NAME};
use serde::{Deserialize, Serialize};

use crate::domain::clock::UnixTime;

/// A change to the member's own account they must hear about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SecurityEvent {
    /// (`factor`, not `kind`: the email's own tag is `kind`.)
    FactorAdded {
        factor: FactorKind,
    },
    FactorRemoved {
        factor: FactorKind,
    },
    RecoveryCodeUsed,
    RecoveryCodeRegenerated,
    /// Codes of some kind were locked after too many wrong tries.
    Lockout,
    /// Every factor and the recovery code were removed by the company's
    /// admin (`by_operator: false`) or the server's operator.
    MfaReset {
        by_operator: bool,
    },
    /// The password was changed (`by_reset`: through a forgotten-password
    /// link, not by typing the old one).
    PasswordChanged {
        by_reset: bool,
    },
}

/// The emails about the account itself: an invitation, a reset link, a
/// change of membership.
mod accounts;
/// The notices of a change to the account's security.
mod security;

use accounts::{invitation, membership, methods_turned_off, password_reset};
use security::security_event;

/// What changed in someone's membership of a company.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum MembershipChange {
    Role { role: mfa_api::CompanyRole },
    Removed,
}

/// What a queued email is about: everything its template needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EmailContent {
    SecurityEvent {
        #[serde(flatten)]
        event: SecurityEvent,
        name: String,
        at: UnixTime,
        ip: Option<String>,
    },
    /// The company's deadline was set or moved (`reminder_days: None`), or
    /// a reminder that many days before it.
    Deadline {
        company_id: i64,
        company: String,
        user_id: i64,
        name: String,
        deadline: UnixTime,
        /// As the admin set it: `YYYY-MM-DD` and an IANA zone.
        date: String,
        time_zone: String,
        reminder_days: Option<i64>,
    },
    /// An admin changed the person's role in a company, or removed them.
    Membership {
        company: String,
        name: String,
        #[serde(flatten)]
        change: MembershipChange,
    },
    /// The company turned off every method the person had: which still
    /// work, and until when their old one does (`until`: the deadline, or
    /// none: it stopped at once).
    MethodsTurnedOff {
        company: String,
        name: String,
        allowed: Vec<FactorKind>,
        until: Option<UnixTime>,
        date: Option<String>,
        time_zone: String,
    },
    /// An invitation to join a company, with its link (sealed as a reset
    /// link's is).
    Invitation {
        company: String,
        /// Who invites (none: the server's operator).
        invited_by: Option<String>,
        name: String,
        invitation_id: i64,
        token_sealed: String,
        expires_at: UnixTime,
    },
    /// A link to choose a new password. Its token waits in the queue sealed
    /// with the server key (bound to the link's id), opened only to send.
    PasswordReset {
        name: String,
        reset_id: i64,
        token_sealed: String,
        expires_at: UnixTime,
    },
}

impl EmailContent {
    /// The queue's name for this kind of email.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::SecurityEvent { .. } => "security_event",
            Self::Deadline {
                reminder_days: None,
                ..
            } => "deadline",
            Self::Deadline { .. } => "reminder",
            Self::PasswordReset { .. } => "password_reset",
            Self::Invitation { .. } => "invitation",
            Self::Membership { .. } => "membership",
            Self::MethodsTurnedOff { .. } => "methods_turned_off",
        }
    }
}

/// An email ready to go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The languages emails are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    En,
    Fr,
}

impl Language {
    /// A language code as a client sends it; `None` for one we do not write in.
    pub fn parse(code: &str) -> Option<Self> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Self::En),
            "fr" => Some(Self::Fr),
            _ => None,
        }
    }

    /// A stored language code; English for anything else.
    pub fn from_code(code: &str) -> Self {
        match code {
            "fr" => Self::Fr,
            _ => Self::En,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
        }
    }
}

/// `2026-11-28 07:15 UTC`.
fn when(at: UnixTime) -> String {
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute] UTC"
            ))
            .ok()
        })
        .unwrap_or_default()
}

/// Minimal HTML escaping for text put into the HTML part.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The words of one email: a greeting, paragraphs, an optional button.
struct Letter {
    subject: String,
    greeting: String,
    paragraphs: Vec<String>,
    button: Option<(String, String)>,
}

impl Letter {
    fn render(self) -> Rendered {
        let mut text = format!("{}\n\n", self.greeting);
        for p in &self.paragraphs {
            text.push_str(p);
            text.push_str("\n\n");
        }
        if let Some((label, url)) = &self.button {
            text.push_str(&format!("{label}: {url}\n\n"));
        }
        text.push_str(&format!("{PRODUCT_NAME}\n"));

        let mut html = String::from(
            "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1b2129\">",
        );
        html.push_str(&format!("<p>{}</p>", escape(&self.greeting)));
        for p in &self.paragraphs {
            html.push_str(&format!("<p>{}</p>", escape(p)));
        }
        if let Some((label, url)) = &self.button {
            html.push_str(&format!(
                "<p><a href=\"{}\" style=\"display:inline-block;background:#1f5fbf;color:#fff;padding:.6em 1.2em;border-radius:8px;text-decoration:none\">{}</a></p>",
                escape(url),
                escape(label)
            ));
        }
        html.push_str(&format!("<p>{PRODUCT_NAME}</p></body></html>"));
        Rendered {
            subject: self.subject,
            text,
            html,
        }
    }
}

/// Renders `content` in `language`; links start with `public_url`. An
/// emailed link's token (a reset, an invitation) comes opened from its
/// seal (`link_token`).
pub fn render(
    content: &EmailContent,
    language: Language,
    public_url: &str,
    link_token: Option<&str>,
) -> Rendered {
    match content {
        EmailContent::PasswordReset {
            name, expires_at, ..
        } => password_reset(name, *expires_at, link_token, language, public_url),
        EmailContent::Membership {
            company,
            name,
            change,
        } => membership(company, name, *change, language, public_url),
        EmailContent::MethodsTurnedOff {
            company,
            name,
            allowed,
            until,
            date,
            time_zone,
        } => {
            let until = until
                .and(date.as_deref())
                .map(|date| (date, time_zone.as_str()));
            methods_turned_off(company, name, allowed, until, language, public_url)
        }
        EmailContent::Invitation {
            company,
            invited_by,
            name,
            expires_at,
            ..
        } => invitation(
            company,
            invited_by.as_deref(),
            name,
            *expires_at,
            link_token,
            language,
            public_url,
        ),
        EmailContent::SecurityEvent {
            event,
            name,
            at,
            ip,
        } => security_event(*event, name, *at, ip.as_deref(), language, public_url),
        EmailContent::Deadline {
            company,
            name,
            date,
            time_zone,
            reminder_days,
            ..
        } => deadline(
            company,
            name,
            date,
            time_zone,
            *reminder_days,
            language,
            public_url,
        ),
    }
}

fn deadline(
    company: &str,
    name: &str,
    date: &str,
    time_zone: &str,
    reminder_days: Option<i64>,
    language: Language,
    public_url: &str,
) -> Rendered {
    let security = format!("{public_url}/profile/security");
    let help = format!("{public_url}/help/mfa");
    let letter = match language {
        Language::En => Letter {
            subject: match reminder_days {
                None => format!("Set up two-factor authentication before {date}"),
                Some(1) => format!("Reminder: set up two-factor authentication before {date} (1 day left)"),
                Some(days) => format!(
                    "Reminder: set up two-factor authentication before {date} ({days} days left)"
                ),
            },
            greeting: format!("Hello {name},"),
            paragraphs: vec![
                format!(
                    "{company} requires two-factor authentication from {date} (00:00, {time_zone} time). From then on, signing in takes your password and a code from your phone, and until it is set up you can do nothing but set it up."
                ),
                "Why: a code from your phone keeps your account safe even if someone learns your password.".to_owned(),
                "How, in short: 1. Open My Profile Settings, then the Password & Security tab. 2. Choose Add Authenticator App (or Add Phone Number) and confirm your password. 3. Scan the QR code with the app (or type the code we text you), then save your recovery code somewhere safe.".to_owned(),
                format!("Step by step, with pictures: {help}"),
            ],
            button: Some(("Set up two-factor authentication".to_owned(), security)),
        },
        Language::Fr => Letter {
            subject: match reminder_days {
                None => format!("Activez l'authentification à deux facteurs avant le {date}"),
                Some(1) => format!(
                    "Rappel : activez l'authentification à deux facteurs avant le {date} (1 jour restant)"
                ),
                Some(days) => format!(
                    "Rappel : activez l'authentification à deux facteurs avant le {date} ({days} jours restants)"
                ),
            },
            greeting: format!("Bonjour {name},"),
            paragraphs: vec![
                format!(
                    "{company} exige l'authentification à deux facteurs à partir du {date} (00 h 00, heure de {time_zone}). Dès lors, la connexion demandera votre mot de passe et un code de votre téléphone, et tant qu'elle n'est pas activée vous ne pourrez rien faire d'autre que l'activer."
                ),
                "Pourquoi : un code de votre téléphone protège votre compte même si quelqu'un connaît votre mot de passe.".to_owned(),
                "En bref : 1. Ouvrez Paramètres de mon profil, puis l'onglet Mot de passe et sécurité. 2. Choisissez Ajouter une application d'authentification (ou Ajouter un numéro de téléphone) et confirmez votre mot de passe. 3. Scannez le code QR avec l'application (ou saisissez le code reçu par SMS), puis conservez votre code de récupération en lieu sûr.".to_owned(),
                format!("Pas à pas, en images : {help}"),
            ],
            button: Some((
                "Activer l'authentification à deux facteurs".to_owned(),
                security,
            )),
        },
    };
    letter.render()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn added(language: Language) -> Rendered {
        let content = EmailContent::SecurityEvent {
            event: SecurityEvent::FactorAdded {
                factor: FactorKind::Sms,
            },
            name: "Morgan <Member>".into(),
            at: 1_795_824_000 + 7 * 3600 + 15 * 60,
            ip: Some("203.0.113.9".into()),
        };
        render(&content, language, "https://mfa.example.com", None)
    }

    #[test]
    fn a_security_email_says_what_when_where_and_what_to_do() {
        let email = added(Language::En);
        assert_eq!(
            email.subject,
            "TwoStep: A phone number for text-message codes was added to your account"
        );
        assert!(email.text.starts_with("Hello Morgan <Member>,"));
        assert!(email.text.contains("2026-11-28 07:15 UTC"));
        assert!(email.text.contains("203.0.113.9"));
        assert!(email.text.contains("If this wasn't you"));
        assert!(
            email
                .text
                .contains("https://mfa.example.com/profile/security")
        );
        assert!(
            email
                .html
                .contains("href=\"https://mfa.example.com/profile/security\"")
        );
        assert!(email.html.contains("Morgan &lt;Member&gt;"), "escaped");
        assert!(!email.html.contains("<Member>"));
    }

    #[test]
    fn the_deadline_email_says_when_why_how_and_links_to_the_tab_and_the_help() {
        let content = EmailContent::Deadline {
            company: "Acme Construction".into(),
            company_id: 1,
            user_id: 2,
            name: "Morgan".into(),
            deadline: 0,
            date: "2026-12-08".into(),
            time_zone: "America/Chicago".into(),
            reminder_days: None,
        };
        let email = render(&content, Language::En, "https://mfa.example.com", None);
        assert_eq!(
            email.subject,
            "Set up two-factor authentication before 2026-12-08"
        );
        assert!(
            email
                .text
                .contains("Acme Construction requires two-factor authentication from 2026-12-08")
        );
        assert!(email.text.contains("America/Chicago"));
        assert!(
            email
                .text
                .contains("https://mfa.example.com/profile/security")
        );
        assert!(email.text.contains("https://mfa.example.com/help/mfa"));
        assert!(
            email
                .html
                .contains("href=\"https://mfa.example.com/profile/security\"")
        );
        let mut reminder = content;
        if let EmailContent::Deadline { reminder_days, .. } = &mut reminder {
            *reminder_days = Some(7);
        }
        assert_eq!(reminder.kind(), "reminder");
        let french = render(&reminder, Language::Fr, "https://mfa.example.com", None);
        assert!(
            french.subject.contains("7 jours restants"),
            "{}",
            french.subject
        );
    }

    #[test]
    fn french_readers_get_french() {
        let email = added(Language::Fr);
        assert!(email.text.starts_with("Bonjour"));
        assert!(email.text.contains("Si ce n'était pas vous"));
        assert_eq!(Language::from_code("fr"), Language::Fr);
        assert_eq!(Language::from_code("de"), Language::En);
    }

    #[test]
    fn queued_content_keeps_its_shape() {
        let content = EmailContent::SecurityEvent {
            event: SecurityEvent::Lockout,
            name: "M".into(),
            at: 5,
            ip: None,
        };
        let json = serde_json::to_value(&content).unwrap();
        assert_eq!(json["kind"], "security_event");
        assert_eq!(json["event"], "lockout");
        assert_eq!(
            serde_json::from_value::<EmailContent>(json).unwrap(),
            content
        );
    }
}
