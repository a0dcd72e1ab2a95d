//! Operator configuration, read once from `MFA_*` environment variables.

use std::fmt;
use std::path::PathBuf;

use crate::domain::secret::SecretString;

/// Address ranges, for the trusted proxies.
mod cidr;
/// Why the configuration was refused.
mod error;
/// Where forward authentication may send people back to.
pub mod forward_auth;
/// Origins and host names compared in one normal form.
pub mod origin;
/// The WebAuthn relying party passkeys are bound to.
pub mod passkeys;
/// The SMS provider's settings.
mod sms;

pub use cidr::Cidr;
pub use error::ConfigError;
pub use forward_auth::DomainRule;
pub use sms::{SmsConfig, TwilioConfig, TwilioSender};

/// Everything the operator can set. Built by [`Config::from_env`].
/// `Debug` hides the database URL's password and the demo password.
#[derive(Clone)]
pub struct Config {
    /// `MFA_BIND`: address to listen on (port 0 picks a free port).
    pub bind: String,
    /// `MFA_DATA_DIR`: SQLite database, server key and demo password live here.
    pub data_dir: PathBuf,
    /// `MFA_DATABASE_URL`: `sqlite://...` or `postgres://...`.
    pub database_url: String,
    /// `MFA_DEMO`: seed the demo company and its three accounts.
    pub demo: bool,
    /// `MFA_DEMO_PASSWORD`: password of the demo accounts (else generated once).
    pub demo_password: Option<SecretString>,
    /// `MFA_PUBLIC_URL`: the URL people use; `https://` turns on Secure cookies.
    /// When unset, `http://` and the address the server bound.
    pub public_url: String,
    /// Whether `public_url` was set by the operator (or derived from the bind address).
    pub public_url_explicit: bool,
    /// `MFA_SECRET_KEY_FILE`: the server's 256-bit key (created when absent).
    pub secret_key_file: PathBuf,
    /// `MFA_DIST_DIR`: the built single-page app (`trunk build --release`).
    pub dist_dir: PathBuf,
    /// `MFA_TRUSTED_PROXIES`: reverse proxies whose `X-Forwarded-For` is
    /// believed (comma-separated addresses or CIDR ranges); none by default.
    pub trusted_proxies: Vec<Cidr>,
    /// `MFA_SMS_PROVIDER` and its settings: where texted codes go.
    pub sms: SmsConfig,
    /// `MFA_SMTP_URL`: where emails go (the outbox when unset).
    pub smtp_url: Option<SecretString>,
    /// `MFA_MAIL_FROM`: the emails' sender (default `TwoStep <no-reply@host>`).
    pub mail_from: Option<String>,
    /// `MFA_REMINDER_DAYS` (default `14,7,1`): reminders go this many days
    /// before a company's deadline.
    pub reminder_days: Vec<i64>,
    /// `MFA_AUDIT_RETENTION_DAYS` (default 400): older audit events go.
    pub audit_retention_days: i64,
    /// `MFA_DEMO_CLOCK_OFFSET_DAYS` (demo mode only): whole days added to
    /// the server's clock, to show a deadline's aftermath without waiting.
    pub demo_clock_offset_days: i64,
    /// `MFA_FORWARD_AUTH_DOMAINS`: the hosts forward authentication may send
    /// people back to after signing in (comma-separated; `.example.com` for
    /// a domain and its subdomains). None by default.
    pub forward_auth_domains: Vec<DomainRule>,
    /// `MFA_COOKIE_DOMAIN`: the session cookie's Domain, for apps on sibling
    /// hosts behind forward authentication. Host-only by default.
    pub cookie_domain: Option<String>,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any variable lookup (tests pass a map).
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let set = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let bind = set("MFA_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let data_dir = PathBuf::from(set("MFA_DATA_DIR").unwrap_or_else(|| "./data".to_owned()));
        let database_url = match set("MFA_DATABASE_URL") {
            Some(url)
                if url.starts_with("sqlite:")
                    || url.starts_with("postgres://")
                    || url.starts_with("postgresql://") =>
            {
                url
            }
            Some(_) => return Err(ConfigError::DatabaseUrl),
            None => format!("sqlite://{}?mode=rwc", data_dir.join("mfa.db").display()),
        };
        let demo = match set("MFA_DEMO") {
            None => false,
            Some(value) => parse_bool("MFA_DEMO", &value)?,
        };
        let demo_password = match var("MFA_DEMO_PASSWORD") {
            Some(p) if p.is_empty() => return Err(ConfigError::EmptyDemoPassword),
            Some(p) => Some(SecretString::new(p)),
            None => None,
        };
        let public_url_explicit = set("MFA_PUBLIC_URL").is_some();
        let public_url = set("MFA_PUBLIC_URL").unwrap_or_else(|| format!("http://{bind}"));
        let public_url = origin::normalise_url(&public_url)
            .ok_or(ConfigError::PublicUrl(public_url))?
            .trim_end_matches('/')
            .to_owned();
        if demo
            && !(origin::is_loopback_host(origin::host_of(&bind))
                && origin::is_loopback_host(public_host(&public_url)))
        {
            return Err(ConfigError::DemoNotLoopback { bind, public_url });
        }
        let secret_key_file = set("MFA_SECRET_KEY_FILE")
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("server.key"));
        let dist_dir = PathBuf::from(set("MFA_DIST_DIR").unwrap_or_else(|| "./dist".to_owned()));
        let trusted_proxies = set("MFA_TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .filter(|item| !item.trim().is_empty())
            .map(|item| {
                Cidr::parse(item).ok_or_else(|| ConfigError::TrustedProxies(item.to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let sms = SmsConfig::from_lookup(set)?;
        let smtp_url = match set("MFA_SMTP_URL") {
            None => None,
            Some(url) if url.starts_with("smtp://") || url.starts_with("smtps://") => {
                Some(SecretString::new(url))
            }
            Some(url) => return Err(ConfigError::SmtpUrl(redact_password(&url))),
        };
        let mail_from = set("MFA_MAIL_FROM");
        let reminder_days = match set("MFA_REMINDER_DAYS") {
            None => vec![14, 7, 1],
            Some(list) => {
                let mut days = list
                    .split(',')
                    .filter(|d| !d.trim().is_empty())
                    .map(|d| {
                        d.trim()
                            .parse::<i64>()
                            .ok()
                            .filter(|d| (1..=365).contains(d))
                    })
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| ConfigError::ReminderDays(list.clone()))?;
                days.sort_unstable_by(|a, b| b.cmp(a));
                days.dedup();
                days
            }
        };
        let audit_retention_days = match set("MFA_AUDIT_RETENTION_DAYS") {
            None => 400,
            Some(days) => days
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|d| (30..=36_500).contains(d))
                .ok_or(ConfigError::AuditRetentionDays(days))?,
        };
        let demo_clock_offset_days = match set("MFA_DEMO_CLOCK_OFFSET_DAYS") {
            None => 0,
            Some(_) if !demo => return Err(ConfigError::ClockOffsetWithoutDemo),
            Some(days) => days
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|d| d.abs() <= 3650)
                .ok_or(ConfigError::ClockOffset(days))?,
        };
        let forward_auth_domains = set("MFA_FORWARD_AUTH_DOMAINS")
            .unwrap_or_default()
            .split(',')
            .filter(|item| !item.trim().is_empty())
            .map(|item| {
                DomainRule::parse(item)
                    .ok_or_else(|| ConfigError::ForwardAuthDomains(item.to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let cookie_domain = match set("MFA_COOKIE_DOMAIN") {
            None => None,
            Some(domain) => {
                let bare = domain.trim().trim_start_matches('.').to_ascii_lowercase();
                let host = public_host(&public_url).to_ascii_lowercase();
                let covers = !bare.is_empty()
                    && bare.contains('.')
                    && (host == bare || host.ends_with(&format!(".{bare}")));
                if !covers {
                    return Err(ConfigError::CookieDomain(domain));
                }
                Some(bare)
            }
        };
        Ok(Self {
            forward_auth_domains,
            cookie_domain,
            bind,
            data_dir,
            database_url,
            demo,
            demo_password,
            public_url,
            public_url_explicit,
            secret_key_file,
            dist_dir,
            trusted_proxies,
            sms,
            smtp_url,
            mail_from,
            reminder_days,
            audit_retention_days,
            demo_clock_offset_days,
        })
    }

    /// Cookies get `Secure` when people reach the product over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// Once the server has bound `addr`: an unset public URL becomes
    /// `http://addr` (the port may have been chosen by the system).
    pub fn bound_to(&mut self, addr: std::net::SocketAddr) {
        if !self.public_url_explicit {
            self.public_url = format!("http://{addr}");
        }
    }

    /// The `Host` values the API answers: the public URL's host and port,
    /// and, for the default public URL on a loopback address, the same port
    /// on `localhost` and `127.0.0.1` alike.
    pub fn allowed_hosts(&self) -> Vec<String> {
        let origin = self.public_origin();
        let host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
        let mut hosts = vec![host.to_owned()];
        if !self.public_url_explicit {
            let (name, port) = host.rsplit_once(':').unwrap_or((host, ""));
            let port = if port.is_empty() {
                String::new()
            } else {
                format!(":{port}")
            };
            for loopback in [["127.0.0.1", "localhost"], ["localhost", "127.0.0.1"]] {
                if name == loopback[0] {
                    hosts.push(format!("{}{port}", loopback[1]));
                }
            }
        }
        hosts
    }

    /// The `Origin` values the API accepts: the scheme of the public URL on
    /// each allowed host.
    pub fn allowed_origins(&self) -> Vec<String> {
        let scheme = self.public_scheme();
        self.allowed_hosts()
            .into_iter()
            .map(|host| format!("{scheme}://{host}"))
            .collect()
    }

    /// The host name of [`Config::public_url`], without scheme or port.
    pub fn public_host(&self) -> &str {
        public_host(&self.public_url)
    }

    /// `http` or `https`, as [`Config::public_url`] says.
    pub fn public_scheme(&self) -> &str {
        self.public_url.split_once("://").map_or("http", |(s, _)| s)
    }

    /// `scheme://host[:port]` of [`Config::public_url`], as browsers send it in `Origin`.
    pub fn public_origin(&self) -> &str {
        public_origin(&self.public_url)
    }
}

/// `scheme://host[:port]` of a URL.
fn public_origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

/// The host name of a URL, without scheme or port.
fn public_host(url: &str) -> &str {
    let origin = public_origin(url);
    origin::host_of(origin.split_once("://").map_or(origin, |(_, rest)| rest))
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_password(&self.database_url))
            .field("demo", &self.demo)
            .field("demo_password", &self.demo_password)
            .field("public_url", &self.public_url)
            .field("public_url_explicit", &self.public_url_explicit)
            .field("secret_key_file", &self.secret_key_file)
            .field("dist_dir", &self.dist_dir)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("sms", &self.sms)
            .field(
                "smtp_url",
                &self.smtp_url.as_ref().map(|u| redact_password(u.expose())),
            )
            .field("mail_from", &self.mail_from)
            .field("reminder_days", &self.reminder_days)
            .field("audit_retention_days", &self.audit_retention_days)
            .field("demo_clock_offset_days", &self.demo_clock_offset_days)
            .field("forward_auth_domains", &self.forward_auth_domains)
            .field("cookie_domain", &self.cookie_domain)
            .finish()
    }
}

/// `scheme://user:<redacted>@host/...` for a URL with a password; others as they are.
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    match rest[..at].split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:<redacted>{}", &rest[at..]),
        None => url.to_owned(),
    }
}

fn parse_bool(name: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::NotABool {
            name,
            value: value.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_match_the_readme() {
        let c = config(&[]).unwrap();
        assert_eq!(c.bind, "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.database_url, "sqlite://./data/mfa.db?mode=rwc");
        assert!(!c.demo);
        assert!(c.demo_password.is_none());
        assert_eq!(c.public_url, "http://127.0.0.1:8080");
        assert_eq!(c.secret_key_file, PathBuf::from("./data/server.key"));
        assert!(!c.secure_cookies());
    }

    #[test]
    fn https_public_url_means_secure_cookies() {
        let c = config(&[("MFA_PUBLIC_URL", "https://mfa.example.com/")]).unwrap();
        assert!(c.secure_cookies());
        assert_eq!(c.public_url, "https://mfa.example.com");
        assert_eq!(c.public_origin(), "https://mfa.example.com");
        let c = config(&[("MFA_PUBLIC_URL", "https://example.com:8443/mfa")]).unwrap();
        assert_eq!(c.public_origin(), "https://example.com:8443");
    }

    #[test]
    fn the_default_public_url_follows_the_bound_port_and_allows_both_loopback_names() {
        let mut c = config(&[("MFA_BIND", "127.0.0.1:0")]).unwrap();
        c.bound_to("127.0.0.1:41000".parse().unwrap());
        assert_eq!(c.public_url, "http://127.0.0.1:41000");
        assert_eq!(c.allowed_hosts(), ["127.0.0.1:41000", "localhost:41000"]);
        assert_eq!(
            c.allowed_origins(),
            ["http://127.0.0.1:41000", "http://localhost:41000"]
        );
        let mut c = config(&[("MFA_PUBLIC_URL", "https://mfa.example.com/")]).unwrap();
        c.bound_to("127.0.0.1:41000".parse().unwrap());
        assert_eq!(c.allowed_hosts(), ["mfa.example.com"]);
        assert_eq!(c.allowed_origins(), ["https://mfa.example.com"]);
        let c = config(&[("MFA_PUBLIC_URL", "http://127.0.0.1:9000")]).unwrap();
        assert_eq!(
            c.allowed_hosts(),
            ["127.0.0.1:9000"],
            "set by the operator: exactly it"
        );
    }

    #[test]
    fn trusted_proxies_are_address_ranges() {
        let c = config(&[("MFA_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1,2001:db8::/32")]).unwrap();
        let has = |ip: &str| {
            c.trusted_proxies
                .iter()
                .any(|r| r.contains(ip.parse().unwrap()))
        };
        assert!(has("10.1.2.3"));
        assert!(has("192.0.2.1"));
        assert!(!has("192.0.2.2"));
        assert!(has("2001:db8::7"));
        assert!(
            has("::ffff:10.9.9.9"),
            "IPv4-mapped addresses count as IPv4"
        );
        assert!(!has("11.0.0.1"));
        assert!(config(&[]).unwrap().trusted_proxies.is_empty());
        for bad in ["10.0.0.0/33", "nonsense", "10.0.0.0/x"] {
            assert!(config(&[("MFA_TRUSTED_PROXIES", bad)]).is_err(), "{bad}");
        }
        assert!(
            Cidr::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
    }

    #[test]
    fn data_dir_moves_the_database_and_key() {
        let c = config(&[("MFA_DATA_DIR", "/var/lib/mfa")]).unwrap();
        assert_eq!(c.database_url, "sqlite:///var/lib/mfa/mfa.db?mode=rwc");
        assert_eq!(c.secret_key_file, PathBuf::from("/var/lib/mfa/server.key"));
    }

    #[test]
    fn demo_flag_parses_common_spellings() {
        assert!(config(&[("MFA_DEMO", "1")]).unwrap().demo);
        assert!(config(&[("MFA_DEMO", "TRUE")]).unwrap().demo);
        assert!(!config(&[("MFA_DEMO", "off")]).unwrap().demo);
        assert!(config(&[("MFA_DEMO", "maybe")]).is_err());
    }

    #[test]
    fn the_sms_provider_is_the_outbox_unless_twilio_is_fully_configured() {
        assert_eq!(config(&[]).unwrap().sms, SmsConfig::Outbox);
        let twilio = [
            ("MFA_SMS_PROVIDER", "twilio"),
            ("MFA_TWILIO_ACCOUNT_SID", "AC1"),
            ("MFA_TWILIO_AUTH_TOKEN", "t"),
            ("MFA_TWILIO_MESSAGING_SERVICE_SID", "MG1"),
        ];
        let SmsConfig::Twilio(c) = config(&twilio).unwrap().sms else {
            panic!("twilio expected")
        };
        assert_eq!(c.sender, TwilioSender::MessagingService("MG1".into()));
        assert_eq!(c.base_url, "https://api.twilio.com");
        assert_eq!(c.timeout, std::time::Duration::from_secs(10));
        // Missing pieces, both senders, and nonsense are refused at start.
        assert!(config(&twilio[..3]).is_err());
        assert!(config(&[twilio[0], twilio[1], twilio[3]]).is_err());
        let both = [&twilio[..], &[("MFA_TWILIO_FROM", "+15005550006")]].concat();
        assert!(config(&both).is_err());
        let slow = [&twilio[..], &[("MFA_SMS_TIMEOUT_SECS", "0")]].concat();
        assert!(config(&slow).is_err());
        assert!(config(&[("MFA_SMS_PROVIDER", "pigeon")]).is_err());
    }

    #[test]
    fn reminders_default_to_two_weeks_a_week_and_a_day_before() {
        assert_eq!(config(&[]).unwrap().audit_retention_days, 400);
        let c = config(&[("MFA_AUDIT_RETENTION_DAYS", " 90 ")]).unwrap();
        assert_eq!(c.audit_retention_days, 90);
        for bad in ["0", "29", "36501", "a year"] {
            assert!(
                config(&[("MFA_AUDIT_RETENTION_DAYS", bad)]).is_err(),
                "{bad}"
            );
        }
        assert_eq!(config(&[]).unwrap().reminder_days, [14, 7, 1]);
        let c = config(&[("MFA_REMINDER_DAYS", "3, 30,3")]).unwrap();
        assert_eq!(c.reminder_days, [30, 3]);
        assert!(config(&[("MFA_REMINDER_DAYS", "7,0")]).is_err());
        assert!(config(&[("MFA_REMINDER_DAYS", "soon")]).is_err());
    }

    #[test]
    fn the_demo_clock_moves_only_in_demo_mode() {
        assert_eq!(config(&[]).unwrap().demo_clock_offset_days, 0);
        let moved = config(&[("MFA_DEMO", "1"), ("MFA_DEMO_CLOCK_OFFSET_DAYS", "11")]).unwrap();
        assert_eq!(moved.demo_clock_offset_days, 11);
        let refused = config(&[("MFA_DEMO_CLOCK_OFFSET_DAYS", "11")]).unwrap_err();
        assert!(refused.to_string().contains("MFA_DEMO=1"), "{refused}");
        assert!(config(&[("MFA_DEMO", "1"), ("MFA_DEMO_CLOCK_OFFSET_DAYS", "soon")]).is_err());
    }

    #[test]
    fn the_public_url_is_compared_in_lower_case_without_its_default_port() {
        let c = config(&[("MFA_PUBLIC_URL", "HTTPS://MFA.Example.com:443/")]).unwrap();
        assert_eq!(c.public_url, "https://mfa.example.com");
        assert_eq!(c.allowed_hosts(), ["mfa.example.com"]);
        assert_eq!(c.allowed_origins(), ["https://mfa.example.com"]);
        assert_eq!(c.public_host(), "mfa.example.com");
        assert!(c.secure_cookies());
    }

    #[test]
    fn demo_mode_serves_this_machine_only() {
        let demo = |bind: &str, url: Option<&str>| {
            let mut vars = vec![("MFA_DEMO", "1"), ("MFA_BIND", bind)];
            vars.extend(url.map(|u| ("MFA_PUBLIC_URL", u)));
            config(&vars)
        };
        assert!(demo("127.0.0.1:8080", None).is_ok());
        assert!(demo("[::1]:8080", None).is_ok());
        assert!(demo("localhost:8080", Some("http://localhost:8080")).is_ok());
        assert!(demo("127.0.0.1:0", Some("http://127.0.0.1:9000")).is_ok());
        for (bind, url) in [
            ("0.0.0.0:8080", None),
            ("[::]:8080", None),
            ("192.0.2.10:8080", None),
            ("127.0.0.1:8080", Some("https://mfa.example.com")),
            ("0.0.0.0:8080", Some("http://localhost:8080")),
        ] {
            let refused = demo(bind, url).unwrap_err();
            assert!(
                matches!(refused, ConfigError::DemoNotLoopback { .. }),
                "{bind} {url:?}"
            );
            assert!(refused.to_string().contains("demo mode"), "{refused}");
        }
        assert!(
            config(&[("MFA_BIND", "0.0.0.0:8080")]).is_ok(),
            "without demo mode"
        );
    }

    #[test]
    fn bad_urls_are_refused() {
        assert!(config(&[("MFA_PUBLIC_URL", "mfa.example.com")]).is_err());
        assert!(config(&[("MFA_DATABASE_URL", "mysql://x")]).is_err());
        assert!(config(&[("MFA_DATABASE_URL", "postgres://u@h/db")]).is_ok());
    }

    #[test]
    fn debug_output_hides_the_database_password() {
        let c = config(&[(
            "MFA_DATABASE_URL",
            "postgres://mfa:p%40ss:w0rd@db.internal:5432/mfa?sslmode=require",
        )])
        .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("w0rd"), "{shown}");
        assert!(!shown.contains("p%40ss"), "{shown}");
        assert!(
            shown.contains("postgres://mfa:<redacted>@db.internal:5432/mfa?sslmode=require"),
            "{shown}"
        );
        assert_eq!(redact_password("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            redact_password("sqlite://./data/mfa.db?mode=rwc"),
            "sqlite://./data/mfa.db?mode=rwc"
        );
    }

    #[test]
    fn debug_output_hides_the_demo_password() {
        let c = config(&[
            ("MFA_DEMO_PASSWORD", "s3cret-demo-pw"),
            ("MFA_SMS_PROVIDER", "twilio"),
            ("MFA_TWILIO_ACCOUNT_SID", "AC123"),
            ("MFA_TWILIO_AUTH_TOKEN", "tw-token-secret"),
            ("MFA_TWILIO_FROM", "+15005550006"),
        ])
        .unwrap();
        assert!(!format!("{c:?}").contains("tw-token-secret"));
        let c = config(&[(
            "MFA_SMTP_URL",
            "smtp://mailer:smtp-secret@mail.example.com:587",
        )])
        .unwrap();
        assert!(!format!("{c:?}").contains("smtp-secret"));
        assert!(config(&[("MFA_SMTP_URL", "http://mail.example.com")]).is_err());
        assert!(!format!("{c:?}").contains("s3cret-demo-pw"));
    }
}
