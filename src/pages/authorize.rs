//! Signing in to one of the company's apps. The server sends the browser
//! here (with the app's request as the query) when the person has to sign
//! in first, or cannot go on: this page asks the server what the request
//! needs, then shows the sign-in ("Sign in to continue to <App>"), goes
//! back to the app, or says why not.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use mfa_api::{AuthorizationRefusal, AuthorizationVerdict, AuthorizationView};

use super::sign_in::{ContinuingTo, SignInPage};
use crate::api;
use crate::components::loading::Loading;
use crate::continuation::{self, Continuation};
use crate::document::page_title;
use crate::errors::error_text;
use crate::i18n::{t, t_string, use_i18n};
use crate::nav::{HOME_PATH, SECURITY_PATH};
use crate::session::{Session, SessionState};

/// The app's request, as the query string of this page.
fn request_query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .map(|s| s.trim_start_matches('?').to_owned())
        .unwrap_or_default()
}

#[component]
pub fn AuthorizePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let query = request_query();
    let ask = {
        let query = query.clone();
        Action::new_local(move |&()| {
            let query = query.clone();
            async move { api::authorization(&query).await }
        })
    };
    // Asked again when the session changes (signed in, second step done).
    Effect::new(move |_| {
        if session.state() != SessionState::Checking {
            ask.dispatch(());
        }
    });
    move || match ask.value().get() {
        None => view! { <Loading /> }.into_any(),
        Some(Err(e)) => {
            view! { <p class="error" role="alert">{error_text(i18n.get_locale(), &e)}</p> }
                .into_any()
        }
        Some(Ok(view)) => view! { <Verdict view=view query=query.clone() /> }.into_any(),
    }
}

#[component]
fn Verdict(view: AuthorizationView, query: String) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let navigate = use_navigate();
    let app = view.app.clone().unwrap_or_default();
    match view.verdict {
        AuthorizationVerdict::SignIn => {
            continuation::remember(&Continuation::App(query));
            if session.must_enroll() {
                // Enrolling first: the tab continues to the app afterwards.
                navigate(
                    SECURITY_PATH,
                    NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                );
                return view! { <Loading /> }.into_any();
            }
            provide_context(ContinuingTo(app));
            view! { <SignInPage /> }.into_any()
        }
        AuthorizationVerdict::Continue => {
            continuation::remember(&Continuation::App(query));
            if let Some(me) = session.me() {
                continuation::go_if_pending(me.stage);
            }
            let name = app.clone();
            page_title(move || t_string!(i18n, continuing_to_app, app = name.clone()).to_string());
            view! {
                <section class="card narrow" aria-labelledby="continuing-title">
                    <h1 id="continuing-title">{move || t_string!(i18n, continuing_to_app, app = app.clone()).to_string()}</h1>
                    <Loading />
                </section>
            }
            .into_any()
        }
        AuthorizationVerdict::Refused { reason, return_to } => {
            view! { <Refused app=view.app reason=reason return_to=return_to /> }.into_any()
        }
    }
}

/// Why the app cannot have this sign-in, with the way back to it.
#[component]
fn Refused(
    app: Option<String>,
    reason: AuthorizationRefusal,
    return_to: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = app.clone().unwrap_or_default();
    let title = {
        let name = name.clone();
        move || match reason {
            AuthorizationRefusal::InvalidRequest => {
                t_string!(i18n, app_link_invalid_title).to_string()
            }
            _ => t_string!(i18n, app_refused_title, app = name.clone()).to_string(),
        }
    };
    page_title(title.clone());
    let body = {
        let name = name.clone();
        move || match reason {
            AuthorizationRefusal::InvalidRequest => {
                t_string!(i18n, app_link_invalid_body).to_string()
            }
            AuthorizationRefusal::NotAMember => {
                t_string!(i18n, app_not_member_body, app = name.clone()).to_string()
            }
            AuthorizationRefusal::MfaRequired => {
                t_string!(i18n, app_mfa_required_body, app = name.clone()).to_string()
            }
        }
    };
    view! {
        <section class="card narrow" aria-labelledby="refused-title">
            <h1 id="refused-title">{title}</h1>
            <p>{body}</p>
            <div class="actions">
                {(reason == AuthorizationRefusal::MfaRequired).then(|| view! {
                    <A href=SECURITY_PATH attr:class="button primary">{t!(i18n, set_up_two_factor)}</A>
                })}
                {return_to.filter(|_| app.is_some()).map(|href| {
                    let name = name.clone();
                    view! { <a class="button" href=href>{move || t_string!(i18n, return_to_app, app = name.clone()).to_string()}</a> }
                })}
                <A href=HOME_PATH attr:class="button">{t!(i18n, go_to_your_account)}</A>
            </div>
        </section>
    }
}
