use axum::extract::{FromRequestParts, State};
use axum::http::header;
use axum::http::request::Parts;
use axum_extra::extract::cookie::CookieJar;
use mfa_api::{
    CodeTexted, ConfirmPhoneRequest, ErrorCode, FactorChange, IDEMPOTENCY_HEADER, SmsCountries,
    SmsCountry, StartPhoneRequest, TextCodeRequest,
};
use serde::Deserialize;
use utoipa_axum::routes;

use super::client_ip::ClientIp;
use super::error::{ApiError, ApiResult};
use super::factors::factor_confirmed;
use super::openapi::{Errors, Routes};
use super::session::{MayEnroll, PendingSecondFactor, Reauthenticated};
use super::{ApiJson, ApiQuery};
use crate::domain::texted_code::TextedCode;
use crate::services::answer::FactorAnswer;
use crate::services::enrollment;
use crate::services::phone::{self, Texted};
use crate::state::AppState;

pub fn router() -> Routes {
    Routes::new()
        .routes(routes!(countries))
        .routes(routes!(start))
        .routes(routes!(resend))
        .routes(routes!(confirm))
        .routes(routes!(text_sign_in_code))
}

/// The request's `Idempotency-Key` (1 to 100 visible ASCII characters), or
/// a fresh one when it has none: a request repeated with the same key
/// never sends a second text.
pub struct IdempotencyKey(pub String);

impl FromRequestParts<AppState> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match parts.headers.get(IDEMPOTENCY_HEADER) {
            None => Ok(Self(hex::encode(rand::Rng::r#gen::<[u8; 16]>(
                &mut state.deps.rng(),
            )))),
            Some(value) => value
                .to_str()
                .ok()
                .filter(|key| {
                    (1..=100).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
                })
                .map(|key| Self(key.to_owned()))
                .ok_or_else(|| ApiError::Client {
                    code: ErrorCode::BadRequest,
                    message: "Idempotency-Key must be 1 to 100 visible ASCII characters."
                        .to_owned(),
                }),
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Language {
    /// `en` or `fr`.
    lang: Option<String>,
}

/// Where this user may have codes texted, named in `?lang=` (else the
/// browser's `Accept-Language`; English by default).
#[utoipa::path(
    get,
    path = "/factors/sms/countries",
    tag = "factors",
    params(Language),
    responses(
        (status = 200, description = "The countries this person may have codes texted in", body = SmsCountries),
        Errors
    ),
    security(("session" = []))
)]
async fn countries(
    State(state): State<AppState>,
    MayEnroll(session): MayEnroll,
    ApiQuery(language): ApiQuery<Language>,
    headers: axum::http::HeaderMap,
) -> ApiResult<ApiJson<SmsCountries>> {
    let language = language.lang.unwrap_or_else(|| {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split([',', ';', '-']).next())
            .unwrap_or("en")
            .trim()
            .to_ascii_lowercase()
    });
    let countries = phone::countries(&state.deps, session.user_id).await?;
    Ok(ApiJson(SmsCountries {
        countries: countries
            .into_iter()
            .map(|c| SmsCountry {
                iso: c.iso.to_owned(),
                calling_code: c.calling_code,
                name: c.name(&language).to_owned(),
            })
            .collect(),
    }))
}

fn texted(texted: Texted) -> ApiJson<CodeTexted> {
    ApiJson(CodeTexted {
        to: texted.to,
        resend_after: texted.resend_after,
        expires_at: texted.expires_at,
    })
}

/// A phone number to add (or to replace the current one with): checked,
/// kept pending, and texted a code.
#[utoipa::path(
    post,
    path = "/factors/sms",
    tag = "factors",
    request_body = StartPhoneRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "The same key answers a retried request without a second text")),
    responses(
        (status = 200, description = "A code is texted", body = CodeTexted),
        Errors
    ),
    security(("session" = []))
)]
async fn start(
    State(state): State<AppState>,
    Reauthenticated(MayEnroll(session)): Reauthenticated<MayEnroll>,
    ClientIp(ip): ClientIp,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(request): ApiJson<StartPhoneRequest>,
) -> ApiResult<ApiJson<CodeTexted>> {
    let sent = phone::start(
        &state.deps,
        &session,
        ip.as_deref(),
        &request.country,
        &request.number,
        &key,
    )
    .await?;
    Ok(texted(sent))
}

/// Another code to the number waiting to be verified.
#[utoipa::path(
    post,
    path = "/factors/sms/resend",
    tag = "factors",
    params(("Idempotency-Key" = Option<String>, Header, description = "The same key answers a retried request without a second text")),
    responses(
        (status = 200, description = "A new code is texted", body = CodeTexted),
        Errors
    ),
    security(("session" = []))
)]
async fn resend(
    State(state): State<AppState>,
    Reauthenticated(MayEnroll(session)): Reauthenticated<MayEnroll>,
    ClientIp(ip): ClientIp,
    IdempotencyKey(key): IdempotencyKey,
) -> ApiResult<ApiJson<CodeTexted>> {
    Ok(texted(
        phone::resend(&state.deps, &session, ip.as_deref(), &key).await?,
    ))
}

/// The texted code verifies the number, which becomes a factor. The first
/// factor also brings the recovery code, returned here once.
#[utoipa::path(
    post,
    path = "/factors/sms/confirm",
    tag = "factors",
    request_body = ConfirmPhoneRequest,
    responses(
        (status = 200, description = "Confirmed; the first factor brings the recovery code", body = FactorChange),
        Errors
    ),
    security(("session" = []))
)]
async fn confirm(
    State(state): State<AppState>,
    MayEnroll(session): MayEnroll,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    ApiJson(request): ApiJson<ConfirmPhoneRequest>,
) -> ApiResult<(CookieJar, ApiJson<FactorChange>)> {
    let code = TextedCode::parse(&request.code)
        .ok_or_else(|| ApiError::validation("Enter the 6-digit code from the text message."))?;
    let answer = FactorAnswer::TextedCode(code);
    let confirmed = enrollment::confirm(&state.deps, &session, ip.as_deref(), answer).await?;
    Ok(factor_confirmed(&state, jar, confirmed))
}

/// At the second step of sign-in, when the person asks for it: a code by text.
#[utoipa::path(
    post,
    path = "/sign-in/second-factor/sms",
    tag = "sign-in",
    request_body = TextCodeRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "The same key answers a retried request without a second text")),
    responses(
        (status = 200, description = "A code is texted", body = CodeTexted),
        Errors
    ),
    security(("session" = []))
)]
async fn text_sign_in_code(
    State(state): State<AppState>,
    PendingSecondFactor(session): PendingSecondFactor,
    ClientIp(ip): ClientIp,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(request): ApiJson<TextCodeRequest>,
) -> ApiResult<ApiJson<CodeTexted>> {
    let factor_id = request.factor_id;
    Ok(texted(
        phone::text_sign_in_code(&state.deps, &session, ip.as_deref(), factor_id, &key).await?,
    ))
}
