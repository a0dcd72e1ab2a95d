//! Every HTTP call the app makes, in one place. Each returns `Result`; the
//! error carries the server's stable `code` so pages can pick a message.

use gloo_net::http::{Request, RequestBuilder, Response};
use mfa_api::{CSRF_HEADER, CSRF_VALUE, ErrorBody, Me, SignInOutcome, SignInRequest};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a call failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status; 0 when the server could not be reached at all.
    pub status: u16,
    /// The server's error code, or `network` / `bad_response`.
    pub code: String,
}

pub const NETWORK: &str = "network";
const BAD_RESPONSE: &str = "bad_response";

impl ApiError {
    fn network() -> Self {
        Self {
            status: 0,
            code: NETWORK.into(),
        }
    }

    pub fn is_unauthenticated(&self) -> bool {
        self.status == 401
    }
}

pub async fn me() -> Result<Me, ApiError> {
    json(build(Request::get("/api/me"))?).await
}

pub async fn sign_in(request: &SignInRequest) -> Result<SignInOutcome, ApiError> {
    json(with_body(Request::post("/api/sign-in"), request)?).await
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
    })
}

/// Sends; 2xx responses pass, the others become `ApiError` with the server's code.
async fn send(request: Request) -> Result<Response, ApiError> {
    let response = request.send().await.map_err(|_| ApiError::network())?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let code = match response.json::<ErrorBody>().await {
        Ok(body) => body.code,
        Err(_) => BAD_RESPONSE.into(),
    };
    Err(ApiError { status, code })
}
