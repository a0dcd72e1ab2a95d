use super::Tx;
use crate::domain::clock::UnixTime;
use crate::domain::oidc::Methods;
use crate::domain::session::{SessionIdHash, SessionStage, SessionTimes};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    pub user_id: i64,
    pub stage: SessionStage,
    pub times: SessionTimes,
    /// Sensitive actions are allowed until then without the password again.
    pub reauth_until: UnixTime,
    /// From then on, the stage must be decided again (`None`: never).
    pub recheck_at: Option<UnixTime>,
    /// How it was signed in.
    pub methods: Methods,
}

/// The stage as stored.
fn stage_name(stage: SessionStage) -> &'static str {
    match stage {
        SessionStage::SecondFactorPending => "second_factor",
        SessionStage::MustEnroll => "must_enroll",
        SessionStage::Full => "full",
    }
}

/// Anything unexpected is read as the most restricted stage.
fn stage_from_name(name: &str) -> SessionStage {
    match name {
        "full" => SessionStage::Full,
        "must_enroll" => SessionStage::MustEnroll,
        _ => SessionStage::SecondFactorPending,
    }
}

/// A session as it starts: whose, at which stage, how signed in.
#[derive(Debug)]
pub struct NewSession<'a> {
    pub user_id: i64,
    pub stage: SessionStage,
    /// When its stage must be decided again (`None`: never).
    pub recheck_at: Option<UnixTime>,
    pub methods: &'a Methods,
    pub now: UnixTime,
}

impl Tx {
    pub async fn create_session(
        &mut self,
        id: &SessionIdHash,
        new: &NewSession<'_>,
    ) -> Result<(), sqlx::Error> {
        let NewSession {
            user_id,
            stage,
            recheck_at,
            methods,
            now,
        } = *new;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, stage, created_at, last_seen_at, expires_at, recheck_at, methods) \
             VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
        )
        .bind(id.as_str())
        .bind(user_id)
        .bind(stage_name(stage))
        .bind(now)
        .bind(SessionTimes::hard_expiry(now))
        .bind(recheck_at.unwrap_or(0))
        .bind(methods.stored())
        .execute(self.conn())
        .await
        .map(drop)
    }

    /// Gives the session `previous` a new id, user, stage and times (the
    /// browser's session rotated at each sign-in step), in one statement;
    /// false when there was no such session.
    pub async fn rotate_session(
        &mut self,
        previous: &SessionIdHash,
        id: &SessionIdHash,
        new: &NewSession<'_>,
    ) -> Result<bool, sqlx::Error> {
        let NewSession {
            user_id,
            stage,
            recheck_at,
            methods,
            now,
        } = *new;
        let done = sqlx::query(
            "UPDATE sessions SET id_hash = $1, user_id = $2, stage = $3, created_at = $4, \
             last_seen_at = $4, expires_at = $5, reauth_until = 0, recheck_at = $6, methods = $7 \
             WHERE id_hash = $8",
        )
        .bind(id.as_str())
        .bind(user_id)
        .bind(stage_name(stage))
        .bind(now)
        .bind(SessionTimes::hard_expiry(now))
        .bind(recheck_at.unwrap_or(0))
        .bind(methods.stored())
        .bind(previous.as_str())
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives a live session a new id (its user, times and lifetime kept), at
    /// `stage` and with sensitive actions allowed until `reauth_until`: a
    /// change of privilege within a session. False when there was no such
    /// session.
    pub async fn reissue_session(
        &mut self,
        previous: &SessionIdHash,
        id: &SessionIdHash,
        stage: SessionStage,
        reauth_until: UnixTime,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE sessions SET id_hash = $1, stage = $2, reauth_until = $3 WHERE id_hash = $4",
        )
        .bind(id.as_str())
        .bind(stage_name(stage))
        .bind(reauth_until)
        .bind(previous.as_str())
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn session(&mut self, id: &SessionIdHash) -> Result<Option<SessionRow>, sqlx::Error> {
        let row: Option<(i64, String, i64, i64, i64, i64, String)> = sqlx::query_as(
            "SELECT user_id, stage, created_at, last_seen_at, reauth_until, recheck_at, methods \
             FROM sessions WHERE id_hash = $1",
        )
        .bind(id.as_str())
        .fetch_optional(self.conn())
        .await?;
        Ok(row.map(
            |(user_id, stage, created_at, last_seen_at, reauth_until, recheck_at, methods)| {
                SessionRow {
                    user_id,
                    stage: stage_from_name(&stage),
                    times: SessionTimes {
                        created_at,
                        last_seen_at,
                    },
                    reauth_until,
                    recheck_at: (recheck_at != 0).then_some(recheck_at),
                    methods: Methods::from_stored(&methods),
                }
            },
        ))
    }

    /// Records how the session has now been signed in (a factor proved
    /// within it, enrolling).
    pub async fn set_session_methods(
        &mut self,
        id: &SessionIdHash,
        methods: &Methods,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE sessions SET methods = $1 WHERE id_hash = $2")
            .bind(methods.stored())
            .bind(id.as_str())
            .execute(self.conn())
            .await
            .map(drop)
    }

    pub async fn touch_session(
        &mut self,
        id: &SessionIdHash,
        now: UnixTime,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now)
            .bind(id.as_str())
            .execute(self.conn())
            .await
            .map(drop)
    }

    /// Deletes the session; true when it existed (so only one caller wins).
    pub async fn delete_session(&mut self, id: &SessionIdHash) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id.as_str())
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The session's stage, decided again, and when to decide next.
    pub async fn set_session_stage(
        &mut self,
        id: &SessionIdHash,
        stage: SessionStage,
        recheck_at: Option<UnixTime>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE sessions SET stage = $1, recheck_at = $2 WHERE id_hash = $3")
            .bind(stage_name(stage))
            .bind(recheck_at.unwrap_or(0))
            .bind(id.as_str())
            .execute(self.conn())
            .await
            .map(drop)
    }

    /// The user's full sessions have their stage decided again at their
    /// next request (their duties or factors changed).
    pub async fn recheck_user_sessions(
        &mut self,
        user_id: i64,
        now: UnixTime,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE sessions SET recheck_at = $1 WHERE user_id = $2 AND stage = 'full'")
            .bind(now)
            .bind(user_id)
            .execute(self.conn())
            .await
            .map(drop)
    }

    /// As [`Tx::recheck_user_sessions`], for every member of the company
    /// (its policy changed).
    pub async fn recheck_company_sessions(
        &mut self,
        company_id: i64,
        now: UnixTime,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE sessions SET recheck_at = $1 WHERE stage = 'full' \
             AND user_id IN (SELECT user_id FROM memberships WHERE company_id = $2)",
        )
        .bind(now)
        .bind(company_id)
        .execute(self.conn())
        .await
        .map(drop)
    }

    /// Ends every session of the user but `keep` (after a factor change).
    pub async fn delete_other_sessions(
        &mut self,
        user_id: i64,
        keep: &SessionIdHash,
    ) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(user_id)
            .bind(keep.as_str())
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected())
    }

    /// Drops sessions past their absolute end. Returns how many went.
    pub async fn delete_expired_sessions(&mut self, now: UnixTime) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected())
    }

    /// Ends every session of the user.
    pub async fn delete_user_sessions(&mut self, user_id: i64) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(self.conn())
            .await
            .map(drop)
    }
}
