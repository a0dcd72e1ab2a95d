use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use mfa_api::{SignInOutcome, SignInRequest};

use crate::api::{self, ApiError};
use crate::document::page_title;
use crate::errors::error_text;
use crate::i18n::{t, t_string, use_i18n};
use crate::nav;
use crate::session::Session;

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let navigate = use_navigate();
    let query = use_query_map();
    page_title(move || t_string!(i18n, sign_in_title).to_owned());

    // Signed in (just now, or already when arriving here): go on to where the user was headed.
    Effect::new(move |_| {
        if session.is_signed_in() {
            let next = nav::safe_next(query.with_untracked(|q| q.get("next")).as_deref());
            navigate(
                &next,
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });

    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);

    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        let request = SignInRequest {
            email: email.get_untracked(),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            let result = api::sign_in(&request).await;
            pending.set(false);
            password.set(String::new());
            match result {
                Ok(SignInOutcome::SignedIn { me }) => session.signed_in(me),
                Err(e) => error.set(Some(e)),
            }
        });
    };

    let message = move || error.get().map(|e| error_text(i18n.get_locale(), &e));
    let invalid = move || error.with(Option::is_some).then_some("true");
    view! {
        <section class="card narrow" aria-labelledby="sign-in-title">
            <h1 id="sign-in-title">{t!(i18n, sign_in_title)}</h1>
            <p>{t!(i18n, sign_in_intro)}</p>
            <form class="form" on:submit=on_submit>
                <div class="field">
                    <label for="email">{t!(i18n, email_label)}</label>
                    <input
                        id="email"
                        name="email"
                        type="email"
                        autocomplete="username"
                        required
                        aria-invalid=invalid
                        aria-describedby=move || error.with(Option::is_some).then_some("sign-in-error")
                        bind:value=email
                    />
                </div>
                <div class="field">
                    <label for="password">{t!(i18n, password_label)}</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                        aria-invalid=invalid
                        aria-describedby=move || error.with(Option::is_some).then_some("sign-in-error")
                        bind:value=password
                    />
                </div>
                <p id="sign-in-error" class="error" role="alert">{message}</p>
                <button type="submit" class="primary" disabled=move || pending.get()>
                    {move || if pending.get() { t_string!(i18n, signing_in) } else { t_string!(i18n, sign_in_button) }}
                </button>
            </form>
        </section>
    }
}
