//! Sessions: the live session behind a cookie, and starting or ending one.

use super::{Deps, internal_error};
use crate::domain::clock::UnixTime;
use crate::domain::session::{SessionIdHash, SessionStage, SessionToken};
use crate::store::Tx;

/// A live session, at whatever stage.
#[derive(Debug)]
pub struct LiveSession {
    pub user_id: i64,
    pub id: SessionIdHash,
    pub stage: SessionStage,
    /// Sensitive actions are allowed until then.
    pub reauth_until: UnixTime,
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
    if row.times.needs_touch(now) {
        let mut tx = deps.begin().await?;
        tx.touch_session(&id, now).await?;
        tx.commit().await?;
    }
    Ok(LiveSession {
        user_id: row.user_id,
        id,
        stage: row.stage,
        reauth_until: row.reauth_until,
    })
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

/// Starts a session (a new id) in the caller's transaction, ending the one
/// it replaces, and sweeping sessions past their end.
pub(super) async fn start(
    tx: &mut Tx,
    deps: &Deps,
    replacing: Option<&SessionIdHash>,
    user_id: i64,
    stage: SessionStage,
) -> Result<SessionToken, sqlx::Error> {
    let now = deps.now();
    let token = SessionToken::generate(&mut deps.rng());
    let id = token.id_hash();
    let rotated = match replacing {
        Some(previous) => {
            tx.rotate_session(previous, &id, user_id, stage, now)
                .await?
        }
        None => false,
    };
    if !rotated {
        tx.create_session(&id, user_id, stage, now).await?;
    }
    Ok(token)
}
