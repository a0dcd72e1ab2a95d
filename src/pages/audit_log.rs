//! Company Settings' "Audit log" (admins): every event of the company's
//! members and admins, filtered by member, kind and dates, paged on the
//! server, and "Export CSV" of what the filters select.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use mfa_api::{AuditLog, AuditLogQuery};

use crate::api;
use crate::browser::download_text;
use crate::components::events_table::{EventsTable, PageRequest};
use crate::components::loading::Loading;
use crate::dates::local_day_start;
use crate::errors::error_text;
use crate::events::kind_label;
use crate::form::{error_message, on_answer};
use crate::i18n::{t, t_string, use_i18n};
use crate::session::Session;

#[component]
pub fn AuditLogSection(company: i64) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let query = RwSignal::new(AuditLogQuery::default());
    let load = session.action(move |query: &AuditLogQuery| {
        let query = query.clone();
        async move { api::audit_log(company, &query).await }
    });
    Effect::new(move || {
        load.dispatch(query.get());
    });
    let member = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    // The kinds to choose from, once the server has said them.
    let kinds = RwSignal::new(Vec::<String>::new());
    Effect::new(move || {
        if let Some(Ok(log)) = load.value().get()
            && kinds.with_untracked(Vec::is_empty)
        {
            kinds.set(log.kinds);
        }
    });
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        let text = |s: RwSignal<String>| Some(s.get_untracked()).filter(|v| !v.trim().is_empty());
        query.set(AuditLogQuery {
            member: text(member),
            kind: text(kind),
            since: local_day_start(&from.get_untracked(), 0),
            until: local_day_start(&to.get_untracked(), 1),
            before: None,
            after: None,
        });
    };
    // "Export CSV": a button, fetched then saved (the readiness list's
    // "Export CSV" link is on the same page).
    let export = session.action(move |query: &AuditLogQuery| {
        let query = query.clone();
        async move { api::audit_log_csv(company, &query).await }
    });
    on_answer(export, move |answer| {
        if let Ok(csv) = answer {
            let name = format!("audit-log-company-{company}.csv");
            let _ = download_text(&name, "text/csv;charset=utf-8", &csv);
        }
    });
    let clear = move |_| {
        for field in [member, kind, from, to] {
            field.set(String::new());
        }
        query.set(AuditLogQuery::default());
    };
    let table = move |log: AuditLog| {
        if log.page.events.is_empty() {
            return view! { <p role="status">{t!(i18n, audit_none)}</p> }.into_any();
        }
        let on_page = Callback::new(move |(before, after): PageRequest| {
            query.update(|q| {
                q.before = before;
                q.after = after;
            });
        });
        view! {
            <EventsTable
                page=log.page
                caption=t_string!(i18n, audit_heading).to_owned()
                pages_label=t_string!(i18n, audit_pages).to_owned()
                with_member=true
                on_page=on_page
            />
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="audit-heading">
            <h2 id="audit-heading">{t!(i18n, audit_heading)}</h2>
            <p>{t!(i18n, audit_intro)}</p>
            <form class="readiness-tools" on:submit=on_submit>
                <div class="field">
                    <label for="audit-member">{t!(i18n, audit_member_label)}</label>
                    <input id="audit-member" type="email" autocomplete="off" bind:value=member />
                </div>
                <div class="field">
                    <label for="audit-kind">{t!(i18n, audit_kind_label)}</label>
                    <select id="audit-kind" on:change=move |ev| kind.set(event_target_value(&ev)) prop:value=move || kind.get()>
                        <option value="">{t!(i18n, audit_kind_any)}</option>
                        {move || kinds.get().into_iter().map(|k| {
                            let label = kind_label(i18n, &k);
                            view! { <option value=k>{label}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="audit-from">{t!(i18n, audit_from_label)}</label>
                    <input id="audit-from" type="date" bind:value=from />
                </div>
                <div class="field">
                    <label for="audit-to">{t!(i18n, audit_to_label)}</label>
                    <input id="audit-to" type="date" bind:value=to />
                </div>
                <div class="actions">
                    <button type="submit" class="primary">{t!(i18n, audit_apply)}</button>
                    <button type="button" on:click=clear>{t!(i18n, audit_clear)}</button>
                    <button
                        type="button"
                        disabled=move || export.pending().get()
                        on:click=move |_| { export.dispatch(query.get_untracked()); }
                    >
                        {t!(i18n, export_csv)}
                    </button>
                </div>
            </form>
            <p class="error" role="alert">{error_message(export)}</p>
            {move || match load.value().get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{error_text(i18n.get_locale(), &e)}</p> }.into_any(),
                Some(Ok(log)) => table(log),
            }}
        </section>
    }
}
