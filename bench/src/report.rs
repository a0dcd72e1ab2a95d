//! BENCHMARKS.md: every figure as measured by this run, the budgets met or not.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::load::Run;
use crate::scale::ScaleResults;
use crate::server::Memory;

/// What the page-load script printed.
#[derive(Debug, Deserialize)]
pub struct PageLoad {
    pub pages: BTreeMap<String, Visits>,
    pub data_shown_ms: Vec<f64>,
}

#[derive(Debug, Deserialize)]
pub struct Visits {
    pub first: Visit,
    pub repeat: Visit,
}

#[derive(Debug, Deserialize)]
pub struct Visit {
    pub total: f64,
    pub bytes: BTreeMap<String, f64>,
    pub requests: BTreeMap<String, f64>,
}

/// The throughput runs, one entry per repetition.
#[derive(Debug, Default)]
pub struct LoadResults {
    pub health: Vec<Run>,
    pub me: Vec<Run>,
    pub second_step: Vec<Run>,
    pub reauth: Vec<Run>,
    pub health_idle: Vec<Run>,
    pub health_busy: Vec<Run>,
    pub background: Vec<Run>,
}

pub struct Report {
    date: String,
    cores: usize,
    cpu: String,
    commit: String,
    runs: usize,
    seconds: u64,
    dist: Vec<(String, [u64; 3])>,
    pub pages: Option<PageLoad>,
    pub load: Option<LoadResults>,
    /// Idle, under load (highest seen), after.
    pub memory: Option<[Memory; 3]>,
    pub scale: Option<ScaleResults>,
    /// The second step alone, per engine (`step::markdown`).
    pub second_step: Option<String>,
    /// The mixed load, per deployment (`mixed::markdown`).
    pub mixed: Option<String>,
}

/// Median, lowest and highest.
#[derive(Clone, Copy)]
struct Spread {
    median: f64,
    min: f64,
    max: f64,
}

fn spread(values: impl IntoIterator<Item = f64>) -> Spread {
    let mut v: Vec<f64> = values.into_iter().collect();
    v.sort_by(f64::total_cmp);
    let median = match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    };
    Spread {
        median,
        min: v.first().copied().unwrap_or(f64::NAN),
        max: v.last().copied().unwrap_or(f64::NAN),
    }
}

impl Spread {
    /// "median (min–max)" with `decimals`.
    fn show(self, decimals: usize) -> String {
        format!(
            "{:.d$} ({:.d$}–{:.d$})",
            self.median,
            self.min,
            self.max,
            d = decimals
        )
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "**met**" } else { "**not met**" }
}

fn kb(bytes: f64) -> String {
    format!("{:.1} KB", bytes / 1000.0)
}

impl Report {
    pub fn new(runs: usize, seconds: u64) -> anyhow::Result<Self> {
        let git = |args: &[&str]| {
            std::process::Command::new("git")
                .args(args)
                .output()
                .ok()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
                .unwrap_or_default()
        };
        let mut commit = git(&["rev-parse", "--short=12", "HEAD"]);
        if !git(&["status", "--porcelain", "--untracked-files=no"]).is_empty() {
            commit.push_str(" with uncommitted changes");
        }
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|c| {
                c.lines().find_map(|l| {
                    l.strip_prefix("model name")
                        .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
                })
            })
            .unwrap_or_default();
        Ok(Self {
            date: jiff::Timestamp::now()
                .strftime("%Y-%m-%d %H:%M UTC")
                .to_string(),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu,
            commit,
            runs,
            seconds,
            dist: dist_sizes(Path::new("dist"))?,
            pages: None,
            load: None,
            memory: None,
            scale: None,
            second_step: None,
            mixed: None,
        })
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let o = &mut out;
        let _ = writeln!(o, "# Benchmarks\n");
        let _ = writeln!(
            o,
            "Written by `scripts/bench.sh` on {} — {} cores ({}), commit `{}`. \
             Every figure below was measured by that run; none is typed by hand. \
             Rerun with `./scripts/bench.sh` (about 25 minutes after the builds); it rewrites this file.\n",
            self.date, self.cores, self.cpu, self.commit
        );
        let _ = writeln!(
            o,
            "Everything runs on one machine over loopback: the release server (`target/release/mfa-server`, \
             SQLite in a temporary data dir, outbox for mail), the load generator (Debian's `wrk`, one thread) \
             and headless Chromium share its cores. Load runs last {} s each and are repeated {} times; \
             figures read *median (lowest–highest)* of those runs.\n",
            self.seconds, self.runs
        );
        self.budgets(o);
        self.page_weight(o);
        self.api(o);
        for part in [&self.second_step, &self.mixed].into_iter().flatten() {
            o.push_str(part);
        }
        self.scale(o);
        if let Some(s) = &self.scale {
            self.audit_log(o, s);
        }
        out
    }

    fn budgets(&self, o: &mut String) {
        let _ = writeln!(o, "## Budgets\n");
        let _ = writeln!(o, "| budget | measured | |\n|---|---|---|");
        let mut row = |name: &str, measured: String, met: bool| {
            let _ = writeln!(o, "| {name} | {measured} | {} |", verdict(met));
        };
        if let Some(pages) = &self.pages {
            // Issue 19's budgets (the peer's whole setup wizard: 61 KB).
            for (page, label, budget) in [
                (
                    "/profile/security",
                    "/profile/security (signed in)",
                    120_000.0,
                ),
                ("sign-in", "the sign-in page", 100_000.0),
            ] {
                if let Some(measured) = pages.pages.get(page) {
                    row(
                        &format!(
                            "cold first visit to {label} ≤ {:.0} KB transferred",
                            budget / 1000.0
                        ),
                        kb(measured.first.total),
                        measured.first.total <= budget,
                    );
                }
            }
            let shown = spread(pages.data_shown_ms.iter().copied());
            row(
                "the tab shows the user's data ≤ 200 ms after navigation start (median of 10)",
                format!("{:.0} ms", shown.median),
                shown.median <= 200.0,
            );
        }
        if let Some(load) = &self.load {
            let me = ratio(&load.me, &load.health);
            row(
                "/api/me ≥ 50% of /api/health's requests/s",
                format!("{:.0}%", me.median * 100.0),
                me.median >= 0.5,
            );
            let step = ratio(&load.second_step, &load.health);
            row(
                "second step ≥ 10% of /api/health's requests/s",
                format!("{:.0}%", step.median * 100.0),
                step.median >= 0.1,
            );
            let cpu = spread(load.second_step.iter().map(Run::cpu_ms));
            row(
                "second step < 1 ms of server CPU per request",
                format!("{:.2} ms", cpu.median),
                cpu.median < 1.0,
            );
            let idle = spread(load.health_idle.iter().map(|r| r.p99_us as f64));
            let busy = spread(load.health_busy.iter().map(|r| r.p99_us as f64));
            row(
                "health p99 with 20 re-authentications in flight ≤ 2× idle p99",
                format!(
                    "{:.2} ms vs {:.2} ms idle ({:.1}×)",
                    busy.median / 1e3,
                    idle.median / 1e3,
                    busy.median / idle.median
                ),
                busy.median <= 2.0 * idle.median,
            );
        }
        if let Some(s) = &self.scale {
            let dash = spread(s.dashboard_ms.iter().copied());
            row(
                "100,000 members: dashboard first page < 100 ms",
                format!(
                    "{:.1} ms (median of {}; the very first {:.1} ms)",
                    dash.median,
                    s.dashboard_ms.len(),
                    s.dashboard_first_ms
                ),
                dash.median < 100.0,
            );
            let log = spread(s.audit_log.newest_ms.iter().copied());
            row(
                "100,000 members, 1,000,000 audit events: the audit log's first page < 100 ms",
                format!(
                    "{:.1} ms (median of {}; the very first {:.1} ms)",
                    log.median,
                    s.audit_log.newest_ms.len(),
                    s.audit_log.first_ms
                ),
                log.median < 100.0 && s.audit_log.first_ms < 100.0,
            );
            row(
                "100,000 members: the deadline's 90,000 emails queued in < 30 s",
                format!("{:.1} s ({} due now)", s.deadline_secs, s.queued_now),
                s.deadline_secs < 30.0 && s.queued_now >= 90_000,
            );
            row(
                "… with memory < 200 MiB",
                format!("{:.0} MiB peak RSS", s.after_deadline.peak_mib),
                s.after_deadline.peak_mib < 200.0,
            );
            row(
                "A CSV of 10,000 people previewed in < 5 s",
                format!("{:.2} s", s.import_preview_secs),
                s.import_preview_secs < 5.0,
            );
            row(
                "… and invited in < 30 s",
                format!("{:.1} s ({} invited)", s.import_secs, s.imported),
                s.import_secs < 30.0 && s.imported == s.import_rows as u64,
            );
        }
        let _ = writeln!(o);
    }

    fn page_weight(&self, o: &mut String) {
        let _ = writeln!(
            o,
            "## Page weight and load (headless Chromium, release build)\n"
        );
        let _ = writeln!(
            o,
            "The built app as served (`dist/`; the server picks brotli, then gzip):\n"
        );
        let _ = writeln!(o, "| file | raw | gzip | brotli |\n|---|---:|---:|---:|");
        let mut totals = [0u64; 3];
        for (name, sizes) in &self.dist {
            let _ = writeln!(o, "| {name} | {} | {} | {} |", sizes[0], sizes[1], sizes[2]);
            for (t, s) in totals.iter_mut().zip(sizes) {
                *t += s;
            }
        }
        let _ = writeln!(
            o,
            "| **total** | {} | {} | {} |\n",
            totals[0], totals[1], totals[2]
        );
        let Some(pages) = &self.pages else { return };
        let _ = writeln!(
            o,
            "Bytes on the wire (headers + encoded body, from the DevTools protocol), a cold first visit in a fresh \
             browser profile, then a second visit in the same profile:\n"
        );
        let kinds = ["html", "js", "wasm", "css", "api", "other"];
        let _ = writeln!(
            o,
            "| page | {} | first visit | repeat visit |",
            kinds.join(" | ")
        );
        let _ = writeln!(o, "|---|{}---:|---:|", "---:|".repeat(kinds.len()));
        for (name, visits) in &pages.pages {
            let cells: Vec<String> = kinds
                .iter()
                .map(|k| {
                    visits
                        .first
                        .bytes
                        .get(*k)
                        .map_or("–".to_owned(), |b| format!("{b:.0}"))
                })
                .collect();
            let _ = writeln!(
                o,
                "| {name} | {} | **{}** ({} requests) | {} ({} requests) |",
                cells.join(" | "),
                kb(visits.first.total),
                visits.first.requests.values().sum::<f64>(),
                kb(visits.repeat.total),
                visits.repeat.requests.values().sum::<f64>(),
            );
        }
        let shown = spread(pages.data_shown_ms.iter().copied());
        let _ = writeln!(
            o,
            "\nNavigation start to the Password & Security tab showing the user's data (the app's \
             `mfa:security-data` mark), {} cold loads of a signed-in user: **{} ms** median ({:.0}–{:.0}).\n",
            pages.data_shown_ms.len(),
            format_args!("{:.0}", shown.median),
            shown.min,
            shown.max
        );
    }

    fn api(&self, o: &mut String) {
        let Some(load) = &self.load else { return };
        let _ = writeln!(o, "## API under load (wrk, 8 connections)\n");
        let _ = writeln!(
            o,
            "| endpoint | requests/s | p50 (ms) | p99 (ms) | server CPU per request (ms) | vs /api/health | valid runs |\n|---|---:|---:|---:|---:|---:|---:|"
        );
        let rows: [(&str, &Vec<Run>); 4] = [
            ("GET /api/health (the floor)", &load.health),
            ("GET /api/me (signed in)", &load.me),
            (
                "POST /api/sign-in/second-factor (a fresh valid code each)",
                &load.second_step,
            ),
            ("POST /api/reauth (argon2)", &load.reauth),
        ];
        for (name, runs) in rows {
            let _ = writeln!(
                o,
                "| {name} | {} | {} | {} | {} | {} | {}/{} |",
                spread(runs.iter().map(Run::per_sec)).show(0),
                spread(runs.iter().map(|r| r.p50_us as f64 / 1e3)).show(2),
                spread(runs.iter().map(|r| r.p99_us as f64 / 1e3)).show(2),
                spread(runs.iter().map(Run::cpu_ms)).show(3),
                {
                    let r = ratio(runs, &load.health);
                    format!(
                        "{:.0}% ({:.0}–{:.0})",
                        r.median * 100.0,
                        r.min * 100.0,
                        r.max * 100.0
                    )
                },
                runs.iter().filter(|r| r.valid()).count(),
                runs.len(),
            );
        }
        let _ = writeln!(
            o,
            "\nA run is valid when every answer was a success (2xx) and, for the second step, no code was sent \
             twice: each request completes a different half-signed-in session with the code its authenticator \
             shows now (bench accounts seeded with known secrets)."
        );
        let idle = spread(load.health_idle.iter().map(|r| r.p99_us as f64 / 1e3));
        let busy = spread(load.health_busy.iter().map(|r| r.p99_us as f64 / 1e3));
        let done = spread(load.background.iter().map(Run::per_sec));
        let _ = writeln!(
            o,
            "\nGET /api/health latency, one connection: p99 idle **{}** ms; with {} re-authentications in flight \
             **{}** ms (those re-authentications completed {} per second, {}/{} runs with every answer a success).\n",
            idle.show(2),
            crate::REAUTHS_IN_FLIGHT,
            busy.show(2),
            done.show(1),
            load.background.iter().filter(|r| r.valid()).count(),
            load.background.len(),
        );
        if let Some([idle, loaded, after]) = self.memory {
            let _ = writeln!(
                o,
                "Server resident memory: idle {:.1} MiB; under load (highest RSS during the runs) {:.1} MiB; \
                 5 s after the last run {:.1} MiB.\n",
                idle.rss_mib, loaded.peak_mib, after.rss_mib
            );
        }
    }

    fn audit_log(&self, o: &mut String, s: &crate::scale::ScaleResults) {
        let a = &s.audit_log;
        let _ = writeln!(
            o,
            "## The audit log of a company of {} members with {} events\n\n\
             Seeded in {:.1} s, each event written as the server writes it (the event and its company-log row). \
             Company Settings' \"Audit log\" asks `GET /api/companies/{{id}}/audit-log`, {} events a page, the newest first:\n\n\
             - First page: first request {:.1} ms, then **{}** ms over {} requests ({} rows).\n\
             - \"Next page\" (`?before=`): **{}** ms.\n\
             - One member's events (`?member=`): **{}** ms.\n\
             - A rare kind, one event in a thousand (`?kind=recovery_code_regenerated`): **{}** ms ({} rows).\n\
             - One week, 100 days back (`?since=&until=`): **{}** ms.\n",
            s.members,
            a.events,
            a.seed_secs,
            mfa_api::AUDIT_LOG_PAGE_SIZE,
            a.first_ms,
            spread(a.newest_ms.iter().copied()).show(1),
            a.newest_ms.len(),
            a.page_rows,
            spread(a.next_page_ms.iter().copied()).show(1),
            spread(a.member_ms.iter().copied()).show(1),
            spread(a.kind_ms.iter().copied()).show(1),
            a.kind_rows,
            spread(a.week_ms.iter().copied()).show(1),
        );
    }

    fn scale(&self, o: &mut String) {
        let Some(s) = &self.scale else { return };
        let _ = writeln!(o, "## A company of {} members\n", s.members);
        let dash = spread(s.dashboard_ms.iter().copied());
        let drain = spread(s.drain_per_sec.iter().copied());
        let _ = writeln!(
            o,
            "Seeded in {:.1} s ({} enrolled, the admin among them). Server idle: {:.1} MiB.\n\n\
             - Admin dashboard, first page (`GET /api/companies/{{id}}/readiness`): first request {:.1} ms, then \
             **{}** ms over {} requests; it counted {} enrolled and {} not enrolled and returned {} rows ({} bytes).\n\
             - Setting a deadline 30 days ahead (`PUT /api/companies/{{id}}/mfa-policy`): **{:.2} s**, queuing {} emails \
             due now and {} planned reminders; server RSS then {:.1} MiB, peak so far {:.1} MiB. Meanwhile, a \
             small write every {} ms (`PUT /api/me/language`): {} writes, the longest {:.1} ms, {} failed.\n\
             - Outbox drain (the email worker delivering to the outbox: table row + `.eml` file each): **{}** emails/s \
             over {} windows; RSS {:.1} MiB, peak {:.1} MiB.\n\
             - Import members, a CSV file of {} new people (`POST .../imports/preview`, then `POST .../imports`): \
             preview **{:.2} s**, invitations **{:.1} s** ({} invited, each with its sealed link and queued email).\n",
            s.seed_secs,
            s.enrolled_seeded,
            s.idle.rss_mib,
            s.dashboard_first_ms,
            dash.show(1),
            s.dashboard_ms.len(),
            s.counted_enrolled,
            s.counted_not_enrolled,
            s.page_rows,
            s.page_bytes,
            s.deadline_secs,
            s.queued_now,
            s.queued_later,
            s.after_deadline.rss_mib,
            s.after_deadline.peak_mib,
            crate::scale::WRITE_EVERY.as_millis(),
            s.meanwhile.count,
            s.meanwhile.longest_ms,
            s.meanwhile.failed,
            drain.show(0),
            s.drain_per_sec.len(),
            s.after_drain.rss_mib,
            s.after_drain.peak_mib,
            s.import_rows,
            s.import_preview_secs,
            s.import_secs,
            s.imported,
        );
    }
}

/// Each run's requests/s over the same repetition's health figure.
fn ratio(runs: &[Run], health: &[Run]) -> Spread {
    spread(
        runs.iter()
            .zip(health)
            .map(|(r, h)| r.per_sec() / h.per_sec()),
    )
}

/// Each file of `dist/` (not the compressed copies): raw, gzip, brotli bytes.
fn dist_sizes(dist: &Path) -> anyhow::Result<Vec<(String, [u64; 3])>> {
    let mut files = Vec::new();
    let mut stack = vec![PathBuf::from(dist)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.to_string_lossy().into_owned();
            if name.ends_with(".gz") || name.ends_with(".br") {
                continue;
            }
            let size = |p: &str| std::fs::metadata(p).map(|m| m.len());
            let raw = size(&name)?;
            let gz = size(&format!("{name}.gz")).unwrap_or(raw);
            let br = size(&format!("{name}.br")).unwrap_or(raw);
            let short = path
                .strip_prefix(dist)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            files.push((short, [raw, gz, br]));
        }
    }
    files.sort();
    Ok(files)
}
