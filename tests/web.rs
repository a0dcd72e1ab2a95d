//! Components in a real browser: `cargo test --target wasm32-unknown-unknown`
//! (wasm-bindgen-test-runner drives headless Chromium through chromedriver).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use leptos_router::components::Router;
use mfa_api::{
    FactorInfo, FactorKind, MfaRequirement, RecoveryCodeState, RequiredBecause, TwoFactorStatus,
};
use mfa_app::components::avatar_menu::AvatarMenu;
use mfa_app::components::qr::QrImage;
use mfa_app::components::recovery_code::RecoveryCodePanel;
use mfa_app::components::two_factor::TwoFactorSection;
use mfa_app::i18n::I18nContextProvider;
use mfa_app::locale::LangSwitch;
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

/// The section with callbacks that record what was asked of the page.
fn section(status: RwSignal<TwoFactorStatus>, asked: RwSignal<Vec<String>>) -> impl IntoView {
    view! {
        <I18nContextProvider>
            <TwoFactorSection
                status=status
                on_add_authenticator=Callback::new(move |()| asked.update(|a| a.push("add".into())))
                on_add_phone=Callback::new(move |()| asked.update(|a| a.push("phone".into())))
                on_add_passkey=Callback::new(move |()| asked.update(|a| a.push("passkey".into())))
                on_rename_passkey=Callback::new(move |id: i64| asked.update(|a| a.push(format!("rename {id}"))))
                on_prefer_factor=Callback::new(move |id: i64| asked.update(|a| a.push(format!("prefer {id}"))))
                on_remove_factor=Callback::new(move |id: i64| asked.update(|a| a.push(format!("remove {id}"))))
                on_new_recovery_code=Callback::new(move |()| asked.update(|a| a.push("new code".into())))
            />
        </I18nContextProvider>
    }
}

#[wasm_bindgen_test]
async fn two_factor_section_offers_both_methods() {
    let root = container();
    let status = RwSignal::new(TwoFactorStatus::default());
    let asked = RwSignal::new(Vec::new());
    let _handle = leptos::mount::mount_to(root.clone(), move || section(status, asked));
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
    find(&root, ".actions button.primary").click();
    leptos::task::tick().await;
    assert_eq!(asked.get_untracked(), ["add"]);

    status.update(|s| {
        s.requirement = MfaRequirement::Required {
            because: RequiredBecause::Payee,
        }
    });
    leptos::task::tick().await;
    assert!(
        find(&root, ".notice")
            .text_content()
            .unwrap()
            .contains("payee")
    );
}

#[wasm_bindgen_test]
async fn with_two_factors_one_is_preferred_and_the_other_can_become_it() {
    let root = container();
    let factor = |id, kind, label: Option<&str>, preferred| FactorInfo {
        id,
        kind,
        label: label.map(str::to_owned),
        added_at: 1_795_824_000,
        last_used_at: None,
        preferred,
    };
    let status = RwSignal::new(TwoFactorStatus {
        enabled: true,
        requirement: MfaRequirement::Optional,
        factors: vec![
            factor(3, FactorKind::Sms, Some("+33 • •• •• •• 78"), true),
            factor(2, FactorKind::AuthenticatorApp, None, false),
        ],
        recovery_code: None,
        deadline: None,
        allowed_methods: mfa_api::all_methods(),
    });
    let asked = RwSignal::new(Vec::new());
    let _handle = leptos::mount::mount_to(root.clone(), move || section(status, asked));
    leptos::task::tick().await;
    assert_eq!(
        texts(&root, ".method strong"),
        ["Text message (SMS)", "Authenticator app"]
    );
    assert_eq!(texts(&root, ".factor-label"), ["+33 • •• •• •• 78"]);
    assert_eq!(texts(&root, ".badge"), ["Preferred"]);
    assert_eq!(
        texts(&root, ".actions button"),
        ["Replace authenticator app", "Change phone number"]
    );
    find(
        &root,
        "button[aria-label='Make preferred: Authenticator app']",
    )
    .click();
    find(&root, "button[aria-label='Remove phone number']").click();
    find(&root, ".actions button:not(.primary)").click();
    leptos::task::tick().await;
    assert_eq!(asked.get_untracked(), ["prefer 2", "remove 3", "phone"]);
}

#[wasm_bindgen_test]
async fn an_enrolled_user_sees_the_app_and_the_recovery_code() {
    let root = container();
    let status = RwSignal::new(TwoFactorStatus {
        enabled: true,
        requirement: MfaRequirement::Optional,
        factors: vec![FactorInfo {
            id: 7,
            kind: FactorKind::AuthenticatorApp,
            label: None,
            added_at: 1_795_824_000,
            last_used_at: None,
            preferred: true,
        }],
        recovery_code: Some(RecoveryCodeState {
            created_at: 1_795_824_000,
        }),
        deadline: None,
        allowed_methods: mfa_api::all_methods(),
    });
    let asked = RwSignal::new(Vec::new());
    let _handle = leptos::mount::mount_to(root.clone(), move || section(status, asked));
    leptos::task::tick().await;
    assert!(
        find(&root, ".status")
            .text_content()
            .unwrap()
            .contains("is on")
    );
    assert_eq!(
        texts(&root, ".method strong"),
        ["Authenticator app", "Recovery code"]
    );
    find(
        &root,
        ".method button[aria-label='Remove authenticator app']",
    )
    .click();
    let buttons = root.query_selector_all(".method button").unwrap();
    buttons
        .item(1)
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    leptos::task::tick().await;
    assert_eq!(asked.get_untracked(), ["remove 7", "new code"]);
}

#[wasm_bindgen_test]
async fn qr_code_is_one_svg_path_with_a_text_alternative() {
    let root = container();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <QrImage
                uri="otpauth://totp/TwoStep:a@b.test?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=TwoStep".to_owned()
                alt="QR code".to_owned()
            />
        }
    });
    leptos::task::tick().await;
    let figure = find(&root, "[role=img]");
    assert_eq!(
        figure.get_attribute("aria-label").as_deref(),
        Some("QR code")
    );
    assert_eq!(root.query_selector_all("svg path").unwrap().length(), 1);
}

#[wasm_bindgen_test]
async fn finishing_waits_for_the_saved_tick() {
    let root = container();
    let finished = RwSignal::new(false);
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <I18nContextProvider>
                <RecoveryCodePanel
                    code="ABCD-EFGH-IJKL-MNOP".to_owned()
                    account="member@demo.test".to_owned()
                    title="Save your recovery code".to_owned()
                    intro="Keep it safe.".to_owned()
                    on_finish=Callback::new(move |()| finished.set(true))
                />
            </I18nContextProvider>
        }
    });
    leptos::task::tick().await;
    assert_eq!(
        find(&root, "#recovery-code").text_content().unwrap(),
        "ABCD-EFGH-IJKL-MNOP"
    );
    let finish = find(&root, "button.primary");
    assert!(finish.has_attribute("disabled"));
    find(&root, "#recovery-saved").click();
    leptos::task::tick().await;
    assert!(!finish.has_attribute("disabled"));
    finish.click();
    leptos::task::tick().await;
    assert!(finished.get_untracked());
}

#[wasm_bindgen_test]
async fn language_switch_flips_labels_and_html_lang() {
    let root = container();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <I18nContextProvider>
                <LangSwitch />
                <TwoFactorSection
                    status=TwoFactorStatus::default()
                    on_add_authenticator=Callback::new(|()| ())
                    on_add_phone=Callback::new(|()| ())
                    on_add_passkey=Callback::new(|()| ())
                    on_rename_passkey=Callback::new(|_: i64| ())
                    on_prefer_factor=Callback::new(|_: i64| ())
                    on_remove_factor=Callback::new(|_: i64| ())
                    on_new_recovery_code=Callback::new(|()| ())
                />
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
async fn avatar_menu_opens_closes_and_asks_to_sign_out() {
    let root = container();
    let signed_out = RwSignal::new(false);
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <Router>
                <I18nContextProvider>
                    <AvatarMenu
                        name="Morgan Member".to_owned()
                        email="member@demo.test".to_owned()
                        on_sign_out=Callback::new(move |()| signed_out.set(true))
                    />
                </I18nContextProvider>
            </Router>
        }
    });
    leptos::task::tick().await;
    let button = find(&root, "button.avatar");
    assert_eq!(button.get_attribute("data-initials").as_deref(), Some("MM"));
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

    button.click();
    leptos::task::tick().await;
    find(&root, "[role=menu] button[role=menuitem]").click();
    leptos::task::tick().await;
    assert!(signed_out.get_untracked(), "the page is asked to sign out");
    assert!(root.query_selector("[role=menu]").unwrap().is_none());
}

fn event(id: i64, kind: &str, detail: &str) -> mfa_api::ActivityEvent {
    mfa_api::ActivityEvent {
        id,
        at: 1_795_824_000 + id,
        kind: kind.to_owned(),
        detail: detail.to_owned(),
        ip: Some("192.0.2.7".to_owned()),
        browser: Some("Firefox".to_owned()),
        system: None,
        member_name: Some("Morgan Member".to_owned()),
        member_email: Some("member@demo.test".to_owned()),
    }
}

#[wasm_bindgen_test]
async fn events_read_as_sentences_and_page_only_when_there_is_more() {
    use mfa_app::components::events_table::EventsTable;
    let root = container();
    let asked = RwSignal::new(Vec::<(Option<i64>, Option<i64>)>::new());
    let page = RwSignal::new(mfa_api::ActivityPage {
        events: vec![
            event(2, "sign_in_failed", "password"),
            event(1, "factor_added", "sms"),
        ],
        newer: None,
        older: None,
    });
    let with_member = RwSignal::new(false);
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <I18nContextProvider>
                {move || view! {
                    <EventsTable
                        page=page.get()
                        caption="Recent security activity".to_owned()
                        pages_label="Activity pages".to_owned()
                        with_member=with_member.get()
                        on_page=Callback::new(move |request| asked.update(|a| a.push(request)))
                    />
                }}
            </I18nContextProvider>
        }
    });
    leptos::task::tick().await;
    let cells = texts(&root, "tbody tr:first-child td");
    assert_eq!(cells[1], "Failed sign-in: wrong password");
    assert_eq!(cells[2], "192.0.2.7");
    assert_eq!(cells[3], "Firefox");
    assert_eq!(
        texts(&root, "tbody tr:nth-child(2) td")[1],
        "Added: Text message (SMS)"
    );
    assert!(
        root.query_selector("nav").unwrap().is_none(),
        "one page: no page buttons"
    );
    assert_eq!(texts(&root, "thead th").len(), 4);

    // The company's log: the member and the details; a next page.
    with_member.set(true);
    page.update(|p| p.older = Some(1));
    leptos::task::tick().await;
    assert!(
        root.query_selector("table").unwrap().is_none(),
        "a list, not table rows"
    );
    let first = texts(&root, "ol li:first-child p");
    assert_eq!(first[0], "Failed sign-in: wrong password");
    assert!(
        first[1].contains("Morgan Member (member@demo.test)"),
        "{first:?}"
    );
    assert!(
        first[1].contains("192.0.2.7 · Firefox · password"),
        "{first:?}"
    );
    let buttons = root.query_selector_all("nav button").unwrap();
    let previous: web_sys::HtmlElement = buttons.item(0).unwrap().unchecked_into();
    let next: web_sys::HtmlElement = buttons.item(1).unwrap().unchecked_into();
    assert!(previous.has_attribute("disabled"));
    next.click();
    leptos::task::tick().await;
    assert_eq!(asked.get_untracked(), vec![(Some(1), None)]);
}
