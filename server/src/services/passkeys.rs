//! Passkeys (WebAuthn, verified by webauthn-rs): the relying party, the
//! ceremonies (the browser's dialog; their state stays on the server, bound
//! to the session that asked, taken once, for five minutes), registering a
//! new passkey and checking one at the second step (both for `answer`), and
//! "Sign in with a passkey", which is both steps at once.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mfa_api::{FactorKind, PRODUCT_NAME};
use serde::Serialize;
use serde::de::DeserializeOwned;
use webauthn_rs::prelude::{
    AuthenticationResult, CreationChallengeResponse, Credential, DiscoverableAuthentication,
    Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, RequestChallengeResponse, Url, Uuid, Webauthn, WebauthnBuilder,
    WebauthnError,
};
use webauthn_rs_proto::ResidentKeyRequirement;

use super::answer::{self, CheckError, Occasion, Refusal, Verdict};
use super::second_step::{self, SignedIn};
use super::session::LiveSession;
use super::sign_in::Attempt;
use super::{Actor, Deps, factors, limits};
use crate::config::Config;
use crate::domain::access;
use crate::domain::attempts::AttemptKind;
use crate::domain::link_token::LinkToken;
use crate::domain::oidc::Methods;
use crate::domain::passkey::{self, PasskeyName};
use crate::domain::seal;
use crate::store::{CeremonyPurpose, NewCeremony, PasskeyRow, PasskeyUse, Tx};

const KIND: FactorKind = FactorKind::Passkey;

/// At most this many "Sign in with a passkey" ceremonies are open at once
/// (nobody is signed in to bound them by): beyond it, the server is busy.
const MAX_OPEN_SIGN_INS: i64 = 10_000;

/// The relying party passkeys are bound to, from `MFA_PUBLIC_URL`; none
/// when that names an IP address (browsers refuse it as a relying party).
pub fn relying_party(config: &Config) -> anyhow::Result<Option<Webauthn>> {
    let party = match config.relying_party() {
        Ok(party) => party,
        Err(e) => {
            tracing::warn!(reason = %e, "passkeys are off");
            return Ok(None);
        }
    };
    let origin = Url::parse(&party.origin)?;
    let webauthn = WebauthnBuilder::new(&party.id, &origin)?
        .rp_name(PRODUCT_NAME)
        .timeout(std::time::Duration::from_secs(
            passkey::CEREMONY_LIFETIME_SECS as u64,
        ))
        .build()?;
    Ok(Some(webauthn))
}

/// A ceremony for the browser: its id (to send back with the answer) and
/// the options for `navigator.credentials`.
#[derive(Debug)]
pub struct Challenge<O> {
    pub ceremony: LinkToken,
    pub options: O,
}

/// What the person's browser gave for a passkey, with the ceremony it answers.
#[derive(Debug)]
pub struct PasskeyAnswer {
    pub ceremony: LinkToken,
    pub response: PasskeyResponse,
}

#[derive(Debug)]
pub enum PasskeyResponse {
    /// A new passkey, and the name it is to be listed under.
    Created {
        credential: Box<RegisterPublicKeyCredential>,
        name: PasskeyName,
    },
    /// A passkey's signature over the ceremony's challenge.
    Asserted(Box<PublicKeyCredential>),
}

fn verifier(deps: &Deps) -> Result<&Webauthn, CheckError> {
    deps.passkeys
        .as_deref()
        .ok_or(CheckError::PasskeysUnavailable)
}

fn fault(e: impl std::error::Error + Send + Sync + 'static) -> CheckError {
    CheckError::Internal(anyhow::Error::new(e).context("passkeys"))
}

/// Stores the state of a ceremony starting now; returns its id.
async fn open_ceremony(
    tx: &mut Tx,
    deps: &Deps,
    purpose: CeremonyPurpose,
    session: Option<&LiveSession>,
    state: &impl Serialize,
) -> Result<LinkToken, CheckError> {
    let ceremony = LinkToken::generate(&mut deps.rng());
    let state = serde_json::to_string(state).map_err(fault)?;
    tx.insert_ceremony(&NewCeremony {
        id_hash: &ceremony.hash(),
        purpose,
        session_hash: session.map(|s| s.id.as_str()),
        user_id: session.map(|s| s.user_id),
        state: &state,
        expires_at: passkey::ceremony_expires_at(deps.now()),
    })
    .await?;
    Ok(ceremony)
}

/// Takes the ceremony `ceremony` for `purpose`, started by `session_hash`
/// (none for "Sign in with a passkey"): its state, once.
async fn take_ceremony<S: DeserializeOwned>(
    tx: &mut Tx,
    deps: &Deps,
    ceremony: &LinkToken,
    purpose: CeremonyPurpose,
    session_hash: Option<&str>,
) -> Result<S, CheckError> {
    let row = tx
        .take_ceremony(&ceremony.hash(), purpose, session_hash, deps.now())
        .await?
        .ok_or(CheckError::CeremonyExpired)?;
    serde_json::from_str(&row.state).map_err(fault)
}

fn credential_id(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn open_passkey(deps: &Deps, stored: &PasskeyRow) -> Result<Passkey, CheckError> {
    let owner = seal::passkey_owner(stored.user_id, stored.factor_id);
    let json = seal::open(&deps.key, &owner, &stored.credential_sealed).map_err(|e| {
        CheckError::Internal(anyhow::Error::new(e).context(format!("passkey {}", stored.factor_id)))
    })?;
    serde_json::from_slice(&json).map_err(fault)
}

fn seal_passkey(deps: &Deps, user_id: i64, factor_id: i64, passkey: &Passkey) -> String {
    let json = serde_json::to_vec(passkey).expect("a passkey serialises");
    seal::seal(
        &deps.key,
        &seal::passkey_owner(user_id, factor_id),
        &json,
        &mut deps.rng(),
    )
}

/// A random WebAuthn user handle (never the email or the row id).
fn new_handle(deps: &Deps) -> Uuid {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut deps.rng(), &mut bytes);
    uuid_v4(bytes)
}

fn uuid_v4(mut bytes: [u8; 16]) -> Uuid {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Uuid::from_bytes(bytes)
}

/// Starts adding a passkey for the (re-authenticated) session's user: the
/// browser is asked for a discoverable, user-verifying credential, none it
/// already holds for this user.
pub async fn start_registration(
    deps: &Deps,
    session: &LiveSession,
) -> Result<Challenge<CreationChallengeResponse>, CheckError> {
    let webauthn = verifier(deps)?;
    let user_id = session.user_id;
    let mut tx = deps.begin().await?;
    factors::ensure_addable(&mut tx, user_id, KIND, deps.now()).await?;
    let user = tx
        .user(user_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("user {user_id} vanished"))?;
    let handle = tx
        .give_webauthn_handle(user_id, &new_handle(deps).to_string())
        .await?
        .and_then(|h| Uuid::parse_str(&h).ok())
        .ok_or_else(|| anyhow::anyhow!("user {user_id} has no usable WebAuthn handle"))?;
    let registered = tx
        .passkeys(user_id)
        .await?
        .into_iter()
        .filter_map(|p| URL_SAFE_NO_PAD.decode(p.credential_id).ok())
        .collect();
    let display_name = match user.name.trim() {
        "" => user.email.as_str(),
        name => name,
    };
    let (mut options, state) = webauthn
        .start_passkey_registration(handle, &user.email, display_name, Some(registered))
        .map_err(fault)?;
    // A passkey is found by the browser without an email typed: it must
    // live on the authenticator (webauthn-rs asks for that only as a hint).
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.resident_key = Some(ResidentKeyRequirement::Required);
        selection.require_resident_key = true;
    }
    let ceremony = open_ceremony(
        &mut tx,
        deps,
        CeremonyPurpose::Register,
        Some(session),
        &state,
    )
    .await?;
    tx.commit().await?;
    Ok(Challenge { ceremony, options })
}

/// Starts the second step with a passkey: the browser may use any of the
/// user's passkeys.
pub async fn start_second_step(
    deps: &Deps,
    session: &LiveSession,
) -> Result<Challenge<RequestChallengeResponse>, CheckError> {
    let webauthn = verifier(deps)?;
    let mut tx = deps.begin().await?;
    let passkeys = tx
        .passkeys(session.user_id)
        .await?
        .iter()
        .map(|stored| open_passkey(deps, stored))
        .collect::<Result<Vec<_>, _>>()?;
    if passkeys.is_empty() {
        return Err(CheckError::NotEnrolled(KIND));
    }
    let (options, state) = webauthn
        .start_passkey_authentication(&passkeys)
        .map_err(fault)?;
    let ceremony = open_ceremony(
        &mut tx,
        deps,
        CeremonyPurpose::SecondFactor,
        Some(session),
        &state,
    )
    .await?;
    tx.commit().await?;
    Ok(Challenge { ceremony, options })
}

/// Starts "Sign in with a passkey": no user is known yet, so the browser
/// offers whichever passkey of this site the person picks. The dialog
/// opens when they press the button, not by itself (no conditional
/// mediation).
pub async fn start_sign_in(deps: &Deps) -> Result<Challenge<RequestChallengeResponse>, CheckError> {
    let webauthn = verifier(deps)?;
    let mut tx = deps.begin().await?;
    if tx
        .open_ceremonies(CeremonyPurpose::SignIn, deps.now())
        .await?
        >= MAX_OPEN_SIGN_INS
    {
        tracing::warn!("too many passkey sign-ins open at once");
        return Err(CheckError::Busy);
    }
    let (mut options, state) = webauthn
        .start_discoverable_authentication()
        .map_err(fault)?;
    options.mediation = None;
    let ceremony = open_ceremony(&mut tx, deps, CeremonyPurpose::SignIn, None, &state).await?;
    tx.commit().await?;
    Ok(Challenge { ceremony, options })
}

/// A new passkey's answer, at enrollment: when the browser's credential
/// answers the session's registration, the passkey becomes the user's
/// pending factor (confirmed by the caller). A credential registered
/// before, to anyone, is refused.
pub(super) async fn check_registration(
    tx: &mut Tx,
    deps: &Deps,
    user_id: i64,
    session_hash: &str,
    ceremony: &LinkToken,
    credential: &RegisterPublicKeyCredential,
    name: &PasskeyName,
) -> Result<Verdict, CheckError> {
    let webauthn = verifier(deps)?;
    let state: PasskeyRegistration = take_ceremony(
        tx,
        deps,
        ceremony,
        CeremonyPurpose::Register,
        Some(session_hash),
    )
    .await
    .map_err(|e| match e {
        CheckError::CeremonyExpired => CheckError::NoPendingEnrollment(KIND),
        other => other,
    })?;
    let passkey = match webauthn.finish_passkey_registration(credential, &state) {
        Ok(passkey) => passkey,
        Err(e) => {
            tracing::info!(user_id, reason = %e, "new passkey refused");
            return Ok(Verdict::Refused(Refusal::Wrong { clock_drift: None }));
        }
    };
    let now = deps.now();
    let factor_id = tx
        .add_pending_factor(user_id, KIND, Some(name.as_str()), now)
        .await?;
    let first = Credential::from(passkey.clone());
    let sealed = seal_passkey(deps, user_id, factor_id, &passkey);
    let added = tx
        .add_passkey(
            factor_id,
            &credential_id(passkey.cred_id()),
            PasskeyUse {
                credential_sealed: &sealed,
                sign_count: i64::from(first.counter),
                backup_eligible: first.backup_eligible,
                backup_state: first.backup_state,
            },
        )
        .await?;
    if !added {
        return Err(CheckError::CredentialInUse);
    }
    let pending = tx
        .pending_factor(user_id, KIND)
        .await?
        .ok_or_else(|| anyhow::anyhow!("passkey {factor_id} vanished"))?;
    Ok(Verdict::Accepted(pending))
}

/// A passkey's answer at the second step: a signature from one of the
/// user's passkeys over the challenge of the session's ceremony.
pub(super) async fn check_assertion(
    tx: &mut Tx,
    deps: &Deps,
    user_id: i64,
    session_hash: &str,
    ceremony: &LinkToken,
    credential: &PublicKeyCredential,
) -> Result<Verdict, CheckError> {
    let webauthn = verifier(deps)?;
    let state: PasskeyAuthentication = take_ceremony(
        tx,
        deps,
        ceremony,
        CeremonyPurpose::SecondFactor,
        Some(session_hash),
    )
    .await?;
    let stored = tx
        .passkey_by_credential(&credential_id(credential.get_credential_id()))
        .await?
        .filter(|p| p.user_id == user_id);
    let Some(stored) = stored else {
        return Ok(Verdict::Refused(Refusal::Wrong { clock_drift: None }));
    };
    let outcome = webauthn.finish_passkey_authentication(credential, &state);
    verified(tx, deps, &stored, outcome).await
}

/// Ends an assertion webauthn-rs has checked: a count that does not move
/// forward from the one stored is refused (a cloned key); otherwise the
/// passkey's new count and backup flags are stored, once: of two answers
/// racing, one is accepted.
async fn verified(
    tx: &mut Tx,
    deps: &Deps,
    stored: &PasskeyRow,
    outcome: Result<AuthenticationResult, WebauthnError>,
) -> Result<Verdict, CheckError> {
    let result = match outcome {
        Ok(result) => result,
        Err(WebauthnError::CredentialPossibleCompromise) => {
            return Ok(Verdict::Refused(Refusal::Cloned));
        }
        Err(e) => {
            tracing::info!(user_id = stored.user_id, reason = %e, "passkey refused");
            return Ok(Verdict::Refused(Refusal::Wrong { clock_drift: None }));
        }
    };
    let stored_count = u32::try_from(stored.sign_count).unwrap_or(u32::MAX);
    if !passkey::counter_moved_on(stored_count, result.counter()) {
        return Ok(Verdict::Refused(Refusal::Cloned));
    }
    let mut passkey = open_passkey(deps, stored)?;
    passkey.update_credential(&result);
    let sealed = seal_passkey(deps, stored.user_id, stored.factor_id, &passkey);
    let recorded = tx
        .passkey_used(
            stored.factor_id,
            stored.sign_count,
            PasskeyUse {
                credential_sealed: &sealed,
                sign_count: i64::from(result.counter()),
                backup_eligible: result.backup_eligible(),
                backup_state: result.backup_state(),
            },
        )
        .await?;
    if !recorded {
        return Ok(Verdict::Refused(Refusal::Replayed));
    }
    let factor = tx
        .factors(stored.user_id)
        .await?
        .into_iter()
        .find(|f| f.id == stored.factor_id)
        .ok_or(CheckError::NotEnrolled(KIND))?;
    Ok(Verdict::Accepted(factor))
}

/// "Sign in with a passkey": the passkey names its user (a discoverable
/// credential), and its user-verified signature is both steps of the
/// sign-in. The attempt counts in the user's second-factor limit like a
/// code; a passkey nobody here holds is refused without naming anyone.
pub async fn sign_in(
    deps: &Deps,
    attempt: Attempt<'_>,
    answer: PasskeyAnswer,
) -> Result<SignedIn, CheckError> {
    let webauthn = verifier(deps)?;
    let PasskeyResponse::Asserted(credential) = answer.response else {
        return Err(CheckError::PasskeyUnknown);
    };
    let mut tx = deps.begin().await?;
    let state: DiscoverableAuthentication = take_ceremony(
        &mut tx,
        deps,
        &answer.ceremony,
        CeremonyPurpose::SignIn,
        None,
    )
    .await?;
    // Used up, whatever the answer turns out to be.
    tx.commit().await?;
    let (handle, used) = webauthn
        .identify_discoverable_authentication(&credential)
        .map_err(|_| CheckError::PasskeyUnknown)?;
    let mut tx = deps.read().await?;
    let user_id = tx
        .user_by_webauthn_handle(&handle.to_string())
        .await?
        .ok_or(CheckError::PasskeyUnknown)?;
    let stored = tx
        .passkey_by_credential(&credential_id(used))
        .await?
        .filter(|p| p.user_id == user_id)
        .ok_or(CheckError::PasskeyUnknown)?;
    let now = deps.now();
    let duties = factors::duties(&mut tx, user_id, now).await?;
    drop(tx);
    if !access::usable(KIND, duties, now) {
        return Err(CheckError::MethodNotAllowed(KIND));
    }
    let actor = Actor {
        user_id,
        ip: attempt.ip,
    };
    let claimed = limits::claim(deps, actor, AttemptKind::SecondFactor).await??;
    let passkey = open_passkey(deps, &stored)?;
    let outcome = webauthn.finish_discoverable_authentication_v2(&credential, state, &passkey);
    let mut tx = deps.begin().await?;
    // No session yet: the refusal is audited as a failed sign-in all the same.
    let occasion = Occasion::SignIn { session_hash: "" };
    let factor = match verified(&mut tx, deps, &stored, outcome).await? {
        Verdict::Accepted(factor) => factor,
        Verdict::Refused(refusal) => {
            return Err(answer::refused(tx, actor, KIND, refusal, occasion, claimed, now).await?);
        }
    };
    answer::accepted(&mut tx, actor, &factor, now).await?;
    tx.signed_in_at(user_id, now).await?;
    if let Some(language) = attempt.language {
        tx.set_user_language(user_id, language.code()).await?;
    }
    let done = second_step::Done {
        methods: Methods::passkey(),
        new_recovery_code: None,
        remember: false,
        memberships: None,
    };
    second_step::signed_in(tx, deps, attempt.previous, user_id, done).await
}

#[cfg(test)]
mod tests {
    use super::uuid_v4;

    #[test]
    fn user_handles_are_random_uuids() {
        let handle = uuid_v4([0xff; 16]);
        assert_eq!(handle.get_version_num(), 4);
        assert_eq!(handle.to_string(), "ffffffff-ffff-4fff-bfff-ffffffffffff");
    }
}
