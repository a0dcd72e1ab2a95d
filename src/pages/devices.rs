//! The lower half of the Password & Security tab: "Where you're signed
//! in", "Trusted browsers" and "Recent security activity". Its own wasm
//! chunk, fetched once the tab has shown the person's factors: the sign-in
//! page and the tab's first paint do not carry it.

use leptos::prelude::*;
use mfa_api::{ActivityPage, PageQuery, SessionInfo, TrustedBrowserInfo};

use crate::api;
use crate::components::events_table::{EventsTable, PageRequest};
use crate::components::loading::Loading;
use crate::errors::error_text;
use crate::events::{browser_name, when};
use crate::form::{error_message, on_answer};
use crate::i18n::{t, t_string, use_i18n};
use crate::session::Session;

/// The three sections, from their own chunk.
#[lazy]
pub fn devices_sections() -> AnyView {
    view! {
        <SessionsSection />
        <TrustedBrowsersSection />
        <ActivitySection />
    }
    .into_any()
}

/// "Where you're signed in": each live session, "Sign out" for the others
/// and "Sign out everywhere else".
#[component]
fn SessionsSection() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let load = session.action(|&()| api::sessions());
    load.dispatch(());
    let sign_out = session.action(|id: &String| api::sign_out_session(id.clone()));
    let others = session.action(|&()| api::sign_out_others());
    let said = RwSignal::new(None::<&'static str>);
    on_answer(sign_out, move |answer| {
        if answer.is_ok() {
            said.set(Some(t_string!(i18n, signed_out_one)));
        }
        load.dispatch(());
    });
    on_answer(others, move |answer| {
        if answer.is_ok() {
            said.set(Some(t_string!(i18n, signed_out_others)));
        }
        load.dispatch(());
    });
    let row = move |s: SessionInfo| {
        let name_id = format!("session-{}", s.id);
        let locale = i18n.get_locale_untracked();
        let id = s.id.clone();
        view! {
            <li class="device">
                <p>
                    <strong id=name_id.clone()>
                        {browser_name(i18n, s.browser.as_deref(), s.system.as_deref())}
                    </strong>
                    {s.current.then(|| view! { " " <span class="tag">{t!(i18n, this_browser)}</span> })}
                </p>
                {s.ip.clone().map(|ip| view! {
                    <p class="hint">
                        {t_string!(i18n, session_address, ip = ip, since = when(locale, s.ip_since)).to_string()}
                    </p>
                })}
                <p class="hint">
                    {t_string!(i18n, session_signed_in, at = when(locale, s.signed_in_at)).to_string()}
                    " · "
                    {t_string!(i18n, session_last_active, at = when(locale, s.last_active_at)).to_string()}
                </p>
                {(!s.current).then(|| view! {
                    <button
                        type="button"
                        aria-describedby=name_id
                        disabled=move || sign_out.pending().get()
                        on:click=move |_| {
                            said.set(None);
                            sign_out.dispatch(id.clone());
                        }
                    >
                        {t!(i18n, sign_out_session)}
                    </button>
                })}
            </li>
        }
    };
    view! {
        <section class="card" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">{t!(i18n, sessions_heading)}</h2>
            <p>{t!(i18n, sessions_intro)}</p>
            {move || match load.value().get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <p class="error">{error_text(i18n.get_locale(), &e)}</p> }.into_any(),
                Some(Ok(list)) => {
                    let several = list.sessions.len() > 1;
                    view! {
                        <ul class="devices">{list.sessions.into_iter().map(row).collect_view()}</ul>
                        {several.then(|| view! {
                            <button
                                type="button"
                                disabled=move || others.pending().get()
                                on:click=move |_| {
                                    said.set(None);
                                    others.dispatch(());
                                }
                            >
                                {t!(i18n, sign_out_everywhere_else)}
                            </button>
                        })}
                    }
                    .into_any()
                }
            }}
            <p role="status">{move || said.get()}</p>
            <p class="error" role="alert">
                {move || error_message(sign_out)().or_else(error_message(others))}
            </p>
        </section>
    }
}

/// "Trusted browsers": each with "Forget", and "Forget all".
#[component]
fn TrustedBrowsersSection() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let load = session.action(|&()| api::trusted_browsers());
    load.dispatch(());
    let forget = session.action(|id: &Option<i64>| api::forget_browsers(*id));
    let said = RwSignal::new(None::<&'static str>);
    on_answer(forget, move |answer| {
        if answer.is_ok() {
            let all = forget.input().get_untracked().is_none_or(|id| id.is_none());
            said.set(Some(if all {
                t_string!(i18n, forgotten_all)
            } else {
                t_string!(i18n, forgotten_one)
            }));
        }
        load.dispatch(());
    });
    let row = move |b: TrustedBrowserInfo| {
        let name_id = format!("trusted-{}", b.id);
        let locale = i18n.get_locale_untracked();
        view! {
            <li class="device">
                <p>
                    <strong id=name_id.clone()>
                        {browser_name(i18n, b.browser.as_deref(), b.system.as_deref())}
                    </strong>
                </p>
                <p class="hint">
                    {t_string!(i18n, trusted_added, at = when(locale, b.added_at)).to_string()}
                    " · "
                    {t_string!(i18n, trusted_last_used, at = when(locale, b.last_used_at)).to_string()}
                    " · "
                    {t_string!(i18n, trusted_expires, at = when(locale, b.expires_at)).to_string()}
                </p>
                <button
                    type="button"
                    aria-describedby=name_id
                    disabled=move || forget.pending().get()
                    on:click=move |_| {
                        said.set(None);
                        forget.dispatch(Some(b.id));
                    }
                >
                    {t!(i18n, forget)}
                </button>
            </li>
        }
    };
    view! {
        <section class="card" aria-labelledby="trusted-heading">
            <h2 id="trusted-heading">{t!(i18n, trusted_heading)}</h2>
            <p>{t!(i18n, trusted_intro)}</p>
            {move || match load.value().get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <p class="error">{error_text(i18n.get_locale(), &e)}</p> }.into_any(),
                Some(Ok(trusted)) => {
                    let off = (trusted.remember_days == 0).then(|| view! { <p>{t!(i18n, trusted_off)}</p> });
                    if trusted.browsers.is_empty() {
                        view! { {off} <p>{t!(i18n, trusted_none)}</p> }.into_any()
                    } else {
                        view! {
                            {off}
                            <ul class="devices">{trusted.browsers.into_iter().map(row).collect_view()}</ul>
                            <button
                                type="button"
                                disabled=move || forget.pending().get()
                                on:click=move |_| {
                                    said.set(None);
                                    forget.dispatch(None);
                                }
                            >
                                {t!(i18n, forget_all)}
                            </button>
                        }
                        .into_any()
                    }
                }
            }}
            <p role="status">{move || said.get()}</p>
            <p class="error" role="alert">{error_message(forget)}</p>
        </section>
    }
}

/// "Recent security activity": 90 days, a page at a time.
#[component]
fn ActivitySection() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let page = RwSignal::new(PageQuery::default());
    let load = session.action(|query: &PageQuery| {
        let query = query.clone();
        async move { api::activity(&query).await }
    });
    Effect::new(move || {
        load.dispatch(page.get());
    });
    let table = move |activity: ActivityPage| {
        if activity.events.is_empty() {
            return view! { <p>{t!(i18n, activity_none)}</p> }.into_any();
        }
        let on_page = Callback::new(move |(before, after): PageRequest| {
            page.set(PageQuery { before, after });
        });
        view! {
            <EventsTable
                page=activity
                caption=t_string!(i18n, activity_heading).to_owned()
                pages_label=t_string!(i18n, activity_pages).to_owned()
                with_member=false
                on_page=on_page
            />
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="activity-heading">
            <h2 id="activity-heading">{t!(i18n, activity_heading)}</h2>
            <p>{t!(i18n, activity_intro)}</p>
            {move || match load.value().get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{error_text(i18n.get_locale(), &e)}</p> }.into_any(),
                Some(Ok(activity)) => table(activity),
            }}
        </section>
    }
}
