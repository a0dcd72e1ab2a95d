use leptos::prelude::*;

use crate::api::ApiError;
use crate::errors::error_text;
use crate::i18n::{t, use_i18n};
use crate::nav::SECURITY_PATH;

/// A flow that could not go on: its title, why, and the way back.
#[component]
pub fn FlowFailed(#[prop(into)] title: Signal<String>, error: ApiError) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card narrow">
            <h1>{move || title.get()}</h1>
            <p class="error" role="alert">{move || error_text(i18n.get_locale(), &error)}</p>
            <p><a href=SECURITY_PATH>{t!(i18n, tab_security)}</a></p>
        </section>
    }
}
