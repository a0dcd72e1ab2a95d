//! A company of 100,000 members, one in ten enrolled: the admin dashboard's
//! first page, setting a deadline (an email to each of the 90,000 others),
//! how fast the outbox drains, and a CSV import of 10,000 new people
//! (the preview, then the invitations).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::Serialize;
use sqlx::sqlite::SqlitePoolOptions;

use crate::seed::Seeder;
use crate::server::{Memory, Server, TempDir};

/// Dashboard requests timed (after the first, reported on its own).
const DASHBOARD_REQUESTS: usize = 10;

/// Audit events seeded for the company's members, over this many days.
pub const AUDIT_EVENTS: usize = 1_000_000;
const AUDIT_DAYS: i64 = 300;

/// The company's audit log with a million events: the first page (the
/// first request, then the others), and pages narrowed by each filter.
#[derive(Debug, Serialize)]
pub struct AuditLogTimes {
    pub events: usize,
    pub seed_secs: f64,
    pub first_ms: f64,
    pub newest_ms: Vec<f64>,
    pub next_page_ms: Vec<f64>,
    pub member_ms: Vec<f64>,
    pub kind_ms: Vec<f64>,
    pub week_ms: Vec<f64>,
    pub page_rows: usize,
    pub kind_rows: usize,
}

/// The pause between the writes made while a deadline is being set.
pub const WRITE_EVERY: Duration = Duration::from_millis(50);

/// Writes made one after another (`PUT /api/me/language`, a small write
/// transaction) while the deadline's emails are queued: whether other
/// writers still get their turn.
#[derive(Debug, Default, Serialize)]
pub struct WritesMeanwhile {
    pub count: usize,
    pub failed: usize,
    pub longest_ms: f64,
}

#[derive(Debug, Serialize)]
pub struct ScaleResults {
    pub members: usize,
    pub enrolled_seeded: usize,
    pub seed_secs: f64,
    pub idle: Memory,
    /// The dashboard's first page: the first request, then the others.
    pub dashboard_first_ms: f64,
    pub audit_log: AuditLogTimes,
    pub dashboard_ms: Vec<f64>,
    pub counted_enrolled: u64,
    pub counted_not_enrolled: u64,
    pub page_rows: usize,
    pub page_bytes: usize,
    /// `PUT .../mfa-policy` with a date: the request, end to end.
    pub deadline_secs: f64,
    pub meanwhile: WritesMeanwhile,
    /// Emails it queued (due now, and the planned reminders).
    pub queued_now: u64,
    pub queued_later: u64,
    pub after_deadline: Memory,
    /// Emails delivered to the outbox per second, one figure per window.
    pub drain_per_sec: Vec<f64>,
    pub after_drain: Memory,
    /// A CSV file of this many new people: previewed, then invited.
    pub import_rows: usize,
    pub import_preview_secs: f64,
    pub import_secs: f64,
    pub imported: u64,
}

/// Rows of the imported CSV file (the most one file may hold).
const IMPORT_ROWS: usize = 10_000;

pub async fn run(
    binary: &Path,
    dist: &Path,
    members: usize,
    password: &str,
    windows: usize,
    window: Duration,
) -> anyhow::Result<ScaleResults> {
    let data = TempDir::new("scale")?;
    let started = Instant::now();
    let seeder = Seeder::open(&data.0, None, password).await?;
    let company = seeder.company("Scale Construction", members).await?;
    let seed_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    seeder
        .audit_events(&company, AUDIT_EVENTS, AUDIT_DAYS)
        .await?;
    let audit_seed_secs = started.elapsed().as_secs_f64();
    drop(seeder);

    let server = Server::start(binary, &data.0, dist, &crate::log_path("scale"), None).await?;
    let idle = server.memory()?;
    let client = reqwest::Client::new();
    let base = format!("{}/api/companies/{}", server.url, company.id);
    let cookie = company.admin.cookie.as_str();

    let dashboard = || async {
        let started = Instant::now();
        let answer = client
            .get(format!("{base}/readiness"))
            .header("cookie", cookie)
            .send()
            .await?;
        if !answer.status().is_success() {
            bail!("dashboard: {}", answer.status());
        }
        let body = answer.bytes().await?;
        let ms = started.elapsed().as_secs_f64() * 1e3;
        let page: serde_json::Value = serde_json::from_slice(&body)?;
        Ok::<_, anyhow::Error>((ms, page, body.len()))
    };
    let (dashboard_first_ms, page, page_bytes) = dashboard().await?;
    let mut dashboard_ms = Vec::new();
    for _ in 0..DASHBOARD_REQUESTS {
        dashboard_ms.push(dashboard().await?.0);
    }
    let count = |name: &str| {
        page[name]
            .as_u64()
            .with_context(|| format!("readiness.{name}"))
    };
    let audit_log = audit_log(&client, &base, cookie, audit_seed_secs).await?;
    let counted_enrolled = count("enrolled")?;
    let counted_not_enrolled = count("not_enrolled")?;
    let page_rows = page["members"].as_array().map_or(0, Vec::len);

    let date = jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date()
        .checked_add(jiff::Span::new().days(30))?;
    // A policy change needs the password again (and gives the session a new id).
    let reauth = client
        .post(format!("{}/api/reauth", server.url))
        .header("cookie", cookie)
        .header(mfa_api::CSRF_HEADER, mfa_api::CSRF_VALUE)
        .json(&serde_json::json!({ "password": password }))
        .send()
        .await?;
    if !reauth.status().is_success() {
        bail!("re-authenticating: {}", reauth.status());
    }
    let cookie = reauth
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.split(';')
                .next()
                .filter(|c| c.starts_with("mfa_session="))
        })
        .context("re-authentication gives a new session cookie")?
        .to_owned();
    let cookie = cookie.as_str();
    let stop = Arc::new(AtomicBool::new(false));
    let probe = tokio::spawn(writes_meanwhile(
        client.clone(),
        format!("{}/api/me/language", server.url),
        cookie.to_owned(),
        stop.clone(),
    ));
    let started = Instant::now();
    let answer = client
        .put(format!("{base}/mfa-policy"))
        .header("cookie", cookie)
        .header(mfa_api::CSRF_HEADER, mfa_api::CSRF_VALUE)
        .json(&serde_json::json!({
            "required": true,
            "enforcement_date": date.to_string(),
            "time_zone": "UTC",
        }))
        .send()
        .await?;
    let deadline_secs = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let meanwhile = probe.await??;
    if !answer.status().is_success() {
        bail!(
            "setting the deadline: {} {}",
            answer.status(),
            answer.text().await?
        );
    }
    let after_deadline = server.memory()?;

    let db = SqlitePoolOptions::new()
        .max_connections(1)
        .connect(&format!("sqlite://{}/mfa.db?mode=ro", data.0.display()))
        .await?;
    let queued = |due_now: bool| {
        let sql = match due_now {
            true => "SELECT COUNT(*) FROM email_queue WHERE send_after <= created_at",
            false => "SELECT COUNT(*) FROM email_queue WHERE send_after > created_at",
        };
        sqlx::query_scalar::<_, i64>(sql).fetch_one(&db)
    };
    let queued_now = queued(true).await? as u64;
    let queued_later = queued(false).await? as u64;
    let sent = || {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM email_queue WHERE sent_at IS NOT NULL")
            .fetch_one(&db)
    };
    let mut drain_per_sec = Vec::new();
    for _ in 0..windows {
        let (before, started) = (sent().await?, Instant::now());
        tokio::time::sleep(window).await;
        let delivered = sent().await? - before;
        drain_per_sec.push(delivered as f64 / started.elapsed().as_secs_f64());
    }
    let after_drain = server.memory()?;

    let mut csv = String::from("email,name,role\n");
    for i in 0..IMPORT_ROWS {
        csv.push_str(&format!("import{i}@scale.bench.test,Imported {i},member\n"));
    }
    let csv = serde_json::json!({ "csv": csv });
    let timed_post = |path: &'static str| {
        let request = client
            .post(format!("{base}/{path}"))
            .header("cookie", cookie)
            .header(mfa_api::CSRF_HEADER, mfa_api::CSRF_VALUE)
            .json(&csv);
        async move {
            let started = Instant::now();
            let answer = request.send().await?;
            if !answer.status().is_success() {
                bail!("{path}: {}", answer.status());
            }
            let body: serde_json::Value = answer.json().await?;
            Ok::<_, anyhow::Error>((started.elapsed().as_secs_f64(), body))
        }
    };
    let (import_preview_secs, seen) = timed_post("imports/preview").await?;
    if seen["to_invite"].as_u64() != Some(IMPORT_ROWS as u64) {
        bail!("the preview would invite {}", seen["to_invite"]);
    }
    let (import_secs, done) = timed_post("imports").await?;
    let imported = done["invited"].as_u64().unwrap_or_default();
    db.close().await;
    server.stop().await?;
    Ok(ScaleResults {
        members: company.members,
        enrolled_seeded: company.enrolled,
        seed_secs,
        idle,
        dashboard_first_ms,
        audit_log,
        dashboard_ms,
        counted_enrolled,
        counted_not_enrolled,
        page_rows,
        page_bytes,
        deadline_secs,
        meanwhile,
        queued_now,
        queued_later,
        after_deadline,
        drain_per_sec,
        after_drain,
        import_rows: IMPORT_ROWS,
        import_preview_secs,
        import_secs,
        imported,
    })
}

/// Times `GET {base}/audit-log` with `query`: the answer's events.
async fn audit_page(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    query: &str,
) -> anyhow::Result<(f64, serde_json::Value)> {
    let started = Instant::now();
    let answer = client
        .get(format!("{base}/audit-log?{query}"))
        .header("cookie", cookie)
        .send()
        .await?;
    if !answer.status().is_success() {
        bail!("audit log ?{query}: {}", answer.status());
    }
    let body: serde_json::Value = answer.json().await?;
    Ok((started.elapsed().as_secs_f64() * 1e3, body))
}

/// The audit log's pages, each asked [`DASHBOARD_REQUESTS`] times.
async fn audit_log(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    seed_secs: f64,
) -> anyhow::Result<AuditLogTimes> {
    let (first_ms, first) = audit_page(client, base, cookie, "").await?;
    let rows = |page: &serde_json::Value| page["events"].as_array().map_or(0, Vec::len);
    let older = first["older"].as_i64().context("a second page")?;
    let member = format!("member={}", "member5%40scale.bench.test");
    let week_end = crate::seed::now() - 100 * 24 * 60 * 60;
    let week = format!("since={}&until={week_end}", week_end - 7 * 24 * 60 * 60);
    let mut times: [Vec<f64>; 5] = Default::default();
    let queries = [
        String::new(),
        format!("before={older}"),
        member,
        "kind=recovery_code_regenerated".to_owned(),
        week,
    ];
    let mut kind_rows = 0;
    for _ in 0..DASHBOARD_REQUESTS {
        for (query, times) in queries.iter().zip(times.iter_mut()) {
            let (ms, page) = audit_page(client, base, cookie, query).await?;
            if rows(&page) == 0 {
                bail!("audit log ?{query}: an empty page");
            }
            if query.starts_with("kind=") {
                kind_rows = rows(&page);
            }
            times.push(ms);
        }
    }
    let [newest_ms, next_page_ms, member_ms, kind_ms, week_ms] = times;
    Ok(AuditLogTimes {
        events: AUDIT_EVENTS,
        seed_secs,
        first_ms,
        newest_ms,
        next_page_ms,
        member_ms,
        kind_ms,
        week_ms,
        page_rows: rows(&first),
        kind_rows,
    })
}

/// Writes one after another until `stop`, timing each.
async fn writes_meanwhile(
    client: reqwest::Client,
    url: String,
    cookie: String,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<WritesMeanwhile> {
    let mut writes = WritesMeanwhile::default();
    while !stop.load(Ordering::Relaxed) {
        let started = Instant::now();
        let answer = client
            .put(&url)
            .header("cookie", &cookie)
            .header(mfa_api::CSRF_HEADER, mfa_api::CSRF_VALUE)
            .json(&serde_json::json!({ "language": "en" }))
            .send()
            .await;
        writes.longest_ms = writes.longest_ms.max(started.elapsed().as_secs_f64() * 1e3);
        writes.count += 1;
        if !answer.is_ok_and(|a| a.status().is_success()) {
            writes.failed += 1;
        }
        tokio::time::sleep(WRITE_EVERY).await;
    }
    Ok(writes)
}
