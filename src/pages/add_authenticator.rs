//! Add Authenticator App: confirm the password (when the re-authentication
//! window is closed), scan the QR code on "Secure your Account", type a code,
//! then save the recovery code when this is the first factor. The steps are
//! `flows::AddAuthenticator`; this page feeds it and renders it.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use mfa_api::{FactorChange, TotpEnrollment};

use super::reauth::ReauthForm;
use crate::api;
use crate::components::copy_button::CopyButton;
use crate::components::flow_failed::FlowFailed;
use crate::components::form_controls::{CodeField, SubmitButton};
use crate::components::loading::Loading;
use crate::components::qr::QrImage;
use crate::components::recovery_code::RecoveryCodePanel;
use crate::document::{focus_on_change, page_title};
use crate::flows::AddAuthenticator;
use crate::form::{error_message, invalid, on_answer};
use crate::i18n::{t, t_string, use_i18n};
use crate::nav::SECURITY_PATH;
use crate::pages::help::{CLOCK_SECTION, help_href};
use crate::session::Session;

/// "ABCD EFGH IJKL ..." for reading and typing.
pub fn group_key(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
pub fn AddAuthenticatorPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let navigate = use_navigate();
    page_title(move || t_string!(i18n, secure_title).to_owned());
    let flow = RwSignal::new(AddAuthenticator::Starting);
    let start = session.action(|&()| api::start_authenticator());
    on_answer(start, move |answer| flow.update(|f| f.started(answer)));
    start.dispatch(());

    let confirmed = Callback::new(move |change: FactorChange| {
        flow.update(|f| f.confirmed(&change));
        session.signed_in(change.me);
    });
    Effect::new(move |_| {
        if flow.with(|f| *f == AddAuthenticator::Done) {
            navigate(SECURITY_PATH, Default::default());
        }
    });
    let account = move || session.me().map(|me| me.user.email).unwrap_or_default();
    focus_on_change(move || flow.with(std::mem::discriminant));

    move || {
        match flow.get() {
        AddAuthenticator::Starting | AddAuthenticator::Done => view! { <Loading /> }.into_any(),
        AddAuthenticator::ConfirmPassword => view! {
            <ReauthForm on_confirmed=Callback::new(move |()| {
                flow.update(AddAuthenticator::reauthenticated);
                start.dispatch(());
            }) />
        }
        .into_any(),
        AddAuthenticator::Scan(enrollment) => {
            view! { <ScanStep enrollment=enrollment on_confirmed=confirmed /> }.into_any()
        }
        AddAuthenticator::SaveRecoveryCode(code) => view! {
            <RecoveryCodePanel
                code=code
                account=account()
                title=Signal::derive(move || t_string!(i18n, recovery_title).to_owned())
                intro=Signal::derive(move || t_string!(i18n, recovery_intro).to_owned())
                on_finish=Callback::new(move |()| flow.update(AddAuthenticator::recovery_code_saved))
            />
        }
        .into_any(),
        AddAuthenticator::Failed(error) => view! {
            <FlowFailed title=Signal::derive(move || t_string!(i18n, secure_title).to_owned()) error=error />
        }
        .into_any(),
    }
    }
}

/// "Secure your Account": the QR code, the key for typing, the code field.
#[component]
fn ScanStep(enrollment: TotpEnrollment, on_confirmed: Callback<FactorChange>) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let code = RwSignal::new(String::new());
    let submit = session.action(|typed: &String| api::confirm_authenticator(typed.clone()));
    on_answer(submit, move |answer| {
        if let Ok(change) = answer {
            on_confirmed.run(change);
        }
    });
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if !submit.pending().get_untracked() {
            submit.dispatch(std::mem::take(&mut *code.write()));
        }
    };
    let grouped = group_key(&enrollment.secret);
    // On the phone itself a scan is impossible: the app opens from a link.
    let on_phone = crate::browser::is_phone();
    view! {
        <section class="card secure" aria-labelledby="secure-title">
            <h1 id="secure-title">{t!(i18n, secure_title)}</h1>
            {on_phone.then(|| view! {
                <div class="on-phone">
                    <p>{t!(i18n, on_phone_intro)}</p>
                    <div class="actions">
                        <a class="button primary" href=enrollment.otpauth_uri.clone()>{t!(i18n, open_in_app)}</a>
                        <CopyButton
                            text=enrollment.secret.clone()
                            label=Signal::derive(move || t_string!(i18n, copy_key).to_owned())
                        />
                    </div>
                    <h2 class="small-heading">{t!(i18n, other_device_heading)}</h2>
                </div>
            })}
            <ol class="steps">
                <li>{t!(i18n, secure_step_open)}</li>
                <li>{t!(i18n, secure_step_scan)}</li>
                <li>{t!(i18n, secure_step_enter)}</li>
            </ol>
            <QrImage uri=enrollment.otpauth_uri.clone() alt=Signal::derive(move || t_string!(i18n, qr_alt).to_owned()) />
            <h2 class="small-heading">{t!(i18n, cant_scan)}</h2>
            <p>{t!(i18n, manual_key_intro)}</p>
            <p class="key-row">
                <span class="visually-hidden">{t!(i18n, setup_key_label)}": "</span>
                <code id="setup-key" class="setup-key">{grouped}</code>
                <CopyButton
                    text=enrollment.secret.clone()
                    label=Signal::derive(move || t_string!(i18n, copy_key_label).to_owned())
                />
            </p>
            <form class="form" on:submit=on_submit>
                <CodeField
                    id="totp-code"
                    label=move || t_string!(i18n, code_label)
                    value=code
                    error_id="totp-error"
                    invalid=invalid(submit)
                />
                <p id="totp-error" class="error" role="alert">{error_message(submit)}</p>
                {move || {
                    submit.value().with(|a| matches!(a, Some(Err(e)) if e.clock_drift_minutes().is_some())).then(|| view! {
                        <p><a href=help_href(CLOCK_SECTION)>{t!(i18n, clock_help_link)}</a></p>
                    })
                }}
                <div class="actions">
                    <SubmitButton pending=move || submit.pending().get() label=move || t_string!(i18n, continue_button) />
                    <a class="button" href=SECURITY_PATH>{t!(i18n, cancel)}</a>
                </div>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::group_key;

    #[test]
    fn keys_are_shown_in_groups_of_four() {
        assert_eq!(group_key("GEZDGNBVGY3TQOJQ"), "GEZD GNBV GY3T QOJQ");
        assert_eq!(group_key("ABCDEF"), "ABCD EF");
    }
}
