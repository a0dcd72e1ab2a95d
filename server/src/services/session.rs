//! Sessions: the live session behind a cookie, and starting or ending one.

use super::{Deps, factors, internal_error};
use crate::client::Client;
use crate::domain::access;
use crate::domain::clock::UnixTime;
use crate::domain::oidc::Methods;
use crate::domain::session::{SessionIdHash, SessionStage, SessionToken};
use crate::store::{NewSession, Tx};

/// A live session, at whatever stage.
#[derive(Debug)]
pub struct LiveSession {
    pub user_id: i64,
    pub id: SessionIdHash,
    pub stage: SessionStage,
    /// Sensitive actions are allowed until then.
    pub reauth_until: UnixTime,
    /// When the person signed in (the last sign-in step).
    pub signed_in_at: UnixTime,
    /// How they signed in.
    pub methods: Methods,
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("no live session")]
    NotSignedIn,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(SessionError);

/// The live session `token` names. An expired one is deleted on the way.
pub async fn find(deps: &Deps, token: &SessionToken) -> Result<LiveSession, SessionError> {
    let id = token.id_hash();
    let now = deps.now();
    let mut tx = deps.read().await?;
    let row = tx.session(&id).await?.ok_or(SessionError::NotSignedIn)?;
    drop(tx);
    if !row.times.is_live(row.stage, now) {
        let mut tx = deps.begin().await?;
        tx.delete_session(&id).await?;
        tx.commit().await?;
        return Err(SessionError::NotSignedIn);
    }
    let stage = match row.recheck_at {
        Some(at) if now >= at => recheck(deps, &id, row.user_id, row.stage, now).await?,
        _ => row.stage,
    };
    let client = Client::current();
    let moved = client.ip.is_some() && client.ip != row.ip;
    if row.times.needs_touch(now) || moved {
        let mut tx = deps.begin().await?;
        tx.touch_session(&id, client.ip.as_deref().or(row.ip.as_deref()), now)
            .await?;
        tx.commit().await?;
    }
    Ok(LiveSession {
        user_id: row.user_id,
        id,
        stage,
        reauth_until: row.reauth_until,
        signed_in_at: row.times.created_at,
        methods: row.methods,
    })
}

/// Decides a session's stage again, as at sign-in (a deadline passed, or
/// the user's duties or factors changed): a full session of someone who
/// must now have MFA and has no factor becomes must-enroll.
async fn recheck(
    deps: &Deps,
    id: &SessionIdHash,
    user_id: i64,
    stage: SessionStage,
    now: UnixTime,
) -> Result<SessionStage, SessionError> {
    let mut tx = deps.begin().await?;
    let duties = factors::duties(&mut tx, user_id, now).await?;
    let factors = factors::counting(&tx.factors(user_id).await?, &duties);
    let requirement = access::requirement(duties.iter().copied(), now);
    let decided = access::stage_now(stage, requirement, factors);
    let next = access::recheck_at(decided, duties, factors, now);
    tx.set_session_stage(id, decided, next).await?;
    tx.commit().await?;
    if decided != stage {
        tracing::info!(user_id, "a session must enroll now: MFA became required");
    }
    Ok(decided)
}

/// Ends the session `token` names, if there is one. Idempotent.
pub async fn end(deps: &Deps, token: &SessionToken) -> Result<(), SessionError> {
    let mut tx = deps.begin().await?;
    tx.delete_session(&token.id_hash()).await?;
    tx.commit().await?;
    Ok(())
}

/// After a change to the user's factors or recovery code: every other
/// session of theirs ends (a stolen session cannot outlive the change).
pub(super) async fn end_others(tx: &mut Tx, session: &LiveSession) -> Result<(), sqlx::Error> {
    let ended = tx
        .delete_other_sessions(session.user_id, &session.id)
        .await?;
    if ended > 0 {
        tracing::info!(user_id = session.user_id, ended, "other sessions ended");
    }
    Ok(())
}

/// A change of privilege within the session (the password confirmed
/// again, the first factor enrolled): the session gets a new id at once, so
/// a cookie copied before the change is worth nothing after it (OWASP ASVS
/// 3.2.1). In the caller's transaction; the token is the browser's new cookie.
pub(super) async fn reissue(
    tx: &mut Tx,
    deps: &Deps,
    session: &LiveSession,
    stage: SessionStage,
    reauth_until: UnixTime,
) -> Result<SessionToken, SessionError> {
    let token = SessionToken::generate(&mut deps.rng());
    if !tx
        .reissue_session(&session.id, &token.id_hash(), stage, reauth_until)
        .await?
    {
        // Ended meanwhile (signed out, or by a change elsewhere).
        return Err(SessionError::NotSignedIn);
    }
    Ok(token)
}

/// Starts a session (a new id) in the caller's transaction, ending the one
/// it replaces; `recheck_at` is when its stage must be decided again.
pub(super) async fn start(
    tx: &mut Tx,
    deps: &Deps,
    replacing: Option<&SessionIdHash>,
    user_id: i64,
    stage: SessionStage,
    recheck_at: Option<UnixTime>,
    methods: &Methods,
) -> Result<SessionToken, sqlx::Error> {
    let now = deps.now();
    let token = SessionToken::generate(&mut deps.rng());
    let id = token.id_hash();
    let handle = hex::encode(rand::Rng::r#gen::<[u8; 16]>(&mut deps.rng()));
    let new = NewSession {
        user_id,
        stage,
        recheck_at,
        methods,
        handle: &handle,
        now,
    };
    let rotated = match replacing {
        Some(previous) => tx.rotate_session(previous, &id, &new).await?,
        None => false,
    };
    if !rotated {
        tx.create_session(&id, &new).await?;
    }
    Ok(token)
}
