//! OpenID Connect for the company's other apps: what an app may register,
//! what an authorization request must carry, and how a sign-in is described
//! to the app (`amr`, RFC 8176). Codes, access tokens and client secrets are
//! [`LinkToken`](super::link_token::LinkToken)s: 256 random bits, stored hashed.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use url::Url;

use crate::keys::ServerKey;

/// An authorization code is exchanged within this long, once.
pub const CODE_TTL_SECS: i64 = 60;
/// An access token works this long (opaque; `/oidc/userinfo` only).
pub const ACCESS_TOKEN_TTL_SECS: i64 = 10 * 60;
/// An ID token expires this long after it was issued; a retired signing key
/// stays published this long, so every token it signed can be checked.
pub const ID_TOKEN_TTL_SECS: i64 = 10 * 60;
/// The most redirect URIs (of each kind) an app may register.
pub const MAX_URIS: usize = 10;
const MAX_URI_LEN: usize = 2000;
/// `state` and `nonce` are passed through, up to this length.
pub const MAX_PASSTHROUGH_LEN: usize = 512;

/// How a sign-in was made, each an RFC 8176 method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    /// The password.
    Password,
    /// A code from the authenticator app (RFC 6238).
    Otp,
    /// A code sent by text message.
    Sms,
    /// The single-use recovery code: a second factor, but no device's.
    RecoveryCode,
    /// A passkey, with user verification: a key the device holds
    /// (RFC 8176 `hwk`), unlocked by the person.
    Passkey,
    /// A browser the person trusted after a second step within their
    /// company's days: it stands for that second step.
    TrustedBrowser,
}

impl Method {
    /// What proving a factor of `kind` adds.
    pub fn of_factor(kind: mfa_api::FactorKind) -> Self {
        match kind {
            mfa_api::FactorKind::AuthenticatorApp => Self::Otp,
            mfa_api::FactorKind::Sms => Self::Sms,
            mfa_api::FactorKind::Passkey => Self::Passkey,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Password => "pwd",
            Self::Otp => "otp",
            Self::Sms => "sms",
            Self::RecoveryCode => "recovery",
            Self::Passkey => "hwk",
            Self::TrustedBrowser => "trusted",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        [
            Self::Password,
            Self::Otp,
            Self::Sms,
            Self::RecoveryCode,
            Self::Passkey,
            Self::TrustedBrowser,
        ]
        .into_iter()
        .find(|m| m.name() == name)
    }

    fn is_second_factor(self) -> bool {
        self != Self::Password
    }
}

/// The methods of one sign-in, as a session keeps them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Methods(Vec<Method>);

impl Methods {
    pub fn password() -> Self {
        Self(vec![Method::Password])
    }

    /// "Sign in with a passkey": the passkey alone, user-verified, is both
    /// factors.
    pub fn passkey() -> Self {
        Self(vec![Method::Passkey])
    }

    /// These methods and `method`.
    pub fn with(mut self, method: Method) -> Self {
        if !self.0.contains(&method) {
            self.0.push(method);
            self.0.sort();
        }
        self
    }

    /// As stored: the names, space-separated.
    pub fn stored(&self) -> String {
        self.0
            .iter()
            .map(|m| m.name())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// From storage; unknown names (a newer version's) are dropped.
    pub fn from_stored(text: &str) -> Self {
        let mut methods: Vec<_> = text.split(' ').filter_map(Method::from_name).collect();
        methods.sort();
        methods.dedup();
        Self(methods)
    }

    /// A password and a code (from an authenticator app or a text) signed
    /// this session in.
    pub fn password_and_code(&self) -> bool {
        self.0.contains(&Method::Password)
            && self
                .0
                .iter()
                .any(|m| matches!(m, Method::Otp | Method::Sms))
    }

    /// A second factor was part of this sign-in.
    pub fn has_second_factor(&self) -> bool {
        self.0.iter().any(|m| m.is_second_factor())
    }

    /// The `amr` claim: RFC 8176 names, and `mfa` when a second factor was
    /// used. The recovery code and a trusted browser have no registered
    /// name: they count for `mfa` alone, so an app asking for `otp` does not
    /// mistake them for a device.
    pub fn amr(&self) -> Vec<&'static str> {
        let mut amr: Vec<_> = self
            .0
            .iter()
            .filter(|m| !matches!(m, Method::RecoveryCode | Method::TrustedBrowser))
            .map(|m| m.name())
            .collect();
        if self.has_second_factor() {
            amr.push("mfa");
        }
        amr
    }
}

/// Whether an app holds a secret (a web app's server) or cannot (a
/// single-page or native app, PKCE only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientKind {
    Confidential,
    Public,
}

/// An app's registered redirect URIs, each an exact absolute URL: https, or
/// http on the machine itself (localhost, 127.0.0.1, [::1]) for
/// development; no fragment, no credentials. One per line; blank lines are
/// skipped.
pub fn parse_uris(text: &str) -> Result<Vec<String>, UriRejected> {
    let uris: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| check_uri(line).map(|()| line.to_owned()))
        .collect::<Result<_, _>>()?;
    if uris.len() > MAX_URIS {
        return Err(UriRejected::TooMany);
    }
    let mut unique = uris.clone();
    unique.sort();
    unique.dedup();
    Ok(if unique.len() == uris.len() {
        uris
    } else {
        unique
    })
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UriRejected {
    #[error("{0:?} is not an absolute URL")]
    NotAUrl(String),
    #[error("{0:?} must use https (http only for localhost or 127.0.0.1)")]
    NotHttps(String),
    #[error("{0:?} may have no fragment (#) and no user name or password")]
    Fragment(String),
    #[error("at most {MAX_URIS} redirect URIs")]
    TooMany,
}

fn check_uri(text: &str) -> Result<(), UriRejected> {
    let url = match Url::parse(text) {
        Ok(url) if text.len() <= MAX_URI_LEN && url.has_host() => url,
        _ => return Err(UriRejected::NotAUrl(text.to_owned())),
    };
    let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match url.scheme() {
        "https" => {}
        "http" if local => {}
        _ => return Err(UriRejected::NotHttps(text.to_owned())),
    }
    if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err(UriRejected::Fragment(text.to_owned()));
    }
    Ok(())
}

/// The scopes an app may ask for; others are ignored (RFC 6749 3.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scopes {
    pub email: bool,
    pub profile: bool,
}

impl Scopes {
    /// `None` without `openid`: not an OpenID Connect request.
    pub fn parse(scope: &str) -> Option<Self> {
        let asked: Vec<&str> = scope.split(' ').collect();
        asked.contains(&"openid").then(|| Self {
            email: asked.contains(&"email"),
            profile: asked.contains(&"profile"),
        })
    }

    /// As granted and stored.
    pub fn granted(&self) -> String {
        let mut scope = vec!["openid"];
        if self.email {
            scope.push("email");
        }
        if self.profile {
            scope.push("profile");
        }
        scope.join(" ")
    }
}

/// PKCE (RFC 7636), S256 only: the verifier's SHA-256, base64url without
/// padding, is the challenge given at the start. A verifier is 43 to 128
/// unreserved characters.
pub fn pkce_verifies(verifier: &str, challenge: &str) -> bool {
    use base64::Engine;
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    if !well_formed {
        return false;
    }
    let computed =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier));
    subtle::ConstantTimeEq::ct_eq(computed.as_bytes(), challenge.as_bytes()).into()
}

/// A challenge as an S256 challenge must be: 43 base64url characters.
pub fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The `sub` claim: stable for a user on this deployment (every instance
/// shares the server key), not their email (which can change), and not
/// their row id (which tells how many accounts there are).
pub fn subject(key: &ServerKey, user_id: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("any key length works");
    mac.update(format!("oidc-subject:v1:user={user_id}").as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// A client id: not secret, but not guessable either.
pub struct ClientId(pub String);

impl ClientId {
    pub fn generate(rng: &mut (impl rand::RngCore + rand::CryptoRng)) -> Self {
        let mut bytes = [0u8; 16];
        rng.fill_bytes(&mut bytes);
        Self(format!("app-{}", hex::encode(bytes)))
    }
}

impl fmt::Debug for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amr_names_the_methods_and_mfa_when_a_second_factor_was_used() {
        assert_eq!(Methods::password().amr(), ["pwd"]);
        let totp = Methods::password().with(Method::Otp);
        assert_eq!(totp.amr(), ["pwd", "otp", "mfa"]);
        assert_eq!(
            Methods::password().with(Method::Sms).amr(),
            ["pwd", "sms", "mfa"]
        );
        assert_eq!(
            Methods::password().with(Method::RecoveryCode).amr(),
            ["pwd", "mfa"]
        );
        let trusted = Methods::password().with(Method::TrustedBrowser);
        assert_eq!(trusted.amr(), ["pwd", "mfa"]);
        assert_eq!(Methods::from_stored(&trusted.stored()), trusted);
        assert_eq!(Methods::from_stored(&totp.stored()), totp);
        assert_eq!(Methods::from_stored("otp pwd later"), totp);
        assert_eq!(Methods::from_stored(""), Methods::default());
        assert!(!Methods::password().has_second_factor());
    }

    #[test]
    fn redirect_uris_are_exact_https_or_local_http() {
        assert_eq!(
            parse_uris("https://wiki.example.com/callback\n\n http://localhost:3000/cb \n"),
            Ok(vec![
                "https://wiki.example.com/callback".to_owned(),
                "http://localhost:3000/cb".to_owned()
            ])
        );
        assert!(parse_uris("http://127.0.0.1:9/cb").is_ok());
        for bad in [
            "http://wiki.example.com/cb",
            "/callback",
            "javascript:alert(1)",
            "https://wiki.example.com/cb#x",
            "https://user:pw@wiki.example.com/cb",
            "ftp://wiki.example.com/",
            "http://localhost.evil.com/cb",
        ] {
            assert!(parse_uris(bad).is_err(), "{bad}");
        }
        let many: String = (0..11)
            .map(|i| format!("https://a.example/{i}\n"))
            .collect();
        assert_eq!(parse_uris(&many), Err(UriRejected::TooMany));
    }

    #[test]
    fn scopes_need_openid_and_ignore_the_rest() {
        assert_eq!(Scopes::parse("email profile"), None);
        let s = Scopes::parse("openid email offline_access").unwrap();
        assert_eq!(s.granted(), "openid email");
        assert_eq!(Scopes::parse("openid").unwrap().granted(), "openid");
    }

    #[test]
    fn pkce_s256_matches_rfc_7636s_example() {
        // RFC 7636, appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(is_s256_challenge(challenge));
        assert!(pkce_verifies(verifier, challenge));
        assert!(!pkce_verifies(&verifier.replace('d', "e"), challenge));
        assert!(!pkce_verifies("short", challenge));
        assert!(!is_s256_challenge("plain-challenge"));
    }

    #[test]
    fn the_subject_is_stable_and_says_nothing() {
        use rand::SeedableRng;
        let key = |seed| ServerKey::generate(&mut rand::rngs::StdRng::seed_from_u64(seed));
        assert_eq!(subject(&key(7), 1), subject(&key(7), 1));
        assert_ne!(subject(&key(7), 1), subject(&key(7), 2));
        assert_ne!(subject(&key(8), 1), subject(&key(7), 1));
        let key = key(7);
        assert_eq!(subject(&key, 1).len(), 32);
    }
}
