use super::{Tx, flag};
use crate::domain::clock::UnixTime;

/// A company's MFA settings as stored (the defaults when it has no row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompanySettings {
    pub company_id: i64,
    pub company_name: String,
    pub mfa_required: bool,
    pub enforcement_date: Option<String>,
    pub time_zone: String,
    pub deadline: Option<UnixTime>,
    pub grace_days: i64,
}

/// A member of a company, for notices and the readiness list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompanyMember {
    pub user_id: i64,
    pub email: String,
    pub name: String,
    pub language: String,
    pub enrolled: bool,
    pub joined_at: UnixTime,
    pub first_sign_in_at: Option<UnixTime>,
    pub last_sign_in_at: Option<UnixTime>,
    /// Deadline emails and reminders sent to them by this company.
    pub reminders_sent: i64,
}

impl Tx {
    /// The company's settings; `None` when there is no such company.
    pub async fn company_settings(
        &mut self,
        company_id: i64,
    ) -> Result<Option<CompanySettings>, sqlx::Error> {
        type Row = (i64, String, i64, Option<String>, String, Option<i64>, i64);
        let row: Option<Row> =
            sqlx::query_as(
                "SELECT c.id, c.name, COALESCE(s.mfa_required, 0), s.enforcement_date, \
                 COALESCE(s.time_zone, 'UTC'), s.deadline, COALESCE(s.grace_days, 14) \
                 FROM companies c LEFT JOIN company_settings s ON s.company_id = c.id WHERE c.id = $1",
            )
            .bind(company_id)
            .fetch_optional(self.conn())
            .await?;
        Ok(row.map(
            |(
                company_id,
                company_name,
                required,
                enforcement_date,
                time_zone,
                deadline,
                grace_days,
            )| {
                CompanySettings {
                    company_id,
                    company_name,
                    mfa_required: flag(required),
                    enforcement_date,
                    time_zone,
                    deadline,
                    grace_days,
                }
            },
        ))
    }

    pub async fn save_company_settings(
        &mut self,
        settings: &CompanySettings,
        now: UnixTime,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO company_settings (company_id, mfa_required, enforcement_date, time_zone, deadline, grace_days, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (company_id) DO UPDATE SET mfa_required = $2, enforcement_date = $3, time_zone = $4, \
             deadline = $5, grace_days = $6, updated_at = $7",
        )
        .bind(settings.company_id)
        .bind(i64::from(settings.mfa_required))
        .bind(&settings.enforcement_date)
        .bind(&settings.time_zone)
        .bind(settings.deadline)
        .bind(settings.grace_days)
        .bind(now)
        .execute(self.conn())
        .await
        .map(drop)
    }

    /// Everyone in the company, with whether they have a factor.
    pub async fn company_members(
        &mut self,
        company_id: i64,
    ) -> Result<Vec<CompanyMember>, sqlx::Error> {
        type Row = (
            i64,
            String,
            String,
            String,
            i64,
            i64,
            Option<i64>,
            Option<i64>,
            i64,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT u.id, u.email, u.name, u.language, \
             CASE WHEN EXISTS (SELECT 1 FROM factors f WHERE f.user_id = u.id AND f.confirmed_at IS NOT NULL) THEN 1 ELSE 0 END, \
             m.created_at, u.first_sign_in_at, u.last_sign_in_at, \
             (SELECT COUNT(*) FROM email_queue q WHERE q.user_id = u.id AND q.sent_at IS NOT NULL AND q.topic LIKE $2) \
             FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.company_id = $1 ORDER BY u.id",
        )
        .bind(company_id)
        .bind(format!("company:{company_id}:%"))
        .fetch_all(self.conn())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    user_id,
                    email,
                    name,
                    language,
                    enrolled,
                    joined_at,
                    first_sign_in_at,
                    last_sign_in_at,
                    reminders_sent,
                )| CompanyMember {
                    user_id,
                    email,
                    name,
                    language,
                    enrolled: flag(enrolled),
                    joined_at,
                    first_sign_in_at,
                    last_sign_in_at,
                    reminders_sent,
                },
            )
            .collect())
    }
}
