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
