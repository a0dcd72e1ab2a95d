use leptos::prelude::*;
use mfa_api::PRODUCT_NAME;

use super::avatar_menu::AvatarMenu;
use crate::locale::LangSwitch;
use crate::session::Session;

#[component]
pub fn Header() -> impl IntoView {
    let session = Session::expect();
    view! {
        <header class="app-header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"2"</span>
                {PRODUCT_NAME}
            </a>
            <div class="header-actions">
                <LangSwitch />
                {move || session.me().map(|me| view! { <AvatarMenu name=me.user.name email=me.user.email /> })}
            </div>
        </header>
    }
}
