//! Add Phone Number (or change it): confirm the password when the window is
//! closed, choose the country code and type the number, "Send Text
//! Message", type the texted code and Continue; then the recovery code when
//! this is the first factor. The steps are `flows::AddPhone`; this page
//! feeds it and renders it.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use mfa_api::{FactorChange, FactorKind, SmsCountry, StartPhoneRequest};

use super::reauth::ReauthForm;
use crate::api;
use crate::browser::new_request_key;
use crate::components::flow_failed::FlowFailed;
use crate::components::form_controls::{CodeField, SubmitButton};
use crate::components::loading::Loading;
use crate::components::recovery_code::RecoveryCodePanel;
use crate::components::texted_code::{ResendButton, TextedCodeListener};
use crate::dates::now;
use crate::document::{focus_on_change, page_title};
use crate::flows::AddPhone;
use crate::form::{error_message, invalid, on_answer};
use crate::i18n::{Locale, t, t_string, use_i18n};
use crate::nav::SECURITY_PATH;
use crate::session::Session;

/// The language the server names countries in.
fn language(locale: Locale) -> &'static str {
    match locale {
        Locale::fr => "fr",
        Locale::en => "en",
    }
}

#[component]
pub fn AddPhonePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let navigate = use_navigate();
    let changing = move || {
        session.me().is_some_and(|me| {
            me.two_factor
                .factors
                .iter()
                .any(|f| f.kind == FactorKind::Sms)
        })
    };
    let title = move || {
        if changing() {
            t_string!(i18n, change_phone_number)
        } else {
            t_string!(i18n, add_phone_number)
        }
    };
    page_title(move || title().to_owned());
    let flow = RwSignal::new(AddPhone::Checking);
    let check = session.action(|&()| api::reauth_status());
    on_answer(check, move |answer| flow.update(|f| f.checked(answer)));
    check.dispatch(());

    // One key per "Send Text Message": a retry after a lost answer reuses
    // it, so the server never texts twice for one click.
    let send = session.action(|(request, key): &(StartPhoneRequest, String)| {
        api::start_phone(request.clone(), key.clone())
    });
    on_answer(send, move |answer| flow.update(|f| f.sent(&answer, now())));
    let resend = session.action(|key: &String| api::resend_phone_code(key.clone()));
    on_answer(resend, move |answer| {
        flow.update(|f| f.sent(&answer, now()))
    });

    let confirmed = Callback::new(move |change: FactorChange| {
        flow.update(|f| f.confirmed(&change));
        session.signed_in(change.me);
    });
    Effect::new(move |_| {
        if flow.with(|f| *f == AddPhone::Done) {
            navigate(SECURITY_PATH, Default::default());
        }
    });
    let account = move || session.me().map(|me| me.user.email).unwrap_or_default();
    focus_on_change(move || flow.with(std::mem::discriminant));
    // What the person chose and typed outlives the screens (a refused send
    // or "Use a different number" comes back to them).
    let country = RwSignal::new(String::new());
    let number = RwSignal::new(String::new());
    // Only a new screen renders anew (an answer that changes nothing does not).
    let screen = Memo::new(move |_| flow.get());

    move || {
        match screen.get() {
        AddPhone::Checking | AddPhone::Done => view! { <Loading /> }.into_any(),
        AddPhone::ConfirmPassword => view! {
            <ReauthForm on_confirmed=Callback::new(move |()| flow.update(AddPhone::reauthenticated)) />
        }
        .into_any(),
        AddPhone::EnterNumber => view! {
            <NumberStep title=Signal::derive(move || title().to_owned()) send=send country=country number=number />
        }
        .into_any(),
        AddPhone::EnterCode { to, resend_at } => view! {
            <CodeStep
                to=to
                resend_at=resend_at
                resend=resend
                on_confirmed=confirmed
                on_change_number=Callback::new(move |()| {
                    send.clear();
                    flow.update(AddPhone::change_number)
                })
            />
        }
        .into_any(),
        AddPhone::SaveRecoveryCode(code) => view! {
            <RecoveryCodePanel
                code=code
                account=account()
                title=Signal::derive(move || t_string!(i18n, recovery_title).to_owned())
                intro=Signal::derive(move || t_string!(i18n, recovery_intro).to_owned())
                on_finish=Callback::new(move |()| flow.update(AddPhone::recovery_code_saved))
            />
        }
        .into_any(),
        AddPhone::Failed(error) => view! {
            <FlowFailed title=Signal::derive(move || title().to_owned()) error=error />
        }
        .into_any(),
    }
    }
}

/// "Country code" (only where texts go for this user) and "Phone number".
#[component]
fn NumberStep(
    #[prop(into)] title: Signal<String>,
    send: crate::form::ApiAction<(StartPhoneRequest, String), mfa_api::CodeTexted>,
    country: RwSignal<String>,
    number: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let countries = session.action(|&language: &&'static str| api::sms_countries(language));
    Effect::new(move |_| {
        countries.dispatch(language(i18n.get_locale()));
    });
    let list = move || {
        countries.value().with(|answer| match answer {
            Some(Ok(list)) => list.countries.clone(),
            _ => Vec::new(),
        })
    };
    // The first country is chosen until the person picks one.
    Effect::new(move |_| {
        let first = list().first().map(|c: &SmsCountry| c.iso.clone());
        if let Some(first) = first
            && country.with_untracked(String::is_empty)
        {
            country.set(first);
        }
    });
    let payee = move || {
        session
            .me()
            .is_some_and(|me| me.memberships.iter().any(|m| m.payee))
    };
    let key = StoredValue::new(new_request_key());
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if send.pending().get_untracked() {
            return;
        }
        // A new click is a new send; the same key only for a retry after the
        // server could not be reached.
        if !matches!(
            send.value().get_untracked(),
            Some(Err(crate::api::ApiError::Network))
        ) {
            key.set_value(new_request_key());
        }
        send.dispatch((
            StartPhoneRequest {
                country: country.get_untracked(),
                number: number.get_untracked(),
            },
            key.get_value(),
        ));
    };
    view! {
        <section class="card narrow">
            <h1 id="phone-title">{move || title.get()}</h1>
            <p>{t!(i18n, phone_intro)}</p>
            <form class="form" on:submit=on_submit>
                <div class="field">
                    <label for="phone-country">{t!(i18n, country_code_label)}</label>
                    <select
                        id="phone-country"
                        name="country"
                        autocomplete="tel-country-code"
                        required
                        on:change=move |ev| country.set(event_target_value(&ev))
                        prop:value=move || country.get()
                    >
                        {move || {
                            list()
                                .into_iter()
                                .map(|c| {
                                    let label = format!("{} (+{})", c.name, c.calling_code);
                                    let iso = c.iso.clone();
                                    view! {
                                        <option value=c.iso.clone() selected=move || country.with(|chosen| *chosen == iso)>
                                            {label}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </div>
                <div class="field">
                    <label for="phone-number">{t!(i18n, phone_number_label)}</label>
                    <input
                        id="phone-number"
                        name="phone"
                        type="tel"
                        inputmode="tel"
                        autocomplete="tel-national"
                        maxlength="40"
                        required
                        data-autofocus
                        aria-invalid=invalid(send)
                        aria-describedby="phone-hint phone-error"
                        bind:value=number
                    />
                    <p id="phone-hint" class="hint">{t!(i18n, phone_number_hint)}</p>
                </div>
                <p class="hint">
                    {move || if payee() { t_string!(i18n, phone_payee_note) } else { t_string!(i18n, phone_countries_note) }}
                </p>
                <p id="phone-error" class="error" role="alert">{error_message(send)}</p>
                <div class="actions">
                    <SubmitButton pending=move || send.pending().get() label=move || t_string!(i18n, send_text_message) working=move || t_string!(i18n, sending) />
                    <a class="button" href=SECURITY_PATH>{t!(i18n, cancel)}</a>
                </div>
            </form>
        </section>
    }
}

/// The texted code, "Continue", "Resend" after the countdown.
#[component]
fn CodeStep(
    to: String,
    resend_at: i64,
    resend: crate::form::ApiAction<String, mfa_api::CodeTexted>,
    on_confirmed: Callback<FactorChange>,
    on_change_number: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let code = RwSignal::new(String::new());
    let submit = session.action(|typed: &String| api::confirm_phone(typed.clone()));
    on_answer(submit, move |answer| {
        if let Ok(change) = answer {
            on_confirmed.run(change);
        }
    });
    let confirm = move |typed: String| {
        if !submit.pending().get_untracked() {
            submit.dispatch(typed);
        }
    };
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        confirm(std::mem::take(&mut *code.write()));
    };
    let resent = move || resend.value().with(|a| matches!(a, Some(Ok(_))));
    let shown_to = to.clone();
    view! {
        <section class="card narrow" aria-labelledby="phone-code-title">
            <h1 id="phone-code-title">{t!(i18n, phone_code_title)}</h1>
            <p>{move || t!(i18n, phone_code_intro, to = shown_to.clone())}</p>
            <TextedCodeListener on_code=Callback::new(move |typed: String| {
                code.set(typed.clone());
                confirm(typed);
            }) />
            <form class="form" on:submit=on_submit>
                <CodeField
                    id="phone-code"
                    label=move || t_string!(i18n, code_label)
                    value=code
                    error_id="phone-code-error"
                    invalid=invalid(submit)
                    autofocus=true
                />
                <p id="phone-code-error" class="error" role="alert">
                    {move || error_message(submit)().or_else(error_message(resend))}
                </p>
                <p class="hint" role="status">{move || resent().then(|| t_string!(i18n, code_resent))}</p>
                <div class="actions">
                    <SubmitButton pending=move || submit.pending().get() label=move || t_string!(i18n, continue_button) />
                    <ResendButton
                        resend_at=Signal::derive(move || Some(resend_at))
                        pending=Signal::derive(move || resend.pending().get())
                        on_resend=Callback::new(move |()| {
                            submit.clear();
                            resend.dispatch(new_request_key());
                        })
                    />
                    <button type="button" class="link" on:click=move |_| on_change_number.run(())>
                        {t!(i18n, use_different_number)}
                    </button>
                </div>
            </form>
        </section>
    }
}
