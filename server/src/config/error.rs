//! Why the configuration was refused: one plain line for the operator.

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} must be one of 1/true/yes/on or 0/false/no/off, got {value:?}")]
    NotABool { name: &'static str, value: String },
    #[error("MFA_PUBLIC_URL must start with http:// or https://, got {0:?}")]
    PublicUrl(String),
    #[error("MFA_DATABASE_URL must start with sqlite: or postgres://, got another scheme")]
    DatabaseUrl,
    #[error("MFA_DEMO_PASSWORD must not be empty")]
    EmptyDemoPassword,
    #[error("MFA_TRUSTED_PROXIES must list addresses or CIDR ranges, got {0:?}")]
    TrustedProxies(String),
    #[error("MFA_SMS_PROVIDER must be outbox or twilio, got {0:?}")]
    SmsProvider(String),
    #[error("{0} must be set when MFA_SMS_PROVIDER=twilio")]
    Missing(&'static str),
    #[error("set exactly one of MFA_TWILIO_FROM and MFA_TWILIO_MESSAGING_SERVICE_SID")]
    TwilioSender,
    #[error(
        "MFA_TWILIO_BASE_URL must start with https:// (or http:// for a local test server), got {0:?}"
    )]
    TwilioBaseUrl(String),
    #[error(
        "MFA_REMINDER_DAYS must list days before the deadline (1 to 365), like 14,7,1; got {0:?}"
    )]
    ReminderDays(String),
    #[error("MFA_AUDIT_RETENTION_DAYS must be a whole number of days from 30 to 36500, got {0:?}")]
    AuditRetentionDays(String),
    #[error(
        "MFA_DEMO_CLOCK_OFFSET_DAYS is for demonstrations only: set MFA_DEMO=1 too, or unset it"
    )]
    ClockOffsetWithoutDemo,
    #[error(
        "MFA_DEMO_CLOCK_OFFSET_DAYS must be a whole number of days (at most 3650 either way), got {0:?}"
    )]
    ClockOffset(String),
    #[error(
        "MFA_FORWARD_AUTH_DOMAINS must list host names or IP addresses (a leading dot for a domain and its subdomains), got {0:?}"
    )]
    ForwardAuthDomains(String),
    #[error(
        "MFA_COOKIE_DOMAIN must be the host of MFA_PUBLIC_URL or a domain above it (like example.com for mfa.example.com), got {0:?}"
    )]
    CookieDomain(String),
    #[error("MFA_SMTP_URL must start with smtp:// or smtps://, got {0:?}")]
    SmtpUrl(String),
    #[error("MFA_SMS_TIMEOUT_SECS must be a number of seconds from 1 to 120, got {0:?}")]
    SmsTimeout(String),
    #[error(
        "demo mode (MFA_DEMO) runs on this machine only: it lists every texted code and email at /outbox to anyone who asks, and its accounts share a known password. MFA_BIND ({bind}) and MFA_PUBLIC_URL ({public_url}) must both be loopback (127.0.0.1, ::1 or localhost); unset MFA_DEMO to serve other machines"
    )]
    DemoNotLoopback { bind: String, public_url: String },
}
