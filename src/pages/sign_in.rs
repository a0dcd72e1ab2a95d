//! Sign-in: email and password, then (for users with a second factor) the
//! code from the authenticator app or the recovery code. After a recovery
//! code, the new one must be saved, and replacing the authenticator is offered.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_i18n::Locale as _;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use mfa_api::{
    ErrorCode, FactorKind, SecondFactorAnswer, SecondFactorRequest, SignInOutcome, SignInRequest,
};

use crate::api::{self, ApiError};
use crate::browser::new_request_key;
use crate::components::form_controls::{CodeField, SubmitButton};
use crate::components::loading::Loading;
use crate::components::recovery_code::RecoveryCodePanel;
use crate::components::texted_code::{ResendButton, TextedCodeListener};
use crate::continuation::{self, Continuation};
use crate::dates::now;
use crate::document::{focus_new_screen, focus_on_change, page_title};
use crate::flows::{AfterRecovery, Method, SecondStep as SecondStepFlow};
use crate::form::{error_message, invalid, on_answer, passkey_error_message};
use crate::i18n::{t, t_string, use_i18n};
use crate::nav::{self, ADD_AUTHENTICATOR_PATH, ADD_PHONE_PATH, FORGOT_PASSWORD_PATH};
use crate::pages::help::help_href;
use crate::passkey::{self, Ceremony};
use crate::session::Session;

/// Context: this sign-in continues to the app named (OpenID Connect).
#[derive(Clone, Debug)]
pub struct ContinuingTo(pub String);

/// "Sign in", or "Sign in to continue to <App>", in the reader's language.
fn sign_in_heading() -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let i18n = use_i18n();
    let continuing = use_context::<ContinuingTo>();
    move || match &continuing {
        Some(ContinuingTo(app)) => {
            t_string!(i18n, continue_to_app_title, app = app.clone()).to_string()
        }
        None => t_string!(i18n, sign_in_title).to_owned(),
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let navigate = use_navigate();
    let query = use_query_map();
    let after_recovery = RwSignal::new(None::<AfterRecovery>);
    // Sent here by the company's reverse proxy: go back there afterwards
    // (if the server agrees the address is the company's).
    if let Some(rd) = query.with_untracked(|q| q.get("rd")) {
        continuation::remember(&Continuation::Proxied(rd));
    }
    let heading = sign_in_heading();
    page_title(move || {
        if session.is_second_factor_due() {
            t_string!(i18n, second_step_title).to_owned()
        } else {
            heading()
        }
    });

    // Signed in (just now, or already on arrival): go on to where the user was
    // headed, unless the new recovery code still has to be saved.
    let go_on = {
        let navigate = navigate.clone();
        move || {
            let Some(me) = session.me() else { return };
            if continuation::go_if_pending(me.stage) {
                return;
            }
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
                    let to_phone = navigate.clone();
                    let go_on = go_on.clone();
                    let has_phone = session.me().is_some_and(|me| {
                        me.two_factor.factors.iter().any(|f| f.kind == FactorKind::Sms)
                    });
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
                                {has_phone.then(|| {
                                    view! {
                                        <button type="button" on:click=move |_| to_phone(ADD_PHONE_PATH, Default::default())>
                                            {t!(i18n, change_phone_number)}
                                        </button>
                                    }
                                })}
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
        Ok(SignInOutcome::SecondFactorRequired { .. }) => session.second_factor_due(),
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
            language: Some(i18n.get_locale_untracked().as_str().to_owned()),
        });
    };
    let invalid = invalid(submit);
    let heading = sign_in_heading();
    // A discoverable passkey: no email typed. The browser's dialog opens
    // when the button is pressed, never by itself.
    let with_passkey = session.action(move |&()| {
        let language = i18n.get_locale_untracked().as_str();
        async move {
            passkey::ceremony::<SignInOutcome>(
                Ceremony::Get,
                "/api/sign-in/passkey/options",
                "/api/sign-in/passkey",
                &[("language", language.into())],
            )
            .await
        }
    });
    on_answer(with_passkey, move |answer| {
        if let Ok(SignInOutcome::SignedIn { me, .. }) = answer {
            session.signed_in(me);
        }
    });
    let passkey_error = passkey_error_message(with_passkey);
    view! {
        <section class="card narrow" aria-labelledby="sign-in-title">
            <h1 id="sign-in-title">{heading}</h1>
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
                <SubmitButton pending=move || submit.pending().get() label=move || t_string!(i18n, sign_in_button) working=move || t_string!(i18n, signing_in) />
                <p><A href=FORGOT_PASSWORD_PATH>{t!(i18n, forgot_password_link)}</A></p>
            </form>
            <Show when=passkey::available_here>
            <div class="passkey-sign-in">
                <p class="divider" aria-hidden="true"><span>{t!(i18n, or_divider)}</span></p>
                <SubmitButton
                    kind="button"
                    secondary=true
                    pending=move || with_passkey.pending().get()
                    label=move || t_string!(i18n, sign_in_with_passkey)
                    working=move || t_string!(i18n, creating_passkey)
                    on_press=Callback::new(move |()| { with_passkey.dispatch(()); })
                />
                <p class="error" role="alert">{passkey_error}</p>
            </div>
            </Show>
        </section>
    }
}

/// The second step: the preferred factor first ("Text me a code" for a
/// phone), the others and the recovery code under "Use another method".
/// The factors come from the server, so a reload finds them again.
#[component]
fn SecondStep(on_recovered: Callback<String>) -> impl IntoView {
    let session = Session::expect();
    let options = session.action(|&()| api::second_factor_options());
    options.dispatch(());
    move || match options.value().get() {
        None => view! { <Loading /> }.into_any(),
        Some(answer) => {
            let (factors, remember_days) = answer
                .map(|o| (o.factors, o.remember_days))
                .unwrap_or_default();
            view! {
                <CodeForm step=SecondStepFlow::new(factors) remember_days on_recovered=on_recovered />
            }
            .into_any()
        }
    }
}

#[component]
fn CodeForm(
    step: SecondStepFlow,
    /// "Don't ask again on this browser for N days" (0: not offered).
    remember_days: i64,
    on_recovered: Callback<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let step = RwSignal::new(step);
    let code = RwSignal::new(String::new());
    let remember = RwSignal::new(false);
    let method = move || step.with(|s| s.method.clone());
    // (Should the half-signed-in session run out, the session notices and
    // the password step comes back.)
    let submit =
        session.action(|request: &SecondFactorRequest| api::second_factor(request.clone()));
    let finished = move |answer: Result<SignInOutcome, &ApiError>| match answer {
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
        Err(e) if e.is(ErrorCode::RecoveryCodeRequired) => {
            step.update(|s| s.choose(Method::RecoveryCode));
        }
        Ok(SignInOutcome::SecondFactorRequired { .. }) | Err(_) => {}
    };
    on_answer(submit, move |answer| finished(answer.as_ref().cloned()));
    let with_passkey = session.action(move |&()| {
        let remember = remember.get_untracked();
        async move {
            passkey::ceremony::<SignInOutcome>(
                Ceremony::Get,
                "/api/sign-in/second-factor/passkey/options",
                "/api/sign-in/second-factor/passkey",
                &[("remember", remember.into())],
            )
            .await
        }
    });
    on_answer(with_passkey, move |answer| {
        finished(answer.as_ref().map_err(AsRef::as_ref).cloned())
    });
    let text_me = session
        .action(|(factor_id, key): &(i64, String)| api::text_sign_in_code(*factor_id, key.clone()));
    on_answer(text_me, move |answer| {
        step.update(|s| s.texted(&answer, now()))
    });
    let send_text = move || {
        if let Method::Text { factor_id, .. } = step.with_untracked(|s| s.method.clone()) {
            submit.clear();
            text_me.dispatch((factor_id, new_request_key()));
        }
    };
    let dispatch = move |typed: String| {
        if submit.pending().get_untracked() {
            return;
        }
        let answer = match step.with_untracked(|s| s.method.clone()) {
            Method::AuthenticatorApp => SecondFactorAnswer::Totp { code: typed },
            Method::Text { .. } => SecondFactorAnswer::Sms { code: typed },
            Method::RecoveryCode => SecondFactorAnswer::RecoveryCode { code: typed },
            // A passkey has no code: its button runs the browser's dialog.
            Method::Passkey => return,
        };
        submit.dispatch(SecondFactorRequest {
            answer,
            remember: remember.get_untracked(),
        });
    };
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        dispatch(std::mem::take(&mut *code.write()));
    };
    let choose = move |chosen: Method| {
        step.update(|s| s.choose(chosen));
        code.set(String::new());
        submit.clear();
        text_me.clear();
        with_passkey.clear();
    };
    let recovery = move || method() == Method::RecoveryCode;
    let passkey_error = passkey_error_message(with_passkey);
    let texted = move || step.with(|s| s.resend_at.is_some());
    // A phone before its code was asked for: only "Text me a code".
    let waiting_to_text = move || matches!(method(), Method::Text { .. }) && !texted();
    let no_code = move || waiting_to_text() || method() == Method::Passkey;
    let intro = move || match method() {
        Method::AuthenticatorApp => t_string!(i18n, second_step_intro).to_owned(),
        Method::Passkey => t_string!(i18n, passkey_step_intro).to_owned(),
        Method::RecoveryCode => t_string!(i18n, recovery_step_intro).to_owned(),
        Method::Text { to, .. } if texted() => t_string!(i18n, sms_step_sent, to = to).to_string(),
        Method::Text { to, .. } => t_string!(i18n, sms_step_intro, to = to).to_string(),
    };
    let method_name = move |m: &Method| match m {
        Method::AuthenticatorApp => t_string!(i18n, authenticator_app).to_owned(),
        Method::Text { to, .. } => t_string!(i18n, method_text_to, to = to.clone()).to_string(),
        Method::Passkey => t_string!(i18n, use_a_passkey).to_owned(),
        Method::RecoveryCode => t_string!(i18n, recovery_code).to_owned(),
    };
    let back_from_recovery = move || match step.with(SecondStepFlow::preferred) {
        Method::Text { .. } => t_string!(i18n, use_text_instead),
        Method::Passkey => t_string!(i18n, use_passkey_instead),
        _ => t_string!(i18n, use_app_instead),
    };
    // The factors arrived after the screen changed: focus their field now,
    // and again whenever the method (or its step) changes.
    focus_new_screen();
    focus_on_change(move || (method(), texted()));
    view! {
        <section class="card narrow" aria-labelledby="second-step-title">
            <h1 id="second-step-title">{t!(i18n, second_step_title)}</h1>
            <p>{intro}</p>
            <Show when=texted>
                <TextedCodeListener on_code=Callback::new(move |typed: String| {
                    code.set(typed.clone());
                    dispatch(typed);
                }) />
            </Show>
            <form class="form" on:submit=on_submit>
                <Show when=move || !no_code()>
                    <CodeField
                        id="second-factor-code"
                        label=move || if recovery() { t_string!(i18n, recovery_code) } else { t_string!(i18n, code_label) }
                        value=code
                        error_id="second-step-error"
                        invalid=invalid(submit)
                        recovery=recovery
                        autofocus=true
                    />
                </Show>
                <Show when=move || { remember_days > 0 }>
                    <div class="check">
                        <input
                            id="remember-browser"
                            type="checkbox"
                            on:change=move |ev| remember.set(event_target_checked(&ev))
                            prop:checked=move || remember.get()
                        />
                        <label for="remember-browser">
                            {t!(i18n, remember_browser, days = remember_days)}
                        </label>
                    </div>
                </Show>
                <p id="second-step-error" class="error" role="alert">
                    {move || error_message(submit)().or_else(error_message(text_me)).or_else(passkey_error)}
                </p>
                {move || {
                    if method() == Method::Passkey {
                        view! {
                            <SubmitButton
                                kind="button"
                                autofocus=true
                                pending=move || with_passkey.pending().get()
                                label=move || t_string!(i18n, use_a_passkey)
                                working=move || t_string!(i18n, creating_passkey)
                                on_press=Callback::new(move |()| { with_passkey.dispatch(()); })
                            />
                        }
                        .into_any()
                    } else if waiting_to_text() {
                        view! {
                            <SubmitButton
                                kind="button"
                                autofocus=true
                                pending=move || text_me.pending().get()
                                label=move || t_string!(i18n, text_me_a_code)
                                working=move || t_string!(i18n, sending)
                                on_press=Callback::new(move |()| send_text())
                            />
                        }
                        .into_any()
                    } else {
                        view! {
                            <div class="actions">
                                <SubmitButton pending=move || submit.pending().get() label=move || t_string!(i18n, continue_button) />
                                <Show when=texted>
                                    <ResendButton
                                        resend_at=Signal::derive(move || step.with(|s| s.resend_at))
                                        pending=Signal::derive(move || text_me.pending().get())
                                        on_resend=Callback::new(move |()| send_text())
                                    />
                                </Show>
                            </div>
                        }
                        .into_any()
                    }
                }}
                <button
                    type="button"
                    class="link"
                    on:click=move |_| {
                        if recovery() { choose(step.with_untracked(SecondStepFlow::preferred)) } else { choose(Method::RecoveryCode) }
                    }
                >
                    {move || if recovery() { back_from_recovery() } else { t_string!(i18n, use_recovery_instead) }}
                </button>
                <Show when=move || step.with(SecondStepFlow::has_other_factors)>
                    <button
                        type="button"
                        class="link"
                        aria-expanded=move || if step.with(|s| s.choosing) { "true" } else { "false" }
                        aria-controls="other-methods"
                        on:click=move |_| step.update(|s| s.choosing = !s.choosing)
                    >
                        {t!(i18n, use_another_method)}
                    </button>
                </Show>
            </form>
            <p class="hint"><a href=help_href("lost-phone")>{t!(i18n, help_link_second_step)}</a></p>
            <Show when=move || step.with(|s| s.choosing)>
                <ul id="other-methods" class="other-methods" aria-label=move || t_string!(i18n, other_methods_label)>
                    {move || {
                        step.with(SecondStepFlow::others)
                            .into_iter()
                            .map(|m| {
                                let name = method_name(&m);
                                view! {
                                    <li>
                                        <button type="button" on:click=move |_| choose(m.clone())>{name}</button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </Show>
        </section>
    }
}
