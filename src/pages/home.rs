use leptos::prelude::*;

use crate::document::page_title;
use crate::i18n::{t, t_string, use_i18n};
use crate::nav::SECURITY_PATH;
use crate::session::Session;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let first_name = move || {
        session
            .me()
            .and_then(|me| me.user.name.split_whitespace().next().map(str::to_owned))
            .unwrap_or_default()
    };
    let company = move || {
        session
            .me()
            .and_then(|me| me.primary_membership().map(|m| m.company.name.clone()))
            .unwrap_or_default()
    };
    page_title(move || t_string!(i18n, home_page_title).to_owned());
    view! {
        <section class="card">
            <h1>{move || t!(i18n, home_title, name = first_name())}</h1>
            <p>{move || t!(i18n, home_intro, company = company())}</p>
            <p><a class="button primary" href=SECURITY_PATH>{t!(i18n, home_go_security)}</a></p>
        </section>
    }
}
