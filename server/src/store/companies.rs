use mfa_api::ReadinessSort;

use super::{Tx, flag};
use crate::domain::clock::UnixTime;
use crate::domain::factors::MethodSet;

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
    /// The methods members may use.
    pub allowed_methods: MethodSet,
    /// "Trusted browsers: remember for N days" (0: never).
    pub trusted_browser_days: i64,
}

impl CompanySettings {
    /// The deadline its emails are about: MFA required from a date still ahead.
    pub fn deadline_ahead(&self, now: UnixTime) -> Option<UnixTime> {
        self.deadline
            .filter(|&deadline| self.mfa_required && deadline > now)
    }
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
    /// Their role in this company.
    pub is_admin: bool,
    pub payee: bool,
    /// A factor of any method, allowed or not: enrolled, or (when not
    /// `enrolled`) needing another method.
    pub has_factor: bool,
}

impl Tx {
    /// The company's settings; `None` when there is no such company.
    pub async fn company_settings(
        &mut self,
        company_id: i64,
    ) -> Result<Option<CompanySettings>, sqlx::Error> {
        type Row = (
            i64,
            String,
            i64,
            Option<String>,
            String,
            Option<i64>,
            i64,
            i64,
            i64,
        );
        let row: Option<Row> =
            sqlx::query_as(
                "SELECT c.id, c.name, COALESCE(s.mfa_required, 0), s.enforcement_date, \
                 COALESCE(s.time_zone, 'UTC'), s.deadline, COALESCE(s.grace_days, 14), \
                 COALESCE(s.allowed_methods, 7), COALESCE(s.trusted_browser_days, 30) \
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
                allowed_methods,
                trusted_browser_days,
            )| {
                CompanySettings {
                    trusted_browser_days,
                    allowed_methods: MethodSet::from_bits(allowed_methods),
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
            "INSERT INTO company_settings (company_id, mfa_required, enforcement_date, time_zone, deadline, grace_days, updated_at, allowed_methods, trusted_browser_days) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (company_id) DO UPDATE SET mfa_required = $2, enforcement_date = $3, time_zone = $4, \
             deadline = $5, grace_days = $6, updated_at = $7, allowed_methods = $8, \
             trusted_browser_days = $9",
        )
        .bind(settings.company_id)
        .bind(i64::from(settings.mfa_required))
        .bind(&settings.enforcement_date)
        .bind(&settings.time_zone)
        .bind(settings.deadline)
        .bind(settings.grace_days)
        .bind(now)
        .bind(settings.allowed_methods.bits())
        .bind(settings.trusted_browser_days)
        .execute(self.conn())
        .await
        .map(drop)
    }

    /// Everyone in the company, with whether they have a factor.
    pub async fn company_members(
        &mut self,
        company_id: i64,
    ) -> Result<Vec<CompanyMember>, sqlx::Error> {
        let rows: Vec<MemberRow> = sqlx::query_as(&format!(
            "SELECT {} FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.company_id = $1 ORDER BY u.id",
            member_columns("$2")
        ))
        .bind(company_id)
        .bind(format!("company:{company_id}:%"))
        .fetch_all(self.conn())
        .await?;
        Ok(rows.into_iter().map(member).collect())
    }

    /// How many members the company has, and how many of them have a factor.
    pub async fn company_counts(&mut self, company_id: i64) -> Result<(i64, i64), sqlx::Error> {
        let members: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE company_id = $1")
                .bind(company_id)
                .fetch_one(self.conn())
                .await?;
        // A large company: count from the factors (fewer), else from its members.
        // Of a method the company allows.
        const ALLOWED: &str = concat!(
            "(",
            kind_bit!("f.kind"),
            " & COALESCE((SELECT s.allowed_methods FROM company_settings s WHERE s.company_id = $1), 7)) <> 0"
        );
        let enrolled = if members > LARGE_COMPANY {
            format!(
                "SELECT COUNT(DISTINCT f.user_id) FROM factors f WHERE f.confirmed_at IS NOT NULL \
                 AND {ALLOWED} \
                 AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = f.user_id AND m.company_id = $1)"
            )
        } else {
            format!(
                "SELECT COUNT(*) FROM memberships m WHERE m.company_id = $1 AND EXISTS \
                 (SELECT 1 FROM factors f WHERE f.user_id = m.user_id AND f.confirmed_at IS NOT NULL AND {ALLOWED})"
            )
        };
        let enrolled: i64 = sqlx::query_scalar(&enrolled)
            .bind(company_id)
            .fetch_one(self.conn())
            .await?;
        Ok((members, enrolled))
    }

    /// One page of the company's members as `query` asks. Only the page's
    /// rows count their reminders (unless they are the sort order).
    pub async fn company_members_page(
        &mut self,
        company_id: i64,
        query: &MemberQuery<'_>,
    ) -> Result<Vec<CompanyMember>, sqlx::Error> {
        let order = match query.sort {
            ReadinessSort::Name => "lower(u.name)".to_owned(),
            ReadinessSort::Email => "u.email".to_owned(),
            ReadinessSort::LastSignIn => "COALESCE(u.last_sign_in_at, 0)".to_owned(),
            ReadinessSort::Reminders => reminders("$4"),
        };
        let direction = if query.descending { "DESC" } else { "ASC" };
        // A large company walks the users in the order asked (an index for
        // name and email) and stops at the page; a small one sorts its few members.
        let from = if query.large {
            "FROM users u WHERE EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.company_id = $1)"
        } else {
            "FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.company_id = $1"
        };
        let rows: Vec<MemberRow> = sqlx::query_as(&format!(
            "SELECT {} FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.company_id = $1 AND u.id IN (SELECT u.id {from} AND {} \
             ORDER BY {order} {direction}, u.id {direction} LIMIT $5 OFFSET $6) \
             ORDER BY {order} {direction}, u.id {direction}",
            member_columns("$4"),
            shown(),
        ))
        .bind(company_id)
        .bind(i64::from(query.everyone))
        .bind(like_pattern(query.filter))
        .bind(format!("company:{company_id}:%"))
        .bind(query.limit)
        .bind(query.offset)
        .fetch_all(self.conn())
        .await?;
        Ok(rows.into_iter().map(member).collect())
    }

    /// How many of the company's members `query`'s filter matches.
    pub async fn company_members_matching(
        &mut self,
        company_id: i64,
        query: &MemberQuery<'_>,
    ) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.company_id = $1 AND {}",
            shown()
        ))
        .bind(company_id)
        .bind(i64::from(query.everyone))
        .bind(like_pattern(query.filter))
        .fetch_one(self.conn())
        .await
    }
}

impl Tx {
    /// How many admins the company has.
    pub async fn company_admins(&mut self, company_id: i64) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM memberships WHERE company_id = $1 AND role = 'admin'",
        )
        .bind(company_id)
        .fetch_one(self.conn())
        .await
    }

    /// Takes the user out of the company; true when they were in it.
    pub async fn delete_membership(
        &mut self,
        user_id: i64,
        company_id: i64,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("DELETE FROM memberships WHERE user_id = $1 AND company_id = $2")
            .bind(user_id)
            .bind(company_id)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// Members above which a company counts as large (see the queries above).
pub const LARGE_COMPANY: i64 = 1_000;

/// The user (`u`) is shown: enrolled only when `$2` is 1, and matching the
/// filter pattern `$3` (`%%` for none).
fn shown() -> String {
    format!(
        "($2 = 1 OR {ENROLLED} = 0) AND ($3 = '%%' OR lower(u.name) LIKE $3 ESCAPE '\\' \
         OR lower(u.email) LIKE $3 ESCAPE '\\')"
    )
}

/// The LIKE pattern for a filter: `%%` for none, wildcards in it taken literally.
fn like_pattern(filter: &str) -> String {
    format!("%{}%", like_escape(&filter.trim().to_lowercase()))
}

/// Which members, in what order, which slice.
#[derive(Clone, Copy, Debug)]
pub struct MemberQuery<'a> {
    pub filter: &'a str,
    pub everyone: bool,
    pub sort: ReadinessSort,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
    /// The company has more than [`LARGE_COMPANY`] members.
    pub large: bool,
}

/// 1 when the user (`u`) has a confirmed factor of a method the company
/// of the membership (`m`) allows.
const ENROLLED: &str = concat!(
    "CASE WHEN EXISTS (SELECT 1 FROM factors f WHERE f.user_id = u.id AND f.confirmed_at IS NOT NULL AND (",
    kind_bit!("f.kind"),
    " & COALESCE((SELECT s.allowed_methods FROM company_settings s WHERE s.company_id = m.company_id), 7)) <> 0) \
     THEN 1 ELSE 0 END"
);

/// 1 when the user (`u`) has a confirmed factor of any method.
const HAS_FACTOR: &str = "CASE WHEN EXISTS (SELECT 1 FROM factors f WHERE f.user_id = u.id AND f.confirmed_at IS NOT NULL) THEN 1 ELSE 0 END";

/// Deadline emails sent to the user (`u`) for the company whose topic
/// pattern is the parameter `topic` (`$2`, say).
fn reminders(topic: &str) -> String {
    format!(
        "(SELECT COUNT(*) FROM email_queue q WHERE q.user_id = u.id AND q.sent_at IS NOT NULL AND q.topic LIKE {topic})"
    )
}

/// The columns of a [`MemberRow`] (`u` the user, `m` the membership).
fn member_columns(topic: &str) -> String {
    format!(
        "u.id, u.email, u.name, u.language, {ENROLLED}, m.created_at, u.first_sign_in_at, u.last_sign_in_at, {}, \
         CASE WHEN m.role = 'admin' THEN 1 ELSE 0 END, m.payee, {HAS_FACTOR}",
        reminders(topic)
    )
}

type MemberRow = (
    i64,
    String,
    String,
    String,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    i64,
    i64,
    i64,
    i64,
);

fn member(
    (
        user_id,
        email,
        name,
        language,
        enrolled,
        joined_at,
        first_sign_in_at,
        last_sign_in_at,
        reminders_sent,
        is_admin,
        payee,
        has_factor,
    ): MemberRow,
) -> CompanyMember {
    CompanyMember {
        user_id,
        email,
        name,
        language,
        enrolled: flag(enrolled),
        joined_at,
        first_sign_in_at,
        last_sign_in_at,
        reminders_sent,
        is_admin: flag(is_admin),
        payee: flag(payee),
        has_factor: flag(has_factor),
    }
}

/// `text` as a LIKE pattern matching itself (`\` escapes).
fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
