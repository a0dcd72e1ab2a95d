use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_location;
use mfa_api::Role;

use crate::components::tabs::{TabLink, Tabs};
use crate::components::two_factor::TwoFactorSection;
use crate::document::page_title;
use crate::i18n::{t, t_string, use_i18n};
use crate::session::Session;

const PANEL_ID: &str = "profile-panel";
pub const SECURITY_PATH: &str = "/profile/security";

/// My Profile Settings: the tab strip, and the selected tab below it.
#[component]
pub fn ProfileSettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    page_title(move || t_string!(i18n, profile_settings_title).to_owned());
    let selected =
        Signal::derive(move || usize::from(location.pathname.get().starts_with(SECURITY_PATH)));
    let tabs = vec![
        TabLink {
            href: "/profile",
            id: "tab-profile",
            label: Signal::derive(move || t_string!(i18n, tab_profile).to_owned()),
        },
        TabLink {
            href: SECURITY_PATH,
            id: "tab-security",
            label: Signal::derive(move || t_string!(i18n, tab_security).to_owned()),
        },
    ];
    let labelled_by = move || {
        if selected.get() == 1 {
            "tab-security"
        } else {
            "tab-profile"
        }
    };
    view! {
        <h1>{t!(i18n, profile_settings_title)}</h1>
        <Tabs
            tabs=tabs
            selected=selected
            label=Signal::derive(move || t_string!(i18n, profile_tabs_label).to_owned())
            panel_id=PANEL_ID
        />
        <div class="tab-panel" role="tabpanel" id=PANEL_ID aria-labelledby=labelled_by>
            <Outlet />
        </div>
    }
}

/// The Profile tab: who you are, read-only here.
#[component]
pub fn ProfileTab() -> impl IntoView {
    let i18n = use_i18n();
    let session = Session::expect();
    move || {
        session.me().map(|me| {
            let membership = me.primary_membership().cloned();
            let company = membership
                .as_ref()
                .map(|m| m.company.name.clone())
                .unwrap_or_default();
            let role = move || match membership.as_ref() {
                Some(m) => {
                    let role = match m.role {
                        Role::Admin => t_string!(i18n, role_admin),
                        Role::Member => t_string!(i18n, role_member),
                    };
                    if m.payee {
                        format!("{role}, {}", t_string!(i18n, role_payee_suffix))
                    } else {
                        role.to_owned()
                    }
                }
                None => String::new(),
            };
            view! {
                <section class="card">
                    <dl class="facts">
                        <dt>{t!(i18n, profile_name)}</dt>
                        <dd>{me.user.name.clone()}</dd>
                        <dt>{t!(i18n, profile_email)}</dt>
                        <dd>{me.user.email.clone()}</dd>
                        <dt>{t!(i18n, profile_company)}</dt>
                        <dd>{company}</dd>
                        <dt>{t!(i18n, profile_role)}</dt>
                        <dd>{role}</dd>
                    </dl>
                </section>
            }
        })
    }
}

/// The Password & Security tab.
#[component]
pub fn SecurityTab() -> impl IntoView {
    let session = Session::expect();
    let required = Signal::derive(move || {
        session
            .me()
            .is_some_and(|me| me.memberships.iter().any(|m| m.payee))
    });
    view! { <TwoFactorSection required=required /> }
}
