//! Every HTTP call the app makes, in one place. Each returns `Result`; the
//! error carries the server's stable `code` so pages can pick a message.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_net::http::{Request, RequestBuilder, Response};
use mfa_api::{
    CSRF_HEADER, CSRF_VALUE, ConfirmTotpRequest, ErrorBody, FactorChange, Me, ReauthRequest,
    SecondFactorRequest, SignInOutcome, SignInRequest, TotpEnrollment, codes,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a call failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status; 0 when the server could not be reached at all.
    pub status: u16,
    /// The server's error code, or `network` / `bad_response`.
    pub code: String,
    /// With `too_many_attempts`: when checks unlock (Unix seconds).
    pub locked_until: Option<i64>,
}

pub const NETWORK: &str = "network";
const BAD_RESPONSE: &str = "bad_response";

impl ApiError {
    fn network() -> Self {
        Self {
            status: 0,
            code: NETWORK.into(),
            locked_until: None,
        }
    }

    /// A 2xx answer without what it should carry.
    pub fn unexpected() -> Self {
        Self {
            status: 200,
            code: BAD_RESPONSE.into(),
            locked_until: None,
        }
    }

    pub fn is(&self, code: &str) -> bool {
        self.code == code
    }
}

thread_local! {
    static ON_SESSION_END: RefCell<Option<Rc<dyn Fn()>>> = RefCell::new(None);
}

/// Called whenever the server says the session is gone (401
/// `unauthenticated`), whichever call noticed it.
pub fn on_session_end(handler: impl Fn() + 'static) {
    ON_SESSION_END.with(|h| *h.borrow_mut() = Some(Rc::new(handler)));
}

fn session_ended() {
    if let Some(handler) = ON_SESSION_END.with(|h| h.borrow().clone()) {
        handler();
    }
}

pub async fn me() -> Result<Me, ApiError> {
    json(build(Request::get("/api/me"))?).await
}

pub async fn sign_in(request: &SignInRequest) -> Result<SignInOutcome, ApiError> {
    json(with_body(Request::post("/api/sign-in"), request)?).await
}

pub async fn second_factor(request: &SecondFactorRequest) -> Result<SignInOutcome, ApiError> {
    json(with_body(
        Request::post("/api/sign-in/second-factor"),
        request,
    )?)
    .await
}

/// Confirms the password: sensitive actions are allowed for a while.
pub async fn reauth(password: String) -> Result<(), ApiError> {
    send(with_body(
        Request::post("/api/reauth"),
        &ReauthRequest { password },
    )?)
    .await
    .map(drop)
}

/// A new pending authenticator (needs a recent `reauth`).
pub async fn start_authenticator() -> Result<TotpEnrollment, ApiError> {
    json(build(guarded(Request::post("/api/factors/totp")))?).await
}

pub async fn confirm_authenticator(code: String) -> Result<FactorChange, ApiError> {
    json(with_body(
        Request::post("/api/factors/totp/confirm"),
        &ConfirmTotpRequest { code },
    )?)
    .await
}

pub async fn remove_authenticator(id: i64) -> Result<Me, ApiError> {
    json(build(guarded(Request::delete(&format!(
        "/api/factors/totp/{id}"
    ))))?)
    .await
}

/// Voids the recovery code and returns a new one (needs a recent `reauth`).
pub async fn new_recovery_code() -> Result<FactorChange, ApiError> {
    json(build(guarded(Request::post("/api/recovery-code")))?).await
}

pub async fn sign_out() -> Result<(), ApiError> {
    send(build(guarded(Request::post("/api/sign-out")))?)
        .await
        .map(drop)
}

/// Marks a state-changing request as coming from our own pages (see `mfa_api::CSRF_HEADER`).
fn guarded(builder: RequestBuilder) -> RequestBuilder {
    builder.header(CSRF_HEADER, CSRF_VALUE)
}

fn build(builder: RequestBuilder) -> Result<Request, ApiError> {
    builder.build().map_err(|_| ApiError::network())
}

fn with_body(builder: RequestBuilder, body: &impl Serialize) -> Result<Request, ApiError> {
    guarded(builder).json(body).map_err(|_| ApiError::network())
}

async fn json<T: DeserializeOwned>(request: Request) -> Result<T, ApiError> {
    let response = send(request).await?;
    response.json::<T>().await.map_err(|_| ApiError {
        status: response.status(),
        code: BAD_RESPONSE.into(),
        locked_until: None,
    })
}

/// Sends; 2xx responses pass, the others become `ApiError` with the server's code.
async fn send(request: Request) -> Result<Response, ApiError> {
    let response = request.send().await.map_err(|_| ApiError::network())?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let (code, locked_until) = match response.json::<ErrorBody>().await {
        Ok(body) => (body.code, body.locked_until),
        Err(_) => (BAD_RESPONSE.into(), None),
    };
    if status == 401 && code == codes::UNAUTHENTICATED {
        session_ended();
    }
    Err(ApiError {
        status,
        code,
        locked_until,
    })
}
