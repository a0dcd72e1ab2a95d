use leptos::prelude::*;
use mfa_api::DeadlineNotice;

use crate::dates::format_civil_date;
use crate::i18n::{t, t_string, use_i18n};
use crate::nav::{HELP_PATH, SECURITY_PATH};

const DISMISSED_KEY: &str = "mfa.banner.dismissed";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Forgets a dismissed banner (at sign-out: the next sign-in shows it again).
pub fn forget_dismissal() {
    if let Some(storage) = session_storage() {
        let _ = storage.remove_item(DISMISSED_KEY);
    }
}

/// "<Company> requires two-factor authentication from <date>: <n> days
/// left." with "Set it up now"; dismissed for this browser session.
#[component]
pub fn DeadlineBanner(#[prop(into)] notice: Signal<Option<DeadlineNotice>>) -> impl IntoView {
    let i18n = use_i18n();
    let dismissed = RwSignal::new(
        session_storage()
            .and_then(|s| s.get_item(DISMISSED_KEY).ok().flatten())
            .is_some(),
    );
    let dismiss = move |_| {
        if let Some(storage) = session_storage() {
            let _ = storage.set_item(DISMISSED_KEY, "1");
        }
        dismissed.set(true);
    };
    move || {
        let notice = notice.get().filter(|_| !dismissed.get())?;
        let date = format_civil_date(i18n.get_locale(), &notice.date);
        let company = notice.company.clone();
        let days = notice.days_left;
        Some(view! {
            <aside class="deadline-banner" aria-label=move || t_string!(i18n, policy_heading)>
                <p>
                    {move || if days == 1 {
                        t_string!(i18n, banner_text_one, company = company.clone(), date = date.clone()).to_string()
                    } else {
                        t_string!(i18n, banner_text, company = company.clone(), date = date.clone(), days = days.to_string()).to_string()
                    }}
                    " "
                    <a href=SECURITY_PATH>{t!(i18n, banner_set_up)}</a>
                    " · "
                    <a href=HELP_PATH>{t!(i18n, how_does_this_work)}</a>
                </p>
                <button type="button" class="link" on:click=dismiss>{t!(i18n, banner_dismiss)}</button>
            </aside>
        })
    }
}
