//! Sign-in: email and password, then (for users with a second factor) the
//! code from the authenticator app or the recovery code. After a recovery
//! code, the new one must be saved, and replacing the authenticator is offered.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use mfa_api::{ErrorCode, SecondFactorRequest, SignInOutcome, SignInRequest};

use crate::api;
use crate::components::recovery_code::RecoveryCodePanel;
use crate::document::{focus_on_change, page_title};
use crate::flows::AfterRecovery;
use crate::form::{error_message, invalid, on_answer};
use crate::i18n::{t, t_string, use_i18n};
use crate::nav::{self, ADD_AUTHENTICATOR_PATH};
use crate::session::Session;

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let navigate = use_navigate();
    let query = use_query_map();
    let after_recovery = RwSignal::new(None::<AfterRecovery>);
    page_title(move || {
        if session.is_second_factor_due() {
            t_string!(i18n, second_step_title).to_owned()
        } else {
            t_string!(i18n, sign_in_title).to_owned()
        }
    });

    // Signed in (just now, or already on arrival): go on to where the user was
    // headed, unless the new recovery code still has to be saved.
    let go_on = {
        let navigate = navigate.clone();
        move || {
            let Some(me) = session.me() else { return };
            let next = query.with_untracked(|q| q.get("next"));
            navigate(
                &nav::after_sign_in(me.stage, next.as_deref()),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            )
        }
    };
    Effect::new({
        let go_on = go_on.clone();
        move |_| {
            if session.is_signed_in() && after_recovery.with_untracked(Option::is_none) {
                go_on();
            }
        }
    });

    focus_on_change(move || (session.is_second_factor_due(), after_recovery.get()));
    let on_recovered = Callback::new(move |code: String| {
        after_recovery.set(Some(AfterRecovery::SaveNewCode(code)))
    });
    move || {
        if let Some(step) = after_recovery.get() {
            return match step {
                AfterRecovery::SaveNewCode(code) => view! {
                    <RecoveryCodePanel
                        code=code
                        account=session.me().map(|me| me.user.email).unwrap_or_default()
                        title=Signal::derive(move || t_string!(i18n, recovery_new_title).to_owned())
                        intro=Signal::derive(move || t_string!(i18n, recovery_used_intro).to_owned())
                        on_finish=Callback::new(move |()| after_recovery.update(|s| if let Some(s) = s { s.saved() }))
                    />
                }
                .into_any(),
                AfterRecovery::OfferReplacement => {
                    let navigate = navigate.clone();
                    let go_on = go_on.clone();
                    view! {
                        <section class="card narrow" aria-labelledby="lost-device-title">
                            <h1 id="lost-device-title">{t!(i18n, lost_device_title)}</h1>
                            <p>{t!(i18n, lost_device_intro)}</p>
                            <div class="actions">
                                <button
                                    type="button"
                                    class="primary"
                                    on:click=move |_| navigate(ADD_AUTHENTICATOR_PATH, Default::default())
                                >
                                    {t!(i18n, replace_authenticator)}
                                </button>
                                <button type="button" on:click=move |_| go_on()>{t!(i18n, not_now)}</button>
                            </div>
                        </section>
                    }
                    .into_any()
                }
            };
        }
        if session.is_second_factor_due() {
            view! { <SecondStep on_recovered=on_recovered /> }.into_any()
        } else {
            view! { <PasswordStep /> }.into_any()
        }
    }
}

#[component]
fn PasswordStep() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submit = session.action(|request: &SignInRequest| api::sign_in(request.clone()));
    on_answer(submit, move |answer| match answer {
        Ok(SignInOutcome::SignedIn { me, .. }) => session.signed_in(me),
        Ok(SignInOutcome::SecondFactorRequired) => session.second_factor_due(),
        Err(_) => {}
    });
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if submit.pending().get_untracked() {
            return;
        }
        submit.dispatch(SignInRequest {
            email: email.get_untracked(),
            password: std::mem::take(&mut *password.write()),
        });
    };
    let invalid = invalid(submit);
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
                        aria-describedby="sign-in-error"
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
                        aria-describedby="sign-in-error"
                        bind:value=password
                    />
                </div>
                <p id="sign-in-error" class="error" role="alert">{error_message(submit)}</p>
                <button type="submit" class="primary" disabled=move || submit.pending().get()>
                    {move || if submit.pending().get() { t_string!(i18n, signing_in) } else { t_string!(i18n, sign_in_button) }}
                </button>
            </form>
        </section>
    }
}

/// The code from the app, or ("Use your recovery code instead") the recovery code.
#[component]
fn SecondStep(on_recovered: Callback<String>) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let use_recovery = RwSignal::new(false);
    let code = RwSignal::new(String::new());
    // (Should the half-signed-in session run out, the session notices and
    // the password step comes back.)
    let submit =
        session.action(|request: &SecondFactorRequest| api::second_factor(request.clone()));
    on_answer(submit, move |answer| match answer {
        Ok(SignInOutcome::SignedIn {
            me,
            new_recovery_code,
        }) => {
            // Hold the redirect until the new recovery code is saved.
            if let Some(fresh) = new_recovery_code {
                on_recovered.run(fresh.0);
            }
            session.signed_in(me);
        }
        // The codes are closed after too many failures: offer the way out.
        Err(e) if e.is(ErrorCode::RecoveryCodeRequired) => use_recovery.set(true),
        Ok(SignInOutcome::SecondFactorRequired) | Err(_) => {}
    });
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if submit.pending().get_untracked() {
            return;
        }
        let typed = std::mem::take(&mut *code.write());
        submit.dispatch(if use_recovery.get_untracked() {
            SecondFactorRequest::RecoveryCode { code: typed }
        } else {
            SecondFactorRequest::Totp { code: typed }
        });
    };
    let switch = move |_| {
        use_recovery.update(|r| *r = !*r);
        code.set(String::new());
        submit.clear();
    };
    view! {
        <section class="card narrow" aria-labelledby="second-step-title">
            <h1 id="second-step-title">{t!(i18n, second_step_title)}</h1>
            <p>
                {move || {
                    if use_recovery.get() { t_string!(i18n, recovery_step_intro) } else { t_string!(i18n, second_step_intro) }
                }}
            </p>
            <form class="form" on:submit=on_submit>
                <div class="field">
                    <label for="second-factor-code">
                        {move || if use_recovery.get() { t_string!(i18n, recovery_code) } else { t_string!(i18n, code_label) }}
                    </label>
                    <input
                        id="second-factor-code"
                        class="code-input"
                        name="code"
                        type="text"
                        inputmode=move || if use_recovery.get() { "text" } else { "numeric" }
                        autocomplete=move || if use_recovery.get() { "off" } else { "one-time-code" }
                        autocapitalize="characters"
                        spellcheck="false"
                        required
                        data-autofocus
                        aria-invalid=invalid(submit)
                        aria-describedby="second-step-error"
                        bind:value=code
                    />
                </div>
                <p id="second-step-error" class="error" role="alert">{error_message(submit)}</p>
                <button type="submit" class="primary" disabled=move || submit.pending().get()>
                    {move || if submit.pending().get() { t_string!(i18n, working) } else { t_string!(i18n, continue_button) }}
                </button>
                <button type="button" class="link" on:click=switch>
                    {move || {
                        if use_recovery.get() { t_string!(i18n, use_app_instead) } else { t_string!(i18n, use_recovery_instead) }
                    }}
                </button>
            </form>
        </section>
    }
}
