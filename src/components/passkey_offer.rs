//! "Sign in faster and more safely with a passkey": a card above the page a
//! person lands on after signing in with a password and a code (never a
//! screen in their way), until they add one or answer "Not now" (30 days).

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use mfa_api::FactorKind;

use crate::api;
use crate::i18n::{t, use_i18n};
use crate::nav::{ADD_PASSKEY_PATH, SECURITY_PATH};
use crate::passkey;
use crate::session::Session;

#[component]
pub fn PasskeyOffer() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let location = use_location();
    let navigate = use_navigate();
    let dismiss = session.action(|&()| api::dismiss_passkey_offer());
    let shown = move || {
        let offered = session.me().is_some_and(|me| {
            me.passkey_offer
                && !me
                    .two_factor
                    .factors
                    .iter()
                    .any(|f| f.kind == FactorKind::Passkey)
        });
        // The tab and the add-passkey page have the button already.
        let elsewhere = location
            .pathname
            .with(|here| here != SECURITY_PATH && here != ADD_PASSKEY_PATH);
        offered && elsewhere && dismiss.input().get().is_none() && dismiss.value().get().is_none()
    };
    let not_now = move |_| {
        dismiss.dispatch(());
    };
    view! {
        <Show when=move || shown() && passkey::available_here()>
            <section class="card offer" aria-labelledby="passkey-offer-title">
                <h2 id="passkey-offer-title">{t!(i18n, passkey_offer_title)}</h2>
                <p>{t!(i18n, passkey_offer_text)}</p>
                <div class="actions">
                    <button type="button" class="primary" on:click={
                        let navigate = navigate.clone();
                        move |_| navigate(ADD_PASSKEY_PATH, Default::default())
                    }>
                        {t!(i18n, add_passkey)}
                    </button>
                    <button type="button" on:click=not_now>{t!(i18n, not_now)}</button>
                </div>
            </section>
        </Show>
    }
}
