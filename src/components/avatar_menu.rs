//! The avatar button and its menu (WAI-ARIA menu button pattern): Enter,
//! Space or Down opens it on the first item; Up/Down/Home/End move; Escape
//! closes it and returns focus to the button; a click elsewhere closes it.

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::{t, t_string, use_i18n};
use crate::nav::{COMPANY_SETTINGS_PATH, PROFILE_PATH};

const MENU_ID: &str = "account-menu";

/// Up to two capital initials for the avatar.
pub fn initials(name: &str) -> String {
    let letters: String = name
        .split_whitespace()
        .filter_map(|word| word.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    if letters.is_empty() {
        "?".to_owned()
    } else {
        letters
    }
}

/// Which item gets focus after a key press, or `None` when the key is not ours.
pub fn next_index(key: &str, current: Option<usize>, count: usize) -> Option<usize> {
    if count == 0 {
        return None;
    }
    let last = count - 1;
    match key {
        "ArrowDown" => Some(current.map_or(0, |i| if i >= last { 0 } else { i + 1 })),
        "ArrowUp" => Some(current.map_or(last, |i| if i == 0 { last } else { i - 1 })),
        "Home" => Some(0),
        "End" => Some(last),
        _ => None,
    }
}

#[component]
pub fn AvatarMenu(
    name: String,
    email: String,
    /// Company admins get "Company Settings".
    #[prop(optional)]
    admin: bool,
    /// "Sign out" was chosen.
    on_sign_out: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let root = NodeRef::<html::Div>::new();
    let button = NodeRef::<html::Button>::new();
    let menu = NodeRef::<html::Ul>::new();

    let items = move || -> Vec<web_sys::HtmlElement> {
        let Some(menu) = menu.get_untracked() else {
            return Vec::new();
        };
        let Ok(list) = menu.query_selector_all("[role=menuitem]") else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.item(i)?.dyn_into::<web_sys::HtmlElement>().ok())
            .collect()
    };
    let focus_item = move |index: usize| {
        if let Some(item) = items().get(index) {
            let _ = item.focus();
        }
    };
    let close = move |refocus: bool| {
        open.set(false);
        if refocus && let Some(b) = button.get_untracked() {
            let _ = b.focus();
        }
    };

    // Focus the first item once the menu is in the DOM.
    Effect::new(move |_| {
        if open.get() {
            request_animation_frame(move || focus_item(0));
        }
    });

    let outside = window_event_listener(ev::pointerdown, move |event| {
        if !open.get_untracked() {
            return;
        }
        let target = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        let inside = root
            .get_untracked()
            .is_some_and(|r| r.contains(target.as_ref()));
        if !inside {
            close(false);
        }
    });
    on_cleanup(move || outside.remove());

    let on_button_key = move |event: ev::KeyboardEvent| {
        if matches!(event.key().as_str(), "ArrowDown" | "ArrowUp") {
            event.prevent_default();
            open.set(true);
        }
    };
    let on_menu_key = move |event: ev::KeyboardEvent| {
        let key = event.key();
        match key.as_str() {
            "Escape" => {
                event.prevent_default();
                close(true);
            }
            "Tab" => close(false),
            _ => {
                let list = items();
                let active = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.active_element());
                let current = list
                    .iter()
                    .position(|item| active.as_ref() == Some(item.unchecked_ref()));
                if let Some(index) = next_index(&key, current, list.len()) {
                    event.prevent_default();
                    focus_item(index);
                }
            }
        }
    };
    let sign_out = move |_| {
        close(false);
        on_sign_out.run(());
    };

    let avatar = initials(&name);
    view! {
        <div class="avatar-menu" node_ref=root>
            <button
                type="button"
                class="avatar"
                // Drawn by CSS from this attribute: decoration, not part of the name.
                data-initials=avatar
                node_ref=button
                aria-haspopup="menu"
                aria-controls=MENU_ID
                aria-expanded=move || open.get().to_string()
                aria-label=move || t_string!(i18n, account_menu)
                title=email.clone()
                on:click=move |_| open.update(|o| *o = !*o)
                on:keydown=on_button_key
            >
            </button>
            <Show when=move || open.get()>
                <div class="menu-panel">
                    <p class="menu-identity">
                        <span class="menu-caption">{t!(i18n, signed_in_as)}</span>
                        <strong>{name.clone()}</strong>
                        <span class="menu-email">{email.clone()}</span>
                    </p>
                    <ul
                        role="menu"
                        id=MENU_ID
                        node_ref=menu
                        aria-label=move || t_string!(i18n, account_menu)
                        on:keydown=on_menu_key
                    >
                        <li role="none">
                            <a role="menuitem" href=PROFILE_PATH tabindex="-1" on:click=move |_| close(false)>
                                {t!(i18n, menu_profile_settings)}
                            </a>
                        </li>
                        {admin.then(|| view! {
                            <li role="none">
                                <a role="menuitem" href=COMPANY_SETTINGS_PATH tabindex="-1" on:click=move |_| close(false)>
                                    {t!(i18n, menu_company_settings)}
                                </a>
                            </li>
                        })}
                        <li role="none">
                            <button role="menuitem" type="button" tabindex="-1" on:click=sign_out>
                                {t!(i18n, menu_sign_out)}
                            </button>
                        </li>
                    </ul>
                </div>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_take_the_first_two_words() {
        assert_eq!(initials("Morgan Member"), "MM");
        assert_eq!(initials("pat"), "P");
        assert_eq!(initials("Jean-Luc de la Tour"), "JD");
        assert_eq!(initials("élodie durand"), "ÉD");
        assert_eq!(initials("  "), "?");
    }

    #[test]
    fn arrow_keys_wrap_around() {
        assert_eq!(next_index("ArrowDown", None, 2), Some(0));
        assert_eq!(next_index("ArrowDown", Some(0), 2), Some(1));
        assert_eq!(next_index("ArrowDown", Some(1), 2), Some(0));
        assert_eq!(next_index("ArrowUp", Some(0), 2), Some(1));
        assert_eq!(next_index("ArrowUp", None, 2), Some(1));
        assert_eq!(next_index("Home", Some(1), 2), Some(0));
        assert_eq!(next_index("End", Some(0), 2), Some(1));
        assert_eq!(next_index("a", Some(0), 2), None);
        assert_eq!(next_index("ArrowDown", None, 0), None);
    }
}
