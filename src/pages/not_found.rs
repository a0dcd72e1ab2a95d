use leptos::prelude::*;

use crate::document::page_title;
use crate::i18n::{t, t_string, use_i18n};
use crate::nav::HOME_PATH;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    page_title(move || t_string!(i18n, not_found_title).to_owned());
    view! {
        <section class="card narrow">
            <h1>{t!(i18n, not_found_title)}</h1>
            <p>{t!(i18n, not_found_body)}</p>
            <p><a href=HOME_PATH>{t!(i18n, not_found_home)}</a></p>
        </section>
    }
}
