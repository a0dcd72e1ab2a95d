//! Passkeys in the browser: the server's ceremony options
//! (`{"ceremony", "publicKey"}`, binary members in base64url) become a
//! `navigator.credentials` call, and the credential goes back as the JSON
//! `PublicKeyCredential.toJSON()` defines. Written with `js_sys` on the
//! few binary members rather than a WebAuthn crate: the sign-in page
//! carries this, and every kilobyte there counts.

use js_sys::{Array, ArrayBuffer, Function, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::api::{self, ApiError};

/// Why a passkey ceremony did not end with a credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasskeyError {
    /// The person closed the browser's dialog, it timed out, or the device
    /// could not verify them (the browser does not say which).
    NotAllowed,
    /// This device already holds a passkey for this account.
    AlreadyRegistered,
    /// This browser has no passkeys, or not at this address.
    Unsupported,
    /// The server refused or could not be reached.
    Api(ApiError),
}

/// What the session checks (a refusal saying the session ended); the
/// browser's own refusals are none of the server's.
impl AsRef<ApiError> for PasskeyError {
    fn as_ref(&self) -> &ApiError {
        const NONE: ApiError = ApiError::Network;
        match self {
            Self::Api(e) => e,
            _ => &NONE,
        }
    }
}

impl From<ApiError> for PasskeyError {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

/// Which browser call a ceremony makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ceremony {
    /// `navigator.credentials.create()`: a new passkey.
    Create,
    /// `navigator.credentials.get()`: a signature from one.
    Get,
}

/// Whether passkeys can work on this page: the browser has them, and the
/// site was opened by a host name (browsers refuse an IP address as the
/// relying party, so at `http://127.0.0.1:8080` nothing about passkeys is
/// offered; `http://localhost:8080` has them).
pub fn available_here() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let supported =
        Reflect::get(&window, &"PublicKeyCredential".into()).is_ok_and(|v| !v.is_undefined());
    let host = window.location().hostname().unwrap_or_default();
    supported && !is_ip_address(&host)
}

/// An IPv4 address, or an IPv6 one (as `location.hostname` gives it).
pub fn is_ip_address(host: &str) -> bool {
    host.contains(':')
        || (host.split('.').count() == 4
            && host
                .split('.')
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())))
}

/// Runs a ceremony: asks the server for options at `options_path`, opens
/// the browser's dialog, and returns the body to send back (the ceremony's
/// id, the credential, and `extra`'s members).
pub async fn run(
    ceremony: Ceremony,
    options_path: &str,
    extra: &[(&str, JsValue)],
) -> Result<JsValue, PasskeyError> {
    let window = web_sys::window().ok_or(PasskeyError::Unsupported)?;
    if Reflect::get(&window, &"PublicKeyCredential".into()).map_or(true, |v| v.is_undefined()) {
        return Err(PasskeyError::Unsupported);
    }
    let options = api::passkey_options(options_path).await?;
    let id = Reflect::get(&options, &"ceremony".into()).map_err(|_| bad_options())?;
    let public_key = Reflect::get(&options, &"publicKey".into()).map_err(|_| bad_options())?;
    decode_options(&public_key).ok_or_else(bad_options)?;
    let request = Object::new();
    set(&request, "publicKey", &public_key);
    let credentials = window.navigator().credentials();
    let promise = match ceremony {
        Ceremony::Create => credentials.create_with_options(request.unchecked_ref()),
        Ceremony::Get => credentials.get_with_options(request.unchecked_ref()),
    }
    .map_err(|e| dom_error(&e))?;
    let credential = JsFuture::from(promise).await.map_err(|e| dom_error(&e))?;
    let body = Object::new();
    set(&body, "ceremony", &id);
    set(
        &body,
        "credential",
        &credential_json(&credential).ok_or_else(bad_options)?,
    );
    for (name, value) in extra {
        set(&body, name, value);
    }
    Ok(body.into())
}

/// A ceremony from its options at `options_path` to the server's answer
/// at `answer_path`.
pub async fn ceremony<T: serde::de::DeserializeOwned>(
    ceremony: Ceremony,
    options_path: &str,
    answer_path: &str,
    extra: &[(&str, JsValue)],
) -> Result<T, PasskeyError> {
    let body = run(ceremony, options_path, extra).await?;
    Ok(api::passkey_answer(answer_path, &body).await?)
}

fn bad_options() -> PasskeyError {
    PasskeyError::Api(ApiError::BadResponse { status: 200 })
}

fn dom_error(error: &JsValue) -> PasskeyError {
    let name = Reflect::get(error, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    match name.as_str() {
        "InvalidStateError" => PasskeyError::AlreadyRegistered,
        "NotSupportedError" | "SecurityError" => PasskeyError::Unsupported,
        _ => PasskeyError::NotAllowed,
    }
}

fn set(object: &Object, name: &str, value: &JsValue) {
    // Setting a member of a plain object does not fail.
    let _ = Reflect::set(object, &name.into(), value);
}

/// Replaces the base64url member `name` of `object` by its bytes.
fn decode_member(object: &JsValue, name: &str) -> Option<()> {
    let text = Reflect::get(object, &name.into()).ok()?.as_string()?;
    let bytes = base64url::decode(&text)?;
    Reflect::set(object, &name.into(), &Uint8Array::from(&bytes[..])).ok()?;
    Some(())
}

/// The binary members of creation or request options, decoded in place.
fn decode_options(public_key: &JsValue) -> Option<()> {
    decode_member(public_key, "challenge")?;
    if let Ok(user) = Reflect::get(public_key, &"user".into())
        && !user.is_undefined()
    {
        decode_member(&user, "id")?;
    }
    for list in ["excludeCredentials", "allowCredentials"] {
        let Ok(credentials) = Reflect::get(public_key, &list.into()) else {
            continue;
        };
        if let Some(credentials) = credentials.dyn_ref::<Array>() {
            for credential in credentials.iter() {
                decode_member(&credential, "id")?;
            }
        }
    }
    Some(())
}

fn encoded(value: &JsValue, name: &str) -> Option<JsValue> {
    let member = Reflect::get(value, &name.into()).ok()?;
    if member.is_null() || member.is_undefined() {
        return Some(JsValue::NULL);
    }
    let buffer: &ArrayBuffer = member.dyn_ref()?;
    Some(base64url::encode(&Uint8Array::new(buffer).to_vec()).into())
}

/// A `PublicKeyCredential` as JSON (`toJSON()`'s shape, written out).
fn credential_json(credential: &JsValue) -> Option<JsValue> {
    let response = Reflect::get(credential, &"response".into()).ok()?;
    let out = Object::new();
    let raw_id = encoded(credential, "rawId")?;
    set(&out, "id", &raw_id);
    set(&out, "rawId", &raw_id);
    set(&out, "type", &"public-key".into());
    let json = Object::new();
    for member in [
        "clientDataJSON",
        "attestationObject",
        "authenticatorData",
        "signature",
        "userHandle",
    ] {
        let value = encoded(&response, member)?;
        if !value.is_null() {
            set(&json, member, &value);
        }
    }
    set(&out, "response", &json);
    let results = Reflect::get(credential, &"getClientExtensionResults".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|f| f.call0(credential).ok())
        .unwrap_or_else(|| Object::new().into());
    set(&out, "clientExtensionResults", &results);
    Some(out.into())
}

/// What to call a passkey made here, by default: "Chrome on Linux".
pub fn browser_and_platform() -> (&'static str, &'static str) {
    let agent = web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .unwrap_or_default();
    describe(&agent)
}

/// The browser and platform a user agent string names.
pub fn describe(agent: &str) -> (&'static str, &'static str) {
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(mark, _)| agent.contains(mark))
    .map_or("Browser", |(_, name)| name);
    let platform = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("CrOS", "ChromeOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(mark, _)| agent.contains(mark))
    .map_or("this device", |(_, name)| name);
    (browser, platform)
}

/// Base64url without padding (RFC 4648 §5), as WebAuthn's JSON writes bytes.
pub mod base64url {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    }

    pub fn decode(text: &str) -> Option<Vec<u8>> {
        let text = text.trim_end_matches('=');
        let mut out = Vec::with_capacity(text.len() * 3 / 4);
        for chunk in text.as_bytes().chunks(4) {
            if chunk.len() == 1 {
                return None;
            }
            let mut n = 0u32;
            for (i, c) in chunk.iter().enumerate() {
                let value = match c {
                    b'A'..=b'Z' => c - b'A',
                    b'a'..=b'z' => c - b'a' + 26,
                    b'0'..=b'9' => c - b'0' + 52,
                    b'-' | b'+' => 62,
                    b'_' | b'/' => 63,
                    _ => return None,
                };
                n |= u32::from(value) << (18 - 6 * i);
            }
            for i in 0..chunk.len() - 1 {
                out.push((n >> (16 - 8 * i)) as u8);
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::{base64url, describe, is_ip_address};

    #[test]
    fn addresses_are_told_from_names() {
        for ip in ["127.0.0.1", "10.0.0.12", "[::1]", "::1"] {
            assert!(is_ip_address(ip), "{ip}");
        }
        for name in ["localhost", "mfa.example.com", "1.2.3.example", "1.2.3"] {
            assert!(!is_ip_address(name), "{name}");
        }
    }

    #[test]
    fn base64url_round_trips_every_length() {
        let bytes: Vec<u8> = (0..=255).collect();
        for len in 0..40 {
            let text = base64url::encode(&bytes[..len]);
            assert!(!text.contains(['=', '+', '/']));
            assert_eq!(base64url::decode(&text).unwrap(), &bytes[..len]);
        }
        assert_eq!(base64url::encode(b"\xfb\xff"), "-_8");
        assert_eq!(base64url::decode("-_8"), Some(b"\xfb\xff".to_vec()));
        assert_eq!(base64url::decode("a"), None);
        assert_eq!(base64url::decode("ab$d"), None);
    }

    #[test]
    fn a_passkey_is_named_after_the_browser_and_platform() {
        let chrome_linux = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
        assert_eq!(describe(chrome_linux), ("Chrome", "Linux"));
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0";
        assert_eq!(describe(edge), ("Edge", "Windows"));
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
        assert_eq!(describe(safari), ("Safari", "iPhone"));
        let firefox = "Mozilla/5.0 (Android 14; Mobile; rv:132.0) Gecko/132.0 Firefox/132.0";
        assert_eq!(describe(firefox), ("Firefox", "Android"));
        assert_eq!(describe(""), ("Browser", "this device"));
    }
}
