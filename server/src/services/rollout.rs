//! Running a rollout, for a company's admins: who is ready, reminders sent
//! now, the list as CSV, and resetting a member's MFA (a lost phone and a
//! lost recovery code); and the operator's break-glass reset. Every action
//! is audited; every reset is emailed to its member.

use super::company_policy::{self, PolicyError};
use super::notify::{self, Planned, Recipient};
use super::session::LiveSession;
use super::{Actor, Deps};
use crate::domain::clock::UnixTime;
use crate::domain::deadline;
use crate::domain::email::Email;
use crate::mail::templates::SecurityEvent;
use mfa_api::{READINESS_PAGE_SIZE, ReadinessQuery};

use crate::store::{AuditKind, CompanyMember, CompanySettings, LARGE_COMPANY, MemberQuery, Tx};

const DAY: i64 = 24 * 60 * 60;

/// Who is ready, for the dashboard: the counts and one page of the list.
#[derive(Debug)]
pub struct Readiness {
    pub settings: CompanySettings,
    pub enrolled: i64,
    pub not_enrolled: i64,
    pub days_left: Option<i64>,
    /// Members matching the query, on every page.
    pub matching: i64,
    /// From 1.
    pub page_number: u32,
    pub page: Vec<CompanyMember>,
}

/// The company's readiness (its admins only): `query`'s slice of the list.
pub async fn readiness(
    deps: &Deps,
    session: &LiveSession,
    company_id: i64,
    asked: &ReadinessQuery,
) -> Result<Readiness, PolicyError> {
    let mut tx = deps.read().await?;
    let settings = company_policy::admin_of(&mut tx, session.user_id, company_id).await?;
    let (members, enrolled) = tx.company_counts(company_id).await?;
    let page_number = asked.page.max(1);
    let size = i64::from(READINESS_PAGE_SIZE);
    let query = MemberQuery {
        filter: &asked.filter,
        everyone: asked.everyone,
        sort: asked.sort,
        descending: asked.descending,
        limit: size,
        offset: i64::from(page_number - 1) * size,
        large: members > LARGE_COMPANY,
    };
    let page = tx.company_members_page(company_id, &query).await?;
    let matching = match (query.filter.trim().is_empty(), query.everyone) {
        (true, true) => members,
        (true, false) => members - enrolled,
        (false, _) => tx.company_members_matching(company_id, &query).await?,
    };
    let days_left = settings
        .deadline
        .map(|deadline| deadline::days_left(deadline, deps.now()));
    Ok(Readiness {
        settings,
        enrolled,
        not_enrolled: members - enrolled,
        days_left,
        matching,
        page_number,
        page,
    })
}

/// "Send reminder now": to one member (`Some(user_id)`) or to everyone not
/// enrolled, at most once a day per member. Returns how many were queued.
/// Everyone is reminded a slice of members per transaction, as a deadline
/// is announced; should it stop midway, asking again reminds the rest (the
/// ones done are not reminded twice that day).
pub async fn send_reminders(
    deps: &Deps,
    session: &LiveSession,
    ip: Option<&str>,
    company_id: i64,
    only: Option<i64>,
) -> Result<usize, PolicyError> {
    let now = deps.now();
    let limit = if only.is_some() { 1 } else { REMINDER_SLICE };
    let mut after_user_id = only.map_or(0, |user_id| user_id.saturating_sub(1));
    let mut queued = 0;
    loop {
        let mut tx = deps.begin().await?;
        let settings = company_policy::admin_of(&mut tx, session.user_id, company_id).await?;
        let deadline = settings
            .deadline_ahead(now)
            .ok_or(PolicyError::NoDeadline)?;
        let mut members = tx
            .unenrolled_members(company_id, after_user_id, UnixTime::MAX, limit)
            .await?;
        if let Some(user_id) = only {
            members.retain(|m| m.user_id == user_id);
            if members.is_empty() {
                return Err(PolicyError::NotAMember);
            }
        }
        let topic = company_policy::topic(company_id, deadline);
        let days_left = Some(deadline::days_left(deadline, now));
        let planned = members
            .iter()
            .map(|member| {
                let to = Recipient {
                    user_id: Some(member.user_id),
                    email: &member.email,
                    language: &member.language,
                };
                let content = company_policy::deadline_email(
                    &settings,
                    deadline,
                    member.user_id,
                    &member.name,
                    days_left,
                );
                let key = format!("{topic}:user:{}:manual:{}", member.user_id, now / DAY);
                Planned::new(to, &content, key, now)
            })
            .collect::<Result<Vec<_>, _>>()?;
        queued += notify::enqueue_planned(&mut tx, &planned, Some(&topic), now).await? as usize;
        let last = members.last().map(|m| m.user_id);
        match last {
            Some(user_id) if only.is_none() && members.len() as i64 == limit => {
                after_user_id = user_id;
                tx.commit().await?;
            }
            _ => {
                tx.audit_in(
                    company_id,
                    session.user_id,
                    AuditKind::RemindersSent,
                    &format!("company={company_id} queued={queued}"),
                    ip,
                    now,
                )
                .await?;
                tx.commit().await?;
                return Ok(queued);
            }
        }
    }
}

/// Members reminded per transaction.
const REMINDER_SLICE: i64 = 1_000;

/// The not-enrolled list as CSV (name, email, last sign-in, reminders
/// sent), audited.
pub async fn export_csv(
    deps: &Deps,
    session: &LiveSession,
    ip: Option<&str>,
    company_id: i64,
) -> Result<String, PolicyError> {
    let not_enrolled: Vec<CompanyMember> = {
        let mut tx = deps.read().await?;
        company_policy::admin_of(&mut tx, session.user_id, company_id).await?;
        tx.company_members(company_id).await?
    }
    .into_iter()
    .filter(|m| !m.enrolled)
    .collect();
    let mut csv = String::from("name,email,last_sign_in,reminders_sent\r\n");
    for member in &not_enrolled {
        let last = member
            .last_sign_in_at
            .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default();
        csv.push_str(&format!(
            "{},{},{},{}\r\n",
            csv_field(&member.name),
            csv_field(&member.email),
            last,
            member.reminders_sent
        ));
    }
    let mut tx = deps.begin().await?;
    tx.audit_in(
        company_id,
        session.user_id,
        AuditKind::ReadinessExported,
        &format!("company={company_id} rows={}", not_enrolled.len()),
        ip,
        deps.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(csv)
}

/// One CSV field: quoted when needed, and a leading `=`, `+`, `-` or `@`
/// defused so a spreadsheet does not run it as a formula.
pub(super) fn csv_field(value: &str) -> String {
    let value = match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_owned(),
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// An admin resets a member's MFA (the caller has re-authenticated): every
/// factor and the recovery code go, their sessions end, and at the next
/// sign-in they enroll again if MFA is required. The reset reaches the
/// person's account everywhere, so it is refused (and audited) when they
/// also belong to a company the caller does not administer: an admin of one
/// company must not strip another's admin or payee of their factors. The
/// operator's command is the way for those.
pub async fn reset_member(
    deps: &Deps,
    session: &LiveSession,
    ip: Option<&str>,
    company_id: i64,
    member_id: i64,
) -> Result<(), PolicyError> {
    let now = deps.now();
    let mut tx = deps.begin().await?;
    company_policy::admin_of(&mut tx, session.user_id, company_id).await?;
    let theirs = tx.memberships(member_id).await?;
    if member_id == session.user_id || !theirs.iter().any(|m| m.company_id == company_id) {
        return Err(PolicyError::NotAMember);
    }
    let ours = tx.memberships(session.user_id).await?;
    let administered = |company: i64| ours.iter().any(|m| m.company_id == company && m.is_admin);
    if let Some(elsewhere) = theirs.iter().find(|m| !administered(m.company_id)) {
        tx.audit_in(
            company_id,
            session.user_id,
            AuditKind::MfaResetRefused,
            &format!(
                "company={company_id} member={member_id} also_member_of={}",
                elsewhere.company_id
            ),
            ip,
            now,
        )
        .await?;
        tx.commit().await?;
        tracing::warn!(
            admin = session.user_id,
            member_id,
            "reset refused: the member belongs to another company"
        );
        return Err(PolicyError::Forbidden);
    }
    tx.audit_in(
        company_id,
        session.user_id,
        AuditKind::MfaReset,
        &format!("company={company_id} member={member_id}"),
        ip,
        now,
    )
    .await?;
    let target = Actor {
        user_id: member_id,
        ip,
    };
    reset(
        &mut tx,
        deps,
        target,
        false,
        &format!("by_admin={}", session.user_id),
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(admin = session.user_id, member_id, "member's MFA reset");
    Ok(())
}

/// Why the operator's reset did not happen.
#[derive(Debug, thiserror::Error)]
pub enum OperatorResetError {
    #[error("no user has that email address")]
    NoSuchUser,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for OperatorResetError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(anyhow::Error::new(e).context("database"))
    }
}

/// The operator's break-glass (`mfa-server reset-mfa --email ...`), for an
/// admin locked out: works on the database whether the server runs or not.
/// Returns how many factors were removed.
pub async fn reset_by_operator(deps: &Deps, email: &Email) -> Result<u64, OperatorResetError> {
    let now = deps.now();
    let mut tx = deps.begin().await?;
    let user_id = tx
        .user_id_by_email(email)
        .await?
        .ok_or(OperatorResetError::NoSuchUser)?;
    let target = Actor { user_id, ip: None };
    let removed = reset(&mut tx, deps, target, true, "by_operator", now).await?;
    tx.commit().await?;
    Ok(removed)
}

/// What every reset does: the person starts over. Factors, recovery code
/// and sessions go; every guessing count and lock goes too (someone locked
/// out by wrong codes is exactly who is reset, and with no recovery code
/// left a closed check would never open again); browsers known before are
/// no longer known.
async fn reset(
    tx: &mut Tx,
    deps: &Deps,
    target: Actor<'_>,
    by_operator: bool,
    detail: &str,
    now: UnixTime,
) -> Result<u64, sqlx::Error> {
    let removed = tx.delete_all_factors(target.user_id).await?;
    tx.delete_recovery_code(target.user_id).await?;
    tx.delete_user_sessions(target.user_id).await?;
    tx.clear_attempts(target.user_id).await?;
    tx.bump_device_epoch(target.user_id).await?;
    notify::security_event(
        tx,
        deps,
        target,
        SecurityEvent::MfaReset { by_operator },
        detail,
        now,
    )
    .await?;
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("Morgan Member"), "Morgan Member");
        assert_eq!(csv_field("Doe, Jane"), "\"Doe, Jane\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("@sum"), "'@sum");
        assert_eq!(csv_field("-1"), "'-1");
    }
}
