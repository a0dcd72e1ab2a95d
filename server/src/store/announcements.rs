//! Deadlines being announced to a company's members, a slice at a time
//! (`services::company_policy::announce`).

use super::Tx;
use crate::domain::clock::UnixTime;

/// A deadline whose emails are still being queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Announcement {
    pub company_id: i64,
    pub deadline: UnixTime,
    /// When the deadline was set (part of each email's key).
    pub set_at: UnixTime,
    /// The members up to this user id have their emails queued.
    pub after_user_id: i64,
}

/// A member who has no factor yet, to be told of a deadline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unenrolled {
    pub user_id: i64,
    pub email: String,
    pub name: String,
    pub language: String,
}

impl Tx {
    /// When the company's announcements since `since` started, oldest first.
    pub async fn announcement_starts_since(
        &mut self,
        company_id: i64,
        since: UnixTime,
    ) -> Result<Vec<UnixTime>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT started_at FROM announcement_starts WHERE company_id = $1 AND started_at > $2 \
             ORDER BY started_at",
        )
        .bind(company_id)
        .bind(since)
        .fetch_all(self.conn())
        .await
    }

    /// Starts announcing `deadline` to the company's members (from the
    /// first), in place of any announcement still under way; the start is
    /// recorded for the daily limit (and starts older than a week forgotten).
    pub async fn start_announcement(
        &mut self,
        company_id: i64,
        deadline: UnixTime,
        set_at: UnixTime,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO deadline_announcements (company_id, deadline, set_at, after_user_id) \
             VALUES ($1, $2, $3, 0) ON CONFLICT (company_id) DO UPDATE SET \
             deadline = excluded.deadline, set_at = excluded.set_at, after_user_id = 0",
        )
        .bind(company_id)
        .bind(deadline)
        .bind(set_at)
        .execute(self.conn())
        .await?;
        sqlx::query("DELETE FROM announcement_starts WHERE company_id = $1 AND started_at < $2")
            .bind(company_id)
            .bind(set_at - 7 * 24 * 60 * 60)
            .execute(self.conn())
            .await?;
        sqlx::query("INSERT INTO announcement_starts (company_id, started_at) VALUES ($1, $2)")
            .bind(company_id)
            .bind(set_at)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// The company's announcement under way, locked until the transaction ends.
    pub async fn announcement(
        &mut self,
        company_id: i64,
    ) -> Result<Option<Announcement>, sqlx::Error> {
        let sql = format!(
            "SELECT deadline, set_at, after_user_id FROM deadline_announcements \
             WHERE company_id = $1{}",
            self.for_update()
        );
        let row: Option<(i64, i64, i64)> = sqlx::query_as(&sql)
            .bind(company_id)
            .fetch_optional(self.conn())
            .await?;
        Ok(row.map(|(deadline, set_at, after_user_id)| Announcement {
            company_id,
            deadline,
            set_at,
            after_user_id,
        }))
    }

    /// The members up to `user_id` have their emails queued.
    pub async fn advance_announcement(
        &mut self,
        company_id: i64,
        user_id: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE deadline_announcements SET after_user_id = $2 WHERE company_id = $1")
            .bind(company_id)
            .bind(user_id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// The company's announcement is over (done, or its deadline is gone).
    pub async fn end_announcement(&mut self, company_id: i64) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM deadline_announcements WHERE company_id = $1")
            .bind(company_id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// The companies with an announcement under way.
    pub async fn announcing_companies(&mut self) -> Result<Vec<i64>, sqlx::Error> {
        sqlx::query_scalar("SELECT company_id FROM deadline_announcements ORDER BY company_id")
            .fetch_all(self.conn())
            .await
    }

    /// Up to `limit` members after `after_user_id` (in id order) who have no
    /// factor and joined by `joined_by`.
    pub async fn unenrolled_members(
        &mut self,
        company_id: i64,
        after_user_id: i64,
        joined_by: UnixTime,
        limit: i64,
    ) -> Result<Vec<Unenrolled>, sqlx::Error> {
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT u.id, u.email, u.name, u.language FROM memberships m \
             JOIN users u ON u.id = m.user_id \
             WHERE m.company_id = $1 AND m.user_id > $2 AND m.created_at <= $3 \
             AND NOT EXISTS (SELECT 1 FROM factors f WHERE f.user_id = m.user_id \
             AND f.confirmed_at IS NOT NULL) \
             ORDER BY m.user_id LIMIT $4",
        )
        .bind(company_id)
        .bind(after_user_id)
        .bind(joined_by)
        .bind(limit)
        .fetch_all(self.conn())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(user_id, email, name, language)| Unenrolled {
                user_id,
                email,
                name,
                language,
            })
            .collect())
    }
}
