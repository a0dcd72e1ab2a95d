//! Company Settings' "Members" section, for admins: "Invite member" (email,
//! name, role) and the invitations still waiting, each with "Resend
//! invitation" and "Revoke invitation".

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use mfa_api::{CompanyRole, InviteRequest, PendingInvitation};

use crate::api;
use crate::dates::format_date;
use crate::errors::error_text;
use crate::form::{error_message, invalid, on_answer};
use crate::i18n::{Locale, t, t_string, td_string, use_i18n};
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
    let roles = [CompanyRole::Member, CompanyRole::Admin, CompanyRole::Payee];
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
            <div class="field">
                <label for="invite-role">{t!(i18n, role_label)}</label>
                <select id="invite-role" on:change=move |ev| {
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
            <p id="invite-error" class="error" role="alert">{error_message(send)}</p>
            <div class="actions">
                <button type="submit" class="primary" disabled=move || send.pending().get()>
                    {move || if send.pending().get() { t_string!(i18n, working) } else { t_string!(i18n, send_invitation) }}
                </button>
            </div>
        </form>
    }
}
