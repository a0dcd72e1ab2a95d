//! The language switch and its memory (localStorage, so the choice survives
//! reloads without a cookie the server would have to read).

use leptos::prelude::*;

use leptos_i18n::{I18nContext, Locale as _};

use crate::i18n::{Locale, t, t_string, use_i18n};

const STORAGE_KEY: &str = "mfa.locale";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Restores the saved language and saves every change. Both run as effects,
/// after the provider's own effect, which sets the browser's language first.
pub fn persist(i18n: I18nContext<Locale>) {
    let saved = storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|v| v.parse::<Locale>().ok());
    if let Some(saved) = saved {
        Effect::new(move |_| i18n.set_locale(saved));
    }
    Effect::new(move |_| {
        let locale = i18n.get_locale();
        if let Some(s) = storage() {
            // Private browsing may refuse: the choice then lasts for this page only.
            let _ = s.set_item(STORAGE_KEY, locale.as_str());
        }
    });
}

/// The other language of the two.
pub fn other(locale: Locale) -> Locale {
    match locale {
        Locale::en => Locale::fr,
        Locale::fr => Locale::en,
    }
}

/// A button named, in its own language, after the language it switches to.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let target = move || other(i18n.get_locale());
    view! {
        <button
            type="button"
            class="lang-switch"
            lang=move || target().as_str()
            title=move || t_string!(i18n, language_switch_label)
            on:click=move |_| i18n.set_locale(other(i18n.get_locale_untracked()))
        >
            {t!(i18n, language_switch)}
        </button>
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::i18n::{Locale, td_string};

    fn strings(json: &str) -> BTreeMap<String, String> {
        serde_json::from_str(json).expect("a flat JSON object of strings")
    }

    /// leptos_i18n only warns about a missing key; a missing translation must fail the build.
    #[test]
    fn every_key_exists_in_both_languages() {
        let en = strings(include_str!("../locales/en.json"));
        let fr = strings(include_str!("../locales/fr.json"));
        let en_keys: Vec<_> = en.keys().collect();
        let fr_keys: Vec<_> = fr.keys().collect();
        assert_eq!(en_keys, fr_keys);
        for (key, value) in en.iter().chain(fr.iter()) {
            assert!(!value.trim().is_empty(), "{key} is empty");
        }
    }

    #[test]
    fn translations_resolve_on_the_host() {
        assert_eq!(
            td_string!(Locale::en, add_authenticator_app),
            "Add Authenticator App"
        );
        assert_eq!(td_string!(Locale::en, tab_security), "Password & Security");
        assert_eq!(td_string!(Locale::fr, menu_sign_out), "Se déconnecter");
        assert_eq!("fr".parse::<Locale>().ok(), Some(Locale::fr));
        assert_eq!(super::other(Locale::fr), Locale::en);
    }
}
