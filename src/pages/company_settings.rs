//! Company Settings, for company admins: "Require two-factor
//! authentication", the "Enforcement date" and its "Time zone", the window
//! for people who join late, "Save". The server checks the role on every call.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use mfa_api::{MfaPolicy, MfaPolicyRequest, Role};

use crate::api;
use crate::components::loading::Loading;
use crate::document::page_title;
use crate::errors::error_text;
use crate::form::{error_message, invalid, on_answer};
use crate::i18n::{t, t_string, use_i18n};
use crate::session::Session;

#[component]
pub fn CompanySettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    page_title(move || t_string!(i18n, company_settings_title).to_owned());
    let company = session.me().and_then(|me| {
        me.memberships
            .iter()
            .find(|m| m.role == Role::Admin)
            .map(|m| m.company.id)
    });
    let load = session.action(|&id: &i64| api::mfa_policy(id));
    if let Some(id) = company {
        load.dispatch(id);
    }
    view! {
        <h1>{t!(i18n, company_settings_title)}</h1>
        {move || match (company, load.value().get()) {
            (None, _) => Some(view! { <p class="error" role="alert">{t!(i18n, error_forbidden)}</p> }.into_any()),
            (Some(_), None) => Some(view! { <Loading /> }.into_any()),
            (Some(_), Some(Err(e))) => {
                Some(view! { <p class="error" role="alert">{error_text(i18n.get_locale(), &e)}</p> }.into_any())
            }
            (Some(_), Some(Ok(policy))) => Some(view! { <PolicyForm policy=policy /> }.into_any()),
        }}
    }
}

#[component]
fn PolicyForm(policy: MfaPolicy) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let company = policy.company.id;
    let required = RwSignal::new(policy.required);
    let date = RwSignal::new(policy.enforcement_date.clone().unwrap_or_default());
    let zone = RwSignal::new(policy.time_zone.clone());
    let grace = RwSignal::new(policy.grace_days.to_string());
    let save = session
        .action(move |request: &MfaPolicyRequest| api::save_mfa_policy(company, request.clone()));
    let saved = RwSignal::new(false);
    on_answer(save, move |answer| saved.set(answer.is_ok()));
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if save.pending().get_untracked() {
            return;
        }
        saved.set(false);
        let date = date.get_untracked();
        save.dispatch(MfaPolicyRequest {
            required: required.get_untracked(),
            enforcement_date: (!date.trim().is_empty()).then_some(date),
            time_zone: Some(zone.get_untracked()),
            grace_days: grace.get_untracked().trim().parse().ok(),
        });
    };
    let zones = policy.time_zones;
    view! {
        <section class="card" aria-labelledby="policy-heading">
            <h2 id="policy-heading">{t!(i18n, policy_heading)}</h2>
            <p>{t!(i18n, policy_intro)}</p>
            <form class="form" on:submit=on_submit>
                <label class="check">
                    <input type="checkbox" id="require-mfa" prop:checked=move || required.get() on:change=move |ev| required.set(event_target_checked(&ev)) />
                    {t!(i18n, require_mfa_label)}
                </label>
                <div class="field">
                    <label for="enforcement-date">{t!(i18n, enforcement_date_label)}</label>
                    <input
                        id="enforcement-date"
                        type="date"
                        aria-describedby="enforcement-date-hint policy-error"
                        aria-invalid=invalid(save)
                        bind:value=date
                    />
                    <p id="enforcement-date-hint" class="hint">{t!(i18n, enforcement_date_hint)}</p>
                </div>
                <div class="field">
                    <label for="time-zone">{t!(i18n, time_zone_label)}</label>
                    <select id="time-zone" on:change=move |ev| zone.set(event_target_value(&ev))>
                        {zones
                            .into_iter()
                            .map(|name| {
                                let selected = name == zone.get_untracked();
                                view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="grace-days">{t!(i18n, grace_days_label)}</label>
                    <input id="grace-days" type="number" min="1" max="90" inputmode="numeric" bind:value=grace />
                </div>
                <p id="policy-error" class="error" role="alert">{error_message(save)}</p>
                <p class="hint" role="status">{move || saved.get().then(|| t_string!(i18n, saved))}</p>
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || save.pending().get()>
                        {move || if save.pending().get() { t_string!(i18n, working) } else { t_string!(i18n, save) }}
                    </button>
                </div>
            </form>
        </section>
    }
}
