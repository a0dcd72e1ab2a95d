//! Phone numbers: where texts are offered to a user, adding (or changing)
//! the number with a texted code, texting a code at sign-in, and checking
//! texted codes. Every send is limited (resend wait, per user, per number,
//! per client address) and idempotent: a request repeated with the same
//! key never texts twice.

use mfa_api::{FactorKind, PRODUCT_NAME, SmsCountryInfo};

use super::answer::Refusal;
use super::session::LiveSession;
use super::{Deps, factors, internal_error};
use crate::domain::access;
use crate::domain::clock::UnixTime;
use crate::domain::factors::pending_is_live;
use crate::domain::network;
use crate::domain::phone::{self, Phone, PhoneError};
use crate::domain::seal;
use crate::domain::texted_code::{self, CodeHasher, TextedCode};
use crate::sms::{SendError, Text};
use crate::store::{Binding, CodeState, FactorRow, NewTextedCode, Purpose, Tx};

const KIND: FactorKind = FactorKind::Sms;

/// A code went out (or went out before, for a repeated request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Texted {
    /// The number, masked.
    pub to: String,
    /// Seconds until another code may be sent.
    pub resend_after: i64,
    pub expires_at: UnixTime,
}

#[derive(Debug, thiserror::Error)]
pub enum TextError {
    /// Texts are not offered for this country to this user.
    #[error("texts are not available for that country")]
    UnavailableForCountry,
    #[error(transparent)]
    InvalidNumber(#[from] PhoneError),
    /// No phone number waits to be verified.
    #[error("no phone number is waiting to be verified")]
    NoPendingEnrollment,
    /// The user has no phone factor (at sign-in).
    #[error("no phone number is set up")]
    NotEnrolled,
    /// A company of the user does not allow texts (any more).
    #[error("the company does not allow texts")]
    MethodNotAllowed,
    /// A limit on texts: wait this many seconds.
    #[error("too many texts; wait {wait} s")]
    TooManyTexts { wait: i64 },
    /// The provider did not take the text; `wait` before trying again.
    #[error("the text was not sent: {error}")]
    Provider { error: SendError, wait: i64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(TextError);

impl From<factors::NotAllowed> for TextError {
    fn from(e: factors::NotAllowed) -> Self {
        match e {
            factors::NotAllowed::Method(_) => Self::MethodNotAllowed,
            factors::NotAllowed::Store(e) => e.into(),
        }
    }
}

/// The countries this user may have codes texted to (payees: the US only).
pub async fn countries(
    deps: &Deps,
    user_id: i64,
) -> Result<Vec<&'static SmsCountryInfo>, TextError> {
    let payee = is_payee(&mut deps.read().await?, user_id).await?;
    Ok(phone::countries_for(payee).collect())
}

async fn is_payee(tx: &mut Tx, user_id: i64) -> Result<bool, sqlx::Error> {
    Ok(tx.memberships(user_id).await?.iter().any(|m| m.payee))
}

/// Starts adding `number` (in the country `iso`), or replacing the user's
/// phone with it, and texts it a code (the caller has re-authenticated).
pub async fn start(
    deps: &Deps,
    session: &LiveSession,
    ip: Option<&str>,
    iso: &str,
    number: &str,
    key: &str,
) -> Result<Texted, TextError> {
    let user_id = session.user_id;
    let mut tx = deps.read().await?;
    factors::ensure_addable(&mut tx, user_id, KIND, deps.now()).await?;
    let payee = is_payee(&mut tx, user_id).await?;
    drop(tx);
    let country = phone::available(iso, payee).ok_or(TextError::UnavailableForCountry)?;
    let phone = Phone::parse(country.iso, number)?;
    if let Some(earlier) = repeated(deps, user_id, key, &phone).await? {
        return earlier;
    }
    // The pending factor and its code are one transaction under the user's
    // lock: a second start at once waits, then meets the resend wait
    // without replacing the first one's factor.
    let now = deps.now();
    let mut tx = deps.begin().await?;
    tx.lock_user(user_id).await?;
    let masked = phone.masked();
    let factor_id = tx
        .add_pending_factor(user_id, KIND, Some(&masked), deps.now())
        .await?;
    let sealed = seal::seal(
        &deps.key,
        &seal::phone_owner(user_id, factor_id),
        phone.e164().as_bytes(),
        &mut deps.rng(),
    );
    tx.set_factor_secret(factor_id, &sealed).await?;
    let binding = Binding {
        user_id,
        purpose: Purpose::Enroll,
        factor_id,
        session_hash: None,
    };
    let recorded = record(&mut tx, deps, binding, &phone, ip, key, now).await?;
    tx.commit().await?;
    deliver(deps, binding, &phone, key, recorded, now).await
}

/// Texts a new code to the number waiting to be verified.
pub async fn resend(
    deps: &Deps,
    session: &LiveSession,
    ip: Option<&str>,
    key: &str,
) -> Result<Texted, TextError> {
    let user_id = session.user_id;
    let mut tx = deps.read().await?;
    let pending = tx
        .pending_factor(user_id, KIND)
        .await?
        .filter(|f| pending_is_live(f.created_at, deps.now()))
        .ok_or(TextError::NoPendingEnrollment)?;
    let payee = is_payee(&mut tx, user_id).await?;
    drop(tx);
    let phone = phone_of(deps, user_id, &pending)?;
    allowed(&phone, payee)?;
    if let Some(earlier) = repeated(deps, user_id, key, &phone).await? {
        return earlier;
    }
    let binding = Binding {
        user_id,
        purpose: Purpose::Enroll,
        factor_id: pending.id,
        session_hash: None,
    };
    send(deps, binding, &phone, ip, key).await
}

/// At the second step of sign-in: texts a code to the user's phone (the
/// one named, or their phone when `factor_id` is `None`).
pub async fn text_sign_in_code(
    deps: &Deps,
    session: &LiveSession,
    ip: Option<&str>,
    factor_id: Option<i64>,
    key: &str,
) -> Result<Texted, TextError> {
    let user_id = session.user_id;
    let mut tx = deps.read().await?;
    let factor = tx
        .factors(user_id)
        .await?
        .into_iter()
        .find(|f| f.kind == KIND && factor_id.is_none_or(|id| id == f.id))
        .ok_or(TextError::NotEnrolled)?;
    let now = deps.now();
    if !access::usable(KIND, factors::duties(&mut tx, user_id, now).await?, now) {
        return Err(TextError::MethodNotAllowed);
    }
    let payee = is_payee(&mut tx, user_id).await?;
    drop(tx);
    let phone = phone_of(deps, user_id, &factor)?;
    allowed(&phone, payee)?;
    if let Some(earlier) = repeated(deps, user_id, key, &phone).await? {
        return earlier;
    }
    let binding = Binding {
        user_id,
        purpose: Purpose::SignIn,
        factor_id: factor.id,
        session_hash: Some(session.id.as_str()),
    };
    send(deps, binding, &phone, ip, key).await
}

/// Texts are refused to a country no longer offered to this user (a
/// member who became a payee keeps the number but gets no texts abroad).
fn allowed(phone: &Phone, payee: bool) -> Result<(), TextError> {
    phone::available(phone.country(), payee)
        .map(drop)
        .ok_or(TextError::UnavailableForCountry)
}

/// The phone number sealed in a phone factor.
fn phone_of(deps: &Deps, user_id: i64, factor: &FactorRow) -> anyhow::Result<Phone> {
    let opened = seal::open(
        &deps.key,
        &seal::phone_owner(user_id, factor.id),
        &factor.secret_sealed,
    )
    .map_err(|e| anyhow::Error::new(e).context(format!("phone {}", factor.id)))?;
    let e164 = String::from_utf8(opened)?;
    Phone::from_e164(&e164).ok_or_else(|| anyhow::anyhow!("phone {} holds no number", factor.id))
}

/// The answer to an earlier request with the same key, if there was one:
/// a text that went out (or may have) is not sent again. A text the
/// provider refused is forgotten, so the key may try again.
async fn repeated(
    deps: &Deps,
    user_id: i64,
    key: &str,
    phone: &Phone,
) -> Result<Option<Result<Texted, TextError>>, TextError> {
    let mut tx = deps.begin().await?;
    let Some(earlier) = tx.texted_code_by_key(user_id, key).await? else {
        return Ok(None);
    };
    let now = deps.now();
    let resend_after = texted_code::resend_wait(Some(earlier.created_at), now).unwrap_or(0);
    let answer = match earlier.state {
        CodeState::Failed => {
            tx.delete_texted_code(earlier.id).await?;
            tx.commit().await?;
            return Ok(None);
        }
        CodeState::Unconfirmed => Err(TextError::Provider {
            error: SendError::TimedOut,
            wait: resend_after.max(1),
        }),
        _ => Ok(Texted {
            to: phone.masked(),
            resend_after,
            expires_at: earlier.expires_at,
        }),
    };
    Ok(Some(answer))
}

/// Checks the limits, stores a new code for `binding` (voiding the one
/// before) and hands the text to the provider, once.
async fn send(
    deps: &Deps,
    binding: Binding<'_>,
    phone: &Phone,
    ip: Option<&str>,
    key: &str,
) -> Result<Texted, TextError> {
    let now = deps.now();
    let mut tx = deps.begin().await?;
    tx.lock_user(binding.user_id).await?;
    let recorded = record(&mut tx, deps, binding, phone, ip, key, now).await?;
    tx.commit().await?;
    deliver(deps, binding, phone, key, recorded, now).await
}

/// A code stored for a text, not sent yet.
struct Recorded {
    id: i64,
    code: TextedCode,
    expires_at: UnixTime,
}

/// Checks the limits and stores a new code for `binding`, in the caller's
/// transaction, which holds the user's lock (`lock_user`).
async fn record(
    tx: &mut Tx,
    deps: &Deps,
    binding: Binding<'_>,
    phone: &Phone,
    ip: Option<&str>,
    key: &str,
    now: UnixTime,
) -> Result<Recorded, TextError> {
    let hasher = CodeHasher::new(&deps.key);
    let number_hash = hasher.number(phone.e164());
    let code = TextedCode::generate(&mut deps.rng());
    let salt = hex::encode(rand::Rng::r#gen::<[u8; 16]>(&mut deps.rng()));
    let expires_at = now + texted_code::LIFETIME_SECS;
    let ip_key = ip.map(network::limit_key);
    // Every limit below is read and then written in this transaction: no
    // other send to this user (the caller's lock), this number or from this
    // network may come in between (several instances on PostgreSQL).
    let number_lock = format!("texts:number:{number_hash}");
    let ip_lock = ip_key.as_ref().map(|key| format!("texts:ip:{key}"));
    let mut keys = vec![number_lock.as_str()];
    keys.extend(ip_lock.as_deref());
    tx.lock_keys(&keys).await?;
    let mut waits = vec![texted_code::resend_wait(tx.last_text(binding).await?, now)];
    let limit = texted_code::PER_USER;
    let sent = tx
        .texts_to_user_since(binding.user_id, now - limit.window_secs)
        .await?;
    waits.push(limit.wait(&sent, now));
    let limit = texted_code::PER_NUMBER;
    let sent = tx
        .texts_to_number_since(&number_hash, now - limit.window_secs)
        .await?;
    waits.push(limit.wait(&sent, now));
    if let Some(ip_key) = &ip_key {
        let limit = texted_code::PER_IP;
        let sent = tx
            .texts_from_ip_since(ip_key, now - limit.window_secs)
            .await?;
        waits.push(limit.wait(&sent, now));
    }
    if let Some(wait) = waits.into_iter().flatten().max() {
        return Err(TextError::TooManyTexts { wait });
    }
    tx.forget_texted_codes(now - 2 * texted_code::PER_NUMBER.window_secs)
        .await?;
    let id = tx
        .insert_texted_code(&NewTextedCode {
            binding,
            salt: &salt,
            code_hash: &hasher.code(&salt, &code),
            number_hash: &number_hash,
            ip: ip_key.as_deref(),
            idempotency_key: key,
            now,
            expires_at,
        })
        .await?;
    Ok(Recorded {
        id,
        code,
        expires_at,
    })
}

/// Hands a recorded code's text to the provider, once, and records its answer.
async fn deliver(
    deps: &Deps,
    binding: Binding<'_>,
    phone: &Phone,
    key: &str,
    recorded: Recorded,
    now: UnixTime,
) -> Result<Texted, TextError> {
    let Recorded {
        id,
        code,
        expires_at,
    } = recorded;
    let body = texted_code::message(PRODUCT_NAME, &code, &deps.host);
    let text = Text {
        to: phone.e164(),
        body: &body,
        idempotency_key: key,
    };
    let outcome = deps.sms.send(&deps.store, text, now).await;
    crate::faults::point("text.sent");
    let (state, result) = match outcome {
        Ok(()) => (
            CodeState::Sent,
            Ok(Texted {
                to: phone.masked(),
                resend_after: texted_code::RESEND_AFTER_SECS,
                expires_at,
            }),
        ),
        // It may arrive: the code stays valid and counted, and the resend
        // wait keeps a second text from following it at once.
        Err(error @ SendError::TimedOut) => (
            CodeState::Unconfirmed,
            Err(TextError::Provider {
                error,
                wait: texted_code::RESEND_AFTER_SECS,
            }),
        ),
        Err(error) => {
            let wait = match error {
                SendError::RateLimited {
                    retry_after: Some(after),
                } => i64::try_from(after.as_secs()).unwrap_or(60).clamp(1, 3600),
                SendError::Rejected(_) => 0,
                _ => 10,
            };
            (CodeState::Failed, Err(TextError::Provider { error, wait }))
        }
    };
    let mut tx = deps.begin().await?;
    let settled = tx.settle_texted_code(id, state).await?;
    tx.commit().await?;
    if !settled {
        // Replaced, used or voided while the provider answered: it stays so.
        tracing::info!(
            user_id = binding.user_id,
            "a texted code changed while it was being sent"
        );
    }
    tracing::info!(
        user_id = binding.user_id,
        factor_id = binding.factor_id,
        state = ?state,
        "texted a code"
    );
    result
}

/// Checks `code` against the newest code of `binding`, in the caller's
/// transaction; a wrong try is written there too (commit it). `None` when
/// the code is right (and now used).
pub(super) async fn check_code(
    tx: &mut Tx,
    deps: &Deps,
    binding: Binding<'_>,
    code: &TextedCode,
) -> Result<Option<Refusal>, sqlx::Error> {
    let expired = Some(Refusal::Expired);
    let Some(stored) = tx.checkable_texted_code(binding).await? else {
        return Ok(expired);
    };
    if deps.now() >= stored.expires_at {
        tx.set_texted_code_state(stored.id, CodeState::Void).await?;
        return Ok(expired);
    }
    if !CodeHasher::new(&deps.key).matches(&stored.salt, code, &stored.code_hash) {
        tx.wrong_texted_code(stored.id, texted_code::MAX_WRONG_TRIES)
            .await?;
        return Ok(
            match stored.wrong_tries + 1 >= texted_code::MAX_WRONG_TRIES {
                true => expired,
                false => Some(Refusal::Wrong { clock_drift: None }),
            },
        );
    }
    Ok(match tx.use_texted_code(stored.id).await? {
        true => None,
        false => expired,
    })
}
