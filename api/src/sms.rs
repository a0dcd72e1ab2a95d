//! Phone numbers, texted codes and the demo outbox.

use serde::{Deserialize, Serialize};

/// A country where codes can be texted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SmsCountryInfo {
    /// ISO 3166-1 alpha-2.
    pub iso: &'static str,
    /// The international calling code (without the `+`).
    pub calling_code: u16,
    pub name_en: &'static str,
    pub name_fr: &'static str,
}

/// Where codes can be texted to members. The one list: the server enforces
/// it, the app and the help article show it.
pub const SMS_COUNTRIES: [SmsCountryInfo; 13] = [
    country("US", 1, "United States", "États-Unis"),
    country("CA", 1, "Canada", "Canada"),
    country("MX", 52, "Mexico", "Mexique"),
    country("GB", 44, "United Kingdom", "Royaume-Uni"),
    country("IE", 353, "Ireland", "Irlande"),
    country("FR", 33, "France", "France"),
    country("DE", 49, "Germany", "Allemagne"),
    country("ES", 34, "Spain", "Espagne"),
    country("IT", 39, "Italy", "Italie"),
    country("AU", 61, "Australia", "Australie"),
    country("NZ", 64, "New Zealand", "Nouvelle-Zélande"),
    country("SG", 65, "Singapore", "Singapour"),
    country("HK", 852, "Hong Kong", "Hong Kong"),
];

/// Where codes can be texted to payees: the United States only.
pub const PAYEE_SMS_COUNTRIES: [&str; 1] = ["US"];

const fn country(
    iso: &'static str,
    calling_code: u16,
    name_en: &'static str,
    name_fr: &'static str,
) -> SmsCountryInfo {
    SmsCountryInfo {
        iso,
        calling_code,
        name_en,
        name_fr,
    }
}

impl SmsCountryInfo {
    /// The country named by an ISO code, if texts go there at all.
    pub fn find(iso: &str) -> Option<&'static Self> {
        SMS_COUNTRIES
            .iter()
            .find(|c| c.iso.eq_ignore_ascii_case(iso))
    }

    /// The name in a language (`"fr"`, else English).
    pub fn name(&self, language: &str) -> &'static str {
        match language {
            "fr" => self.name_fr,
            _ => self.name_en,
        }
    }
}

/// `GET /api/factors/sms/countries`: where this user can receive codes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SmsCountries {
    pub countries: Vec<SmsCountry>,
}

/// A country in the user's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SmsCountry {
    /// ISO 3166-1 alpha-2 (`"FR"`).
    pub iso: String,
    /// Without the `+` (33).
    pub calling_code: u16,
    pub name: String,
}

/// `POST /api/factors/sms`: a phone number to add (or to replace the
/// current one with), verified by a texted code.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartPhoneRequest {
    /// ISO code of the chosen country.
    pub country: String,
    /// As typed: national or `+` international, spaces, dots and dashes allowed.
    pub number: String,
}

/// A code was texted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeTexted {
    /// The number it went to, masked (`+33 • •• •• •• 78`).
    pub to: String,
    /// Seconds until another code may be sent.
    pub resend_after: i64,
    /// Unix seconds when the code stops working.
    pub expires_at: i64,
}

/// `POST /api/factors/sms/confirm`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfirmPhoneRequest {
    pub code: String,
}

/// `POST /api/sign-in/second-factor/sms`: text a code to this phone factor
/// (the preferred phone when absent).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TextCodeRequest {
    #[serde(default)]
    pub factor_id: Option<i64>,
}

/// Header that makes a send safe to retry: the same key never texts twice.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// `GET /api/outbox` (demo mode only): messages the outbox "sent".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Outbox {
    /// Newest first.
    pub messages: Vec<OutboxMessage>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxMessage {
    pub id: i64,
    pub channel: OutboxChannel,
    /// A phone number (E.164) or an email address.
    pub to: String,
    /// Emails only.
    pub subject: Option<String>,
    pub body: String,
    /// Unix seconds.
    pub created_at: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OutboxChannel {
    Sms,
    Email,
}
