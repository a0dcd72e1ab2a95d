use super::Tx;
use crate::domain::clock::UnixTime;

/// An invitation as stored (its token's hash only), with its company and
/// who sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvitationRow {
    pub id: i64,
    pub company_id: i64,
    pub company_name: String,
    /// Normalised.
    pub email: String,
    pub name: String,
    /// `member`, `admin` or `payee`.
    pub role: String,
    /// The admin who sent it, by name and email (none: the operator).
    pub invited_by: Option<(String, String)>,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    /// `pending`, `accepted` or `revoked`.
    pub state: String,
}

/// What an invitation is written as.
#[derive(Debug)]
pub struct NewInvitation<'a> {
    pub company_id: i64,
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub token_hash: &'a str,
    pub invited_by: Option<i64>,
    pub now: UnixTime,
    pub expires_at: UnixTime,
}

const SELECT: &str = "SELECT i.id, i.company_id, c.name, i.email, i.name, i.role, u.name, u.email, \
     i.created_at, i.expires_at, i.state FROM invitations i \
     JOIN companies c ON c.id = i.company_id LEFT JOIN users u ON u.id = i.invited_by";

type Columns = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    i64,
    String,
);

fn row(
    (
        id,
        company_id,
        company_name,
        email,
        name,
        role,
        by_name,
        by_email,
        created_at,
        expires_at,
        state,
    ): Columns,
) -> InvitationRow {
    InvitationRow {
        id,
        company_id,
        company_name,
        email,
        name,
        role,
        invited_by: by_name.zip(by_email),
        created_at,
        expires_at,
        state,
    }
}

impl Tx {
    /// Stores a new pending invitation; its id.
    pub async fn insert_invitation(&mut self, new: &NewInvitation<'_>) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "INSERT INTO invitations (company_id, email, name, role, token_hash, invited_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(new.company_id)
        .bind(new.email)
        .bind(new.name)
        .bind(new.role)
        .bind(new.token_hash)
        .bind(new.invited_by)
        .bind(new.now)
        .bind(new.expires_at)
        .fetch_one(self.conn())
        .await
    }

    /// The company's pending invitation for `email`, if any (expired or not).
    pub async fn pending_invitation(
        &mut self,
        company_id: i64,
        email: &str,
    ) -> Result<Option<InvitationRow>, sqlx::Error> {
        let found: Option<Columns> = sqlx::query_as(&format!(
            "{SELECT} WHERE i.company_id = $1 AND i.email = $2 AND i.state = 'pending'"
        ))
        .bind(company_id)
        .bind(email)
        .fetch_optional(self.conn())
        .await?;
        Ok(found.map(row))
    }

    /// The invitation whose token hashes to `token_hash`, whatever its
    /// state, locked until the transaction ends.
    pub async fn invitation_by_token(
        &mut self,
        token_hash: &str,
    ) -> Result<Option<InvitationRow>, sqlx::Error> {
        // Locks the invitation's row only (not the outer-joined inviter's).
        let lock = match self.for_update() {
            "" => "",
            _ => " FOR UPDATE OF i",
        };
        let found: Option<Columns> =
            sqlx::query_as(&format!("{SELECT} WHERE i.token_hash = $1{lock}"))
                .bind(token_hash)
                .fetch_optional(self.conn())
                .await?;
        Ok(found.map(row))
    }

    /// One of the company's invitations.
    pub async fn invitation(
        &mut self,
        company_id: i64,
        id: i64,
    ) -> Result<Option<InvitationRow>, sqlx::Error> {
        let found: Option<Columns> =
            sqlx::query_as(&format!("{SELECT} WHERE i.company_id = $1 AND i.id = $2"))
                .bind(company_id)
                .bind(id)
                .fetch_optional(self.conn())
                .await?;
        Ok(found.map(row))
    }

    /// The company's pending invitations, newest first.
    pub async fn pending_invitations(
        &mut self,
        company_id: i64,
    ) -> Result<Vec<InvitationRow>, sqlx::Error> {
        let rows: Vec<Columns> = sqlx::query_as(&format!(
            "{SELECT} WHERE i.company_id = $1 AND i.state = 'pending' ORDER BY i.created_at DESC, i.id DESC"
        ))
        .bind(company_id)
        .fetch_all(self.conn())
        .await?;
        Ok(rows.into_iter().map(row).collect())
    }

    /// A pending invitation gets a new token and a new expiry (the old link
    /// stops working), sent by `by` now; false when it is no longer pending.
    pub async fn renew_invitation(
        &mut self,
        id: i64,
        token_hash: &str,
        by: Option<i64>,
        now: UnixTime,
        expires_at: UnixTime,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE invitations SET token_hash = $1, invited_by = $2, created_at = $3, expires_at = $4 \
             WHERE id = $5 AND state = 'pending'",
        )
        .bind(token_hash)
        .bind(by)
        .bind(now)
        .bind(expires_at)
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends a pending invitation (`accepted` or `revoked`); of concurrent
    /// ends, one gets `true`.
    pub async fn end_invitation(
        &mut self,
        id: i64,
        state: &str,
        now: UnixTime,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE invitations SET state = $1, ended_at = $2 WHERE id = $3 AND state = 'pending'",
        )
        .bind(state)
        .bind(now)
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The id of the company named `name`, compared without case or
    /// surrounding spaces.
    pub async fn company_named(&mut self, name: &str) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT id FROM companies WHERE lower(name) = lower($1) ORDER BY id LIMIT 1",
        )
        .bind(name.trim())
        .fetch_optional(self.conn())
        .await
    }
}
