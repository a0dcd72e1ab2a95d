use super::Tx;
use crate::domain::clock::UnixTime;

/// What a texted code was sent for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Verifying a new phone number (the pending factor).
    Enroll,
    /// The second step of a sign-in (the half-signed-in session).
    SignIn,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Enroll => "enroll",
            Self::SignIn => "sign_in",
        }
    }
}

/// Where a texted code stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeState {
    /// Handed to the provider; no answer yet.
    Sending,
    /// The provider accepted it.
    Sent,
    /// The provider did not answer in time: it may have gone out.
    Unconfirmed,
    /// The provider refused it: nothing went out, and it is not counted.
    Failed,
    Used,
    /// Replaced by a newer code, or tried too often.
    Void,
}

impl CodeState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Unconfirmed => "unconfirmed",
            Self::Failed => "failed",
            Self::Used => "used",
            Self::Void => "void",
        }
    }

    fn from_name(name: &str) -> Self {
        match name {
            "sending" => Self::Sending,
            "sent" => Self::Sent,
            "unconfirmed" => Self::Unconfirmed,
            "failed" => Self::Failed,
            "used" => Self::Used,
            _ => Self::Void,
        }
    }
}

/// States in which a code may still be typed.
const CHECKABLE: &str = "('sending', 'sent', 'unconfirmed')";

/// What a code is bound to: the user, the purpose, the phone factor, and
/// for a sign-in the session.
#[derive(Clone, Copy, Debug)]
pub struct Binding<'a> {
    pub user_id: i64,
    pub purpose: Purpose,
    pub factor_id: i64,
    pub session_hash: Option<&'a str>,
}

/// A texted code as stored (its hash only).
#[derive(Clone, Debug)]
pub struct TextedCodeRow {
    pub id: i64,
    /// `None` once the factor is gone.
    pub factor_id: Option<i64>,
    pub salt: String,
    pub code_hash: String,
    pub state: CodeState,
    pub wrong_tries: i64,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
}

/// A code about to be handed to the provider.
#[derive(Debug)]
pub struct NewTextedCode<'a> {
    pub binding: Binding<'a>,
    pub salt: &'a str,
    pub code_hash: &'a str,
    pub number_hash: &'a str,
    /// The client's network (`domain::network::limit_key`), for the
    /// per-address limit.
    pub ip: Option<&'a str>,
    pub idempotency_key: &'a str,
    pub now: UnixTime,
    pub expires_at: UnixTime,
}

const COLUMNS: &str = "id, factor_id, salt, code_hash, state, wrong_tries, created_at, expires_at";
type Columns = (i64, Option<i64>, String, String, String, i64, i64, i64);

fn row(
    (id, factor_id, salt, code_hash, state, wrong_tries, created_at, expires_at): Columns,
) -> TextedCodeRow {
    TextedCodeRow {
        id,
        factor_id,
        salt,
        code_hash,
        state: CodeState::from_name(&state),
        wrong_tries,
        created_at,
        expires_at,
    }
}

/// `session_hash` matches, NULL included.
const SAME_SESSION: &str = "(session_hash = $4 OR (session_hash IS NULL AND $4 IS NULL))";

impl Tx {
    /// Send times (oldest first) since `since` of texts that count towards
    /// the limits (all but those the provider refused), by user, by number
    /// hash, or by client address.
    pub async fn texts_to_user_since(
        &mut self,
        user_id: i64,
        since: UnixTime,
    ) -> Result<Vec<UnixTime>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT created_at FROM texted_codes WHERE user_id = $1 AND created_at > $2 AND state <> 'failed' ORDER BY created_at",
        )
        .bind(user_id)
        .bind(since)
        .fetch_all(self.conn())
        .await
    }

    pub async fn texts_to_number_since(
        &mut self,
        number_hash: &str,
        since: UnixTime,
    ) -> Result<Vec<UnixTime>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT created_at FROM texted_codes WHERE number_hash = $1 AND created_at > $2 AND state <> 'failed' ORDER BY created_at",
        )
        .bind(number_hash)
        .bind(since)
        .fetch_all(self.conn())
        .await
    }

    pub async fn texts_from_ip_since(
        &mut self,
        ip: &str,
        since: UnixTime,
    ) -> Result<Vec<UnixTime>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT created_at FROM texted_codes WHERE ip = $1 AND created_at > $2 AND state <> 'failed' ORDER BY created_at",
        )
        .bind(ip)
        .bind(since)
        .fetch_all(self.conn())
        .await
    }

    /// When the last counted code for this purpose (and session) was sent,
    /// to any of the user's numbers: starting over does not skip the wait.
    pub async fn last_text(
        &mut self,
        binding: Binding<'_>,
    ) -> Result<Option<UnixTime>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT MAX(created_at) FROM texted_codes WHERE user_id = $1 AND purpose = $2 \
             AND (session_hash = $3 OR (session_hash IS NULL AND $3 IS NULL)) AND state <> 'failed'",
        )
        .bind(binding.user_id)
        .bind(binding.purpose.as_str())
        .bind(binding.session_hash)
        .fetch_one(self.conn())
        .await
    }

    /// The code an earlier request with this idempotency key made.
    pub async fn texted_code_by_key(
        &mut self,
        user_id: i64,
        key: &str,
    ) -> Result<Option<TextedCodeRow>, sqlx::Error> {
        let found: Option<Columns> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM texted_codes WHERE user_id = $1 AND idempotency_key = $2"
        ))
        .bind(user_id)
        .bind(key)
        .fetch_optional(self.conn())
        .await?;
        Ok(found.map(row))
    }

    /// Forgets a code the provider refused, so its key can be tried again.
    pub async fn delete_texted_code(&mut self, id: i64) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM texted_codes WHERE id = $1")
            .bind(id)
            .execute(self.conn())
            .await
            .map(drop)
    }

    /// Stores a new code for its binding; earlier codes of that binding stop working.
    pub async fn insert_texted_code(
        &mut self,
        new: &NewTextedCode<'_>,
    ) -> Result<i64, sqlx::Error> {
        let b = new.binding;
        sqlx::query(&format!(
            "UPDATE texted_codes SET state = 'void' WHERE user_id = $1 AND purpose = $2 AND factor_id = $3 AND {SAME_SESSION} AND state IN {CHECKABLE}"
        ))
        .bind(b.user_id)
        .bind(b.purpose.as_str())
        .bind(b.factor_id)
        .bind(b.session_hash)
        .execute(self.conn())
        .await?;
        sqlx::query_scalar(
            "INSERT INTO texted_codes (user_id, factor_id, purpose, session_hash, salt, code_hash, number_hash, ip, idempotency_key, state, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'sending', $10, $11) RETURNING id",
        )
        .bind(b.user_id)
        .bind(b.factor_id)
        .bind(b.purpose.as_str())
        .bind(b.session_hash)
        .bind(new.salt)
        .bind(new.code_hash)
        .bind(new.number_hash)
        .bind(new.ip)
        .bind(new.idempotency_key)
        .bind(new.now)
        .bind(new.expires_at)
        .fetch_one(self.conn())
        .await
    }

    pub async fn set_texted_code_state(
        &mut self,
        id: i64,
        state: CodeState,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE texted_codes SET state = $1 WHERE id = $2")
            .bind(state.as_str())
            .bind(id)
            .execute(self.conn())
            .await
            .map(drop)
    }

    /// What the provider's answer made of a code handed to it: written only
    /// while the code is still `sending`, so a code used, replaced or
    /// voided during the send does not become checkable again. False when
    /// it was no longer sending.
    pub async fn settle_texted_code(
        &mut self,
        id: i64,
        state: CodeState,
    ) -> Result<bool, sqlx::Error> {
        let done =
            sqlx::query("UPDATE texted_codes SET state = $1 WHERE id = $2 AND state = 'sending'")
                .bind(state.as_str())
                .bind(id)
                .execute(self.conn())
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The newest code of this binding that may still be typed, locked
    /// until this transaction ends.
    pub async fn checkable_texted_code(
        &mut self,
        binding: Binding<'_>,
    ) -> Result<Option<TextedCodeRow>, sqlx::Error> {
        let found: Option<Columns> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM texted_codes WHERE user_id = $1 AND purpose = $2 AND factor_id = $3 AND {SAME_SESSION} AND state IN {CHECKABLE} ORDER BY id DESC LIMIT 1{}",
            self.for_update()
        ))
        .bind(binding.user_id)
        .bind(binding.purpose.as_str())
        .bind(binding.factor_id)
        .bind(binding.session_hash)
        .fetch_optional(self.conn())
        .await?;
        Ok(found.map(row))
    }

    /// Uses the code up, if it still may be: of concurrent requests with
    /// the right code, exactly one gets `true`.
    pub async fn use_texted_code(&mut self, id: i64) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(&format!(
            "UPDATE texted_codes SET state = 'used' WHERE id = $1 AND state IN {CHECKABLE}"
        ))
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Counts a wrong try; at `max` the code is void.
    pub async fn wrong_texted_code(&mut self, id: i64, max: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE texted_codes SET wrong_tries = wrong_tries + 1, \
             state = CASE WHEN wrong_tries + 1 >= $2 THEN 'void' ELSE state END WHERE id = $1",
        )
        .bind(id)
        .bind(max)
        .execute(self.conn())
        .await
        .map(drop)
    }

    /// Drops codes sent before `before` (past every limit's window).
    pub async fn forget_texted_codes(&mut self, before: UnixTime) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM texted_codes WHERE created_at < $1")
            .bind(before)
            .execute(self.conn())
            .await
            .map(drop)
    }
}
