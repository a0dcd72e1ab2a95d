//! The session cookie, and the extractors that decide what a request may do
//! by its session's stage (the rule itself is `domain::access`). A handler
//! states what it needs by the type it takes: [`SignedIn`], [`MayEnroll`],
//! [`PendingSecondFactor`], or any of the first two wrapped in
//! [`Reauthenticated`] for sensitive actions.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use mfa_api::ErrorCode;

use super::error::ApiError;
use crate::config::Config;
use crate::domain::access::{self, Need};
use crate::domain::session::SessionToken;
use crate::domain::{device, trusted_browser};
use crate::services::session::{self, LiveSession};
use crate::state::AppState;

/// Over HTTPS the cookie takes the `__Host-` prefix: the browser then insists
/// on Secure, Path=/ and no Domain, so no sibling host can plant or read it.
/// With `MFA_COOKIE_DOMAIN` (apps on sibling hosts behind forward
/// authentication), it must carry that Domain, so it takes `__Secure-`
/// instead: still Secure only, but every host of the domain receives it.
fn cookie_name(config: &Config) -> &'static str {
    match (config.secure_cookies(), config.cookie_domain.is_some()) {
        (true, false) => "__Host-mfa_session",
        (true, true) => "__Secure-mfa_session",
        (false, _) => "mfa_session",
    }
}

/// The session cookie for a freshly issued token.
pub fn session_cookie(token: &SessionToken, config: &Config) -> Cookie<'static> {
    session_cookie_named(&token.cookie_value(), config)
}

/// Tells the browser to forget the session cookie.
pub fn expired_cookie(config: &Config) -> Cookie<'static> {
    let mut cookie = session_cookie_named("", config);
    cookie.make_removal();
    cookie
}

fn session_cookie_named(value: &str, config: &Config) -> Cookie<'static> {
    let mut cookie = Cookie::build((cookie_name(config), value.to_owned()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(config.secure_cookies())
        .path("/");
    if let Some(domain) = &config.cookie_domain {
        cookie = cookie.domain(domain.clone());
    }
    cookie.build()
}

fn device_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-mfa_device"
    } else {
        "mfa_device"
    }
}

/// The known-device cookie (`domain::device`): HttpOnly, for a year.
pub fn device_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((device_cookie_name(secure), token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(time::Duration::seconds(device::LIFETIME_SECS))
        .build()
}

/// The known-device token the browser presents, if any (checked by the service).
pub fn presented_device(jar: &CookieJar, secure: bool) -> Option<&str> {
    jar.get(device_cookie_name(secure)).map(|c| c.value())
}

fn trusted_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-mfa_trusted"
    } else {
        "mfa_trusted"
    }
}

/// The trusted-browser cookie (`domain::trusted_browser`) with `token`
/// added to those the browser holds: HttpOnly, for the longest a company
/// may choose (the server decides how long each token is worth).
pub fn trusted_cookie(jar: &CookieJar, token: &str, secure: bool) -> Cookie<'static> {
    let held = presented_trusted(jar, secure);
    Cookie::build((
        trusted_cookie_name(secure),
        trusted_browser::with_token(held, token),
    ))
    .http_only(true)
    .same_site(SameSite::Lax)
    .secure(secure)
    .path("/")
    .max_age(time::Duration::days(trusted_browser::MAX_DAYS))
    .build()
}

/// The trusted-browser tokens the browser presents, if any (checked by the service).
pub fn presented_trusted(jar: &CookieJar, secure: bool) -> Option<&str> {
    jar.get(trusted_cookie_name(secure)).map(|c| c.value())
}

/// The token in the request's cookie, if it is well-formed (not yet checked against the store).
pub fn presented_token(jar: &CookieJar, config: &Config) -> Option<SessionToken> {
    jar.get(cookie_name(config))
        .and_then(|c| SessionToken::parse(c.value()))
}

/// The live session behind the browser's cookie, at whatever stage, if any
/// (for pages that serve everyone: an app's sign-in).
pub async fn any_session(
    jar: &CookieJar,
    state: &AppState,
) -> Result<Option<LiveSession>, ApiError> {
    let Some(token) = presented_token(jar, &state.config) else {
        return Ok(None);
    };
    match session::find(&state.deps, &token).await {
        Ok(session) => Ok(Some(session)),
        Err(session::SessionError::NotSignedIn) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The live session behind the request's cookie, if its stage meets `need`.
async fn session_for(parts: &Parts, state: &AppState, need: Need) -> Result<LiveSession, ApiError> {
    let jar = CookieJar::from_headers(&parts.headers);
    let token = presented_token(&jar, &state.config)
        .ok_or_else(|| ApiError::code(ErrorCode::Unauthenticated))?;
    let session = session::find(&state.deps, &token).await?;
    access::allows(session.stage, need)?;
    Ok(session)
}

macro_rules! session_extractor {
    ($(#[$doc:meta])* $name:ident, $need:expr) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name(pub LiveSession);

        impl FromRequestParts<AppState> for $name {
            type Rejection = ApiError;

            async fn from_request_parts(
                parts: &mut Parts,
                state: &AppState,
            ) -> Result<Self, Self::Rejection> {
                session_for(parts, state, $need).await.map(Self)
            }
        }

        impl AsSession for $name {
            fn session(&self) -> &LiveSession {
                &self.0
            }
        }
    };
}

session_extractor!(
    /// Fully signed in. A half-signed-in session gets 401
    /// `second_factor_required`; one that must enroll first, 403
    /// `mfa_enrollment_required`.
    SignedIn,
    Need::Full
);
session_extractor!(
    /// Fully signed in, or signed in only to enroll a second factor: for
    /// `/api/me`, re-authentication and enrollment.
    MayEnroll,
    Need::Enrollment
);
session_extractor!(
    /// Past the password, waiting for the second factor.
    PendingSecondFactor,
    Need::SecondStep
);

/// A session extractor, seen as its session.
pub trait AsSession {
    fn session(&self) -> &LiveSession;
}

/// `S`, with the password confirmed within the re-authentication window:
/// sensitive handlers take this, so forgetting the check does not compile.
/// Otherwise 403 `reauth_required`.
#[derive(Debug)]
pub struct Reauthenticated<S>(pub S);

impl<S> FromRequestParts<AppState> for Reauthenticated<S>
where
    S: FromRequestParts<AppState, Rejection = ApiError> + AsSession + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let inner = S::from_request_parts(parts, state).await?;
        if state.deps.now() < inner.session().reauth_until {
            Ok(Self(inner))
        } else {
            Err(ApiError::code(ErrorCode::ReauthRequired))
        }
    }
}
