//! Passwords: changing one's own (the current password typed again, not
//! just a recent re-authentication), and choosing a new one after
//! forgetting it (a link by email). Either way the one rule for a chosen
//! password applies (`domain::password::choose`), the user's browsers known
//! before are forgotten and the person is emailed. A reset never signs
//! anyone in and never gets around the second factor, nor its lockout
//! (OWASP ASVS 6.4.3).

use anyhow::Context;

use super::limits::{self, Refused};
use super::notify::{self, Recipient};
use super::session::LiveSession;
use super::{Actor, Deps, hash_error, internal_error};
use crate::domain::attempts::AttemptKind;
use crate::domain::clock::UnixTime;
use crate::domain::email::Email;
use crate::domain::link_token::LinkToken;
use crate::domain::network;
use crate::domain::password::{self, Password, PasswordRejected};
use crate::domain::reset_link;
use crate::domain::seal;
use crate::domain::slow_hash::Salt;
use crate::mail::templates::{EmailContent, Language, SecurityEvent};
use crate::store::{AuditKind, Tx, UserRow};

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The new password breaks the rule (too short, too long, guessable).
    #[error(transparent)]
    Rejected(#[from] PasswordRejected),
    /// The current password, typed to change it, is wrong.
    #[error("wrong password")]
    WrongPassword,
    #[error("refused without checking: {0}")]
    Refused(#[from] Refused),
    /// The reset link expired, was used, or was replaced by a newer one.
    #[error("the link no longer works")]
    LinkExpired,
    /// The session's user is gone.
    #[error("no such user")]
    NoUser,
    /// Too many hashes are waiting: try again in a moment.
    #[error("the server is busy")]
    Busy,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(PasswordError);
hash_error!(PasswordError);

/// The rule for `new`, with the person's own email and name as words a
/// guesser would try first.
fn chosen(user: &UserRow, new: String) -> Result<Password, PasswordRejected> {
    password::choose(new, &[&user.email, &user.name])
}

/// Changes the signed-in user's password: `current` must be right (each
/// try is counted like a re-authentication), `new` must meet the rule.
/// Every other session of the user ends; this one stays.
pub async fn change(
    deps: &Deps,
    session: &LiveSession,
    ip: Option<&str>,
    current: Password,
    new: String,
) -> Result<(), PasswordError> {
    let actor = Actor {
        user_id: session.user_id,
        ip,
    };
    let user = deps
        .read()
        .await?
        .user(actor.user_id)
        .await?
        .ok_or(PasswordError::NoUser)?;
    let new = chosen(&user, new)?;
    let claimed = limits::claim(deps, actor, AttemptKind::Reauth).await??;
    let phc = deps
        .read()
        .await?
        .password_hash(actor.user_id)
        .await?
        .ok_or(PasswordError::NoUser)?;
    let salt = Salt::generate(&mut deps.rng());
    let hashed = deps
        .hashing
        .run(move |memory| {
            password::verify(&current, &phc, memory).then(|| password::hash(&new, salt, memory))
        })
        .await?;
    let Some(hash) = hashed else {
        return Err(claimed.wrong(PasswordError::WrongPassword));
    };
    let hash = hash?;
    let now = deps.now();
    let mut tx = deps.begin().await?;
    limits::give_back(&mut tx, actor.user_id, AttemptKind::Reauth).await?;
    replace_password(&mut tx, deps, actor, &hash, false, now).await?;
    let ended = tx.delete_other_sessions(actor.user_id, &session.id).await?;
    tx.commit().await?;
    tracing::info!(
        user_id = actor.user_id,
        other_sessions_ended = ended,
        "password changed"
    );
    Ok(())
}

/// The new password hash, written with what every password change brings:
/// browsers known before are forgotten, and the change is audited and
/// emailed.
async fn replace_password(
    tx: &mut Tx,
    deps: &Deps,
    actor: Actor<'_>,
    hash: &str,
    by_reset: bool,
    now: UnixTime,
) -> Result<(), sqlx::Error> {
    tx.set_password_hash(actor.user_id, hash).await?;
    tx.bump_device_epoch(actor.user_id).await?;
    notify::security_event(
        tx,
        deps,
        actor,
        SecurityEvent::PasswordChanged { by_reset },
        "",
        now,
    )
    .await
}

/// "Forgot your password?": the answer is the same, and as quick, whether
/// an account has `email` or not, and whether a limit was reached: the
/// request is counted, and the link is made and emailed in a task of its
/// own, after the answer.
pub async fn ask_for_reset(
    deps: &Deps,
    ip: Option<&str>,
    email: &Email,
    language: Option<Language>,
) -> Result<(), PasswordError> {
    let now = deps.now();
    let address = reset_link::request_key("address", email.as_str());
    let network = ip.map(|ip| reset_link::request_key("network", &network::limit_key(ip)));
    let mut tx = deps.begin().await?;
    let mut keys = vec![address.as_str()];
    keys.extend(network.as_deref());
    tx.lock_keys(&keys).await?;
    let mut over = false;
    for (key, limit) in [
        (Some(&address), reset_link::PER_ADDRESS),
        (network.as_ref(), reset_link::PER_NETWORK),
    ] {
        if let Some(key) = key {
            let asked = tx
                .reset_requests_since(key, now - limit.window_secs)
                .await?;
            over |= limit.wait(&asked, now).is_some();
        }
    }
    if !over {
        tx.record_reset_request(&keys, now, now - reset_link::PER_NETWORK.window_secs)
            .await?;
    }
    tx.commit().await?;
    let deps = deps.clone();
    let email = email.clone();
    let ip = ip.map(str::to_owned);
    tokio::spawn(async move {
        if let Err(e) = send_reset_link(&deps, ip.as_deref(), &email, language, over, now).await {
            tracing::error!(error = %format!("{e:#}"), "a reset link could not be prepared");
        }
    });
    Ok(())
}

/// The link itself, for an account that has the address (audited either way).
async fn send_reset_link(
    deps: &Deps,
    ip: Option<&str>,
    email: &Email,
    language: Option<Language>,
    over_limit: bool,
    now: UnixTime,
) -> anyhow::Result<()> {
    let mut tx = deps.begin().await?;
    let Some(user_id) = tx.user_id_by_email(email).await? else {
        tx.audit(
            None,
            AuditKind::PasswordResetAsked,
            "unknown address",
            ip,
            now,
        )
        .await?;
        tx.commit().await?;
        return Ok(());
    };
    if over_limit {
        tx.audit(
            Some(user_id),
            AuditKind::PasswordResetAsked,
            "over the limit: not sent",
            ip,
            now,
        )
        .await?;
        tx.commit().await?;
        return Ok(());
    }
    let user = tx.user(user_id).await?.context("the user went missing")?;
    let token = LinkToken::generate(&mut deps.rng());
    let expires_at = now + reset_link::LIFETIME_SECS;
    let reset_id = tx
        .insert_password_reset(user_id, &token.hash(), now, expires_at)
        .await?;
    let token_sealed = seal::seal(
        &deps.key,
        &seal::reset_link_owner(reset_id),
        token.text().as_bytes(),
        &mut deps.rng(),
    );
    // The language of the page they asked from: they are reading it now.
    let language = language.map_or_else(|| user.language.clone(), |l| l.code().to_owned());
    let content = EmailContent::PasswordReset {
        name: user.name.clone(),
        reset_id,
        token_sealed,
        expires_at,
    };
    let to = Recipient {
        user_id: Some(user_id),
        email: &user.email,
        language: &language,
    };
    notify::enqueue(
        &mut tx,
        to,
        &content,
        &format!("reset:{reset_id}"),
        None,
        now,
        now,
    )
    .await?;
    tx.audit(
        Some(user_id),
        AuditKind::PasswordResetAsked,
        "sent",
        ip,
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user_id, "a reset link was emailed");
    Ok(())
}

/// Whether a reset link still works (for its page, before anything is typed).
pub async fn reset_link_works(deps: &Deps, token: &LinkToken) -> Result<(), PasswordError> {
    let found = deps.read().await?.password_reset(&token.hash()).await?;
    match found {
        Some(link) if link.used_at.is_none() && deps.now() < link.expires_at => Ok(()),
        _ => Err(PasswordError::LinkExpired),
    }
}

/// Sets a new password with a reset link. A password the rule refuses
/// leaves the link working. Every session of the user ends; nobody is
/// signed in; the second factor and its counts stay as they are.
pub async fn reset(
    deps: &Deps,
    ip: Option<&str>,
    token: &LinkToken,
    new: String,
) -> Result<(), PasswordError> {
    let link = deps
        .read()
        .await?
        .password_reset(&token.hash())
        .await?
        .filter(|l| l.used_at.is_none() && deps.now() < l.expires_at)
        .ok_or(PasswordError::LinkExpired)?;
    let user = deps
        .read()
        .await?
        .user(link.user_id)
        .await?
        .ok_or(PasswordError::LinkExpired)?;
    let new = chosen(&user, new)?;
    let salt = Salt::generate(&mut deps.rng());
    let hash = deps
        .hashing
        .run(move |memory| password::hash(&new, salt, memory))
        .await??;
    let now = deps.now();
    let mut tx = deps.begin().await?;
    if !tx.use_password_reset(link.id, now).await? {
        return Err(PasswordError::LinkExpired);
    }
    let actor = Actor {
        user_id: link.user_id,
        ip,
    };
    replace_password(&mut tx, deps, actor, &hash, true, now).await?;
    tx.delete_user_sessions(link.user_id).await?;
    tx.commit().await?;
    tracing::info!(user_id = link.user_id, "password reset with a link");
    Ok(())
}
