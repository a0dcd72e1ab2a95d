use leptos::prelude::*;
use mfa_api::{FactorInfo, FactorKind, MfaRequirement, RequiredBecause, TwoFactorStatus};

use crate::dates::format_date;
use crate::pages::help::{AUTHENTICATOR_SECTION, SMS_SECTION, help_href};
use crate::passkey;
use leptos_i18n::I18nContext;

use crate::i18n::{Locale, t, t_string, use_i18n};

/// The Two-Factor Authentication (2FA) section of Password & Security.
/// It only renders; what the buttons do is up to the page.
#[component]
pub fn TwoFactorSection(
    #[prop(into)] status: Signal<TwoFactorStatus>,
    /// "Add Authenticator App" or "Replace authenticator app".
    on_add_authenticator: Callback<()>,
    /// "Add Phone Number" or "Change phone number".
    on_add_phone: Callback<()>,
    /// "Add a passkey".
    on_add_passkey: Callback<()>,
    /// "Rename" on a passkey, with its id.
    on_rename_passkey: Callback<i64>,
    /// "Use first" on a factor, with its id.
    on_prefer_factor: Callback<i64>,
    /// "Remove" on a factor, with its id.
    on_remove_factor: Callback<i64>,
    /// "Generate a new recovery code".
    on_new_recovery_code: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let enabled = move || status.with(|s| s.enabled);
    let has = move |kind: FactorKind| status.with(|s| s.factors.iter().any(|f| f.kind == kind));
    let allowed = move |kind: FactorKind| status.with(|s| s.allowed_methods.contains(&kind));
    // Factors, but none of a method the company still accepts.
    let needs_another = move || {
        status.with(|s| {
            !s.factors.is_empty()
                && s.factors
                    .iter()
                    .all(|f| !s.allowed_methods.contains(&f.kind))
        })
    };
    let several = move || status.with(|s| s.factors.len() > 1);
    let date = move |unix: i64| format_date(i18n.get_locale(), unix);
    view! {
        <section class="card two-factor" aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">{t!(i18n, two_factor_heading)}</h2>
            <p>{t!(i18n, two_factor_intro)}</p>
            <p class="status" class:status-on=enabled>
                <span class="status-dot" aria-hidden="true"></span>
                {move || if enabled() { t_string!(i18n, two_factor_on) } else { t_string!(i18n, two_factor_not_set_up) }}
            </p>
            {move || {
                status
                    .with(|s| (!s.enabled).then_some(s.requirement))
                    .and_then(|requirement| match requirement {
                        MfaRequirement::Optional => None,
                        MfaRequirement::Required { because: RequiredBecause::Payee } => {
                            Some(view! { <p class="notice">{t!(i18n, two_factor_required_payee)}</p> }.into_any())
                        }
                        MfaRequirement::Required { because: RequiredBecause::CompanyPolicy } => {
                            Some(view! { <p class="notice">{t!(i18n, two_factor_required_company)}</p> }.into_any())
                        }
                    })
            }}
            <Show when=needs_another>
                <p class="notice">{t!(i18n, needs_another_method_notice)}</p>
            </Show>
            <ul class="methods">
                {move || {
                    status.get().factors.into_iter().map(|factor: FactorInfo| {
                        let (id, added_at, last_used_at) = (factor.id, factor.added_at, factor.last_used_at);
                        let (kind, preferred) = (factor.kind, factor.preferred);
                        let label = factor.label.clone().unwrap_or_default();
                        let named = label.clone();
                        view! {
                            <li class="method">
                                <div>
                                    <strong>{move || kind_name(i18n, kind)}</strong>
                                    {factor.label.clone().map(|label| view! { " " <span class="factor-label">{label}</span> })}
                                    <p class="hint">
                                        {move || t!(i18n, added_on, date = date(added_at))}
                                        " · "
                                        {move || match last_used_at.map(date) {
                                            Some(d) => t!(i18n, last_used_on, date = d.clone()).into_any(),
                                            None => t!(i18n, never_used).into_any(),
                                        }}
                                    </p>
                                </div>
                                <div class="method-actions">
                                    {move || match (several(), preferred) {
                                        (false, _) => None,
                                        (true, true) => Some(view! { <span class="badge">{t!(i18n, preferred)}</span> }.into_any()),
                                        (true, false) => Some(view! {
                                            <button
                                                type="button"
                                                aria-label=move || t_string!(i18n, make_preferred_label, method = kind_name(i18n, kind)).to_string()
                                                on:click=move |_| on_prefer_factor.run(id)
                                            >
                                                {t!(i18n, make_preferred)}
                                            </button>
                                        }.into_any()),
                                    }}
                                    {(kind == FactorKind::Passkey).then(|| {
                                        let named = named.clone();
                                        view! {
                                            <button
                                                type="button"
                                                aria-label=move || t_string!(i18n, rename_passkey_label, name = named.clone()).to_string()
                                                on:click=move |_| on_rename_passkey.run(id)
                                            >
                                                {t!(i18n, rename)}
                                            </button>
                                        }
                                    })}
                                    <button
                                        type="button"
                                        aria-label=move || remove_label(i18n, kind, &label)
                                        on:click=move |_| on_remove_factor.run(id)
                                    >
                                        {t!(i18n, remove)}
                                    </button>
                                </div>
                            </li>
                        }
                    }).collect_view()
                }}
                {move || {
                    status
                        .get()
                        .recovery_code
                        .map(|code| {
                            let created = date(code.created_at);
                            view! {
                                <li class="method">
                                    <div>
                                        <strong>{t!(i18n, recovery_code)}</strong>
                                        <p class="hint">{t!(i18n, recovery_code_created_on, date = created.clone())}</p>
                                    </div>
                                    <button type="button" on:click=move |_| on_new_recovery_code.run(())>
                                        {t!(i18n, generate_recovery_code)}
                                    </button>
                                </li>
                            }
                        })
                }}
            </ul>
            <div class="actions">
                <Show when=move || allowed(FactorKind::AuthenticatorApp)>
                    <button type="button" class="primary" on:click=move |_| on_add_authenticator.run(())>
                        {move || if has(FactorKind::AuthenticatorApp) { t_string!(i18n, replace_authenticator) } else { t_string!(i18n, add_authenticator_app) }}
                    </button>
                </Show>
                <Show when=move || allowed(FactorKind::Sms)>
                    <button type="button" on:click=move |_| on_add_phone.run(())>
                        {move || if has(FactorKind::Sms) { t_string!(i18n, change_phone_number) } else { t_string!(i18n, add_phone_number) }}
                    </button>
                </Show>
                <Show when=move || allowed(FactorKind::Passkey) && passkey::available_here()>
                    <button type="button" on:click=move |_| on_add_passkey.run(())>
                        {t!(i18n, add_passkey)}
                    </button>
                </Show>
            </div>
            <ul class="method-help">
                <li>
                    {move || t_string!(i18n, authenticator_app)}": "
                    <a href=help_href(AUTHENTICATOR_SECTION)>
                        {t!(i18n, how_does_this_work)}
                        <span class="visually-hidden">" ("{move || t_string!(i18n, authenticator_app)}")"</span>
                    </a>
                </li>
                <li>
                    {move || t_string!(i18n, sms_factor)}": "
                    <a href=help_href(SMS_SECTION)>
                        {t!(i18n, how_does_this_work)}
                        <span class="visually-hidden">" ("{move || t_string!(i18n, sms_factor)}")"</span>
                    </a>
                </li>
            </ul>
        </section>
    }
}

/// What a kind of factor is called on screen.
pub fn kind_name(i18n: I18nContext<Locale>, kind: FactorKind) -> &'static str {
    match kind {
        FactorKind::AuthenticatorApp => t_string!(i18n, authenticator_app),
        FactorKind::Sms => t_string!(i18n, sms_factor),
        FactorKind::Passkey => t_string!(i18n, passkey_factor),
    }
}

/// The accessible name of a factor's Remove button (a passkey's names it).
fn remove_label(i18n: I18nContext<Locale>, kind: FactorKind, label: &str) -> String {
    match kind {
        FactorKind::AuthenticatorApp => t_string!(i18n, remove_authenticator_label).to_owned(),
        FactorKind::Sms => t_string!(i18n, remove_phone_label).to_owned(),
        FactorKind::Passkey => {
            t_string!(i18n, remove_passkey_label, name = label.to_owned()).to_string()
        }
    }
}
