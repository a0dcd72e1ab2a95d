//! Where a person is signed in, and the browsers they trusted to skip the
//! second step ("Don't ask again on this browser for N days",
//! `domain::trusted_browser`): listed on their Password & Security tab, each
//! session signed out and each browser forgotten at once (no password: it
//! only takes access away).

use mfa_api::SessionStage;

use super::session::LiveSession;
use super::{Deps, factors, internal_error};
use crate::client::Client;
use crate::domain::access::MfaDuty;
use crate::domain::clock::UnixTime;
use crate::domain::trusted_browser;
use crate::mail::templates::SecurityEvent;
use crate::store::{AuditKind, SessionListRow, TrustedBrowserRow, Tx};

#[derive(Debug, thiserror::Error)]
pub enum DevicesError {
    /// No such session or trusted browser of the user's (or the current session).
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(DevicesError);

/// Why every trusted browser of a user is forgotten.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forgotten {
    /// Their password changed.
    PasswordChanged,
    /// A factor was added or removed.
    FactorChanged,
    /// Their MFA was reset.
    MfaReset,
    /// They asked ("Forget all").
    Asked,
}

impl Forgotten {
    /// The security events that forget every trusted browser of the user:
    /// a new password, a factor added or removed, MFA reset.
    pub(super) fn after(event: &SecurityEvent) -> Option<Self> {
        match event {
            SecurityEvent::PasswordChanged { .. } => Some(Self::PasswordChanged),
            SecurityEvent::FactorAdded { .. } | SecurityEvent::FactorRemoved { .. } => {
                Some(Self::FactorChanged)
            }
            SecurityEvent::MfaReset { .. } => Some(Self::MfaReset),
            SecurityEvent::RecoveryCodeUsed
            | SecurityEvent::RecoveryCodeRegenerated
            | SecurityEvent::Lockout => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::PasswordChanged => "password_changed",
            Self::FactorChanged => "factor_changed",
            Self::MfaReset => "mfa_reset",
            Self::Asked => "asked",
        }
    }
}

/// In the caller's transaction: forgets every trusted browser of the user
/// (audited when there were any).
pub(super) async fn forget_all(
    tx: &mut Tx,
    user_id: i64,
    why: Forgotten,
    now: UnixTime,
) -> Result<u64, sqlx::Error> {
    let forgotten = tx.forget_trusted_browsers(user_id).await?;
    if forgotten > 0 {
        let ip = Client::current().ip;
        tx.audit(
            user_id,
            AuditKind::TrustedBrowserForgotten,
            &format!("count={forgotten} why={}", why.as_str()),
            ip.as_deref(),
            now,
        )
        .await?;
    }
    Ok(forgotten)
}

/// In the caller's transaction: whether one of the tokens in the browser's
/// cookie trusts it for this user now (within their companies' days, never
/// for a payee); its use is recorded.
pub(super) async fn trusted_here(
    tx: &mut Tx,
    user_id: i64,
    duties: &[MfaDuty],
    cookie: Option<&str>,
    now: UnixTime,
) -> Result<bool, sqlx::Error> {
    let days = trusted_browser::days(duties.iter().copied());
    let hashes: Vec<String> = cookie
        .map(trusted_browser::tokens)
        .unwrap_or_default()
        .into_iter()
        .map(trusted_browser::token_hash)
        .collect();
    if days == 0 || hashes.is_empty() {
        return Ok(false);
    }
    let Some(found) = tx.presented_trusted_browser(user_id, &hashes, now).await? else {
        return Ok(false);
    };
    if trusted_browser::trusted_until(found.created_at, found.expires_at, days) <= now {
        return Ok(false);
    }
    tx.touch_trusted_browser(found.id, now).await?;
    Ok(true)
}

/// In the caller's transaction, after a second step with "Don't ask again"
/// ticked: a new token for the browser to keep, when the user's companies
/// allow trusting browsers (none otherwise).
pub(super) async fn trust(
    tx: &mut Tx,
    deps: &Deps,
    user_id: i64,
    now: UnixTime,
) -> Result<Option<String>, sqlx::Error> {
    let days = trusted_browser::days(factors::duties(tx, user_id, now).await?);
    if days == 0 {
        return Ok(None);
    }
    let token = trusted_browser::new_token(&mut deps.rng());
    let client = Client::current();
    tx.add_trusted_browser(
        user_id,
        &trusted_browser::token_hash(&token),
        &client.browser(),
        now,
        trusted_browser::expiry(now, days),
    )
    .await?;
    tx.audit(
        user_id,
        AuditKind::TrustedBrowserAdded,
        &format!("days={days}"),
        client.ip.as_deref(),
        now,
    )
    .await?;
    Ok(Some(token))
}

/// For how many days the user's browsers may be trusted (0: never).
pub(super) async fn trust_days(
    tx: &mut Tx,
    user_id: i64,
    now: UnixTime,
) -> Result<i64, sqlx::Error> {
    Ok(trusted_browser::days(
        factors::duties(tx, user_id, now).await?,
    ))
}

/// The user's trusted browsers, as long as each is trusted now, and the days.
pub async fn trusted_browsers(
    deps: &Deps,
    session: &LiveSession,
) -> Result<(Vec<TrustedBrowserRow>, i64), DevicesError> {
    let now = deps.now();
    let mut tx = deps.read().await?;
    let days = trust_days(&mut tx, session.user_id, now).await?;
    let browsers = tx
        .trusted_browsers(session.user_id, now)
        .await?
        .into_iter()
        .map(|b| TrustedBrowserRow {
            expires_at: trusted_browser::trusted_until(b.created_at, b.expires_at, days),
            ..b
        })
        .filter(|b| b.expires_at > now)
        .collect();
    Ok((browsers, days))
}

/// "Forget": one of the user's trusted browsers.
pub async fn forget(deps: &Deps, session: &LiveSession, id: i64) -> Result<(), DevicesError> {
    let now = deps.now();
    let mut tx = deps.begin().await?;
    if !tx.forget_trusted_browser(session.user_id, id).await? {
        return Err(DevicesError::NotFound);
    }
    let ip = Client::current().ip;
    tx.audit(
        session.user_id,
        AuditKind::TrustedBrowserForgotten,
        &format!("count=1 why={}", Forgotten::Asked.as_str()),
        ip.as_deref(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// "Forget all": every trusted browser of the user; how many went.
pub async fn forget_mine(deps: &Deps, session: &LiveSession) -> Result<u64, DevicesError> {
    let mut tx = deps.begin().await?;
    let forgotten = forget_all(&mut tx, session.user_id, Forgotten::Asked, deps.now()).await?;
    tx.commit().await?;
    Ok(forgotten)
}

/// The user's live sessions past the password (the one asking marked),
/// the most recently used first.
pub async fn sessions(
    deps: &Deps,
    session: &LiveSession,
) -> Result<Vec<SessionListRow>, DevicesError> {
    let now = deps.now();
    let mut tx = deps.read().await?;
    Ok(tx
        .user_sessions(session.user_id, &session.id)
        .await?
        .into_iter()
        .filter(|s| s.stage != SessionStage::SecondFactorPending && s.times.is_live(s.stage, now))
        .collect())
}

/// "Sign out" of one of the user's other sessions (the current one signs
/// out with the usual "Sign out"). Its next request is refused.
pub async fn sign_out(
    deps: &Deps,
    session: &LiveSession,
    handle: &str,
) -> Result<(), DevicesError> {
    let mut tx = deps.begin().await?;
    if !tx
        .delete_session_by_handle(session.user_id, handle, &session.id)
        .await?
    {
        return Err(DevicesError::NotFound);
    }
    audit_ended(&mut tx, deps, session, 1).await?;
    tx.commit().await?;
    Ok(())
}

/// "Sign out everywhere else": every session of the user but this one.
/// Trusted browsers stay trusted. Returns how many ended.
pub async fn sign_out_others(deps: &Deps, session: &LiveSession) -> Result<u64, DevicesError> {
    let mut tx = deps.begin().await?;
    let ended = tx
        .delete_other_sessions(session.user_id, &session.id)
        .await?;
    if ended > 0 {
        audit_ended(&mut tx, deps, session, ended).await?;
    }
    tx.commit().await?;
    Ok(ended)
}

async fn audit_ended(
    tx: &mut Tx,
    deps: &Deps,
    session: &LiveSession,
    ended: u64,
) -> Result<(), sqlx::Error> {
    let ip = Client::current().ip;
    tx.audit(
        session.user_id,
        AuditKind::SessionEnded,
        &format!("count={ended}"),
        ip.as_deref(),
        deps.now(),
    )
    .await
}
