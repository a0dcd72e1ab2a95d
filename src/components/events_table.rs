//! A page of audit events, with "Previous page" / "Next page" once there is
//! more than one page: a table (when, what happened, address, browser) for
//! "Recent security activity"; a list (what happened, then when, who,
//! address, browser, details) for the company's audit log.

use leptos::prelude::*;
use mfa_api::ActivityPage;

use crate::events::{event_browser, sentence, when};
use crate::i18n::{t, use_i18n};

/// Which page to show next: `(before, after)`.
pub type PageRequest = (Option<i64>, Option<i64>);

#[component]
pub fn EventsTable(
    page: ActivityPage,
    /// The table's name (its section's heading).
    caption: String,
    /// The page buttons' group name.
    pages_label: String,
    /// The company's log: with each event's member and details.
    with_member: bool,
    on_page: Callback<PageRequest>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let (newer, older) = (page.newer, page.older);
    let events = page.events;
    let listing = if with_member {
        // The company's log: a list, one entry per event (Company Settings'
        // readiness table is on the same page: its rows stay the page's only rows).
        let items = events
            .into_iter()
            .map(|event| {
                let who = match (&event.member_name, &event.member_email) {
                    (Some(name), Some(email)) => format!("{name} ({email})"),
                    (Some(one), None) | (None, Some(one)) => one.clone(),
                    (None, None) => String::new(),
                };
                let facts = [
                    when(locale, event.at),
                    who,
                    event.ip.clone().unwrap_or_default(),
                    event_browser(i18n, &event),
                    event.detail.clone(),
                ]
                .into_iter()
                .filter(|fact| !fact.is_empty())
                .collect::<Vec<_>>()
                .join(" · ");
                view! {
                    <li>
                        <p><strong>{sentence(i18n, &event.kind, &event.detail)}</strong></p>
                        <p class="hint">{facts}</p>
                    </li>
                }
            })
            .collect_view();
        view! { <ol class="events-list" aria-label=caption>{items}</ol> }.into_any()
    } else {
        let rows = events
            .into_iter()
            .map(|event| {
                view! {
                    <tr>
                        <td>{when(locale, event.at)}</td>
                        <td>{sentence(i18n, &event.kind, &event.detail)}</td>
                        <td>{event.ip.clone().unwrap_or_default()}</td>
                        <td>{event_browser(i18n, &event)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="readiness-table">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, col_when)}</th>
                        <th scope="col">{t!(i18n, col_what)}</th>
                        <th scope="col">{t!(i18n, col_address)}</th>
                        <th scope="col">{t!(i18n, col_browser)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        {listing}
        {(newer.is_some() || older.is_some()).then(|| view! {
            <nav class="pages" aria-label=pages_label>
                <div class="actions">
                    <button type="button" disabled=newer.is_none() on:click=move |_| on_page.run((None, newer))>
                        {t!(i18n, previous_page)}
                    </button>
                    <button type="button" disabled=older.is_none() on:click=move |_| on_page.run((older, None))>
                        {t!(i18n, next_page)}
                    </button>
                </div>
            </nav>
        })}
    }
}
