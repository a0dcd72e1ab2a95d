//! HTTP: the JSON API under `/api` and the single-page app on every other path.

use axum::extract::{FromRequest, FromRequestParts};
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::{Router, middleware};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::state::AppState;
use error::{ApiError, internal_error_response};
use mfa_api::ErrorCode;

/// A company's apps (OpenID Connect clients), for its admins.
mod apps;
/// A company's audit log, for its admins.
mod audit_log;
/// Sign-in (both steps) and sign-out.
mod auth;
/// The peer address, for the audit log.
mod client_ip;
/// Company settings, for company admins.
mod companies;
/// Refuses state-changing requests that did not come from our own pages.
mod csrf;
/// Sessions, trusted browsers and recent activity.
mod devices;
/// The API's one error type and its mapping to HTTP.
pub mod error;
/// Second factors and the recovery code.
mod factors;
/// Forward authentication for a reverse proxy.
mod forward_auth;
/// Liveness and database reachability.
mod health;
/// What the help article shows from the server.
mod help;
/// Invitations to join a company.
mod invitations;
/// The signed-in user.
mod me;
/// A company's members, for its admins.
mod members;
/// The OpenID Connect provider.
mod oidc;
/// The OpenAPI description of every route.
pub mod openapi;
/// The demo's outbox.
mod outbox;
/// Passkeys: adding one, the second step with one, signing in with one.
mod passkeys;
/// Changing a password, and choosing a new one after forgetting it.
mod password;
/// Phone numbers and texted codes.
mod phone;
/// Confirming the password for sensitive actions.
mod reauth;
/// The session cookie, and extractors that check the session's stage.
pub mod session;
/// Static files of the built SPA, with the SPA fallback.
mod spa;

/// `Json`, but its rejections are our JSON errors.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `Path`, but its rejections (a malformed id) are our JSON errors.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// `Query`, but its rejections (an unknown sort order, say) are our JSON errors.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

impl<T: serde::Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

/// The whole application: API, SPA, and the layers around them.
pub fn router(state: AppState) -> Router {
    let api = openapi::router()
        .merge(health::router())
        .merge(auth::router())
        .merge(me::router())
        .merge(devices::router())
        .merge(reauth::router())
        .merge(password::router())
        .merge(factors::router())
        .merge(passkeys::router())
        .merge(phone::router())
        .merge(companies::router())
        .merge(audit_log::router())
        .merge(invitations::router())
        .merge(members::router())
        .merge(apps::router())
        .merge(forward_auth::router())
        .merge(oidc::api_router())
        .merge(help::router());
    let api = match state.config.demo {
        true => api.merge(outbox::router()),
        false => api,
    };
    let (api, api_description) = api.split_for_parts();
    let (root, root_description) = oidc::router().split_for_parts();
    let description = openapi::describe(api_description, root_description);
    let api = api
        .fallback(|| async { ApiError::code(ErrorCode::NotFound) })
        .method_not_allowed_fallback(|| async { ApiError::code(ErrorCode::MethodNotAllowed) })
        .layer(openapi::serve(&description))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            client_ip::serve,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), csrf::protect))
        // API answers are per user and often secret: never cache them.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));

    // Browsers that reached us over HTTPS keep to it for a year.
    let hsts = state
        .config
        .secure_cookies()
        .then(|| HeaderValue::from_static("max-age=31536000"));
    let app = Router::new().nest("/api", api).merge(root);
    // The demo's outbox page does not exist outside demo mode.
    let app = match state.config.demo {
        true => app,
        false => app.route(
            "/outbox",
            axum::routing::get(|| async { (axum::http::StatusCode::NOT_FOUND, "Not found") }),
        ),
    };
    app.fallback_service(spa::service(&state.config.dist_dir))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &axum::response::Response| hsts.clone(),
        ))
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::custom(|_panic| {
            tracing::error!("a request handler panicked");
            internal_error_response()
        }))
        .with_state(state)
}
