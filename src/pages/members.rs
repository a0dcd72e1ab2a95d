//! Company Settings' "Members" section, for admins: "Invite member" (email,
//! name, role), the invitations still waiting, each with "Resend
//! invitation" and "Revoke invitation", and the people in the company,
//! each with "Change role" and "Remove from company".

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use mfa_api::{CompanyRole, ImportStatus, InviteRequest, MemberSummary, PendingInvitation, Role};

use super::reauth::ReauthForm;
use crate::api;
use crate::browser;
use crate::components::confirm::ConfirmDialog;
use crate::components::form_controls::SubmitButton;
use crate::dates::format_date;
use crate::document::page_title;
use crate::errors::error_text;
use crate::flows::{MemberChange, Removal};
use crate::form::{error_message, invalid, on_answer};
use crate::i18n::{Locale, t, t_string, td_string, use_i18n};
use crate::nav::{COMPANY_MEMBERS_PATH, COMPANY_SETTINGS_PATH};
use crate::session::Session;

#[component]
pub fn MembersSection(company: i64) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let load = session.action(move |&()| api::invitations(company));
    load.dispatch(());
    let inviting = RwSignal::new(false);
    // What the last action did, said in the status line.
    let done = RwSignal::new(None::<String>);
    let resend = session.action(move |&id: &i64| api::resend_invitation(company, id));
    let revoke = session.action(move |invitation: &PendingInvitation| {
        let id = invitation.id;
        async move { api::revoke_invitation(company, id).await }
    });
    on_answer(resend, move |answer| {
        if let Ok(invitation) = answer {
            done.set(Some(
                t_string!(i18n, invitation_resent, email = invitation.email).to_string(),
            ));
            load.dispatch(());
        }
    });
    let revoking = StoredValue::new(None::<String>);
    on_answer(revoke, move |answer| {
        if answer.is_ok() {
            let email = revoking.get_value().unwrap_or_default();
            done.set(Some(
                t_string!(i18n, invitation_revoked, email = email).to_string(),
            ));
            load.dispatch(());
        }
    });
    let on_sent = Callback::new(move |email: String| {
        inviting.set(false);
        done.set(Some(
            t_string!(i18n, invitation_sent, email = email).to_string(),
        ));
        load.dispatch(());
    });
    let on_imported = Callback::new(move |count: usize| {
        done.set(Some(
            t_string!(i18n, invitations_imported, count = count.to_string()).to_string(),
        ));
        load.dispatch(());
    });
    let invitations = move || {
        load.value()
            .get()
            .and_then(Result::ok)
            .map(|list| list.invitations)
            .unwrap_or_default()
    };
    let failure = move || {
        resend
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| revoke.value().get().and_then(Result::err))
            .or_else(|| load.value().get().and_then(Result::err))
            .map(|e| error_text(i18n.get_locale(), &e))
    };
    view! {
        <section class="card" aria-labelledby="members-heading">
            <h2 id="members-heading">{t!(i18n, members_heading)}</h2>
            <p>{t!(i18n, members_intro)}</p>
            <div class="actions">
                <button type="button" aria-expanded=move || inviting.get().to_string() on:click=move |_| {
                    done.set(None);
                    inviting.update(|open| *open = !*open);
                }>
                    {t!(i18n, invite_member)}
                </button>
            </div>
            <Show when=move || inviting.get()>
                <InviteForm company=company on_sent=on_sent />
            </Show>
            <p class="hint" role="status">{move || done.get()}</p>
            <p class="error" role="alert">{failure}</p>
            <h3 class="small-heading">{t!(i18n, pending_invitations)}</h3>
            {move || {
                let list = invitations();
                if list.is_empty() {
                    return view! { <p>{t!(i18n, no_pending_invitations)}</p> }.into_any();
                }
                view! {
                    <ul class="invitations">
                        {list.into_iter().map(|invitation| {
                            let for_revoke = invitation.clone();
                            let id = invitation.id;
                            let expiry = move || {
                                if invitation.expired {
                                    t_string!(i18n, invitation_link_expired).to_string()
                                } else {
                                    t_string!(i18n, invitation_expires, date = format_date(i18n.get_locale(), invitation.expires_at)).to_string()
                                }
                            };
                            let role = move || role_label(i18n.get_locale(), invitation.role);
                            view! {
                                <li class="invitation">
                                    <p>
                                        <strong>{invitation.name.clone()}</strong>
                                        " · " {invitation.email.clone()} " · " {role}
                                        <br />
                                        <span class="hint">{expiry}</span>
                                    </p>
                                    <div class="actions">
                                        <button type="button" disabled=move || resend.pending().get() on:click=move |_| { done.set(None); resend.dispatch(id); }>
                                            {t!(i18n, resend_invitation)}
                                        </button>
                                        <button type="button" class="danger" disabled=move || revoke.pending().get() on:click=move |_| {
                                            done.set(None);
                                            revoking.set_value(Some(for_revoke.email.clone()));
                                            revoke.dispatch(for_revoke.clone());
                                        }>
                                            {t!(i18n, revoke_invitation)}
                                        </button>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <ImportMembers company=company on_imported=on_imported />
            <p><A href=COMPANY_MEMBERS_PATH>{t!(i18n, manage_members)}</A></p>
        </section>
    }
}

fn role_label(locale: Locale, role: CompanyRole) -> String {
    match role {
        CompanyRole::Member => td_string!(locale, role_member).to_string(),
        CompanyRole::Admin => td_string!(locale, role_admin).to_string(),
        CompanyRole::Payee => td_string!(locale, role_payee).to_string(),
    }
}

/// "Email", "Name", "Role", "Send invitation".
#[component]
fn InviteForm(company: i64, on_sent: Callback<String>) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(CompanyRole::Member);
    let send = session.action(move |request: &InviteRequest| api::invite(company, request.clone()));
    on_answer(send, move |answer| {
        if let Ok(invitation) = answer {
            on_sent.run(invitation.email);
        }
    });
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if send.pending().get_untracked() {
            return;
        }
        send.dispatch(InviteRequest {
            email: email.get_untracked(),
            name: name.get_untracked(),
            role: role.get_untracked(),
        });
    };
    view! {
        <form class="form" on:submit=on_submit>
            <div class="field">
                <label for="invite-email">{t!(i18n, email_label)}</label>
                <input id="invite-email" type="email" required data-autofocus aria-invalid=invalid(send) aria-describedby="invite-error" bind:value=email />
            </div>
            <div class="field">
                <label for="invite-name">{t!(i18n, name_label)}</label>
                <input id="invite-name" type="text" required maxlength="100" autocomplete="off" bind:value=name />
            </div>
            <RoleSelect id="invite-role" role=role />
            <p id="invite-error" class="error" role="alert">{error_message(send)}</p>
            <div class="actions">
                <SubmitButton pending=move || send.pending().get() label=move || t_string!(i18n, send_invitation) />
            </div>
        </form>
    }
}

/// "Members": the people in the company (its admins only), on a page of
/// its own so that a member's row is not beside their readiness row.
#[component]
pub fn CompanyMembersPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    page_title(move || t_string!(i18n, members_heading).to_owned());
    let company = session.me().and_then(|me| {
        me.memberships
            .iter()
            .find(|m| m.role == Role::Admin)
            .map(|m| m.company.id)
    });
    view! {
        <h1>{t!(i18n, members_heading)}</h1>
        <p><A href=COMPANY_SETTINGS_PATH>{t!(i18n, back_to_company_settings)}</A></p>
        {match company {
            Some(company) => view! { <section class="card"><MemberList company=company /></section> }.into_any(),
            None => view! { <p class="error" role="alert">{t!(i18n, error_forbidden)}</p> }.into_any(),
        }}
    }
}

/// The people in the company, a page at a time, with "Change role" and
/// "Remove from company" (asked, then the password when needed).
#[component]
fn MemberList(company: i64) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let filter = RwSignal::new(String::new());
    let page = RwSignal::new(1u32);
    let load = session
        .action(move |(filter, page): &(String, u32)| api::members(company, filter.clone(), *page));
    Effect::new(move |_| {
        load.dispatch((filter.get(), page.get()));
    });
    let flow = RwSignal::new(Removal::<MemberChange>::Idle);
    let done = RwSignal::new(None::<String>);
    let announce = StoredValue::new(None::<String>);
    let change = session.action(move |change: &MemberChange| {
        let change = change.clone();
        async move {
            match change {
                MemberChange::Role { user_id, role, .. } => {
                    api::set_member_role(company, user_id, role).await
                }
                MemberChange::Remove { user_id, .. } => api::remove_member(company, user_id).await,
            }
        }
    });
    let proceed = move || {
        if let Some(next) = flow.try_update(Removal::proceed).flatten() {
            done.set(None);
            change.dispatch(next);
        }
    };
    on_answer(change, move |answer| {
        let made = flow.with_untracked(|f| match f {
            Removal::Removing(change) => Some(change.clone()),
            _ => None,
        });
        flow.update(|f| f.finished(&answer));
        if let (Ok(()), Some(made)) = (&answer, made) {
            let locale = i18n.get_locale_untracked();
            announce.set_value(Some(match made {
                MemberChange::Role { name, role, .. } => td_string!(
                    locale,
                    role_changed,
                    name = name,
                    role = role_label(locale, role)
                )
                .to_string(),
                MemberChange::Remove { name, .. } => {
                    td_string!(locale, member_removed, name = name).to_string()
                }
            }));
            load.dispatch((filter.get_untracked(), page.get_untracked()));
        }
    });
    // Said once the list shows the change, not before.
    on_answer(load, move |_| {
        if let Some(message) = announce.try_update_value(Option::take).flatten() {
            done.set(Some(message));
        }
    });
    let answer = move || load.value().get().and_then(Result::ok);
    let rows = move || answer().map(|a| a.members).unwrap_or_default();
    let pages = move || {
        answer().map_or(1, |a| {
            a.matching
                .div_ceil(mfa_api::READINESS_PAGE_SIZE as usize)
                .max(1) as u32
        })
    };
    view! {
        <h2>{t!(i18n, members_list)}</h2>
        <div class="field">
            <label for="members-filter">{t!(i18n, filter_label)}</label>
            <input id="members-filter" type="search" prop:value=move || filter.get() on:input=move |ev| {
                filter.set(event_target_value(&ev));
                page.set(1);
            } />
        </div>
        <p class="hint" role="status">{move || done.get()}</p>
        <p class="error" role="alert">
            {move || {
                flow.with(|f| f.error().cloned())
                    .or_else(|| load.value().get().and_then(Result::err))
                    .map(|e| error_text(i18n.get_locale(), &e))
            }}
        </p>
        {move || match flow.get() {
            Removal::Asking(MemberChange::Role { user_id, name, role }) => Some(view! {
                <RoleForm
                    name=name
                    role=role
                    on_save=Callback::new(move |(name, role): (String, CompanyRole)| {
                        flow.set(Removal::Asking(MemberChange::Role { user_id, name, role }));
                        proceed();
                    })
                    on_cancel=Callback::new(move |()| flow.update(Removal::cancel))
                />
            }.into_any()),
            Removal::Asking(MemberChange::Remove { name, .. }) => Some(view! {
                <ConfirmDialog
                    id="remove-member-question"
                    question=Signal::derive(move || t_string!(i18n, remove_member_question, name = name.clone()).to_string())
                    confirm=Signal::derive(move || t_string!(i18n, remove_from_company).to_owned())
                    on_confirm=Callback::new(move |()| proceed())
                    on_cancel=Callback::new(move |()| flow.update(Removal::cancel))
                />
            }.into_any()),
            Removal::ConfirmPassword(_) => Some(
                view! { <ReauthForm inline=true on_confirmed=Callback::new(move |()| proceed()) /> }.into_any(),
            ),
            _ => None,
        }}
        <table class="readiness-table members-table">
            <caption>{t!(i18n, members_list)}</caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, column_name)}</th>
                    <th scope="col">{t!(i18n, column_email)}</th>
                    <th scope="col">{t!(i18n, column_role)}</th>
                    <th scope="col">{t!(i18n, column_two_factor)}</th>
                    <th scope="col">{t!(i18n, column_last_sign_in)}</th>
                    <th scope="col">{t!(i18n, column_actions)}</th>
                </tr>
            </thead>
            <tbody>
                {move || rows().into_iter().map(|m: MemberSummary| {
                    let last = m.last_sign_in_at.map(|t| format_date(i18n.get_locale(), t));
                    let (user_id, name, role) = (m.user_id, m.name.clone(), m.role);
                    let remove_name = m.name.clone();
                    view! {
                        <tr>
                            <th scope="row">{m.name.clone()}</th>
                            <td>{m.email.clone()}</td>
                            <td>{move || role_label(i18n.get_locale(), role)}</td>
                            <td>{move || if m.enrolled { t_string!(i18n, member_enrolled) } else { t_string!(i18n, member_not_enrolled) }}</td>
                            <td>{move || last.clone().unwrap_or_else(|| t_string!(i18n, never_signed_in).to_owned())}</td>
                            <td class="row-actions">
                                <button type="button" on:click=move |_| flow.set(Removal::Asking(MemberChange::Role { user_id, name: name.clone(), role }))>
                                    {t!(i18n, change_role)}
                                </button>
                                <button type="button" on:click=move |_| flow.set(Removal::Asking(MemberChange::Remove { user_id, name: remove_name.clone() }))>
                                    {t!(i18n, remove_from_company)}
                                </button>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <div class="actions">
            <button type="button" disabled={move || page.get() <= 1} on:click=move |_| page.update(|p| *p = p.saturating_sub(1).max(1))>
                {t!(i18n, previous_page)}
            </button>
            <button type="button" disabled={move || page.get() >= pages()} on:click=move |_| page.update(|p| *p += 1)>
                {t!(i18n, next_page)}
            </button>
        </div>
    }
}

/// "Role" for one member, and "Save role".
#[component]
fn RoleForm(
    name: String,
    role: CompanyRole,
    on_save: Callback<(String, CompanyRole)>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = RwSignal::new(role);
    let heading = name.clone();
    view! {
        <section class="card confirm" role="dialog" aria-labelledby="role-heading">
            <p id="role-heading"><strong>{heading}</strong></p>
            <form class="form" on:submit=move |ev: SubmitEvent| {
                ev.prevent_default();
                on_save.run((name.clone(), chosen.get_untracked()));
            }>
                <RoleSelect id="member-role" role=chosen />
                <div class="actions">
                    <button type="submit" class="primary">{t!(i18n, save_role)}</button>
                    <button type="button" on:click=move |_| on_cancel.run(())>{t!(i18n, cancel)}</button>
                </div>
            </form>
        </section>
    }
}

/// "Role": Member, Company admin, Payee.
#[component]
fn RoleSelect(id: &'static str, role: RwSignal<CompanyRole>) -> impl IntoView {
    let i18n = use_i18n();
    let roles = [CompanyRole::Member, CompanyRole::Admin, CompanyRole::Payee];
    view! {
        <div class="field">
            <label for=id>{t!(i18n, role_label)}</label>
            <select id=id data-autofocus on:change=move |ev| {
                role.set(match event_target_value(&ev).as_str() {
                    "admin" => CompanyRole::Admin,
                    "payee" => CompanyRole::Payee,
                    _ => CompanyRole::Member,
                });
            }>
                {roles.into_iter().map(|r| {
                    let value = match r {
                        CompanyRole::Member => "member",
                        CompanyRole::Admin => "admin",
                        CompanyRole::Payee => "payee",
                    };
                    view! { <option value=value selected=move || role.get() == r>{move || role_label(i18n.get_locale(), r)}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// "Import members": a CSV file, previewed row by row as soon as it is
/// chosen, then "Send N invitations" for the rows that will be invited.
#[component]
fn ImportMembers(company: i64, on_imported: Callback<usize>) -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    let csv = StoredValue::new(String::new());
    let preview = session.action(move |text: &String| api::preview_import(company, text.clone()));
    let import = session.action(move |text: &String| api::import_members(company, text.clone()));
    on_answer(import, move |answer| {
        if let Ok(done) = answer {
            preview.clear();
            on_imported.run(done.invited);
        }
    });
    let on_change = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        leptos::task::spawn_local(async move {
            if let Some(text) = browser::chosen_file_text(&input).await {
                csv.set_value(text.clone());
                import.clear();
                preview.dispatch(text);
            }
        });
    };
    let status = move |row: &mfa_api::ImportRow| {
        let locale = i18n.get_locale();
        match (row.status, row.error.as_deref()) {
            (ImportStatus::Invite, _) => td_string!(locale, import_will_invite).to_string(),
            (ImportStatus::AlreadyMember, _) => {
                td_string!(locale, import_already_member).to_string()
            }
            (ImportStatus::AlreadyInvited, _) => {
                td_string!(locale, import_already_invited).to_string()
            }
            (ImportStatus::Error, Some("invalid_email")) => {
                td_string!(locale, import_error_invalid_email).to_string()
            }
            (ImportStatus::Error, Some("unknown_role")) => {
                td_string!(locale, import_error_unknown_role).to_string()
            }
            (ImportStatus::Error, Some("duplicate")) => {
                td_string!(locale, import_error_duplicate).to_string()
            }
            (ImportStatus::Error, _) => td_string!(locale, import_error_missing_name).to_string(),
        }
    };
    view! {
        <div class="field">
            <label for="import-members">{t!(i18n, import_members)}</label>
            <input id="import-members" type="file" accept=".csv,text/csv" aria-describedby="import-hint import-error" on:change=on_change />
            <p id="import-hint" class="hint">{t!(i18n, import_hint)}</p>
        </div>
        <p id="import-error" class="error" role="alert">
            {move || {
                preview.value().get().and_then(Result::err)
                    .or_else(|| import.value().get().and_then(Result::err))
                    .map(|e| error_text(i18n.get_locale(), &e))
            }}
        </p>
        {move || preview.value().get().and_then(Result::ok).map(|seen| {
            let count = seen.to_invite;
            view! {
                <table class="readiness-table import-preview">
                    <caption>{t!(i18n, import_preview)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, column_line)}</th>
                            <th scope="col">{t!(i18n, column_email)}</th>
                            <th scope="col">{t!(i18n, column_name)}</th>
                            <th scope="col">{t!(i18n, column_result)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {seen.rows.into_iter().map(|row| {
                            let said = status(&row);
                            view! {
                                <tr class=if row.status == ImportStatus::Error { "import-error" } else { "" }>
                                    <td>{row.line}</td>
                                    <th scope="row">{row.email}</th>
                                    <td>{row.name}</td>
                                    <td>{said}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <div class="actions">
                    <button type="button" class="primary" disabled=move || count == 0 || import.pending().get() on:click=move |_| { import.dispatch(csv.get_value()); }>
                        {move || t_string!(i18n, send_invitations, count = count.to_string()).to_string()}
                    </button>
                </div>
            }
        })}
    }
}
