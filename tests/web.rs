//! Components in a real browser: `cargo test --target wasm32-unknown-unknown`
//! (wasm-bindgen-test-runner drives headless Chromium through chromedriver).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use leptos_router::components::Router;
use mfa_app::components::avatar_menu::AvatarMenu;
use mfa_app::components::two_factor::TwoFactorSection;
use mfa_app::i18n::I18nContextProvider;
use mfa_app::locale::LangSwitch;
use mfa_app::session::Session;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn container() -> web_sys::HtmlElement {
    let el = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&el).unwrap();
    el.unchecked_into()
}

fn find(root: &web_sys::HtmlElement, selector: &str) -> web_sys::HtmlElement {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("{selector} not found"))
        .unchecked_into()
}

fn texts(root: &web_sys::HtmlElement, selector: &str) -> Vec<String> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .map(|i| {
            list.item(i)
                .unwrap()
                .text_content()
                .unwrap_or_default()
                .trim()
                .to_owned()
        })
        .collect()
}

#[wasm_bindgen_test]
async fn two_factor_section_offers_both_methods() {
    let root = container();
    let required = RwSignal::new(false);
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <I18nContextProvider><TwoFactorSection required=required /></I18nContextProvider> }
    });
    leptos::task::tick().await;
    assert_eq!(
        find(&root, "h2").text_content().unwrap(),
        "Two-Factor Authentication (2FA)"
    );
    assert_eq!(
        texts(&root, ".actions button"),
        ["Add Authenticator App", "Add Phone Number"]
    );
    assert!(root.query_selector(".notice").unwrap().is_none());

    required.set(true);
    leptos::task::tick().await;
    assert!(
        find(&root, ".notice")
            .text_content()
            .unwrap()
            .contains("payee")
    );
}

#[wasm_bindgen_test]
async fn language_switch_flips_labels_and_html_lang() {
    let root = container();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <I18nContextProvider>
                <LangSwitch />
                <TwoFactorSection required=false />
            </I18nContextProvider>
        }
    });
    leptos::task::tick().await;
    let switch = find(&root, ".lang-switch");
    let before = switch.text_content().unwrap();
    switch.click();
    leptos::task::tick().await;
    let after = switch.text_content().unwrap();
    assert_ne!(before, after);
    let lang = document()
        .document_element()
        .unwrap()
        .get_attribute("lang")
        .unwrap();
    let heading = find(&root, "h2").text_content().unwrap();
    if lang == "fr" {
        assert_eq!(after, "English");
        assert_eq!(heading, "Authentification à deux facteurs (2FA)");
    } else {
        assert_eq!(after, "Français");
        assert_eq!(heading, "Two-Factor Authentication (2FA)");
    }
}

#[wasm_bindgen_test]
async fn avatar_menu_opens_and_closes() {
    let root = container();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <Router>
                <I18nContextProvider>
                    {Session::provide();
                    view! { <AvatarMenu name="Morgan Member".to_owned() email="member@demo.test".to_owned() /> }}
                </I18nContextProvider>
            </Router>
        }
    });
    leptos::task::tick().await;
    let button = find(&root, "button.avatar");
    assert_eq!(button.text_content().unwrap(), "MM");
    assert_eq!(
        button.get_attribute("aria-haspopup").as_deref(),
        Some("menu")
    );
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert!(root.query_selector("[role=menu]").unwrap().is_none());

    button.click();
    leptos::task::tick().await;
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    assert_eq!(texts(&root, "[role=menuitem]").len(), 2);

    button.click();
    leptos::task::tick().await;
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert!(root.query_selector("[role=menu]").unwrap().is_none());
}
