use super::Tx;
use crate::domain::clock::UnixTime;

/// What a WebAuthn ceremony is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CeremonyPurpose {
    /// Adding a passkey, for the signed-in session that asked.
    Register,
    /// A passkey as the second step of the half-signed-in session that asked.
    SecondFactor,
    /// "Sign in with a passkey": nobody is signed in yet.
    SignIn,
}

impl CeremonyPurpose {
    fn name(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::SecondFactor => "second_factor",
            Self::SignIn => "sign_in",
        }
    }
}

/// A ceremony under way, as stored.
#[derive(Debug)]
pub struct NewCeremony<'a> {
    /// SHA-256 of the ceremony's random id.
    pub id_hash: &'a str,
    pub purpose: CeremonyPurpose,
    /// The session that asked (none for `SignIn`).
    pub session_hash: Option<&'a str>,
    pub user_id: Option<i64>,
    /// The relying party's state (webauthn-rs), to finish the ceremony with.
    pub state: &'a str,
    pub expires_at: UnixTime,
}

/// A ceremony as read back: purpose, session, user, state, expiry.
type StoredCeremony = (String, Option<String>, Option<i64>, String, i64);

/// A ceremony taken to be finished.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CeremonyRow {
    pub user_id: Option<i64>,
    pub state: String,
}

impl Tx {
    /// Stores a new ceremony. A session has one ceremony per purpose at a
    /// time: an earlier one it started for the same purpose is void.
    pub async fn insert_ceremony(&mut self, ceremony: &NewCeremony<'_>) -> Result<(), sqlx::Error> {
        if let Some(session_hash) = ceremony.session_hash {
            sqlx::query("DELETE FROM webauthn_ceremonies WHERE session_hash = $1 AND purpose = $2")
                .bind(session_hash)
                .bind(ceremony.purpose.name())
                .execute(self.conn())
                .await?;
        }
        sqlx::query(
            "INSERT INTO webauthn_ceremonies (id_hash, purpose, session_hash, user_id, state, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(ceremony.id_hash)
        .bind(ceremony.purpose.name())
        .bind(ceremony.session_hash)
        .bind(ceremony.user_id)
        .bind(ceremony.state)
        .bind(ceremony.expires_at)
        .execute(self.conn())
        .await
        .map(drop)
    }

    /// Takes the ceremony `id_hash` for `purpose`, started by `session_hash`
    /// (none for `SignIn`) and not expired at `now`. Taking deletes it: of
    /// concurrent requests with one ceremony, one gets it, and a ceremony
    /// tried for the wrong purpose or session is gone as well.
    pub async fn take_ceremony(
        &mut self,
        id_hash: &str,
        purpose: CeremonyPurpose,
        session_hash: Option<&str>,
        now: UnixTime,
    ) -> Result<Option<CeremonyRow>, sqlx::Error> {
        let row: Option<StoredCeremony> = sqlx::query_as(
            "DELETE FROM webauthn_ceremonies WHERE id_hash = $1 \
             RETURNING purpose, session_hash, user_id, state, expires_at",
        )
        .bind(id_hash)
        .fetch_optional(self.conn())
        .await?;
        Ok(row.and_then(
            |(stored_purpose, stored_session, user_id, state, expires_at)| {
                let fits = stored_purpose == purpose.name()
                    && stored_session.as_deref() == session_hash
                    && now < expires_at;
                fits.then_some(CeremonyRow { user_id, state })
            },
        ))
    }

    /// How many ceremonies for `purpose` are open at `now`.
    pub async fn open_ceremonies(
        &mut self,
        purpose: CeremonyPurpose,
        now: UnixTime,
    ) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM webauthn_ceremonies WHERE purpose = $1 AND expires_at > $2",
        )
        .bind(purpose.name())
        .bind(now)
        .fetch_one(self.conn())
        .await
    }

    /// Forgets ceremonies expired before `now` (never finished).
    pub async fn forget_expired_ceremonies(&mut self, now: UnixTime) -> Result<u64, sqlx::Error> {
        sqlx::query("DELETE FROM webauthn_ceremonies WHERE expires_at <= $1")
            .bind(now)
            .execute(self.conn())
            .await
            .map(|done| done.rows_affected())
    }
}
