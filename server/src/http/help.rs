use axum::Router;
use axum::extract::State;
use axum::routing::get;
use mfa_api::ExampleEmail;
use serde::Deserialize;

use super::{ApiJson, ApiQuery};
use crate::mail::templates::{self, EmailContent, Language};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/help/deadline-email", get(deadline_email))
}

#[derive(Deserialize)]
struct Lang {
    lang: Option<String>,
}

/// The email members get when their company sets a deadline, as the help
/// article shows it: rendered by the template the server sends, for an
/// example company and member (public: it holds nothing of anyone's).
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
