//! Passwords: "Change password" on the Password & Security tab, and for
//! someone who forgot theirs, "Forgot your password?" (a link by email)
//! and "Choose a new password" (the link's page). The server holds the
//! rule for a chosen password; its refusal is shown with its reasons.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_i18n::Locale as _;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use mfa_api::ForgotPasswordRequest;

use crate::api;
use crate::components::form_controls::SubmitButton;
use crate::components::loading::Loading;
use crate::document::page_title;
use crate::errors::error_text;
use crate::form::{error_message, invalid, on_answer};
use crate::i18n::{t, t_string, use_i18n};
use crate::nav::{FORGOT_PASSWORD_PATH, SIGN_IN_PATH};
use crate::session::Session;

/// The Password section of the Password & Security tab.
#[component]
pub fn ChangePasswordSection() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let change = session.action(|(current, new): &(String, String)| {
        api::change_password(current.clone(), new.clone())
    });
    let changed = RwSignal::new(false);
    on_answer(change, move |answer| {
        changed.set(answer.is_ok());
        if answer.is_ok() {
            current.set(String::new());
            new.set(String::new());
        }
    });
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if change.pending().get_untracked() {
            return;
        }
        changed.set(false);
        change.dispatch((current.get_untracked(), new.get_untracked()));
    };
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">{t!(i18n, password_heading)}</h2>
            <p>{t!(i18n, password_intro)}</p>
            <form class="form" on:submit=on_submit>
                <div class="field">
                    <label for="current-password">{t!(i18n, current_password_label)}</label>
                    <input
                        id="current-password"
                        type="password"
                        autocomplete="current-password"
                        required
                        aria-invalid=invalid(change)
                        aria-describedby="change-password-error"
                        bind:value=current
                    />
                </div>
                <NewPasswordField value=new id="new-password" error_id="change-password-error" />
                <p id="change-password-error" class="error" role="alert">{error_message(change)}</p>
                <p class="hint" role="status">{move || changed.get().then(|| t_string!(i18n, password_changed))}</p>
                <div class="actions">
                    <SubmitButton pending=move || change.pending().get() label=move || t_string!(i18n, change_password_button) />
                </div>
            </form>
        </section>
    }
}

/// "New password", with how to choose one.
#[component]
fn NewPasswordField(
    value: RwSignal<String>,
    id: &'static str,
    error_id: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let hint_id = format!("{id}-hint");
    let described = format!("{hint_id} {error_id}");
    view! {
        <div class="field">
            <label for=id>{t!(i18n, new_password_label)}</label>
            <input
                id=id
                type="password"
                autocomplete="new-password"
                required
                minlength="8"
                maxlength="128"
                aria-describedby=described
                bind:value=value
            />
            <p id=hint_id class="hint">{t!(i18n, new_password_hint)}</p>
        </div>
    }
}

/// "Forgot your password?": the same answer for every address.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    page_title(move || t_string!(i18n, forgot_title).to_owned());
    let email = RwSignal::new(String::new());
    let ask = session.action(|request: &ForgotPasswordRequest| api::ask_for_reset(request.clone()));
    let sent = move || ask.value().with(|a| matches!(a, Some(Ok(()))));
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if ask.pending().get_untracked() {
            return;
        }
        ask.dispatch(ForgotPasswordRequest {
            email: email.get_untracked(),
            language: Some(i18n.get_locale_untracked().as_str().to_owned()),
        });
    };
    view! {
        <section class="card narrow" aria-labelledby="forgot-title">
            <h1 id="forgot-title">{t!(i18n, forgot_title)}</h1>
            <p>{t!(i18n, forgot_intro)}</p>
            <form class="form" on:submit=on_submit>
                <div class="field">
                    <label for="forgot-email">{t!(i18n, email_label)}</label>
                    <input
                        id="forgot-email"
                        type="email"
                        autocomplete="username"
                        required
                        aria-invalid=invalid(ask)
                        aria-describedby="forgot-error"
                        bind:value=email
                    />
                </div>
                <p id="forgot-error" class="error" role="alert">{error_message(ask)}</p>
                <p class="hint" role="status">{move || sent().then(|| t_string!(i18n, reset_link_sent))}</p>
                <div class="actions">
                    <SubmitButton pending=move || ask.pending().get() label=move || t_string!(i18n, send_reset_link) />
                    <A href=SIGN_IN_PATH>{t!(i18n, go_to_sign_in)}</A>
                </div>
            </form>
        </section>
    }
}

/// "Choose a new password", the emailed link's page. It signs nobody in.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    page_title(move || t_string!(i18n, password_reset_title).to_owned());
    let params = use_params_map();
    let token = move || params.with_untracked(|p| p.get("token").unwrap_or_default());
    let check = session.action(|token: &String| api::reset_link_status(token.clone()));
    check.dispatch(token());
    let password = RwSignal::new(String::new());
    let set = session.action(|(token, password): &(String, String)| {
        api::reset_password(token.clone(), password.clone())
    });
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if !set.pending().get_untracked() {
            set.dispatch((token(), password.get_untracked()));
        }
    };
    let done = move || set.value().with(|a| matches!(a, Some(Ok(()))));
    let form = move || {
        view! {
            <p>{t!(i18n, password_reset_intro)}</p>
            <form class="form" on:submit=on_submit>
                <NewPasswordField value=password id="reset-password" error_id="reset-error" />
                <p id="reset-error" class="error" role="alert">{error_message(set)}</p>
                <div class="actions">
                    <SubmitButton pending=move || set.pending().get() label=move || t_string!(i18n, set_new_password) />
                </div>
            </form>
        }
    };
    view! {
        // (Not a region named after its heading: "Choose a new password"
        // would then answer for the "New password" field's label too.)
        <section class="card narrow">
            <h1>{t!(i18n, password_reset_title)}</h1>
            {move || match (check.value().get(), done()) {
                (_, true) => view! {
                    <p role="status">{t!(i18n, password_reset_done)}</p>
                    <p><A href=SIGN_IN_PATH>{t!(i18n, go_to_sign_in)}</A></p>
                }.into_any(),
                (None, _) => view! { <Loading /> }.into_any(),
                (Some(Err(e)), _) => view! {
                    <p class="error" role="alert">{error_text(i18n.get_locale(), &e)}</p>
                    <p><A href=FORGOT_PASSWORD_PATH>{t!(i18n, ask_new_link)}</A></p>
                }.into_any(),
                (Some(Ok(())), false) => form().into_any(),
            }}
        </section>
    }
}
