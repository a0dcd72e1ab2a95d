//! The demo's outbox: the texts and then the emails the server would have
//! sent, each newest first, for whoever runs the demo. Outside demo mode the server
//! answers 404 here.

use leptos::prelude::*;
use mfa_api::{OutboxChannel, OutboxMessage};

use super::not_found::NotFoundPage;
use crate::api::{self, ApiError};
use crate::components::loading::Loading;
use crate::dates::{format_date, format_time};
use crate::document::page_title;
use crate::errors::error_text;
use crate::i18n::{t, t_string, use_i18n};

#[component]
pub fn OutboxPage() -> impl IntoView {
    let i18n = use_i18n();
    page_title(move || t_string!(i18n, outbox_title).to_owned());
    let load = Action::new_local(|&()| api::outbox());
    load.dispatch(());
    move || match load.value().get() {
        None => view! { <Loading /> }.into_any(),
        Some(Err(ApiError::Server { status: 404, .. })) => view! { <NotFoundPage /> }.into_any(),
        Some(answer) => {
            let messages = answer
                .as_ref()
                .map(|o| o.messages.clone())
                .unwrap_or_default();
            let error = answer.err().map(|e| error_text(i18n.get_locale(), &e));
            view! {
                <section class="card outbox" aria-labelledby="outbox-title">
                    <h1 id="outbox-title">{t!(i18n, outbox_title)}</h1>
                    <p>{t!(i18n, outbox_intro)}</p>
                    <p class="error" role="alert">{error}</p>
                    <button type="button" on:click=move |_| { load.dispatch(()); }>
                        {t!(i18n, outbox_refresh)}
                    </button>
                    <Messages
                        heading=Signal::derive(move || t_string!(i18n, outbox_texts).to_owned())
                        messages=messages.iter().filter(|m| m.channel == OutboxChannel::Sms).cloned().collect()
                    />
                    <Messages
                        heading=Signal::derive(move || t_string!(i18n, outbox_emails).to_owned())
                        messages=messages.into_iter().filter(|m| m.channel == OutboxChannel::Email).collect()
                    />
                </section>
            }
            .into_any()
        }
    }
}

/// One channel's messages, newest first.
#[component]
fn Messages(#[prop(into)] heading: Signal<String>, messages: Vec<OutboxMessage>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h2 class="small-heading">{move || heading.get()}</h2>
        {if messages.is_empty() {
            view! { <p>{t!(i18n, outbox_empty)}</p> }.into_any()
        } else {
            view! {
                <ol class="outbox-list">
                    {messages.into_iter().map(|m| view! { <Message message=m /> }).collect_view()}
                </ol>
            }
            .into_any()
        }}
    }
}

#[component]
fn Message(message: OutboxMessage) -> impl IntoView {
    let i18n = use_i18n();
    let when = move || {
        let locale = i18n.get_locale();
        format!(
            "{} {}",
            format_date(locale, message.created_at),
            format_time(locale, message.created_at)
        )
    };
    let channel = move || match message.channel {
        OutboxChannel::Sms => t_string!(i18n, outbox_text),
        OutboxChannel::Email => t_string!(i18n, outbox_email),
    };
    let to = message.to.clone();
    view! {
        <li class="outbox-message">
            <article aria-label=move || format!("{} · {}", channel(), to.clone())>
                {message.subject.map(|subject| view! { <h3 class="small-heading">{subject}</h3> })}
                <pre class="outbox-body">{message.body}</pre>
                <p class="outbox-meta">
                    <strong>{channel}</strong>
                    " · "
                    {move || t!(i18n, outbox_to, to = message.to.clone())}
                    " · "
                    <time>{when}</time>
                </p>
            </article>
        </li>
    }
}
