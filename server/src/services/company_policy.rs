//! A company's MFA policy, for its admins: whether MFA is required, from
//! which date (in which time zone), and the window of people who join
//! after it, and which methods members may use. Setting or moving the date
//! emails every member not enrolled yet and plans their reminders; clearing
//! it cancels them. Turning a method off emails, once, those it leaves with
//! none.

use super::limits::Locked;
use super::notify::{self, Planned, Recipient};
use super::session::LiveSession;
use super::{Actor, Deps, internal_error};
use crate::domain::clock::UnixTime;
use crate::domain::deadline::{self, DateError, EnforcementDate};
use crate::domain::factors::MethodSet;
use crate::domain::trusted_browser;
use crate::mail::templates::EmailContent;
use crate::store::{Announcement, AuditKind, CompanySettings, Tx, Unenrolled, kind_name};

/// What an admin asks for.
#[derive(Clone, Debug)]
pub struct PolicyChange {
    pub required: bool,
    pub enforcement_date: Option<String>,
    pub time_zone: Option<String>,
    pub grace_days: Option<i64>,
    /// Unchanged when none.
    pub allowed_methods: Option<MethodSet>,
    /// Unchanged when none.
    pub trusted_browser_days: Option<i64>,
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
    #[error("trusted browsers can be remembered for 0 to 90 days")]
    TrustedDays,
    /// Reminders need MFA required from a date still ahead.
    #[error("set an enforcement date ahead first")]
    NoDeadline,
    /// Not a member of this company (or oneself, for a reset).
    #[error("no such member")]
    NotAMember,
    /// Every method turned off.
    #[error("at least one method must stay allowed")]
    NoMethod,
    /// The company's members were told of a new date too often today.
    #[error("too many deadline announcements today")]
    TooManyAnnouncements(Locked),
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

/// Saves the policy and its audit event in one transaction, then queues the
/// emails of a new deadline ([`announce`]) before answering.
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
    let allowed_methods = change.allowed_methods.unwrap_or(before.allowed_methods);
    if allowed_methods.is_empty() {
        return Err(PolicyError::NoMethod);
    }
    let trusted_browser_days = change
        .trusted_browser_days
        .unwrap_or(before.trusted_browser_days);
    if !trusted_browser::valid_days(trusted_browser_days) {
        return Err(PolicyError::TrustedDays);
    }
    // Who has a factor of an allowed method now (to tell those whom this
    // change leaves with none, once).
    let enrolled_before: Vec<i64> = match before
        .allowed_methods
        .removed_in(allowed_methods)
        .is_empty()
    {
        true => Vec::new(),
        false => tx
            .company_members(company_id)
            .await?
            .into_iter()
            .filter(|m| m.enrolled)
            .map(|m| m.user_id)
            .collect(),
    };
    let after = CompanySettings {
        mfa_required: change.required,
        enforcement_date,
        time_zone: time_zone.trim().to_owned(),
        deadline,
        grace_days,
        allowed_methods,
        trusted_browser_days,
        ..before.clone()
    };
    tx.save_company_settings(&after, now).await?;
    let actor = Actor {
        user_id: session.user_id,
        ip,
    };
    tx.audit_in(
        company_id,
        actor.user_id,
        AuditKind::CompanyPolicyChanged,
        &format!(
            "company={} required={} date={} time_zone={} grace_days={} trusted_days={} methods={}",
            company_id,
            after.mfa_required,
            after.enforcement_date.as_deref().unwrap_or("none"),
            after.time_zone,
            after.grace_days,
            after.trusted_browser_days,
            after
                .allowed_methods
                .kinds()
                .into_iter()
                .map(kind_name)
                .collect::<Vec<_>>()
                .join(",")
        ),
        actor.ip,
        now,
    )
    .await?;
    plan_announcement(&mut tx, &before, &after, now).await?;
    // Fewer days shorten the browsers trusted already; none forgets them.
    if after.trusted_browser_days < before.trusted_browser_days {
        match after.trusted_browser_days {
            0 => tx.forget_company_trusted_browsers(company_id).await?,
            days => {
                tx.shorten_company_trusted_browsers(
                    company_id,
                    trusted_browser::lifetime_secs(days),
                )
                .await?
            }
        };
    }
    if !enrolled_before.is_empty() {
        tell_who_needs_another_method(&mut tx, &after, &enrolled_before, now).await?;
    }
    // Members signed in already meet the new policy at their next request.
    tx.recheck_company_sessions(company_id, now).await?;
    tx.commit().await?;
    tracing::info!(company_id, required = after.mfa_required, deadline = ?after.deadline, "company MFA policy saved");
    // In a task of its own, which goes on should the client go away. Saved
    // already: should it stop midway, the housekeeping task resumes it.
    let announcing = tokio::spawn({
        let deps = deps.clone();
        async move { announce(&deps, company_id).await }
    });
    match announcing.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            tracing::error!(company_id, error = %e, "queueing the deadline's emails stopped; it resumes later");
        }
        Err(e) => {
            tracing::error!(company_id, error = %e, "queueing the deadline's emails failed; it resumes later");
        }
    }
    Ok(after)
}

/// Emails, once, the members this change left with no factor of an
/// allowed method (they were enrolled before it): which methods still
/// work, and until when their old one does.
async fn tell_who_needs_another_method(
    tx: &mut Tx,
    after: &CompanySettings,
    enrolled_before: &[i64],
    now: UnixTime,
) -> Result<(), sqlx::Error> {
    let left_out: Vec<_> = tx
        .company_members(after.company_id)
        .await?
        .into_iter()
        .filter(|m| !m.enrolled && enrolled_before.contains(&m.user_id))
        .collect();
    for member in &left_out {
        let content = EmailContent::MethodsTurnedOff {
            company: after.company_name.clone(),
            name: member.name.clone(),
            allowed: after.allowed_methods.kinds(),
            until: after.deadline.filter(|&at| at > now),
            date: after.enforcement_date.clone(),
            time_zone: after.time_zone.clone(),
        };
        let to = Recipient {
            user_id: Some(member.user_id),
            email: &member.email,
            language: &member.language,
        };
        let key = format!("methods:{}:{}:{now}", after.company_id, member.user_id);
        notify::enqueue(tx, to, &content, &key, None, now, now).await?;
    }
    tracing::info!(
        company_id = after.company_id,
        members = left_out.len(),
        "members told to add another method"
    );
    Ok(())
}

/// The topic of the emails about one deadline of one company.
pub(super) fn topic(company_id: i64, deadline: UnixTime) -> String {
    format!("company:{company_id}:deadline:{deadline}")
}

/// After a change: the emails queued for another deadline (or for none) are
/// cancelled, and a new or moved deadline starts being announced (by
/// [`announce`], once this transaction is committed).
async fn plan_announcement(
    tx: &mut Tx,
    before: &CompanySettings,
    after: &CompanySettings,
    now: UnixTime,
) -> Result<(), PolicyError> {
    let company_id = after.company_id;
    let current = after.deadline_ahead(now);
    // The announcement first: on PostgreSQL this waits for a slice being
    // queued, whose emails the cancelling below then sees.
    match current {
        None => tx.end_announcement(company_id).await?,
        // Announced already, or being announced: nothing new to say.
        Some(deadline) if before.deadline_ahead(now) == Some(deadline) => {}
        Some(deadline) => {
            let starts = tx
                .announcement_starts_since(company_id, now - deadline::ANNOUNCEMENT_WINDOW_SECS)
                .await?;
            if let Some(until) = deadline::announcements_open_at(&starts) {
                return Err(PolicyError::TooManyAnnouncements(Locked::new(until, now)));
            }
            tx.start_announcement(company_id, deadline, now).await?;
        }
    }
    let keep = current.map(|d| topic(company_id, d));
    tx.cancel_emails(&format!("company:{company_id}:"), keep.as_deref(), now)
        .await?;
    Ok(())
}

/// Queues the emails of the company's announcement under way: to every
/// member not enrolled who joined by the deadline, the news now and the
/// reminders later (those who join after it get the banner and their own
/// window). One slice of members per transaction, so that sign-ins are not
/// kept waiting behind 100,000 emails. Two runs at once are safe: each
/// slice locks the announcement and starts after the last member done.
pub async fn announce(deps: &Deps, company_id: i64) -> anyhow::Result<()> {
    while announce_slice(deps, company_id).await? {}
    Ok(())
}

/// Resumes every announcement left under way (by a server that stopped
/// midway, or a slice that failed); returns how many there were.
pub async fn resume_announcements(deps: &Deps) -> anyhow::Result<usize> {
    let companies = deps.read().await?.announcing_companies().await?;
    for &company_id in &companies {
        announce(deps, company_id).await?;
    }
    Ok(companies.len())
}

/// One slice of [`announce`]; whether there is more to do.
async fn announce_slice(deps: &Deps, company_id: i64) -> anyhow::Result<bool> {
    let now = deps.now();
    let mut tx = deps.begin().await?;
    let Some(announcement) = tx.announcement(company_id).await? else {
        return Ok(false);
    };
    let deadline = announcement.deadline;
    let settings = tx
        .company_settings(company_id)
        .await?
        .filter(|s| s.deadline_ahead(now) == Some(deadline));
    let members = match &settings {
        Some(settings) => {
            let members = tx
                .unenrolled_members(company_id, announcement.after_user_id, deadline, PLAN_SLICE)
                .await?;
            queue_deadline_emails(&mut tx, deps, settings, &announcement, &members, now).await?;
            members
        }
        // The company no longer has this deadline: the announcement ends unsaid.
        None => Vec::new(),
    };
    let more = members.len() as i64 == PLAN_SLICE;
    match members.last() {
        Some(last) if more => tx.advance_announcement(company_id, last.user_id).await?,
        _ => tx.end_announcement(company_id).await?,
    }
    tx.commit().await?;
    crate::faults::point("announcement.slice");
    Ok(more)
}

/// The email about `deadline` to one member: a reminder that many days
/// before it, or (`None`) the news that it was set.
pub(super) fn deadline_email(
    settings: &CompanySettings,
    deadline: UnixTime,
    user_id: i64,
    name: &str,
    reminder_days: Option<i64>,
) -> EmailContent {
    EmailContent::Deadline {
        company_id: settings.company_id,
        company: settings.company_name.clone(),
        user_id,
        name: name.to_owned(),
        deadline,
        date: settings.enforcement_date.clone().unwrap_or_default(),
        time_zone: settings.time_zone.clone(),
        reminder_days,
    }
}

/// The deadline's email now and its reminders, for each of `members`.
async fn queue_deadline_emails(
    tx: &mut Tx,
    deps: &Deps,
    settings: &CompanySettings,
    announcement: &Announcement,
    members: &[Unenrolled],
    now: UnixTime,
) -> anyhow::Result<()> {
    let company_id = settings.company_id;
    let deadline = announcement.deadline;
    let topic = topic(company_id, deadline);
    let reminders = deadline::reminders(deadline, &deps.reminder_days, now);
    let mut planned = Vec::with_capacity(members.len() * (1 + reminders.len()));
    for member in members {
        let to = Recipient {
            user_id: Some(member.user_id),
            email: &member.email,
            language: &member.language,
        };
        let content = |reminder_days| {
            deadline_email(
                settings,
                deadline,
                member.user_id,
                &member.name,
                reminder_days,
            )
        };
        // One email per member and deadline, however often the date moves
        // away and back (a cancelled one is queued again).
        let key = format!("{topic}:user:{}:set", member.user_id);
        planned.push(Planned::new(to, &content(None), key, now)?);
        for &(days, at) in &reminders {
            let key = format!("{topic}:user:{}:reminder:{days}", member.user_id);
            planned.push(Planned::new(to, &content(Some(days)), key, at)?);
        }
    }
    notify::enqueue_planned(tx, &planned, Some(&topic), now).await?;
    Ok(())
}

/// Members whose emails are prepared and queued at a time.
const PLAN_SLICE: i64 = 1_000;

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
    Ok(settings.deadline_ahead(now) == Some(*deadline) && tx.factors(*user_id).await?.is_empty())
}
