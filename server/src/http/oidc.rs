//! The OpenID Connect provider's endpoints, at the paths discovery names
//! (outside `/api`: apps and their servers call them, not our pages), and
//! `/api/oidc/authorization`, which tells the sign-in page what an app's
//! request needs. Errors here speak OAuth (`{"error": ...}`, RFC 6749 5.2).

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use base64::Engine;
use mfa_api::{AuthorizationRefusal, AuthorizationVerdict, AuthorizationView};
use serde_json::json;
use utoipa_axum::routes;

use super::ApiJson;
use super::client_ip::ClientIp;
use super::error::{ApiError, ApiResult};
use super::openapi::{Errors, JsonObject, OAuthError, Routes};
use super::session::{any_session, expired_cookie, presented_token};
use crate::services::oidc::{
    self, AuthorizeRequest, ClientAuth, Decision, LogoutError, LogoutRequest, Mode, TokenError,
    TokenRequest, UserInfoError,
};
use crate::services::session;
use crate::state::AppState;

/// The protocol's endpoints, served at the root.
pub fn router() -> Routes {
    Routes::new()
        .routes(routes!(discovery))
        .routes(routes!(jwks))
        .routes(routes!(authorize))
        .routes(routes!(token, token_preflight))
        .routes(routes!(user_info, user_info_preflight))
        .routes(routes!(logout))
}

/// What the sign-in page asks, under `/api`.
pub fn api_router() -> Routes {
    Routes::new().routes(routes!(authorization_view))
}

/// The sign-in page that serves an app's request (the single-page app's).
const PAGE: &str = "/authorize";

/// Apps running in a browser (PKCE only) call these from their own origin;
/// no cookie is involved, so any origin may.
fn cors(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

#[utoipa::path(
    options,
    path = "/oidc/token",
    tag = "apps",
    responses(
        (status = 204, description = "CORS preflight: any origin may call it")
    )
)]
async fn token_preflight() -> Response {
    preflight()
}

#[utoipa::path(
    options,
    path = "/oidc/userinfo",
    tag = "apps",
    responses(
        (status = 204, description = "CORS preflight: any origin may call it")
    )
)]
async fn user_info_preflight() -> Response {
    preflight()
}

fn preflight() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("3600"),
    );
    cors(response)
}

#[utoipa::path(
    get,
    path = "/.well-known/openid-configuration",
    tag = "apps",
    responses(
        (status = 200, description = "The provider's metadata (OpenID Connect Discovery 1.0)", body = JsonObject),
        Errors
    )
)]
async fn discovery(State(state): State<AppState>) -> ApiResult<Response> {
    Ok(cors(
        axum::Json(oidc::discovery(&state.deps)?).into_response(),
    ))
}

#[utoipa::path(
    get,
    path = "/oidc/jwks",
    tag = "apps",
    responses(
        (status = 200, description = "The keys that sign ID tokens (RFC 7517)", body = JsonObject),
        Errors
    )
)]
async fn jwks(State(state): State<AppState>) -> ApiResult<Response> {
    let keys = oidc::jwks(&state.deps).await?;
    let mut response = cors(axum::Json(keys).into_response());
    // Short, so apps see a rotated key soon.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(response)
}

/// An app sends the person here. A full session that the app may have goes
/// straight back with a code; everything else goes to the sign-in page,
/// which continues here when the person is signed in.
#[utoipa::path(
    get,
    path = "/oidc/authorize",
    tag = "apps",
    params(AuthorizeRequest),
    responses(
        (status = 303, description = "To the app with a code, or to the sign-in page"),
        Errors
    )
)]
async fn authorize(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
    query: Result<Query<AuthorizeRequest>, QueryRejection>,
) -> ApiResult<Response> {
    let page = format!("{PAGE}?{}", raw.unwrap_or_default());
    let Ok(Query(request)) = query else {
        return Ok(Redirect::to(&page).into_response());
    };
    let session = any_session(&jar, &state).await?;
    let decision = oidc::authorize(
        &state.deps,
        &request,
        session.as_ref(),
        ip.as_deref(),
        Mode::Issue,
    )
    .await?;
    Ok(match decision {
        Decision::Granted { location } | Decision::AppError { location } => {
            Redirect::to(&location).into_response()
        }
        Decision::Invalid
        | Decision::SignIn { .. }
        | Decision::Refused { .. }
        | Decision::Ready { .. } => Redirect::to(&page).into_response(),
    })
}

/// `GET /api/oidc/authorization?<the app's request>`: what the sign-in page
/// shows for it (no code is issued here).
#[utoipa::path(
    get,
    path = "/oidc/authorization",
    tag = "apps",
    params(AuthorizeRequest),
    responses(
        (status = 200, description = "What the sign-in page shows for the app's request", body = AuthorizationView),
        Errors
    ),
    security(("session" = []))
)]
async fn authorization_view(
    State(state): State<AppState>,
    jar: CookieJar,
    query: Result<Query<AuthorizeRequest>, QueryRejection>,
) -> ApiResult<ApiJson<AuthorizationView>> {
    let request = query.map(|q| q.0).unwrap_or_default();
    let session = any_session(&jar, &state).await?;
    let decision =
        oidc::authorize(&state.deps, &request, session.as_ref(), None, Mode::Check).await?;
    let refused = |reason, return_to| AuthorizationVerdict::Refused { reason, return_to };
    let (app, verdict) = match decision {
        Decision::Invalid => (None, refused(AuthorizationRefusal::InvalidRequest, None)),
        Decision::AppError { location } => (
            None,
            refused(AuthorizationRefusal::InvalidRequest, Some(location)),
        ),
        Decision::SignIn { app } => (Some(app), AuthorizationVerdict::SignIn),
        Decision::Refused {
            app,
            reason,
            return_to,
        } => (Some(app), refused(reason, Some(return_to))),
        Decision::Ready { app } => (Some(app), AuthorizationVerdict::Continue),
        // Not in a check.
        Decision::Granted { .. } => (None, AuthorizationVerdict::Continue),
    };
    Ok(ApiJson(AuthorizationView { app, verdict }))
}

/// An OAuth error answer.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = (
        status,
        axum::Json(json!({ "error": error, "error_description": description })),
    )
        .into_response();
    no_store(response.headers_mut());
    cors(response)
}

fn no_store(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

/// `client_secret_basic`: the id and secret, each form-urlencoded (RFC
/// 6749 2.3.1), in a Basic header. `Err` when the header is malformed.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, ()> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(drop)?;
    let Some(encoded) = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
    else {
        return Err(());
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(drop)?;
    let decoded = String::from_utf8(decoded).map_err(drop)?;
    let (id, secret) = decoded.split_once(':').ok_or(())?;
    let unescape = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8()
            .map(|s| s.into_owned())
            .map_err(drop)
    };
    Ok(Some((unescape(id)?, unescape(secret)?)))
}

#[utoipa::path(
    post,
    path = "/oidc/token",
    tag = "apps",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The tokens (access_token, token_type, expires_in, id_token, scope)", body = JsonObject),
        (status = 400, description = "The request is invalid (RFC 6749 5.2)", body = OAuthError),
        (status = 401, description = "invalid_client", body = OAuthError)
    )
)]
async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<TokenRequest>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "send an application/x-www-form-urlencoded body, each parameter once",
        );
    };
    let Ok(basic) = basic_credentials(&headers) else {
        return invalid_client();
    };
    match oidc::exchange(&state.deps, ClientAuth { basic }, form).await {
        Ok(tokens) => {
            let mut response = axum::Json(json!({
                "access_token": tokens.access_token,
                "token_type": "Bearer",
                "expires_in": crate::domain::oidc::ACCESS_TOKEN_TTL_SECS,
                "id_token": tokens.id_token,
                "scope": tokens.scope,
            }))
            .into_response();
            no_store(response.headers_mut());
            cors(response)
        }
        Err(TokenError::InvalidClient) => invalid_client(),
        Err(TokenError::InvalidRequest(why)) => {
            oauth_error(StatusCode::BAD_REQUEST, "invalid_request", why)
        }
        Err(TokenError::InvalidGrant(why)) => {
            oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", why)
        }
        Err(TokenError::UnsupportedGrantType) => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only authorization_code is supported",
        ),
        Err(TokenError::Internal(e)) => ApiError::Internal(e).into_response(),
    }
}

fn invalid_client() -> Response {
    let mut response = oauth_error(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "the client is unknown or its credentials are wrong",
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"TwoStep\""),
    );
    response
}

#[utoipa::path(
    method(get, post),
    path = "/oidc/userinfo",
    tag = "apps",
    responses(
        (status = 200, description = "The claims the access token's scopes allow", body = JsonObject),
        (status = 401, description = "invalid_token", body = OAuthError)
    )
)]
async fn user_info(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    match oidc::user_info(&state.deps, bearer.trim()).await {
        Ok(claims) => {
            let mut response = axum::Json(claims).into_response();
            no_store(response.headers_mut());
            cors(response)
        }
        Err(UserInfoError::InvalidToken) => {
            let mut response = oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                "the access token is invalid or has expired",
            );
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
            response
        }
        Err(UserInfoError::Internal(e)) => ApiError::Internal(e).into_response(),
    }
}

/// RP-initiated logout: with a valid `id_token_hint`, the browser's session
/// ends when it is that person's, and the browser goes to the app's
/// registered address (or to the sign-in page).
#[utoipa::path(
    get,
    path = "/oidc/logout",
    tag = "apps",
    params(LogoutRequest),
    responses(
        (status = 303, description = "To the app's registered address, or the sign-in page"),
        (status = 400, description = "The request is invalid (RFC 6749 5.2)", body = OAuthError)
    )
)]
async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    query: Result<Query<LogoutRequest>, QueryRejection>,
) -> Response {
    let Ok(Query(request)) = query else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "malformed query",
        );
    };
    let session = match any_session(&jar, &state).await {
        Ok(session) => session,
        Err(e) => return e.into_response(),
    };
    match oidc::logout(&state.deps, &request, session.as_ref()).await {
        Ok(out) => {
            let mut jar = jar;
            if out.end_session
                && let Some(token) = presented_token(&jar, &state.config)
            {
                if let Err(e) = session::end(&state.deps, &token).await {
                    return ApiError::from(e).into_response();
                }
                jar = jar.add(expired_cookie(&state.config));
            }
            (jar, Redirect::to(&out.location)).into_response()
        }
        Err(LogoutError::Internal(e)) => ApiError::Internal(e).into_response(),
        Err(e) => oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &e.to_string()),
    }
}
