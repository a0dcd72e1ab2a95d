//! Every HTTP call the app makes, in one place. Each returns `Result`; a
//! failed call says why with [`ApiError`], whose server codes are the api
//! crate's [`ErrorCode`]. Noticing that the session ended is the session's
//! job (`session::Session::action`), not this module's.

/// Sessions, trusted browsers, activity and the audit log.
mod activity;
pub use activity::*;

use gloo_net::http::{Request, RequestBuilder, Response};
use mfa_api::{
    AppCredentials, AppList, AuthorizationView, CSRF_HEADER, CSRF_VALUE, ChangePasswordRequest,
    CodeTexted, CompanyMembers, CompanyRole, ConfirmPhoneRequest, ConfirmTotpRequest, ErrorBody,
    ErrorCode, ExampleEmail, FactorChange, ForgotPasswordRequest, IDEMPOTENCY_HEADER, ImportDone,
    ImportPreview, ImportRequest, InvitationView, Invitations, InviteRequest, JoinRequest,
    LanguageRequest, Me, MfaPolicy, MfaPolicyRequest, NewAppRequest, Outbox, PasswordFeedback,
    PendingInvitation, Readiness, ReadinessQuery, ReauthRequest, ReauthStatus, RemindersQueued,
    RemindersRequest, RenameFactor, ResetPasswordRequest, RoleRequest, SecondFactorOptions,
    SecondFactorRequest, SignInOutcome, SignInRequest, SmsCountries, StartPhoneRequest,
    TextCodeRequest, TotpEnrollment,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a call failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The server could not be reached at all.
    Network,
    /// The server answered with something that is not what it should carry.
    BadResponse { status: u16 },
    /// The server refused, saying why.
    Server {
        status: u16,
        code: ErrorCode,
        /// With `too_many_attempts`: when checks unlock (Unix seconds).
        locked_until: Option<i64>,
        /// With a retryable error: seconds to wait.
        retry_after: Option<i64>,
        /// With `wrong_code` at enrollment: the phone's clock seems this
        /// many minutes off.
        clock_drift_minutes: Option<i64>,
        /// With `weak_password`: why the password is easy to guess.
        password_feedback: Option<PasswordFeedback>,
    },
}

impl AsRef<ApiError> for ApiError {
    fn as_ref(&self) -> &ApiError {
        self
    }
}

impl ApiError {
    /// A refusal with this code (not a network or format problem).
    pub fn is(&self, wanted: ErrorCode) -> bool {
        matches!(self, Self::Server { code, .. } if *code == wanted)
    }

    /// A refusal from the server with `code` (for tests and state machines).
    pub fn server(code: ErrorCode) -> Self {
        Self::Server {
            status: 0,
            code,
            locked_until: None,
            retry_after: None,
            clock_drift_minutes: None,
            password_feedback: None,
        }
    }

    /// Minutes the phone's clock seems off by (a wrong code at enrollment).
    pub fn clock_drift_minutes(&self) -> Option<i64> {
        match self {
            Self::Server {
                clock_drift_minutes,
                ..
            } => *clock_drift_minutes,
            _ => None,
        }
    }

    /// Why a chosen password was found easy to guess, if it was.
    pub fn password_feedback(&self) -> Option<&PasswordFeedback> {
        match self {
            Self::Server {
                password_feedback, ..
            } => password_feedback.as_ref(),
            _ => None,
        }
    }

    /// Seconds the server asked to wait before trying again, if it did.
    pub fn retry_after(&self) -> Option<i64> {
        match self {
            Self::Server { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

pub async fn me() -> Result<Me, ApiError> {
    json(build(Request::get("/api/me"))?).await
}

pub async fn sign_in(request: SignInRequest) -> Result<SignInOutcome, ApiError> {
    json(with_body(Request::post("/api/sign-in"), &request)?).await
}

pub async fn second_factor(request: SecondFactorRequest) -> Result<SignInOutcome, ApiError> {
    json(with_body(
        Request::post("/api/sign-in/second-factor"),
        &request,
    )?)
    .await
}

/// The factors this sign-in's second step offers (preferred first).
pub async fn second_factor_options() -> Result<SecondFactorOptions, ApiError> {
    json(build(Request::get("/api/sign-in/second-factor"))?).await
}

/// At the second step: text a code to the phone (sent only when asked).
pub async fn text_sign_in_code(factor_id: i64, key: String) -> Result<CodeTexted, ApiError> {
    json(with_body(
        Request::post("/api/sign-in/second-factor/sms").header(IDEMPOTENCY_HEADER, &key),
        &TextCodeRequest {
            factor_id: Some(factor_id),
        },
    )?)
    .await
}

/// Whether the password was confirmed recently enough for sensitive actions.
pub async fn reauth_status() -> Result<ReauthStatus, ApiError> {
    json(build(Request::get("/api/reauth"))?).await
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

/// Where codes can be texted to this user, named in `language`.
pub async fn sms_countries(language: &'static str) -> Result<SmsCountries, ApiError> {
    json(build(Request::get(&format!(
        "/api/factors/sms/countries?lang={language}"
    )))?)
    .await
}

/// A phone number to add (or change to), texted a code (needs a recent
/// `reauth`). `key` is the same for a retry of the same send.
pub async fn start_phone(request: StartPhoneRequest, key: String) -> Result<CodeTexted, ApiError> {
    json(with_body(
        Request::post("/api/factors/sms").header(IDEMPOTENCY_HEADER, &key),
        &request,
    )?)
    .await
}

/// Another code to the number being verified.
pub async fn resend_phone_code(key: String) -> Result<CodeTexted, ApiError> {
    json(build(guarded(
        Request::post("/api/factors/sms/resend").header(IDEMPOTENCY_HEADER, &key),
    ))?)
    .await
}

pub async fn confirm_phone(code: String) -> Result<FactorChange, ApiError> {
    json(with_body(
        Request::post("/api/factors/sms/confirm"),
        &ConfirmPhoneRequest { code },
    )?)
    .await
}

/// Makes a factor the one offered first at sign-in.
pub async fn prefer_factor(id: i64) -> Result<Me, ApiError> {
    json(build(guarded(Request::put(&format!(
        "/api/factors/{id}/preferred"
    ))))?)
    .await
}

/// The company's MFA policy (company admins).
pub async fn mfa_policy(company: i64) -> Result<MfaPolicy, ApiError> {
    json(build(Request::get(&format!(
        "/api/companies/{company}/mfa-policy"
    )))?)
    .await
}

pub async fn save_mfa_policy(
    company: i64,
    request: MfaPolicyRequest,
) -> Result<MfaPolicy, ApiError> {
    json(with_body(
        Request::put(&format!("/api/companies/{company}/mfa-policy")),
        &request,
    )?)
    .await
}

/// Who in the company is enrolled (company admins): the counts and the
/// page of the list `query` asks for.
pub async fn readiness(company: i64, query: &ReadinessQuery) -> Result<Readiness, ApiError> {
    json(build(Request::get(&format!(
        "/api/companies/{company}/readiness?{}",
        query.to_query_string()
    )))?)
    .await
}

/// Where the not-enrolled list downloads as CSV.
pub fn readiness_csv_href(company: i64) -> String {
    format!("/api/companies/{company}/readiness.csv")
}

/// "Send reminder now": to one member, or (none) to all not enrolled.
pub async fn send_reminders(
    company: i64,
    user_id: Option<i64>,
) -> Result<RemindersQueued, ApiError> {
    json(with_body(
        Request::post(&format!("/api/companies/{company}/reminders")),
        &RemindersRequest { user_id },
    )?)
    .await
}

/// Resets a member's MFA (needs a recent `reauth`).
pub async fn reset_member_mfa(company: i64, member: i64) -> Result<(), ApiError> {
    send(build(guarded(Request::post(&format!(
        "/api/companies/{company}/members/{member}/reset-mfa"
    ))))?)
    .await
    .map(drop)
}

/// The deadline email as members get it, for the help article.
pub async fn deadline_email(language: &'static str) -> Result<ExampleEmail, ApiError> {
    json(build(Request::get(&format!(
        "/api/help/deadline-email?lang={language}"
    )))?)
    .await
}

/// Changes the signed-in user's password.
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), ApiError> {
    send(with_body(
        Request::put("/api/me/password"),
        &ChangePasswordRequest {
            current_password,
            new_password,
        },
    )?)
    .await
    .map(drop)
}

/// "Forgot your password?": a link by email, if an account has that address.
pub async fn ask_for_reset(request: ForgotPasswordRequest) -> Result<(), ApiError> {
    send(with_body(Request::post("/api/password-reset"), &request)?)
        .await
        .map(drop)
}

/// Whether a reset link still works.
pub async fn reset_link_status(token: String) -> Result<(), ApiError> {
    send(build(Request::get(&format!(
        "/api/password-reset/{token}"
    )))?)
    .await
    .map(drop)
}

/// Sets a new password with a reset link.
pub async fn reset_password(token: String, password: String) -> Result<(), ApiError> {
    send(with_body(
        Request::post(&format!("/api/password-reset/{token}")),
        &ResetPasswordRequest { password },
    )?)
    .await
    .map(drop)
}

/// Invites someone to the company (admins).
pub async fn invite(company: i64, request: InviteRequest) -> Result<PendingInvitation, ApiError> {
    json(with_body(
        Request::post(&format!("/api/companies/{company}/invitations")),
        &request,
    )?)
    .await
}

/// The company's invitations waiting for an answer (admins).
pub async fn invitations(company: i64) -> Result<Invitations, ApiError> {
    json(build(Request::get(&format!(
        "/api/companies/{company}/invitations"
    )))?)
    .await
}

/// "Resend invitation": a new link, the old one void.
pub async fn resend_invitation(company: i64, id: i64) -> Result<PendingInvitation, ApiError> {
    json(build(guarded(Request::post(&format!(
        "/api/companies/{company}/invitations/{id}/resend"
    ))))?)
    .await
}

/// "Revoke invitation".
pub async fn revoke_invitation(company: i64, id: i64) -> Result<(), ApiError> {
    send(build(guarded(Request::delete(&format!(
        "/api/companies/{company}/invitations/{id}"
    ))))?)
    .await
    .map(drop)
}

/// What an app's sign-in request needs (`query`: the request's own query string).
pub async fn authorization(query: &str) -> Result<AuthorizationView, ApiError> {
    json(build(Request::get(&format!(
        "/api/oidc/authorization?{query}"
    )))?)
    .await
}

/// The company's apps (admins).
pub async fn apps(company: i64) -> Result<AppList, ApiError> {
    json(build(Request::get(&format!(
        "/api/companies/{company}/apps"
    )))?)
    .await
}

/// "Save app" (needs a recent `reauth`): its client id, and the secret once.
pub async fn add_app(company: i64, request: NewAppRequest) -> Result<AppCredentials, ApiError> {
    json(with_body(
        Request::post(&format!("/api/companies/{company}/apps")),
        &request,
    )?)
    .await
}

/// "Rotate secret" (needs a recent `reauth`): the new secret, shown once.
pub async fn rotate_app_secret(company: i64, app: i64) -> Result<AppCredentials, ApiError> {
    json(build(guarded(Request::post(&format!(
        "/api/companies/{company}/apps/{app}/secret"
    ))))?)
    .await
}

/// "Delete app" (needs a recent `reauth`).
pub async fn delete_app(company: i64, app: i64) -> Result<(), ApiError> {
    send(build(guarded(Request::delete(&format!(
        "/api/companies/{company}/apps/{app}"
    ))))?)
    .await
    .map(drop)
}

/// One page of the company's members (admins).
pub async fn members(company: i64, filter: String, page: u32) -> Result<CompanyMembers, ApiError> {
    let filter = mfa_api::percent_encode(&filter, b"");
    json(build(Request::get(&format!(
        "/api/companies/{company}/members?filter={filter}&page={page}"
    )))?)
    .await
}

/// "Change role" (needs a recent `reauth`).
pub async fn set_member_role(company: i64, member: i64, role: CompanyRole) -> Result<(), ApiError> {
    send(with_body(
        Request::put(&format!("/api/companies/{company}/members/{member}/role")),
        &RoleRequest { role },
    )?)
    .await
    .map(drop)
}

/// "Remove from company" (needs a recent `reauth`).
pub async fn remove_member(company: i64, member: i64) -> Result<(), ApiError> {
    send(build(guarded(Request::delete(&format!(
        "/api/companies/{company}/members/{member}"
    ))))?)
    .await
    .map(drop)
}

/// "Import members": what importing the file would do, row by row.
pub async fn preview_import(company: i64, csv: String) -> Result<ImportPreview, ApiError> {
    json(with_body(
        Request::post(&format!("/api/companies/{company}/imports/preview")),
        &ImportRequest { csv },
    )?)
    .await
}

/// "Send N invitations" for the file.
pub async fn import_members(company: i64, csv: String) -> Result<ImportDone, ApiError> {
    json(with_body(
        Request::post(&format!("/api/companies/{company}/imports")),
        &ImportRequest { csv },
    )?)
    .await
}

/// What an invitation's link shows.
pub async fn invitation(token: String) -> Result<InvitationView, ApiError> {
    json(build(Request::get(&format!("/api/invitations/{token}")))?).await
}

/// "Create account" with an invitation: signed in at once.
pub async fn join(token: String, request: JoinRequest) -> Result<SignInOutcome, ApiError> {
    json(with_body(
        Request::post(&format!("/api/invitations/{token}/join")),
        &request,
    )?)
    .await
}

/// The signed-in person accepts an invitation to their address.
pub async fn accept_invitation(token: String) -> Result<Me, ApiError> {
    json(build(guarded(Request::post(&format!(
        "/api/invitations/{token}/accept"
    ))))?)
    .await
}

/// The demo's outbox: texts and emails, newest first.
pub async fn outbox() -> Result<Outbox, ApiError> {
    json(build(Request::get("/api/outbox"))?).await
}

/// Removes a factor of any kind (needs a recent `reauth`).
pub async fn remove_factor(id: i64) -> Result<Me, ApiError> {
    json(build(guarded(Request::delete(&format!(
        "/api/factors/{id}"
    ))))?)
    .await
}

/// Names one of the user's passkeys.
pub async fn rename_passkey(id: i64, name: String) -> Result<Me, ApiError> {
    json(with_body(
        Request::put(&format!("/api/factors/{id}/name")),
        &RenameFactor { name },
    )?)
    .await
}

/// "Not now" on the passkey offer (hidden for 30 days).
pub async fn dismiss_passkey_offer() -> Result<(), ApiError> {
    send(build(guarded(Request::post(
        "/api/me/passkey-offer/dismiss",
    )))?)
    .await
    .map(drop)
}

/// A passkey ceremony's options (`{"ceremony", "publicKey"}`), as the
/// browser parsed them: the `passkey` module reads them.
pub async fn passkey_options(path: &str) -> Result<wasm_bindgen::JsValue, ApiError> {
    let response = send(build(guarded(Request::post(path)))?).await?;
    let status = response.status();
    let promise = web_sys::Response::from(response)
        .json()
        .map_err(|_| ApiError::BadResponse { status })?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| ApiError::BadResponse { status })
}

/// Answers a passkey ceremony at `path` with `body` (built by `passkey`).
pub async fn passkey_answer<T: DeserializeOwned>(
    path: &str,
    body: &wasm_bindgen::JsValue,
) -> Result<T, ApiError> {
    let text = js_sys::JSON::stringify(body).map_err(|_| ApiError::Network)?;
    let request = guarded(Request::post(path))
        .header("Content-Type", "application/json")
        .body(text)
        .map_err(|_| ApiError::Network)?;
    json(request).await
}

/// Voids the recovery code and returns a new one (needs a recent `reauth`).
pub async fn new_recovery_code() -> Result<FactorChange, ApiError> {
    json(build(guarded(Request::post("/api/recovery-code")))?).await
}

/// The language the app is shown in, for the user's emails.
pub async fn set_language(language: &'static str) -> Result<(), ApiError> {
    send(with_body(
        Request::put("/api/me/language"),
        &LanguageRequest {
            language: language.to_owned(),
        },
    )?)
    .await
    .map(drop)
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
    builder.build().map_err(|_| ApiError::Network)
}

/// A JSON body, written by the browser's own `JSON.stringify` (no JSON
/// encoder of ours in the wasm: issue 19's size levers).
fn with_body(builder: RequestBuilder, body: &impl Serialize) -> Result<Request, ApiError> {
    let value = body
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|_| ApiError::Network)?;
    let text = js_sys::JSON::stringify(&value).map_err(|_| ApiError::Network)?;
    guarded(builder)
        .header("Content-Type", "application/json")
        .body(text)
        .map_err(|_| ApiError::Network)
}

async fn json<T: DeserializeOwned>(request: Request) -> Result<T, ApiError> {
    decode(send(request).await?).await
}

/// The response's JSON, parsed by the browser (`Response.json()`), then
/// read into `T`.
async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    let bad = |_| ApiError::BadResponse { status };
    let promise = web_sys::Response::from(response).json().map_err(bad)?;
    let value = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(bad)?;
    serde_wasm_bindgen::from_value(value).map_err(|_| ApiError::BadResponse { status })
}

/// Sends; 2xx responses pass, the others become `ApiError` with the server's code.
async fn send(request: Request) -> Result<Response, ApiError> {
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    Err(match decode::<ErrorBody>(response).await {
        Ok(body) => ApiError::Server {
            status,
            code: body.code,
            locked_until: body.locked_until,
            retry_after: body.retry_after,
            clock_drift_minutes: body.clock_drift_minutes,
            password_feedback: body.password_feedback,
        },
        Err(_) => ApiError::BadResponse { status },
    })
}
