//! Company Settings, for company admins: "Require two-factor
//! authentication", the "Enforcement date" and its "Time zone", the window
//! for people who join late, "Save"; below, who is ready: a bar, the days
//! left, the list (filter, sorting), "Send reminder now", "Export CSV",
//! "Reset MFA". The server checks the role on every call.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use mfa_api::{
    ErrorCode, FactorKind, MemberReadiness, MfaPolicy, MfaPolicyRequest, Role, all_methods,
};

use super::apps::AppsSection;
use super::audit_log::AuditLogSection;
use super::members::MembersSection;
use super::reauth::ReauthForm;
use crate::components::confirm::ConfirmDialog;
use crate::components::form_controls::SubmitButton;
use crate::components::two_factor::kind_name as method_name;
use crate::dates::format_date;
use crate::document::focus_on_change;
use crate::flows::{PolicySave, Removal};
use crate::readiness::{Column, View};

use crate::api;
use crate::components::loading::Loading;
use crate::document::page_title;
use crate::errors::{error_text, policy_error_text};
use crate::form::on_answer;
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
    // Saving the policy changes who is ready (a deadline, a method turned off).
    let policy_saves = RwSignal::new(0_u32);
    view! {
        <h1>{t!(i18n, company_settings_title)}</h1>
        {move || match (company, load.value().get()) {
            (None, _) => Some(view! { <p class="error" role="alert">{t!(i18n, error_forbidden)}</p> }.into_any()),
            (Some(_), None) => Some(view! { <Loading /> }.into_any()),
            (Some(_), Some(Err(e))) => {
                Some(view! { <p class="error" role="alert">{error_text(i18n.get_locale(), &e)}</p> }.into_any())
            }
            (Some(id), Some(Ok(policy))) => Some(view! {
                <PolicyForm policy=policy saves=policy_saves />
                <MembersSection company=id />
                <AppsSection company=id />
                <ReadinessPanel company=id policy_saves=policy_saves />
                <AuditLogSection company=id />
            }.into_any()),
        }}
    }
}

/// A method's checkbox id: `allow-<slug>`.
fn method_slug(kind: FactorKind) -> &'static str {
    match kind {
        FactorKind::AuthenticatorApp => "authenticator-app",
        FactorKind::Sms => "sms",
        FactorKind::Passkey => "passkey",
    }
}

#[component]
fn PolicyForm(
    policy: MfaPolicy,
    /// Counts the saves, for the readiness list to load again.
    saves: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let company = policy.company.id;
    let required = RwSignal::new(policy.required);
    let date = RwSignal::new(policy.enforcement_date.clone().unwrap_or_default());
    let zone = RwSignal::new(policy.time_zone.clone());
    let grace = RwSignal::new(policy.grace_days.to_string());
    let trusted_days = RwSignal::new(policy.trusted_browser_days.to_string());
    let methods = RwSignal::new(policy.allowed_methods.clone());
    let no_method = RwSignal::new(false);
    let save = session
        .action(move |request: &MfaPolicyRequest| api::save_mfa_policy(company, request.clone()));
    // What was sent last: sent again once the password is confirmed.
    let last = StoredValue::new(None::<MfaPolicyRequest>);
    let flow = RwSignal::new(PolicySave::default());
    let saved = RwSignal::new(false);
    on_answer(save, move |answer| {
        saved.set(answer.is_ok());
        if answer.is_ok() {
            saves.update(|n| *n += 1);
        }
        if let Some(request) = last.get_value() {
            flow.update(|f| f.answered(&request, &answer));
        }
    });
    let send = move |request: MfaPolicyRequest| {
        last.set_value(Some(request.clone()));
        save.dispatch(request);
    };
    let error = move || {
        if save.pending().get() {
            return None;
        }
        save.value().with(|answer| match answer {
            Some(Err(e)) if !e.is(ErrorCode::ReauthRequired) => {
                Some(policy_error_text(i18n.get_locale(), e))
            }
            _ => None,
        })
    };
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if save.pending().get_untracked() {
            return;
        }
        saved.set(false);
        let allowed = methods.get_untracked();
        no_method.set(allowed.is_empty());
        if allowed.is_empty() {
            return;
        }
        let date = date.get_untracked();
        send(MfaPolicyRequest {
            required: required.get_untracked(),
            enforcement_date: (!date.trim().is_empty()).then_some(date),
            time_zone: Some(zone.get_untracked()),
            grace_days: grace.get_untracked().trim().parse().ok(),
            allowed_methods: Some(allowed),
            trusted_browser_days: trusted_days.get_untracked().trim().parse().ok(),
        });
    };
    let reauthenticated = Callback::new(move |()| {
        if let Some(request) = flow.try_update(PolicySave::reauthenticated).flatten() {
            send(request);
        }
    });
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
                        aria-invalid=move || error().is_some().then_some("true")
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
                <div class="field">
                    <label id="trusted-days-label" for="trusted-days">{t!(i18n, trusted_days_label)}</label>
                    <div class="inline">
                        <input
                            id="trusted-days"
                            type="number"
                            min="0"
                            max="90"
                            inputmode="numeric"
                            aria-labelledby="trusted-days-label trusted-days-unit"
                            aria-describedby="trusted-days-hint"
                            bind:value=trusted_days
                        />
                        <span id="trusted-days-unit">{t!(i18n, days_unit)}</span>
                    </div>
                    <p id="trusted-days-hint" class="hint">{t!(i18n, trusted_days_hint)}</p>
                </div>
                <fieldset class="field" aria-describedby="allowed-methods-hint">
                    <legend>{t!(i18n, allowed_methods_legend)}</legend>
                    {all_methods()
                        .into_iter()
                        .map(|kind| {
                            let id = format!("allow-{}", method_slug(kind));
                            view! {
                                <label class="check">
                                    <input
                                        type="checkbox"
                                        id=id
                                        prop:checked=move || methods.with(|m| m.contains(&kind))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            methods.update(|m| {
                                                m.retain(|k| *k != kind);
                                                if on {
                                                    m.push(kind);
                                                }
                                            });
                                        }
                                    />
                                    {move || method_name(i18n, kind)}
                                </label>
                            }
                        })
                        .collect_view()}
                    <p id="allowed-methods-hint" class="hint">{t!(i18n, allowed_methods_hint)}</p>
                </fieldset>
                <p id="policy-error" class="error" role="alert">
                    {move || if no_method.get() { Some(t_string!(i18n, allowed_methods_none).to_owned()) } else { error() }}
                </p>
                <p class="hint" role="status">{move || saved.get().then(|| t_string!(i18n, saved))}</p>
                <div class="actions">
                    <SubmitButton pending=move || save.pending().get() label=move || t_string!(i18n, save) />
                </div>
            </form>
            {move || matches!(flow.get(), PolicySave::ConfirmPassword(_)).then(|| view! {
                <ReauthForm inline=true on_confirmed=reauthenticated />
            })}
        </section>
    }
}

/// Who is ready: the bar, the days left, the list and its actions.
#[component]
fn ReadinessPanel(company: i64, policy_saves: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let view_state = RwSignal::new(View::default());
    let load = session.action(|(id, view): &(i64, View)| {
        let (id, query) = (*id, view.0.clone());
        async move { api::readiness(id, &query).await }
    });
    // The server filters, sorts and pages: ask again whenever the view changes.
    Effect::new(move || {
        policy_saves.track();
        load.dispatch((company, view_state.get()));
    });
    let reload = move || {
        load.dispatch((company, view_state.get_untracked()));
    };
    let remind = session.action(|(id, user): &(i64, Option<i64>)| api::send_reminders(*id, *user));
    on_answer(remind, move |answer| {
        if answer.is_ok() {
            reload();
        }
    });
    // Resetting a member's MFA: confirm, then the password if asked, as removing a factor.
    let reset = RwSignal::new(Removal::Idle);
    let reset_call =
        session.action(|(id, member): &(i64, i64)| api::reset_member_mfa(*id, *member));
    on_answer(reset_call, move |answer| {
        reset.update(|r| r.finished(&answer));
        if answer.is_ok() {
            reload();
        }
    });
    let proceed = move || {
        if let Some(member) = reset.try_update(Removal::proceed).flatten() {
            reset_call.dispatch((company, member));
        }
    };
    focus_on_change(move || reset.get());
    let readiness = move || load.value().get().and_then(Result::ok);
    let members = move || readiness().map(|r| r.members).unwrap_or_default();
    let name_of = move |id: i64| {
        members()
            .into_iter()
            .find(|m| m.user_id == id)
            .map(|m| m.name)
            .unwrap_or_default()
    };
    let header = move |column: Column, label: &'static str| {
        view! {
            <th scope="col" aria-sort=move || view_state.with(|v| v.aria_sort(column))>
                <button type="button" class="link" on:click=move |_| view_state.update(|v| v.sort_by(column))>
                    {label}
                </button>
            </th>
        }
    };
    view! {
        <section class="card readiness" aria-labelledby="readiness-heading">
            <h2 id="readiness-heading">{t!(i18n, readiness_heading)}</h2>
            {move || readiness().map(|r| {
                let total = r.enrolled + r.not_enrolled;
                view! {
                    <p>
                        <label for="readiness-bar">
                            {t!(i18n, readiness_summary, enrolled = r.enrolled.to_string(), total = total.to_string())}
                        </label>
                    </p>
                    <progress id="readiness-bar" max=total.max(1).to_string() value=r.enrolled.to_string()></progress>
                    <p>
                        {match r.days_left {
                            Some(days) => t_string!(i18n, readiness_days_left, days = days.to_string()).to_string(),
                            None => t_string!(i18n, readiness_no_date).to_owned(),
                        }}
                    </p>
                }
            })}
            <div class="readiness-tools">
                <div class="field">
                    <label for="readiness-filter">{t!(i18n, filter_label)}</label>
                    <input
                        id="readiness-filter"
                        type="search"
                        prop:value=move || view_state.with(|v| v.0.filter.clone())
                        on:input=move |ev| view_state.update(|v| v.set_filter(event_target_value(&ev)))
                    />
                </div>
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=move || view_state.with(|v| v.0.everyone)
                        on:change=move |ev| view_state.update(|v| v.set_everyone(event_target_checked(&ev)))
                    />
                    {t!(i18n, readiness_show_everyone)}
                </label>
            </div>
            <div class="actions">
                <button
                    type="button"
                    disabled=move || remind.pending().get() || readiness().is_none_or(|r| r.not_enrolled == 0 || r.days_left.is_none())
                    on:click=move |_| { remind.dispatch((company, None)); }
                >
                    {t!(i18n, send_reminder_all)}
                </button>
                <a class="button" href=api::readiness_csv_href(company) download="">{t!(i18n, export_csv)}</a>
            </div>
            <p class="hint" role="status">
                {move || remind.value().get().and_then(Result::ok).map(|q| {
                    t_string!(i18n, reminders_queued, count = q.queued.to_string()).to_string()
                })}
            </p>
            <p class="error" role="alert">
                {move || {
                    remind.value().get().and_then(Result::err)
                        .or_else(|| reset.with(|r| r.error().cloned()))
                        .map(|e| error_text(i18n.get_locale(), &e))
                }}
            </p>
            {move || match reset.get() {
                Removal::Asking(id) => Some(view! {
                    <ConfirmDialog
                        id="reset-question"
                        question=Signal::derive(move || t_string!(i18n, reset_mfa_question, name = name_of(id)).to_string())
                        confirm=Signal::derive(move || t_string!(i18n, reset_mfa).to_owned())
                        on_confirm=Callback::new(move |()| proceed())
                        on_cancel=Callback::new(move |()| reset.update(Removal::cancel))
                    />
                }.into_any()),
                Removal::ConfirmPassword(_) => Some(
                    view! { <ReauthForm inline=true on_confirmed=Callback::new(move |()| proceed()) /> }.into_any(),
                ),
                _ => None,
            }}
            <table class="readiness-table">
                <caption>{t!(i18n, readiness_not_enrolled)}</caption>
                <thead>
                    <tr>
                        {header(Column::Name, t_string!(i18n, column_name))}
                        {header(Column::Email, t_string!(i18n, column_email))}
                        {header(Column::LastSignIn, t_string!(i18n, column_last_sign_in))}
                        {header(Column::Reminders, t_string!(i18n, column_reminders))}
                        <th scope="col">{t!(i18n, column_actions)}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let can_remind = readiness().is_some_and(|r| r.days_left.is_some());
                        members().into_iter().map(|m: MemberReadiness| {
                            let id = m.user_id;
                            let last = m.last_sign_in_at.map(|t| format_date(i18n.get_locale(), t));
                            view! {
                                <tr>
                                    <th scope="row">
                                        {m.name.clone()}
                                        {m.needs_another_method.then(|| view! { " " <span class="badge">{t!(i18n, needs_another_method)}</span> })}
                                    </th>
                                    <td>{m.email.clone()}</td>
                                    <td>{move || last.clone().unwrap_or_else(|| t_string!(i18n, never_signed_in).to_owned())}</td>
                                    <td>{m.reminders_sent}</td>
                                    <td>
                                        {if m.enrolled {
                                            view! {
                                                <button type="button" on:click=move |_| reset.update(|r| r.ask(id))>{t!(i18n, reset_mfa)}</button>
                                            }.into_any()
                                        } else {
                                            view! {
                                                <button
                                                    type="button"
                                                    disabled=move || remind.pending().get() || !can_remind
                                                    on:click=move |_| { remind.dispatch((company, Some(id))); }
                                                >
                                                    {t!(i18n, send_reminder_now)}
                                                </button>
                                            }.into_any()
                                        }}
                                    </td>
                                </tr>
                            }
                        }).collect_view()
                    }}
                </tbody>
            </table>
            {move || readiness().map(|r| {
                let view = view_state.get();
                let (previous, next) = (view.previous(), view.next(r.matching));
                view! {
                    <nav class="pages" aria-label=t_string!(i18n, readiness_pages)>
                        <p role="status">
                            {match view.shown(r.members.len()) {
                                Some((first, last)) => t_string!(
                                    i18n,
                                    readiness_shown,
                                    first = first.to_string(),
                                    last = last.to_string(),
                                    total = r.matching.to_string()
                                ).to_string(),
                                None => t_string!(i18n, readiness_none_match).to_owned(),
                            }}
                        </p>
                        <div class="actions">
                            <button
                                type="button"
                                disabled=previous.is_none()
                                on:click=move |_| if let Some(v) = previous.clone() { view_state.set(v) }
                            >
                                {t!(i18n, previous_page)}
                            </button>
                            <button
                                type="button"
                                disabled=next.is_none()
                                on:click=move |_| if let Some(v) = next.clone() { view_state.set(v) }
                            >
                                {t!(i18n, next_page)}
                            </button>
                        </div>
                    </nav>
                }
            })}
        </section>
    }
}
