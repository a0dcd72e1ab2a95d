use leptos::prelude::*;

use crate::i18n::{t, use_i18n};

/// The Two-Factor Authentication (2FA) section of Password & Security.
#[component]
pub fn TwoFactorSection(
    /// MFA is mandatory for this user (payees).
    #[prop(into)]
    required: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card two-factor" aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">{t!(i18n, two_factor_heading)}</h2>
            <p>{t!(i18n, two_factor_intro)}</p>
            <p class="status status-off">
                <span class="status-dot" aria-hidden="true"></span>
                {t!(i18n, two_factor_not_set_up)}
            </p>
            <Show when=move || required.get()>
                <p class="notice">{t!(i18n, two_factor_required_payee)}</p>
            </Show>
            <div class="actions">
                <button type="button" class="primary" disabled aria-describedby="factor-availability">
                    {t!(i18n, add_authenticator_app)}
                </button>
                <button type="button" disabled aria-describedby="factor-availability">
                    {t!(i18n, add_phone_number)}
                </button>
            </div>
            <p id="factor-availability" class="hint">{t!(i18n, factor_coming_soon)}</p>
        </section>
    }
}
