use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use mfa_api::codes;

use crate::domain::clock::UnixTime;
use crate::domain::session::{SessionIdHash, SessionStage, SessionToken};
use crate::error::ApiError;
use crate::state::AppState;

/// Over HTTPS the cookie takes the `__Host-` prefix: the browser then insists
/// on Secure, Path=/ and no Domain, so no sibling host can plant or read it.
fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-mfa_session"
    } else {
        "mfa_session"
    }
}

/// The session cookie for a freshly issued token.
pub fn session_cookie(token: &SessionToken, secure: bool) -> Cookie<'static> {
    Cookie::build((cookie_name(secure), token.cookie_value()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .build()
}

/// Tells the browser to forget the session cookie.
pub fn expired_cookie(secure: bool) -> Cookie<'static> {
    let mut cookie = Cookie::build((cookie_name(secure), ""))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .build();
    cookie.make_removal();
    cookie
}

/// The token in the request's cookie, if it is well-formed (not yet checked against the store).
pub fn presented_token(jar: &CookieJar, secure: bool) -> Option<SessionToken> {
    jar.get(cookie_name(secure))
        .and_then(|c| SessionToken::parse(c.value()))
}

/// A live session at any stage.
#[derive(Debug)]
struct LiveSession {
    user_id: i64,
    id: SessionIdHash,
    stage: SessionStage,
    reauth_until: UnixTime,
}

async fn live_session(parts: &Parts, state: &AppState) -> Result<LiveSession, ApiError> {
    let jar = CookieJar::from_headers(&parts.headers);
    let token = presented_token(&jar, state.config.secure_cookies())
        .ok_or_else(ApiError::unauthenticated)?;
    let id = token.id_hash();
    let row = state
        .store
        .session(&id)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    let now = state.clock.now();
    if !row.times.is_live(row.stage, now) {
        state.store.delete_session(&id).await?;
        return Err(ApiError::unauthenticated());
    }
    if row.times.needs_touch(now) {
        state.store.touch_session(&id, now).await?;
    }
    Ok(LiveSession {
        user_id: row.user_id,
        id,
        stage: row.stage,
        reauth_until: row.reauth_until,
    })
}

/// A fully signed-in session. Extracting it answers 401 when there is none,
/// and 401 `second_factor_required` when only the password has been given.
#[derive(Debug)]
pub struct CurrentSession {
    pub user_id: i64,
    pub id: SessionIdHash,
    reauth_until: UnixTime,
}

impl CurrentSession {
    /// Sensitive actions need the password confirmed within the last minutes.
    pub fn require_reauth(&self, now: UnixTime) -> Result<(), ApiError> {
        if now < self.reauth_until {
            Ok(())
        } else {
            Err(ApiError::reauth_required())
        }
    }
}

impl FromRequestParts<AppState> for CurrentSession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = live_session(parts, state).await?;
        match session.stage {
            SessionStage::Full => Ok(Self {
                user_id: session.user_id,
                id: session.id,
                reauth_until: session.reauth_until,
            }),
            SessionStage::SecondFactor => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                codes::SECOND_FACTOR_REQUIRED,
                "Enter the code from your second factor to finish signing in.",
            )),
        }
    }
}

/// A session that has passed the password and waits for the second factor.
#[derive(Debug)]
pub struct PendingSecondFactor {
    pub user_id: i64,
    pub id: SessionIdHash,
}

impl FromRequestParts<AppState> for PendingSecondFactor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = live_session(parts, state).await?;
        match session.stage {
            SessionStage::SecondFactor => Ok(Self {
                user_id: session.user_id,
                id: session.id,
            }),
            SessionStage::Full => Err(ApiError::unauthenticated()),
        }
    }
}
