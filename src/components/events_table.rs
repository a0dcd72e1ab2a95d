//! A page of audit events as a table (when, who for the company's log,
//! what happened, address, browser) with "Previous page" / "Next page"
//! once there is more than one page. "Recent security activity" and the
//! company's audit log show their pages with it.

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
    /// Adds the member's and the event's details columns (the company's log).
    with_member: bool,
    on_page: Callback<PageRequest>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let (newer, older) = (page.newer, page.older);
    let rows = page
        .events
        .into_iter()
        .map(|event| {
            let member = with_member.then(|| {
                view! {
                    <td>
                        {event.member_name.clone().unwrap_or_default()}
                        <br />
                        <span class="hint">{event.member_email.clone().unwrap_or_default()}</span>
                    </td>
                }
            });
            let detail =
                with_member.then(|| view! { <td class="hint">{event.detail.clone()}</td> });
            view! {
                <tr>
                    <td>{when(locale, event.at)}</td>
                    {member}
                    <td>{sentence(i18n, &event.kind, &event.detail)}</td>
                    <td>{event.ip.clone().unwrap_or_default()}</td>
                    <td>{event_browser(i18n, &event)}</td>
                    {detail}
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
                    {with_member.then(|| view! { <th scope="col">{t!(i18n, col_member)}</th> })}
                    <th scope="col">{t!(i18n, col_what)}</th>
                    <th scope="col">{t!(i18n, col_address)}</th>
                    <th scope="col">{t!(i18n, col_browser)}</th>
                    {with_member.then(|| view! { <th scope="col">{t!(i18n, audit_detail)}</th> })}
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
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
