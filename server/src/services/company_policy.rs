//! A company's MFA policy, for its admins: whether MFA is required, from
//! which date (in which time zone), and the window of people who join
//! after it. Setting or moving the date emails every member not enrolled
//! yet and plans their reminders; clearing it cancels them.

use super::notify::{self, Planned, Recipient};
use super::session::LiveSession;
use super::{Actor, Deps, internal_error};
use crate::domain::clock::UnixTime;
use crate::domain::deadline::{self, DateError, EnforcementDate};
use crate::mail::templates::EmailContent;
use crate::store::{AuditKind, CompanySettings, Tx};

/// What an admin asks for.
#[derive(Clone, Debug)]
pub struct PolicyChange {
    pub required: bool,
    pub enforcement_date: Option<String>,
    pub time_zone: Option<String>,
    pub grace_days: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// Not an admin of that company (or no such company).
    #[error("only the company's admins may do this")]
    Forbidden,
    /// Requiring MFA of others before having it oneself.
    #[error("the admin has no second factor")]
    AdminNotEnrolled,
    #[error(transparent)]
    Date(#[from] DateError),
    #[error("the window for people who join late must be 1 to 90 days")]
    GraceDays,
    /// Reminders need MFA required from a date still ahead.
    #[error("set an enforcement date ahead first")]
    NoDeadline,
    /// Not a member of this company (or oneself, for a reset).
    #[error("no such member")]
    NotAMember,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(PolicyError);

/// The policy, for an admin of `company_id`.
pub async fn get(
    deps: &Deps,
    session: &LiveSession,
    company_id: i64,
) -> Result<CompanySettings, PolicyError> {
    let mut tx = deps.read().await?;
    admin_of(&mut tx, session.user_id, company_id).await
}

/// The company's settings, if the user is one of its admins.
pub(super) async fn admin_of(
    tx: &mut Tx,
    user_id: i64,
    company_id: i64,
) -> Result<CompanySettings, PolicyError> {
    let admin = tx
        .memberships(user_id)
        .await?
        .iter()
        .any(|m| m.company_id == company_id && m.is_admin);
    if !admin {
        return Err(PolicyError::Forbidden);
    }
    tx.company_settings(company_id)
        .await?
        .ok_or(PolicyError::Forbidden)
}

/// Saves the policy; the audit event and the emails go in the same transaction.
pub async fn save(
    deps: &Deps,
    session: &LiveSession,
    ip: Option<&str>,
    company_id: i64,
    change: PolicyChange,
) -> Result<CompanySettings, PolicyError> {
    let now = deps.now();
    let mut tx = deps.begin().await?;
    let before = admin_of(&mut tx, session.user_id, company_id).await?;
    if change.required && !before.mfa_required && tx.factors(session.user_id).await?.is_empty() {
        return Err(PolicyError::AdminNotEnrolled);
    }
    let time_zone = change
        .time_zone
        .filter(|tz| !tz.trim().is_empty())
        .unwrap_or_else(|| "UTC".to_owned());
    let (enforcement_date, deadline) =
        match change.enforcement_date.filter(|d| !d.trim().is_empty()) {
            None => (None, None),
            // Saved again as it was (even once past): kept.
            Some(date)
                if Some(date.trim()) == before.enforcement_date.as_deref()
                    && time_zone.trim() == before.time_zone =>
            {
                (before.enforcement_date.clone(), before.deadline)
            }
            Some(date) => {
                let date = EnforcementDate::new(&date, &time_zone, now)?;
                (Some(date.date), Some(date.deadline))
            }
        };
    let grace_days = change.grace_days.unwrap_or(before.grace_days);
    if !(1..=90).contains(&grace_days) {
        return Err(PolicyError::GraceDays);
    }
    let after = CompanySettings {
        mfa_required: change.required,
        enforcement_date,
        time_zone: time_zone.trim().to_owned(),
        deadline,
        grace_days,
        ..before.clone()
    };
    tx.save_company_settings(&after, now).await?;
    let actor = Actor {
        user_id: session.user_id,
        ip,
    };
    tx.audit(
        actor.user_id,
        AuditKind::CompanyPolicyChanged,
        &format!(
            "company={} required={} date={} time_zone={} grace_days={}",
            company_id,
            after.mfa_required,
            after.enforcement_date.as_deref().unwrap_or("none"),
            after.time_zone,
            after.grace_days
        ),
        actor.ip,
        now,
    )
    .await?;
    plan_emails(&mut tx, &deps.reminder_days, &before, &after, now).await?;
    tx.commit().await?;
    tracing::info!(company_id, required = after.mfa_required, deadline = ?after.deadline, "company MFA policy saved");
    Ok(after)
}

/// The topic of the emails about one deadline of one company.
pub(super) fn topic(company_id: i64, deadline: UnixTime) -> String {
    format!("company:{company_id}:deadline:{deadline}")
}

/// After a change: the emails planned for another deadline (or for none)
/// are cancelled; a new or moved deadline is announced to every member not
/// enrolled, with its reminders planned.
async fn plan_emails(
    tx: &mut Tx,
    reminder_days: &[i64],
    before: &CompanySettings,
    after: &CompanySettings,
    now: UnixTime,
) -> Result<(), sqlx::Error> {
    let company_id = after.company_id;
    let current = match (after.mfa_required, after.deadline) {
        (true, Some(deadline)) if deadline > now => Some(deadline),
        _ => None,
    };
    let keep = current.map(|d| topic(company_id, d));
    tx.cancel_emails(&format!("company:{company_id}:"), keep.as_deref(), now)
        .await?;
    let Some(deadline) = current else {
        return Ok(());
    };
    let announced_before = before.mfa_required && before.deadline == Some(deadline);
    if announced_before {
        return Ok(());
    }
    let topic = topic(company_id, deadline);
    let members = tx.company_members(company_id).await?;
    // Those who join later get the banner and their own window.
    let to_email = members
        .iter()
        .filter(|m| !m.enrolled && m.joined_at <= deadline);
    let reminders = deadline::reminders(deadline, reminder_days, now);
    let mut planned = Vec::new();
    // In slices, so that 100,000 members never hold all their emails in memory.
    for slice in to_email.collect::<Vec<_>>().chunks(PLAN_SLICE) {
        planned.clear();
        for member in slice {
            let to = Recipient {
                user_id: member.user_id,
                email: &member.email,
                language: &member.language,
            };
            let content = |reminder_days| EmailContent::Deadline {
                company_id,
                company: after.company_name.clone(),
                user_id: member.user_id,
                name: member.name.clone(),
                deadline,
                date: after.enforcement_date.clone().unwrap_or_default(),
                time_zone: after.time_zone.clone(),
                reminder_days,
            };
            let key = format!("{topic}:user:{}:set:{now}", member.user_id);
            planned.push(Planned::new(to, &content(None), key, now)?);
            for &(days, at) in &reminders {
                let key = format!("{topic}:user:{}:reminder:{days}", member.user_id);
                planned.push(Planned::new(to, &content(Some(days)), key, at)?);
            }
        }
        notify::enqueue_planned(tx, &planned, Some(&topic), now).await?;
    }
    Ok(())
}

/// Members whose emails are prepared and queued at a time.
const PLAN_SLICE: usize = 1_000;

/// Whether a planned deadline email still applies when its time comes:
/// the company still requires MFA by that deadline and the member has no
/// factor yet.
pub(super) async fn still_applies(
    tx: &mut Tx,
    content: &EmailContent,
    now: UnixTime,
) -> Result<bool, sqlx::Error> {
    let EmailContent::Deadline {
        company_id,
        user_id,
        deadline,
        ..
    } = content
    else {
        return Ok(true);
    };
    let Some(settings) = tx.company_settings(*company_id).await? else {
        return Ok(false);
    };
    Ok(settings.mfa_required
        && settings.deadline == Some(*deadline)
        && now < *deadline
        && tx.factors(*user_id).await?.is_empty())
}
