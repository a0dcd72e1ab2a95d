use super::Tx;
use crate::domain::clock::UnixTime;

/// A trusted browser as stored (its token only as a hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedBrowserRow {
    pub id: i64,
    pub user_id: i64,
    /// `domain::browser`'s label.
    pub browser: String,
    pub created_at: UnixTime,
    pub last_used_at: UnixTime,
    pub expires_at: UnixTime,
}

type Row = (i64, i64, String, i64, i64, i64);

fn trusted_row(
    (id, user_id, browser, created_at, last_used_at, expires_at): Row,
) -> TrustedBrowserRow {
    TrustedBrowserRow {
        id,
        user_id,
        browser,
        created_at,
        last_used_at,
        expires_at,
    }
}

const COLUMNS: &str = "id, user_id, browser, created_at, last_used_at, expires_at";

impl Tx {
    pub async fn add_trusted_browser(
        &mut self,
        user_id: i64,
        token_hash: &str,
        browser: &str,
        now: UnixTime,
        expires_at: UnixTime,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO trusted_browsers (user_id, token_hash, browser, created_at, last_used_at, expires_at) \
             VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(user_id)
        .bind(token_hash)
        .bind(browser)
        .bind(now)
        .bind(expires_at)
        .execute(self.conn())
        .await
        .map(drop)
    }

    /// The user's trusted browser among those whose token hashes a browser
    /// presented, if any is still within its stored expiry.
    pub async fn presented_trusted_browser(
        &mut self,
        user_id: i64,
        token_hashes: &[String],
        now: UnixTime,
    ) -> Result<Option<TrustedBrowserRow>, sqlx::Error> {
        if token_hashes.is_empty() {
            return Ok(None);
        }
        let placeholders: Vec<String> = (0..token_hashes.len())
            .map(|i| format!("${}", i + 3))
            .collect();
        let sql = format!(
            "SELECT {COLUMNS} FROM trusted_browsers WHERE user_id = $1 AND expires_at > $2 \
             AND token_hash IN ({}) ORDER BY created_at DESC LIMIT 1",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_as::<_, Row>(&sql).bind(user_id).bind(now);
        for hash in token_hashes {
            query = query.bind(hash);
        }
        Ok(query.fetch_optional(self.conn()).await?.map(trusted_row))
    }

    pub async fn touch_trusted_browser(
        &mut self,
        id: i64,
        now: UnixTime,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE trusted_browsers SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(self.conn())
            .await
            .map(drop)
    }

    /// The user's browsers trusted until after `now`, the newest first.
    pub async fn trusted_browsers(
        &mut self,
        user_id: i64,
        now: UnixTime,
    ) -> Result<Vec<TrustedBrowserRow>, sqlx::Error> {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM trusted_browsers WHERE user_id = $1 AND expires_at > $2 \
             ORDER BY created_at DESC, id DESC"
        ))
        .bind(user_id)
        .bind(now)
        .fetch_all(self.conn())
        .await?;
        Ok(rows.into_iter().map(trusted_row).collect())
    }

    /// Forgets one of the user's trusted browsers; false when it was not theirs.
    pub async fn forget_trusted_browser(
        &mut self,
        user_id: i64,
        id: i64,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("DELETE FROM trusted_browsers WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Forgets every trusted browser of the user; returns how many.
    pub async fn forget_trusted_browsers(&mut self, user_id: i64) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM trusted_browsers WHERE user_id = $1")
            .bind(user_id)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected())
    }

    /// Every company member's browsers end `secs` after they were trusted
    /// at the latest (the company lowered its setting). Returns how many
    /// were shortened.
    pub async fn shorten_company_trusted_browsers(
        &mut self,
        company_id: i64,
        secs: i64,
    ) -> Result<u64, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE trusted_browsers SET expires_at = created_at + $1 WHERE expires_at > created_at + $1 \
             AND user_id IN (SELECT user_id FROM memberships WHERE company_id = $2)",
        )
        .bind(secs)
        .bind(company_id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected())
    }

    /// Forgets every company member's trusted browsers (the company turned
    /// them off). Returns how many went.
    pub async fn forget_company_trusted_browsers(
        &mut self,
        company_id: i64,
    ) -> Result<u64, sqlx::Error> {
        let done = sqlx::query(
            "DELETE FROM trusted_browsers \
             WHERE user_id IN (SELECT user_id FROM memberships WHERE company_id = $1)",
        )
        .bind(company_id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected())
    }

    /// Drops trusted browsers past their expiry. Returns how many went.
    pub async fn delete_expired_trusted_browsers(
        &mut self,
        now: UnixTime,
    ) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM trusted_browsers WHERE expires_at <= $1")
            .bind(now)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected())
    }
}
