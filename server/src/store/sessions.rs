use super::{Tx, flag};
use crate::client::Client;
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
    /// The address it was last used from.
    pub ip: Option<String>,
}

/// A session as its user's list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionListRow {
    /// Names it in the list (not its id).
    pub handle: String,
    pub stage: SessionStage,
    pub times: SessionTimes,
    /// `domain::browser`'s label.
    pub browser: String,
    pub ip: Option<String>,
    /// Since when it has been used from `ip`.
    pub ip_since: UnixTime,
    /// The session asking.
    pub current: bool,
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
    /// Random; names it in its user's list.
    pub handle: &'a str,
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
            handle,
            now,
        } = *new;
        let client = Client::current();
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, stage, created_at, last_seen_at, expires_at, recheck_at, methods, \
             handle, browser, ip, ip_since) VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10, $4)",
        )
        .bind(id.as_str())
        .bind(user_id)
        .bind(stage_name(stage))
        .bind(now)
        .bind(SessionTimes::hard_expiry(now))
        .bind(recheck_at.unwrap_or(0))
        .bind(methods.stored())
        .bind(handle)
        .bind(client.browser())
        .bind(client.ip)
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
            handle,
            now,
        } = *new;
        let client = Client::current();
        let done = sqlx::query(
            "UPDATE sessions SET id_hash = $1, user_id = $2, stage = $3, created_at = $4, \
             last_seen_at = $4, expires_at = $5, reauth_until = 0, recheck_at = $6, methods = $7, \
             handle = $9, browser = $10, ip = $11, ip_since = $4 WHERE id_hash = $8",
        )
        .bind(id.as_str())
        .bind(user_id)
        .bind(stage_name(stage))
        .bind(now)
        .bind(SessionTimes::hard_expiry(now))
        .bind(recheck_at.unwrap_or(0))
        .bind(methods.stored())
        .bind(previous.as_str())
        .bind(handle)
        .bind(client.browser())
        .bind(client.ip)
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
        type Row = (i64, String, i64, i64, i64, i64, String, Option<String>);
        let row: Option<Row> = sqlx::query_as(
            "SELECT user_id, stage, created_at, last_seen_at, reauth_until, recheck_at, methods, ip \
             FROM sessions WHERE id_hash = $1",
        )
        .bind(id.as_str())
        .fetch_optional(self.conn())
        .await?;
        Ok(row.map(
            |(user_id, stage, created_at, last_seen_at, reauth_until, recheck_at, methods, ip)| {
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
                    ip,
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

    /// The session was used now, from `ip` (since now, when it is a new one).
    pub async fn touch_session(
        &mut self,
        id: &SessionIdHash,
        ip: Option<&str>,
        now: UnixTime,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE sessions SET last_seen_at = $1, \
             ip_since = CASE WHEN ip = $2 THEN ip_since ELSE $1 END, ip = $2 WHERE id_hash = $3",
        )
        .bind(now)
        .bind(ip)
        .bind(id.as_str())
        .execute(self.conn())
        .await
        .map(drop)
    }

    /// Every session of the user, the most recently used first; `current`
    /// is marked.
    pub async fn user_sessions(
        &mut self,
        user_id: i64,
        current: &SessionIdHash,
    ) -> Result<Vec<SessionListRow>, sqlx::Error> {
        type Row = (String, String, i64, i64, String, Option<String>, i64, i64);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT handle, stage, created_at, last_seen_at, browser, ip, ip_since, \
             CASE WHEN id_hash = $2 THEN 1 ELSE 0 END FROM sessions WHERE user_id = $1 \
             ORDER BY last_seen_at DESC, created_at DESC",
        )
        .bind(user_id)
        .bind(current.as_str())
        .fetch_all(self.conn())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(handle, stage, created_at, last_seen_at, browser, ip, ip_since, current)| {
                    SessionListRow {
                        handle,
                        stage: stage_from_name(&stage),
                        times: SessionTimes {
                            created_at,
                            last_seen_at,
                        },
                        browser,
                        ip,
                        ip_since,
                        current: flag(current),
                    }
                },
            )
            .collect())
    }

    /// Ends the user's session `handle` names, unless it is `keep`; true
    /// when it existed.
    pub async fn delete_session_by_handle(
        &mut self,
        user_id: i64,
        handle: &str,
        keep: &SessionIdHash,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "DELETE FROM sessions WHERE user_id = $1 AND handle = $2 AND id_hash <> $3",
        )
        .bind(user_id)
        .bind(handle)
        .bind(keep.as_str())
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
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
