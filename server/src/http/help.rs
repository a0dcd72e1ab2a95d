use axum::extract::State;
use mfa_api::ExampleEmail;
use serde::Deserialize;
use utoipa_axum::routes;

use super::openapi::{Errors, Routes};
use super::{ApiJson, ApiQuery};
use crate::mail::templates::{self, EmailContent, Language};
use crate::state::AppState;

pub fn router() -> Routes {
    Routes::new().routes(routes!(deadline_email))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Lang {
    /// `en` or `fr`.
    lang: Option<String>,
}

/// The email members get when their company sets a deadline, as the help
/// article shows it: rendered by the template the server sends, for an
/// example company and member (public: it holds nothing of anyone's).
#[utoipa::path(
    get,
    path = "/help/deadline-email",
    tag = "service",
    params(Lang),
    responses(
        (status = 200, description = "The example email, in that language", body = ExampleEmail),
        Errors
    )
)]
async fn deadline_email(
    State(state): State<AppState>,
    ApiQuery(lang): ApiQuery<Lang>,
) -> ApiJson<ExampleEmail> {
    let language = lang
        .lang
        .as_deref()
        .and_then(Language::parse)
        .unwrap_or(Language::En);
    let content = example(language);
    let rendered = templates::render(&content, language, &state.config.public_url, None);
    ApiJson(ExampleEmail {
        subject: rendered.subject,
        text: rendered.text,
    })
}

/// The example's company, member and date.
pub fn example(language: Language) -> EmailContent {
    let (company, name) = match language {
        Language::En => ("Example Construction", "Morgan"),
        Language::Fr => ("Construction Exemple", "Morgan"),
    };
    EmailContent::Deadline {
        company_id: 0,
        company: company.to_owned(),
        user_id: 0,
        name: name.to_owned(),
        deadline: 0,
        date: "2027-03-15".to_owned(),
        time_zone: "Europe/Paris".to_owned(),
        reminder_days: None,
    }
}
