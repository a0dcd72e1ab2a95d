use leptos::prelude::*;

use crate::i18n::{t, use_i18n};

#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="loading" role="status">{t!(i18n, loading)}</p> }
}
