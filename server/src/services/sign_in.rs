//! The password step of sign-in. Attempts are throttled per account, per
//! client network and across all accounts (`domain::throttle`), claimed
//! before the password is compared; a browser known to the account is
//! exempt from the account's delay (until five failures in a row). The session a right password starts is at the stage the access
//! rules give: the second step when the user has a factor, enrollment only
//! when MFA is required and missing, else fully signed in.

use std::time::Duration;

use mfa_api::{Me, SessionStage, SignInFactor};
use sha2::{Digest, Sha256};

use super::limits::Locked;
use super::{Deps, devices, factors, hash_error, internal_error, profile, second_step, session};
use crate::domain::access;
use crate::domain::clock::UnixTime;
use crate::domain::device;
use crate::domain::email::Email;
use crate::domain::network;
use crate::domain::oidc::{Method, Methods};
use crate::domain::password::{self, Password};
use crate::domain::session::{SessionIdHash, SessionToken};
use crate::domain::throttle::{self, Scope};
use crate::mail::templates::Language;
use crate::store::{AuditKind, Tx};

/// Who is trying, as the request tells.
#[derive(Clone, Copy, Debug, Default)]
pub struct Attempt<'a> {
    /// The browser's earlier session, replaced on success.
    pub previous: Option<&'a SessionIdHash>,
    pub ip: Option<&'a str>,
    /// The browser's known-device token, if it has one.
    pub device: Option<&'a str>,
    /// The browser's trusted-browser cookie, if it has one
    /// (`domain::trusted_browser`): it may skip the second step.
    pub trusted: Option<&'a str>,
    /// The language the app is shown in; kept for the user's emails.
    pub language: Option<Language>,
}

/// A right password: the new session, and the user when it is not waiting
/// for the second step.
#[derive(Debug)]
pub struct PasswordAccepted {
    pub token: SessionToken,
    pub user_id: i64,
    /// `None` while the second factor is due.
    pub me: Option<Me>,
    /// While the second factor is due: the user's factors, preferred first.
    pub second_factors: Vec<SignInFactor>,
    /// A fresh known-device token once the sign-in is complete (no second
    /// factor due), for the browser to keep.
    pub device: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Unknown email or wrong password: the same answer for both.
    #[error("wrong email or password")]
    InvalidCredentials,
    /// Too many failures for this account or address: not checked.
    #[error("throttled")]
    Throttled(Locked),
    /// Too many hashes are waiting: try again in a moment.
    #[error("the server is busy")]
    Busy,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(SignInError);
hash_error!(SignInError);

/// Checks email and password and, when right, starts a session. Unknown
/// emails are throttled and checked (against a decoy hash) exactly like
/// known ones, so the answers, and their timing, are the same.
pub async fn sign_in(
    deps: &Deps,
    attempt: Attempt<'_>,
    email: &Email,
    password: Password,
) -> Result<PasswordAccepted, SignInError> {
    let now = deps.now();
    let credentials = deps.read().await?.credentials(email).await?;
    let known_device = match (&credentials, attempt.device) {
        (Some(c), Some(token))
            if device::is_known(&deps.key, token, c.user_id, c.device_epoch, now) =>
        {
            Some(key_hash(Scope::Device, token))
        }
        _ => None,
    };
    let throttles = Throttles {
        device: known_device,
        account: key_hash(Scope::Account, email.as_str()),
        client: attempt
            .ip
            .map(|ip| key_hash(Scope::ClientIp, &network::limit_key(ip))),
    };
    let claimed = claim(deps, &throttles, now).await?;
    if claimed.over_budget && throttles.device.is_none() {
        // Sign-ins are failing everywhere (password spraying): a browser
        // not known to the account waits; people on their own do not.
        tokio::time::sleep(Duration::from_millis(throttle::GLOBAL_DELAY_MILLIS)).await;
    }

    let (user_id, phc, device_epoch) = match credentials {
        Some(c) => (Some(c.user_id), c.password_hash, c.device_epoch),
        None => (None, deps.decoy_hash.to_string(), 0),
    };
    let matches = deps
        .hashing
        .run(move |memory| password::verify(&password, &phc, memory))
        .await?;
    let Some(user_id) = user_id.filter(|_| matches) else {
        let mut tx = deps.begin().await?;
        tx.audit(
            user_id,
            AuditKind::SignInFailed,
            "password",
            attempt.ip,
            now,
        )
        .await?;
        tx.commit().await?;
        return Err(SignInError::InvalidCredentials);
    };

    let mut tx = deps.begin().await?;
    give_back(&mut tx, &claimed.counted).await?;
    tx.audit(user_id, AuditKind::SignIn, "password", attempt.ip, now)
        .await?;
    accepted(tx, deps, attempt, user_id, device_epoch).await
}

/// The password was right (or was just chosen, joining a company): in the
/// caller's transaction, the session at the stage the access rules give,
/// committed. Someone who joins after a deadline gets a window from this
/// first sign-in.
pub(super) async fn accepted(
    mut tx: Tx,
    deps: &Deps,
    attempt: Attempt<'_>,
    user_id: i64,
    device_epoch: i64,
) -> Result<PasswordAccepted, SignInError> {
    let now = deps.now();
    tx.signed_in_at(user_id, now).await?;
    if let Some(language) = attempt.language {
        tx.set_user_language(user_id, language.code()).await?;
    }
    let duties = factors::duties(&mut tx, user_id, now).await?;
    let requirement = access::requirement(duties.iter().copied(), now);
    // A method a company turned off no longer finishes a sign-in (from its
    // deadline), nor counts as enrolled.
    let all = tx.factors(user_id).await?;
    let counting = factors::counting(&all, &duties);
    let factors = factors::usable(all, &duties, now);
    let mut stage = access::stage_after_password(requirement, factors.len());
    let mut methods = Methods::password();
    // A browser the user trusted stands for the second step (never for
    // the password, nor for enrolling).
    if stage == SessionStage::SecondFactorPending
        && devices::trusted_here(&mut tx, user_id, &duties, attempt.trusted, now).await?
    {
        stage = SessionStage::Full;
        methods = methods.with(Method::TrustedBrowser);
        tx.audit(user_id, AuditKind::SignIn, TRUSTED_BROWSER, attempt.ip, now)
            .await?;
    }
    let recheck_at = access::recheck_at(stage, duties, counting, now);
    let token = session::start(
        &mut tx,
        deps,
        attempt.previous,
        user_id,
        stage,
        recheck_at,
        &methods,
    )
    .await?;
    let me = match stage {
        SessionStage::SecondFactorPending => None,
        SessionStage::MustEnroll | SessionStage::Full => {
            Some(profile::load_existing(&mut tx, user_id, stage, now).await?)
        }
    };
    tx.commit().await?;
    let second_factors = match stage {
        SessionStage::SecondFactorPending => second_step::offered_factors(factors),
        SessionStage::MustEnroll | SessionStage::Full => Vec::new(),
    };
    Ok(PasswordAccepted {
        token,
        user_id,
        second_factors,
        device: me
            .is_some()
            .then(|| device::issue(&deps.key, user_id, device_epoch, now, &mut deps.rng())),
        me,
    })
}

/// How the audit log names a trusted browser as a way to sign in.
const TRUSTED_BROWSER: &str = "trusted_browser";

/// What a password attempt is counted under (hashed keys).
struct Throttles {
    /// The browser's known-device token for this account, if it has one.
    device: Option<String>,
    account: String,
    /// The client's network, when known.
    client: Option<String>,
}

/// The attempt, counted.
struct Claimed {
    /// The counters it was counted in, to give back if the password is right.
    counted: Vec<(Scope, String)>,
    /// Whether sign-ins were failing beyond the global budget.
    over_budget: bool,
}

/// The key of the one global counter (nothing in it to hide).
const GLOBAL_KEY: &str = "all";

/// Counts the attempt in every throttle that applies, committed before the
/// password is compared; refused (nothing counted) while any of them
/// blocks. A known-device token exempts its browser from the account's
/// delay until five failures in a row.
async fn claim(deps: &Deps, throttles: &Throttles, now: UnixTime) -> Result<Claimed, SignInError> {
    let mut tx = deps.begin().await?;
    let mut applies = Vec::new();
    let exempt = match &throttles.device {
        Some(key) => {
            applies.push((Scope::Device, key.clone()));
            Scope::exempts(tx.throttle_for_update(Scope::Device, key).await?)
        }
        None => false,
    };
    if !exempt {
        applies.push((Scope::Account, throttles.account.clone()));
    }
    if let Some(key) = &throttles.client {
        applies.push((Scope::ClientIp, key.clone()));
    }
    applies.push((Scope::Global, GLOBAL_KEY.to_owned()));
    let mut claimed = Vec::new();
    let mut blocked_until = None;
    let mut over_budget = false;
    for (scope, key) in &applies {
        let counter = tx.throttle_for_update(*scope, key).await?;
        if *scope == Scope::Global {
            over_budget = Scope::over_budget(counter, now);
        }
        match scope.claim(counter, now) {
            Ok(after) => claimed.push((scope, key, after)),
            Err(until) => blocked_until = blocked_until.max(Some(until)),
        }
    }
    if let Some(until) = blocked_until {
        return Err(SignInError::Throttled(Locked::new(until, now)));
    }
    for (scope, key, after) in claimed {
        tx.set_throttle(*scope, key, after).await?;
    }
    tx.commit().await?;
    Ok(Claimed {
        counted: applies,
        over_budget,
    })
}

/// A right password gives its claims back.
async fn give_back(tx: &mut Tx, throttles: &[(Scope, String)]) -> Result<(), sqlx::Error> {
    for (scope, key) in throttles {
        let counter = tx.throttle_for_update(*scope, key).await?;
        tx.set_throttle(*scope, key, scope.give_back(counter))
            .await?;
    }
    Ok(())
}

/// Throttles are stored by a hash of what they count: no typed email (or a
/// password typed into the email field) and no address is kept.
fn key_hash(scope: Scope, value: &str) -> String {
    hex::encode(Sha256::digest(format!("{}:{value}", scope.as_str())))
}
