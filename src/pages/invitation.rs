//! An invitation's link, `/invitation/<token>`: "Join <Company>" with a
//! name and a password of one's own ("Create account"), or, for an address
//! that has an account already, sign in and accept. A link that no longer
//! works says why and whom to ask.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_i18n::Locale as _;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use mfa_api::{InvitationStatus, InvitationView, JoinRequest, SignInOutcome};

use crate::api;
use crate::components::form_controls::SubmitButton;
use crate::components::loading::Loading;
use crate::document::page_title;
use crate::errors::error_text;
use crate::form::{error_message, invalid, on_answer};
use crate::i18n::{t, t_string, use_i18n};
use crate::nav::{self, HOME_PATH, sign_in_href};
use crate::session::Session;

#[component]
pub fn InvitationPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let params = use_params_map();
    let token = params.with_untracked(|p| p.get("token").unwrap_or_default());
    let load = session.action(|token: &String| api::invitation(token.clone()));
    load.dispatch(token.clone());
    let title = move || match load.value().get() {
        Some(Ok(view)) if view.status == InvitationStatus::Pending => {
            t_string!(i18n, join_title, company = view.company).to_string()
        }
        _ => t_string!(i18n, invitation_title).to_string(),
    };
    page_title(title);
    move || match load.value().get() {
        None => view! { <Loading /> }.into_any(),
        Some(Err(_)) => view! { <Ended view=None /> }.into_any(),
        Some(Ok(view)) if view.status != InvitationStatus::Pending => {
            view! { <Ended view=Some(view) /> }.into_any()
        }
        Some(Ok(view)) => view! { <Join view=view token=token.clone() /> }.into_any(),
    }
}

/// A link that no longer works: why, and whom to ask for a new one.
#[component]
fn Ended(view: Option<InvitationView>) -> impl IntoView {
    let i18n = use_i18n();
    let status = view.as_ref().map(|v| v.status);
    let inviter = view.and_then(|v| v.invited_by);
    let title = move || match status {
        Some(InvitationStatus::Expired) => t_string!(i18n, invitation_expired_title),
        Some(InvitationStatus::Accepted) => t_string!(i18n, invitation_accepted_title),
        Some(InvitationStatus::Revoked) => t_string!(i18n, invitation_revoked_title),
        Some(InvitationStatus::Pending) | None => t_string!(i18n, invitation_unknown_title),
    };
    let ask = move || match &inviter {
        Some(name) => t_string!(i18n, invitation_ask_person, name = name.clone()).to_string(),
        None => t_string!(i18n, invitation_ask_admin).to_string(),
    };
    view! {
        <section class="card narrow">
            <h1>{title}</h1>
            <p>{ask}</p>
            <p><A href=nav::SIGN_IN_PATH>{t!(i18n, go_to_sign_in)}</A></p>
        </section>
    }
}

/// A pending invitation: create the account, or sign in and accept.
#[component]
fn Join(view: InvitationView, token: String) -> impl IntoView {
    let i18n = use_i18n();
    let company = view.company.clone();
    let email = view.email.clone();
    let heading = {
        let company = company.clone();
        move || t_string!(i18n, join_title, company = company.clone()).to_string()
    };
    let body = if view.account_exists {
        view! { <Accept company=company email=email token=token /> }.into_any()
    } else {
        view! { <CreateAccount view=view token=token /> }.into_any()
    };
    view! {
        <section class="card narrow">
            <h1>{heading}</h1>
            {body}
        </section>
    }
}

/// "Name", "New password", "Create account": signed in at once, then where
/// the company's rules send a new member (enrollment, when required).
#[component]
fn CreateAccount(view: InvitationView, token: String) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let navigate = use_navigate();
    let name = RwSignal::new(view.name.clone());
    let password = RwSignal::new(String::new());
    let join =
        session.action(move |request: &JoinRequest| api::join(token.clone(), request.clone()));
    on_answer(join, move |answer| {
        if let Ok(SignInOutcome::SignedIn { me, .. }) = answer {
            let next = nav::after_sign_in(me.stage, None);
            session.signed_in(me);
            navigate(&next, Default::default());
        }
    });
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if join.pending().get_untracked() {
            return;
        }
        join.dispatch(JoinRequest {
            name: name.get_untracked(),
            password: password.get_untracked(),
            language: Some(i18n.get_locale_untracked().as_str().to_owned()),
        });
    };
    let intro = move || {
        t_string!(
            i18n,
            join_intro,
            company = view.company.clone(),
            email = view.email.clone()
        )
        .to_string()
    };
    view! {
        <p>{intro}</p>
        <form class="form" on:submit=on_submit>
            <div class="field">
                <label for="join-name">{t!(i18n, name_label)}</label>
                <input id="join-name" type="text" required maxlength="100" autocomplete="name" bind:value=name />
            </div>
            <div class="field">
                <label for="join-password">{t!(i18n, new_password_label)}</label>
                <input
                    id="join-password"
                    type="password"
                    required
                    minlength="8"
                    maxlength="128"
                    autocomplete="new-password"
                    aria-invalid=invalid(join)
                    aria-describedby="join-password-hint join-error"
                    bind:value=password
                />
                <p id="join-password-hint" class="hint">{t!(i18n, new_password_hint)}</p>
            </div>
            <p id="join-error" class="error" role="alert">{error_message(join)}</p>
            <div class="actions">
                <SubmitButton pending=move || join.pending().get() label=move || t_string!(i18n, create_account) />
            </div>
        </form>
    }
}

/// An address with an account: sign in with it, then "Accept invitation".
#[component]
fn Accept(company: String, email: String, token: String) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let navigate = use_navigate();
    let here = format!("/invitation/{token}");
    let accept = session.action(move |&()| api::accept_invitation(token.clone()));
    on_answer(accept, move |answer| {
        if let Ok(me) = answer {
            session.signed_in(me);
            navigate(HOME_PATH, Default::default());
        }
    });
    let signed_in_as = move || session.me().map(|me| me.user.email);
    move || {
        let company = company.clone();
        let email = email.clone();
        match signed_in_as() {
            None => view! {
                <p>{t_string!(i18n, join_existing, email = email).to_string()}</p>
                <p><A href=sign_in_href(&here)>{t!(i18n, sign_in_to_accept)}</A></p>
            }
            .into_any(),
            Some(mine) if mine == email => view! {
                <p>{t_string!(i18n, join_accept_intro, email = email, company = company).to_string()}</p>
                <p class="error" role="alert">
                    {move || accept.value().get().and_then(Result::err).map(|e| error_text(i18n.get_locale(), &e))}
                </p>
                <div class="actions">
                    <button type="button" class="primary" disabled=move || accept.pending().get() on:click=move |_| { accept.dispatch(()); }>
                        {t!(i18n, accept_invitation)}
                    </button>
                </div>
            }
            .into_any(),
            Some(_) => view! {
                <p role="alert">{t_string!(i18n, join_wrong_account, email = email).to_string()}</p>
            }
            .into_any(),
        }
    }
}
