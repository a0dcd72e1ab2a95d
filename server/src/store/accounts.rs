use super::{Tx, flag};
use crate::domain::access::MfaDuty;
use crate::domain::clock::UnixTime;
use crate::domain::deadline;
use crate::domain::email::Email;
use crate::domain::factors::MethodSet;

/// A user as stored (the password hash never leaves the store but for verification).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// The language the person reads the app in (`en`, `fr`).
    pub language: String,
}

/// A user's row as their profile (and a sign-in) reads it.
#[derive(Debug)]
pub struct ProfileRow {
    pub user: UserRow,
    /// When their recovery code was made, if they have one.
    pub recovery_code_at: Option<UnixTime>,
    /// Known-device tokens of an older epoch no longer count.
    pub device_epoch: i64,
    /// "Not now" on the passkey offer, until then.
    pub passkey_offer_hidden_until: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MembershipRow {
    pub company_id: i64,
    pub company_name: String,
    pub is_admin: bool,
    pub payee: bool,
    /// From the company's settings.
    pub company_requires_mfa: bool,
    /// The company's enforcement deadline, if it set one.
    pub company_deadline: Option<UnixTime>,
    /// The date and zone the deadline was set as.
    pub enforcement_date: Option<String>,
    pub time_zone: String,
    /// Days people who join after the deadline get from their first sign-in.
    pub grace_days: i64,
    pub joined_at: UnixTime,
    /// The user's first sign-in, if any.
    pub first_sign_in_at: Option<UnixTime>,
    /// The methods the company allows.
    pub allowed_methods: MethodSet,
    /// "Trusted browsers: remember for N days".
    pub trusted_browser_days: i64,
}

impl MembershipRow {
    /// What this membership means for the MFA rule (domain::access) at `now`.
    pub fn mfa_duty(&self, now: UnixTime) -> MfaDuty {
        MfaDuty {
            payee: self.payee,
            company_requires_mfa: self.company_requires_mfa,
            allowed: self.allowed_methods,
            trusted_days: self.trusted_browser_days,
            deadline: self.company_deadline.map(|deadline| {
                deadline::personal_deadline(
                    deadline,
                    self.joined_at,
                    self.first_sign_in_at,
                    self.grace_days,
                    now,
                )
            }),
        }
    }
}

/// What the password step needs of a user.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub user_id: i64,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Known-device tokens of another epoch no longer count (`domain::device`).
    pub device_epoch: i64,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user_id", &self.user_id)
            .field("device_epoch", &self.device_epoch)
            .finish_non_exhaustive()
    }
}

impl Tx {
    /// The credentials for an email, if such a user exists.
    pub async fn credentials(&mut self, email: &Email) -> Result<Option<Credentials>, sqlx::Error> {
        let row: Option<(i64, String, i64)> =
            sqlx::query_as("SELECT id, password_hash, device_epoch FROM users WHERE email = $1")
                .bind(email.as_str())
                .fetch_optional(self.conn())
                .await?;
        Ok(
            row.map(|(user_id, password_hash, device_epoch)| Credentials {
                user_id,
                password_hash,
                device_epoch,
            }),
        )
    }

    /// Every known-device token the user's browsers hold stops counting.
    pub async fn bump_device_epoch(&mut self, user_id: i64) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE users SET device_epoch = device_epoch + 1 WHERE id = $1")
            .bind(user_id)
            .execute(self.conn())
            .await
            .map(drop)
    }

    pub async fn password_hash(&mut self, user_id: i64) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(self.conn())
            .await
    }

    /// Records a sign-in (and keeps the first one).
    pub async fn signed_in_at(&mut self, user_id: i64, now: UnixTime) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE users SET last_sign_in_at = $1, first_sign_in_at = COALESCE(first_sign_in_at, $1) WHERE id = $2",
        )
        .bind(now)
        .bind(user_id)
        .execute(self.conn())
        .await
        .map(drop)
    }

    /// The id of the user with this (normalised) email.
    pub async fn user_id_by_email(&mut self, email: &Email) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(self.conn())
            .await
    }

    /// Serialises this user's writes until the transaction ends (a row
    /// lock on PostgreSQL; SQLite's write transactions are serial anyway).
    pub async fn lock_user(&mut self, user_id: i64) -> Result<(), sqlx::Error> {
        let sql = format!("SELECT id FROM users WHERE id = $1{}", self.for_update());
        sqlx::query(&sql)
            .bind(user_id)
            .fetch_optional(self.conn())
            .await
            .map(drop)
    }

    pub async fn user(&mut self, user_id: i64) -> Result<Option<UserRow>, sqlx::Error> {
        let row: Option<(i64, String, String, String)> =
            sqlx::query_as("SELECT id, email, name, language FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(self.conn())
                .await?;
        Ok(row.map(|(id, email, name, language)| UserRow {
            id,
            email,
            name,
            language,
        }))
    }

    /// The user, and when their recovery code was made (if they have one),
    /// in one query: what every answer with the user's profile needs.
    /// The user as their own profile shows them, with what a sign-in
    /// needs besides (one statement).
    pub async fn profile_row(&mut self, user_id: i64) -> Result<Option<ProfileRow>, sqlx::Error> {
        type Row = (i64, String, String, String, Option<i64>, i64, Option<i64>);
        let row: Option<Row> = sqlx::query_as(
            "SELECT u.id, u.email, u.name, u.language, \
             (SELECT r.created_at FROM recovery_codes r WHERE r.user_id = u.id), \
             u.device_epoch, u.passkey_offer_hidden_until \
             FROM users u WHERE u.id = $1",
        )
        .bind(user_id)
        .fetch_optional(self.conn())
        .await?;
        Ok(row.map(
            |(id, email, name, language, recovery_code_at, device_epoch, hidden_until)| {
                ProfileRow {
                    user: UserRow {
                        id,
                        email,
                        name,
                        language,
                    },
                    recovery_code_at,
                    device_epoch,
                    passkey_offer_hidden_until: hidden_until,
                }
            },
        ))
    }

    pub async fn set_user_language(
        &mut self,
        user_id: i64,
        language: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE users SET language = $1 WHERE id = $2")
            .bind(language)
            .bind(user_id)
            .execute(self.conn())
            .await
            .map(drop)
    }

    pub async fn memberships(&mut self, user_id: i64) -> Result<Vec<MembershipRow>, sqlx::Error> {
        type Row = (
            i64,
            String,
            String,
            i64,
            i64,
            Option<i64>,
            i64,
            i64,
            Option<i64>,
            Option<String>,
            String,
            i64,
            i64,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT c.id, c.name, m.role, m.payee, COALESCE(s.mfa_required, 0), s.deadline, \
             COALESCE(s.grace_days, 14), m.created_at, u.first_sign_in_at, s.enforcement_date, \
             COALESCE(s.time_zone, 'UTC'), COALESCE(s.allowed_methods, 7), \
             COALESCE(s.trusted_browser_days, 30) FROM memberships m \
             JOIN companies c ON c.id = m.company_id \
             JOIN users u ON u.id = m.user_id \
             LEFT JOIN company_settings s ON s.company_id = c.id \
             WHERE m.user_id = $1 ORDER BY m.created_at, c.id",
        )
        .bind(user_id)
        .fetch_all(self.conn())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    company_id,
                    company_name,
                    role,
                    payee,
                    mfa_required,
                    company_deadline,
                    grace_days,
                    joined_at,
                    first_sign_in_at,
                    enforcement_date,
                    time_zone,
                    allowed_methods,
                    trusted_browser_days,
                )| MembershipRow {
                    company_id,
                    company_name,
                    is_admin: role == "admin",
                    payee: flag(payee),
                    company_requires_mfa: flag(mfa_required),
                    company_deadline,
                    grace_days,
                    joined_at,
                    first_sign_in_at,
                    enforcement_date,
                    time_zone,
                    allowed_methods: MethodSet::from_bits(allowed_methods),
                    trusted_browser_days,
                },
            )
            .collect())
    }

    pub async fn company_id_by_name(&mut self, name: &str) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar("SELECT id FROM companies WHERE name = $1 ORDER BY id LIMIT 1")
            .bind(name)
            .fetch_optional(self.conn())
            .await
    }

    pub async fn create_company(&mut self, name: &str, now: UnixTime) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("INSERT INTO companies (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(now)
            .fetch_one(self.conn())
            .await
    }

    pub async fn create_user(
        &mut self,
        email: &Email,
        name: &str,
        password_hash: &str,
        now: UnixTime,
    ) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "INSERT INTO users (email, name, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(email.as_str())
        .bind(name)
        .bind(password_hash)
        .bind(now)
        .fetch_one(self.conn())
        .await
    }

    pub async fn set_password_hash(
        &mut self,
        user_id: i64,
        password_hash: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user_id)
            .execute(self.conn())
            .await
            .map(drop)
    }

    /// Adds the user to the company, or updates their role and payee flag there.
    pub async fn upsert_membership(
        &mut self,
        user_id: i64,
        company_id: i64,
        is_admin: bool,
        payee: bool,
        now: UnixTime,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO memberships (user_id, company_id, role, payee, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (user_id, company_id) DO UPDATE SET role = excluded.role, payee = excluded.payee",
        )
        .bind(user_id)
        .bind(company_id)
        .bind(if is_admin { "admin" } else { "member" })
        .bind(i64::from(payee))
        .bind(now)
        .execute(self.conn())
        .await?;
        // A new duty (a payee now, say) applies to sessions already open.
        self.recheck_user_sessions(user_id, now).await
    }
}
