//! The help article, /help/mfa: public, in the app's language. Each method's
//! steps are a section whose button (aria-expanded, aria-controls) reads
//! "Show steps" or "Hide steps"; the open section is the URL's fragment
//! (#authenticator-app, #sms, #passkey), so a link opens it; printing shows
//! all. A signed-in member sees the methods their company allows; anyone
//! else, every method.

use leptos::prelude::*;
use leptos_i18n::Locale as _;
use mfa_api::{FactorKind, SMS_COUNTRIES, all_methods};

use crate::api;
use crate::components::two_factor::kind_name;
use crate::document::page_title;
use crate::i18n::{Locale, t, t_string, use_i18n};
use crate::nav::{HELP_PATH, SECURITY_PATH, SIGN_IN_PATH};
use crate::session::Session;

/// The collapsible sections, by fragment.
pub const AUTHENTICATOR_SECTION: &str = "authenticator-app";
pub const SMS_SECTION: &str = "sms";
pub const PASSKEY_SECTION: &str = "passkey";
/// The section on phone clocks (linked from the clock-drift message).
pub const CLOCK_SECTION: &str = "clock";

/// A method's section.
fn section_of(kind: FactorKind) -> &'static str {
    match kind {
        FactorKind::AuthenticatorApp => AUTHENTICATOR_SECTION,
        FactorKind::Sms => SMS_SECTION,
        FactorKind::Passkey => PASSKEY_SECTION,
    }
}

/// `/help/mfa#<section>`.
pub fn help_href(section: &str) -> String {
    format!("{HELP_PATH}#{section}")
}

fn fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| h.trim_start_matches('#').to_owned())
        .unwrap_or_default()
}

/// Keeps the address's fragment in step with the open section.
fn set_fragment(section: Option<&str>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let url = match section {
        Some(id) => format!("{HELP_PATH}#{id}"),
        None => HELP_PATH.to_owned(),
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

fn scroll_to(id: &'static str) {
    request_animation_frame(move || {
        if let Some(element) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
        {
            element.scroll_into_view();
        }
    });
}

#[component]
pub fn HelpPage() -> impl IntoView {
    let i18n = use_i18n();
    page_title(move || t_string!(i18n, help_title).to_owned());
    let session = use_context::<Session>();
    // The methods shown: the company's choice for a signed-in member.
    let methods = Memo::new(move |_| {
        session
            .and_then(|s| s.me())
            .map_or_else(all_methods, |me| me.two_factor.allowed_methods)
    });
    let shows = move |kind: FactorKind| methods.with(|m| m.contains(&kind));
    let sections = move || -> Vec<&'static str> {
        methods.with(|m| m.iter().copied().map(section_of).collect())
    };
    let open = RwSignal::new(Vec::<&'static str>::new());
    // A link to a section opens it, and brings it into view: on arrival,
    // and when the fragment changes on this page.
    let follow = move || {
        let arrived = fragment();
        if let Some(id) = sections().into_iter().find(|id| *id == arrived) {
            open.update(|o| {
                if !o.contains(&id) {
                    o.push(id);
                }
            });
            scroll_to(id);
        } else if arrived == CLOCK_SECTION {
            scroll_to(CLOCK_SECTION);
        }
    };
    follow();
    let listener = window_event_listener(leptos::ev::hashchange, move |_| follow());
    on_cleanup(move || listener.remove());
    let toggle = Callback::new(move |id: &'static str| {
        let now_open = !open.with_untracked(|o| o.contains(&id));
        open.update(|o| {
            o.retain(|x| *x != id);
            if now_open {
                o.push(id);
            }
        });
        set_fragment(if now_open {
            Some(id)
        } else {
            open.with_untracked(|o| o.last().copied())
        });
    });
    // "Hide all steps" while any section is open; "Show all steps" opens every one.
    let any_open = move || open.with(|o| !o.is_empty());
    let toggle_all = move |_| {
        if any_open() {
            open.set(Vec::new());
            set_fragment(None);
        } else {
            open.set(sections());
        }
    };
    let email = Action::new_local(|language: &&'static str| api::deadline_email(language));
    Effect::new(move |_| {
        email.dispatch(match i18n.get_locale() {
            Locale::fr => "fr",
            Locale::en => "en",
        });
    });
    let country = move |iso: &str| {
        let info = mfa_api::SmsCountryInfo::find(iso);
        info.map(|c| c.name(i18n.get_locale().as_str()).to_owned())
    };
    view! {
        <article class="card help">
            <h1>{t!(i18n, help_title)}</h1>
            <p>{t!(i18n, help_intro)}</p>

            <h2>{t!(i18n, help_who_heading)}</h2>
            <ul>
                <li>{t!(i18n, help_who_payees)}</li>
                <li>{t!(i18n, help_who_members)}</li>
            </ul>

            <h2>{t!(i18n, help_methods_heading)}</h2>
            {move || (methods.with(Vec::len) < all_methods().len()).then(|| view! {
                <p>
                    {t!(i18n, help_company_methods)}" "
                    {move || methods.get().into_iter().map(|k| kind_name(i18n, k)).collect::<Vec<_>>().join(", ")}
                </p>
            })}
            <Show when=move || shows(FactorKind::AuthenticatorApp)>
                <p>{t!(i18n, help_methods_app)}</p>
            </Show>
            <Show when=move || shows(FactorKind::Passkey)>
                <p>{t!(i18n, help_methods_passkey)}</p>
            </Show>
            <Show when=move || shows(FactorKind::Sms)>
            <p>{t!(i18n, help_methods_sms)}</p>
            <table class="countries">
                <caption>{t!(i18n, help_countries_caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, help_country)}</th>
                        <th scope="col">{t!(i18n, help_calling_code)}</th>
                    </tr>
                </thead>
                <tbody>
                    {SMS_COUNTRIES
                        .iter()
                        .map(|c| {
                            let iso = c.iso;
                            view! {
                                <tr>
                                    <th scope="row">{move || country(iso)}</th>
                                    <td>{format!("+{}", c.calling_code)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <p class="notice">{t!(i18n, help_payee_sms)}</p>
            </Show>

            <h2>{t!(i18n, help_deadline_heading)}</h2>
            <p>{t!(i18n, help_deadline_text)}</p>
            <p>{t!(i18n, help_email_example)}</p>
            {move || email.value().get().and_then(Result::ok).map(|example| view! {
                <figure class="email-example">
                    <figcaption><strong>{example.subject}</strong></figcaption>
                    <pre>{example.text}</pre>
                </figure>
            })}

            <h2 id="set-up">{t!(i18n, help_setup_heading)}</h2>
            <button type="button" class="no-print" on:click=toggle_all>
                {move || if any_open() { t_string!(i18n, help_hide_all) } else { t_string!(i18n, help_show_all) }}
            </button>
            <ol class="help-steps">
                <li>{t!(i18n, help_step_menu)}</li>
                <li>{t!(i18n, help_step_tab)}</li>
                <li>
                    {t!(i18n, help_step_choose)}
                    <Show when=move || shows(FactorKind::AuthenticatorApp)>
                    <StepsSection
                        id=AUTHENTICATOR_SECTION
                        title=Signal::derive(move || t_string!(i18n, authenticator_app).to_owned())
                        open=Signal::derive(move || open.with(|o| o.contains(&AUTHENTICATOR_SECTION)))
                        on_toggle=toggle
                    >
                        <li>{t!(i18n, help_app_1)}</li>
                        <li>{t!(i18n, help_app_2)}</li>
                        <li>{t!(i18n, help_app_3)}</li>
                        <li>{t!(i18n, help_app_4)}</li>
                        <li>{t!(i18n, help_app_5)}</li>
                    </StepsSection>
                    </Show>
                    <Show when=move || shows(FactorKind::Sms)>
                    <StepsSection
                        id=SMS_SECTION
                        title=Signal::derive(move || t_string!(i18n, sms_factor).to_owned())
                        open=Signal::derive(move || open.with(|o| o.contains(&SMS_SECTION)))
                        on_toggle=toggle
                    >
                        <li>{t!(i18n, help_sms_1)}</li>
                        <li>{t!(i18n, help_sms_2)}</li>
                        <li>{t!(i18n, help_sms_3)}</li>
                        <li>{t!(i18n, help_sms_4)}</li>
                        <li>{t!(i18n, help_sms_5)}</li>
                    </StepsSection>
                    </Show>
                    <Show when=move || shows(FactorKind::Passkey)>
                    <StepsSection
                        id=PASSKEY_SECTION
                        title=Signal::derive(move || t_string!(i18n, passkey_factor).to_owned())
                        open=Signal::derive(move || open.with(|o| o.contains(&PASSKEY_SECTION)))
                        on_toggle=toggle
                    >
                        <li>{t!(i18n, help_passkey_1)}</li>
                        <li>{t!(i18n, help_passkey_2)}</li>
                        <li>{t!(i18n, help_passkey_3)}</li>
                        <li>{t!(i18n, help_passkey_4)}</li>
                        <li>{t!(i18n, help_passkey_5)}</li>
                    </StepsSection>
                    </Show>
                </li>
                <li>{t!(i18n, help_step_recovery)}</li>
            </ol>

            <aside class="callout-warning" aria-labelledby="help-warning-label">
                <p><strong id="help-warning-label">{t!(i18n, help_warning_label)}</strong></p>
                <p>{t!(i18n, help_warning)}</p>
            </aside>

            <h2 id="lost-phone">{t!(i18n, help_lost_heading)}</h2>
            <p>{t!(i18n, help_lost_text)}</p>

            <h2 id=CLOCK_SECTION>{t!(i18n, help_clock_heading)}</h2>
            <p>{t!(i18n, help_clock_text)}</p>

            <h2>{t!(i18n, help_see_also)}</h2>
            <ul>
                <li><a href=SECURITY_PATH>{t!(i18n, help_link_security)}</a></li>
                <li><a href=SIGN_IN_PATH>{t!(i18n, help_link_sign_in)}</a></li>
            </ul>
        </article>
    }
}

/// One method's steps: a heading, the "Show steps" / "Hide steps" button,
/// and the steps it shows or hides.
#[component]
fn StepsSection(
    id: &'static str,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] open: Signal<bool>,
    on_toggle: Callback<&'static str>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let panel = format!("{id}-steps");
    let heading = format!("{id}-heading");
    let labelled_by = heading.clone();
    view! {
        <section id=id class="steps-section" aria-labelledby=labelled_by>
            <h3 id=heading>{move || title.get()}</h3>
            <button
                type="button"
                class="steps-toggle"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-controls=panel.clone()
                on:click=move |_| on_toggle.run(id)
            >
                {move || if open.get() { t_string!(i18n, help_hide_steps) } else { t_string!(i18n, help_show_steps) }}
            </button>
            <ol id=panel class="steps-panel" hidden=move || !open.get()>
                {children()}
            </ol>
        </section>
    }
}
