//! What happened: a person's own recent security activity, and their
//! company's audit log for its admins (filtered, paged on the server,
//! exported as CSV).

use mfa_api::{ACTIVITY_DAYS, ACTIVITY_PAGE_SIZE, AUDIT_LOG_PAGE_SIZE};

use super::company_policy::{self, PolicyError};
use super::rollout::csv_field;
use super::session::LiveSession;
use super::{Actor, Deps};
use crate::domain::browser;
use crate::domain::email::Email;
use crate::store::{AuditKind, AuditPage, AuditRow, Cursor, LogFilter};

/// The most rows one CSV export holds (the newest; narrow the dates for older ones).
pub const EXPORT_MAX_ROWS: usize = 100_000;
/// Rows read per transaction while exporting.
const EXPORT_SLICE: i64 = 2_000;

/// A page of events, the newest first, and the cursors beside it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Page {
    pub events: Vec<AuditRow>,
    /// "Previous page": the events after this one.
    pub newer: Option<i64>,
    /// "Next page": the events before this one.
    pub older: Option<i64>,
}

impl Page {
    fn new(read: AuditPage, cursor: Cursor) -> Self {
        let first = read.events.first().map(|e| e.id);
        let last = read.events.last().map(|e| e.id);
        let (newer, older) = match cursor {
            Cursor::Newest => (None, last.filter(|_| read.more)),
            Cursor::Before(_) => (first, last.filter(|_| read.more)),
            Cursor::After(_) => (first.filter(|_| read.more), last),
        };
        Self {
            events: read.events,
            newer,
            older,
        }
    }
}

/// The page a query's `before` or `after` asks for (`before` wins).
pub fn cursor(before: Option<i64>, after: Option<i64>) -> Cursor {
    match (before, after) {
        (Some(id), _) => Cursor::Before(id),
        (None, Some(id)) => Cursor::After(id),
        (None, None) => Cursor::Newest,
    }
}

/// The person's own events of the last [`ACTIVITY_DAYS`] days.
pub async fn recent(
    deps: &Deps,
    session: &LiveSession,
    cursor: Cursor,
) -> Result<Page, sqlx::Error> {
    let since = deps.now() - ACTIVITY_DAYS * 24 * 60 * 60;
    let mut tx = deps.read().await?;
    let read = tx
        .user_activity(
            session.user_id,
            since,
            cursor,
            i64::from(ACTIVITY_PAGE_SIZE),
        )
        .await?;
    Ok(Page::new(read, cursor))
}

/// What an admin narrows the log to, as typed.
#[derive(Clone, Debug, Default)]
pub struct LogQuery {
    /// A member's email.
    pub member: Option<String>,
    /// An audit kind's name.
    pub kind: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("{0}")]
    Invalid(&'static str),
}

impl From<sqlx::Error> for LogError {
    fn from(e: sqlx::Error) -> Self {
        Self::Policy(e.into())
    }
}

/// The filter a query asks for, checked, for an admin of `company_id`.
async fn filter_of(
    deps: &Deps,
    session: &LiveSession,
    company_id: i64,
    query: &LogQuery,
) -> Result<LogFilter, LogError> {
    let mut tx = deps.read().await?;
    company_policy::admin_of(&mut tx, session.user_id, company_id).await?;
    let kind = match query
        .kind
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        None => None,
        Some(name) => Some(
            AuditKind::parse(name)
                .ok_or(LogError::Invalid("Choose a kind of event from the list."))?,
        ),
    };
    let user_id = match query
        .member
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        None => None,
        Some(typed) => {
            let email = Email::parse(typed)
                .map_err(|_| LogError::Invalid("Enter the member's email address."))?;
            // Someone with no account has no events: an id nobody has.
            Some(tx.credentials(&email).await?.map_or(0, |c| c.user_id))
        }
    };
    Ok(LogFilter {
        user_id,
        kind,
        since: query.since,
        until: query.until,
    })
}

/// A page of the company's audit log, for one of its admins.
pub async fn company_log(
    deps: &Deps,
    session: &LiveSession,
    company_id: i64,
    query: &LogQuery,
    cursor: Cursor,
) -> Result<Page, LogError> {
    let filter = filter_of(deps, session, company_id, query).await?;
    let mut tx = deps.read().await?;
    let read = tx
        .company_log(company_id, &filter, cursor, i64::from(AUDIT_LOG_PAGE_SIZE))
        .await?;
    Ok(Page::new(read, cursor))
}

/// The filtered log as CSV, the newest first (at most [`EXPORT_MAX_ROWS`]),
/// formulas defused; the export is audited.
pub async fn export_csv(
    deps: &Deps,
    session: &LiveSession,
    ip: Option<&str>,
    company_id: i64,
    query: &LogQuery,
) -> Result<String, LogError> {
    let filter = filter_of(deps, session, company_id, query).await?;
    let mut csv = String::from("time,event,detail,member_name,member_email,ip,browser,system\r\n");
    let mut rows = 0;
    let mut cursor = Cursor::Newest;
    loop {
        let slice = EXPORT_SLICE.min(i64::try_from(EXPORT_MAX_ROWS - rows).unwrap_or(0));
        let read = deps
            .read()
            .await?
            .company_log(company_id, &filter, cursor, slice)
            .await?;
        for event in &read.events {
            push_row(&mut csv, event);
        }
        rows += read.events.len();
        match read.events.last() {
            Some(last) if read.more && rows < EXPORT_MAX_ROWS => cursor = Cursor::Before(last.id),
            _ => break,
        }
    }
    let actor = Actor {
        user_id: session.user_id,
        ip,
    };
    let mut tx = deps.begin().await?;
    tx.audit_in(
        company_id,
        actor.user_id,
        AuditKind::AuditLogExported,
        &format!(
            "company={company_id} rows={rows} member={} kind={} since={} until={}",
            filter.user_id.unwrap_or_default(),
            filter.kind.map_or("any", AuditKind::as_str),
            filter.since.unwrap_or_default(),
            filter.until.unwrap_or_default(),
        ),
        actor.ip,
        deps.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(csv)
}

fn push_row(csv: &mut String, event: &AuditRow) {
    let time = time::OffsetDateTime::from_unix_timestamp(event.created_at)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    let (browser, system) = browser::parts(&event.browser);
    let fields = [
        time,
        event.kind.clone(),
        event.detail.clone(),
        event.name.clone().unwrap_or_default(),
        event.email.clone().unwrap_or_default(),
        event.ip.clone().unwrap_or_default(),
        browser.unwrap_or_default(),
        system.unwrap_or_default(),
    ];
    let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    csv.push_str(&line.join(","));
    csv.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64) -> AuditRow {
        AuditRow {
            id,
            created_at: 0,
            kind: "sign_in".into(),
            detail: String::new(),
            ip: None,
            browser: String::new(),
            user_id: None,
            name: None,
            email: None,
        }
    }

    #[test]
    fn pages_point_to_the_pages_beside_them() {
        let read = |ids: &[i64], more| AuditPage {
            events: ids.iter().copied().map(row).collect(),
            more,
        };
        let first = Page::new(read(&[9, 8], true), Cursor::Newest);
        assert_eq!((first.newer, first.older), (None, Some(8)));
        let middle = Page::new(read(&[7, 6], true), Cursor::Before(8));
        assert_eq!((middle.newer, middle.older), (Some(7), Some(6)));
        let last = Page::new(read(&[5], false), Cursor::Before(6));
        assert_eq!((last.newer, last.older), (Some(5), None));
        let back = Page::new(read(&[7, 6], true), Cursor::After(5));
        assert_eq!((back.newer, back.older), (Some(7), Some(6)));
        let newest_again = Page::new(read(&[9, 8], false), Cursor::After(7));
        assert_eq!((newest_again.newer, newest_again.older), (None, Some(8)));
        let only = Page::new(read(&[], false), Cursor::Newest);
        assert_eq!((only.newer, only.older), (None, None));
    }

    #[test]
    fn a_csv_row_defuses_formulas() {
        let mut csv = String::new();
        let mut event = row(1);
        event.name = Some("=HYPERLINK(\"x\")".into());
        event.browser = "Firefox/Linux".into();
        push_row(&mut csv, &event);
        assert!(
            csv.starts_with(
                "1970-01-01T00:00:00Z,sign_in,,\"'=HYPERLINK(\"\"x\"\")\",,,Firefox,Linux\r\n"
            ),
            "{csv}"
        );
    }
}
