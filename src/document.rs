//! The browser tab's title, kept in step with the page and the language.

use leptos::prelude::*;
use mfa_api::PRODUCT_NAME;

/// Sets `<title>` to "page · product" now and whenever `title` changes.
pub fn page_title(title: impl Fn() -> String + 'static) {
    Effect::new(move |_| {
        let text = format!("{} · {PRODUCT_NAME}", title());
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(&text);
        }
    });
}

/// Moves keyboard focus to a screen that just replaced another in a flow:
/// to its field marked `data-autofocus`, else to its heading, so screen
/// readers announce where the person now is.
pub fn focus_new_screen() {
    use wasm_bindgen::JsCast;
    request_animation_frame(|| {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let target = ["main [data-autofocus]", "main h1"]
            .iter()
            .find_map(|selector| document.query_selector(selector).ok().flatten());
        if let Some(element) = target.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            if !element.has_attribute("tabindex") && element.tag_name() == "H1" {
                let _ = element.set_attribute("tabindex", "-1");
            }
            let _ = element.focus();
        }
    });
}

/// Calls [`focus_new_screen`] whenever `screen` changes (not on first show).
pub fn focus_on_change<T: PartialEq + Clone + Send + Sync + 'static>(
    screen: impl Fn() -> T + 'static,
) {
    Effect::new(move |previous: Option<T>| {
        let now = screen();
        if previous.is_some_and(|p| p != now) {
            focus_new_screen();
        }
        now
    });
}
