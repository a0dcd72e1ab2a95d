//! Small browser services: clipboard, file download, printing.

use wasm_bindgen::{JsCast, JsValue};

/// Copies `text` to the clipboard; fails where the browser does not allow it.
pub async fn copy_text(text: &str) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let promise = window.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(drop)
}

/// Saves `text` (of the MIME type `mime`) as a file named `filename`
/// (Blob, object URL, `<a download>`).
pub fn download_text(filename: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(filename);
    // Fully qualified: leptos's ElementExt::style shadows HtmlElement::style.
    web_sys::HtmlElement::style(&link).set_property("display", "none")?;
    document.body().ok_or("no body")?.append_child(&link)?;
    link.click();
    link.remove();
    // Revoke once the download has started.
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(2),
    );
    Ok(())
}

/// Opens the browser's print dialog (the stylesheet prints only the code).
pub fn print_page() {
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}

/// A fresh random key naming one send (`Idempotency-Key`): the same key
/// for a retry of the same request, a new one for a new request.
pub fn new_request_key() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        // Not a secret: only unique per user.
        for b in &mut bytes {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the browser can read a texted code itself (WebOTP), waits for the
/// text and returns its code; `None` when it cannot, or when `abort` fires
/// first.
pub async fn receive_texted_code(abort: &web_sys::AbortSignal) -> Option<String> {
    let window = web_sys::window()?;
    if !js_sys::Reflect::has(&window, &"OTPCredential".into()).unwrap_or(false) {
        return None;
    }
    let options = web_sys::CredentialRequestOptions::new();
    options.set_signal(abort);
    let otp = js_sys::Object::new();
    let transport = js_sys::Array::of1(&"sms".into());
    js_sys::Reflect::set(&otp, &"transport".into(), &transport).ok()?;
    js_sys::Reflect::set(&options, &"otp".into(), &otp).ok()?;
    let promise = window
        .navigator()
        .credentials()
        .get_with_options(&options)
        .ok()?;
    let credential = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    js_sys::Reflect::get(&credential, &"code".into())
        .ok()?
        .as_string()
}

/// A touch device with a narrow screen (a phone): the page it shows cannot
/// be scanned by the same phone.
pub fn is_phone() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(pointer: coarse) and (max-width: 40rem)")
                .ok()
                .flatten()
        })
        .is_some_and(|query| query.matches())
}

/// Sets a User Timing mark (`performance.mark`): `scripts/bench.sh` reads
/// when the Password & Security tab first showed the user's data.
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// The text of the file chosen in a file input, if any (read as UTF-8).
pub async fn chosen_file_text(input: &web_sys::HtmlInputElement) -> Option<String> {
    let file = input.files()?.get(0)?;
    wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()?
        .as_string()
}
