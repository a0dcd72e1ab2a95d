//! The second step alone (`mfa-bench --only second-step`): seeds people
//! waiting for their code, starts the server, sends each one's right code
//! once under load, and reports the server's CPU time and context switches
//! per request, on SQLite or (`--database-url`) PostgreSQL.

use std::time::Duration;

use crate::load::{Mode, Request, Run, Wrk};
use crate::seed::{self, HalfSignedIn, Seeder};
use crate::server::{Server, TempDir};
use crate::{Args, CONNECTIONS, PASSWORD, SECOND_STEP_POOL_PER_SEC, log_path, post};

/// One second-step load run, with the server's context switches.
pub struct StepRun {
    pub run: Run,
    /// Voluntary and involuntary, the server's threads, per request.
    pub switches_per_request: f64,
}

/// `runs` second-step load runs against a server on `database_url` (or a
/// fresh SQLite database).
pub async fn runs(args: &Args, database_url: Option<&str>) -> anyhow::Result<Vec<StepRun>> {
    let data = TempDir::new("second-step")?;
    let seeder = Seeder::open(&data.0, database_url, PASSWORD).await?;
    let mut pools = Vec::new();
    for run in 1..=args.runs {
        let count = SECOND_STEP_POOL_PER_SEC * args.seconds as usize;
        pools.push(seeder.half_signed_in(&format!("only{run}-"), count).await?);
    }
    drop(seeder);
    let log = log_path("second-step");
    let server = Server::start(&args.server, &data.0, &args.dist, &log, database_url).await?;
    server.settle().await?;
    let wrk = Wrk::new(&args.wrk_script, &data.0);
    let mut out = Vec::new();
    for pool in &pools {
        let bodies = answers(pool);
        let step = requests(&bodies);
        let before = server.context_switches()?;
        let run = wrk
            .run(
                &server,
                "second-step",
                &step,
                Mode::Once,
                CONNECTIONS,
                Duration::from_secs(args.seconds),
            )
            .await?;
        let switches = server.context_switches()?.since(&before);
        out.push(StepRun {
            switches_per_request: switches as f64 / run.requests.max(1) as f64,
            run,
        });
    }
    server.stop().await?;
    Ok(out)
}

/// Each person's cookie and the code their authenticator shows now.
pub fn answers(pool: &[HalfSignedIn]) -> Vec<(String, String)> {
    let now = seed::now();
    pool.iter()
        .map(|p| {
            let body = serde_json::json!({ "method": "totp", "code": p.code_at(now) });
            (p.cookie.clone(), body.to_string())
        })
        .collect()
}

/// The second steps that send those answers.
pub fn requests(answers: &[(String, String)]) -> Vec<Request<'_>> {
    answers
        .iter()
        .map(|(cookie, body)| post("/api/sign-in/second-factor", cookie, body))
        .collect()
}

/// Prints each run's figures (`--only second-step`).
pub fn print(engine: &str, runs: &[StepRun]) {
    for (i, r) in runs.iter().enumerate() {
        println!(
            "second step on {engine}, run {}: {:.0} requests/s, {:.2} ms server CPU and {:.1} context switches per request, p50 {:.2} ms, p99 {:.2} ms{}",
            i + 1,
            r.run.per_sec(),
            r.run.cpu_ms(),
            r.switches_per_request,
            r.run.p50_us as f64 / 1e3,
            r.run.p99_us as f64 / 1e3,
            if r.run.valid() {
                ""
            } else {
                " (INVALID: errors or a pool ran out)"
            }
        );
    }
}

/// BENCHMARKS.md's section: the second step alone, on each engine.
pub fn markdown(engines: &[(&str, Vec<StepRun>)]) -> String {
    let mut out = String::from(
        "## The second step's cost\n\n\
         `POST /api/sign-in/second-factor` alone (`mfa-bench --only second-step`): each request completes a \
         different half-signed-in session with the code its authenticator shows now, 8 connections, after the \
         server is idle. Server CPU and context switches are the server process's own, all threads, per \
         request (PostgreSQL's own processes are not counted).\n\n\
         | engine | run | requests/s | server CPU per request | context switches per request | p50 | p99 | valid |\n\
         |---|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for (engine, runs) in engines {
        for (i, r) in runs.iter().enumerate() {
            out.push_str(&format!(
                "| {engine} | {} | {:.0} | {:.2} ms | {:.1} | {:.2} ms | {:.2} ms | {} |\n",
                i + 1,
                r.run.per_sec(),
                r.run.cpu_ms(),
                r.switches_per_request,
                r.run.p50_us as f64 / 1e3,
                r.run.p99_us as f64 / 1e3,
                if r.run.valid() { "yes" } else { "**no**" }
            ));
        }
    }
    out.push('\n');
    out
}
