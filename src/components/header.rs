use leptos::prelude::*;
use mfa_api::{Me, PRODUCT_NAME, Role};

use super::avatar_menu::AvatarMenu;
use crate::locale::LangSwitch;
use crate::nav::HOME_PATH;

/// The top bar: product name, language, and (signed in) the account menu.
#[component]
pub fn Header(
    #[prop(into)] me: Signal<Option<Me>>,
    /// "Sign out" was chosen in the account menu.
    on_sign_out: Callback<()>,
) -> impl IntoView {
    view! {
        <header class="app-header">
            <a class="brand" href=HOME_PATH>
                <span class="brand-mark" aria-hidden="true">"2"</span>
                {PRODUCT_NAME}
            </a>
            <div class="header-actions">
                <LangSwitch />
                {move || {
                    me.get()
                        .map(|me| {
                            let admin = me.memberships.iter().any(|m| m.role == Role::Admin);
                            view! { <AvatarMenu name=me.user.name email=me.user.email admin=admin on_sign_out=on_sign_out /> }
                        })
                }}
            </div>
        </header>
    }
}
