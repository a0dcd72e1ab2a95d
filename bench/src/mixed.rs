//! Mixed load: 50 connections signing in with a password and 200 making
//! signed-in requests (`GET /api/me`), at once, for 20 s: against one
//! instance (SQLite), and against two instances on one PostgreSQL behind
//! nginx (`scripts/cluster.sh`).

use std::path::Path;
use std::time::Duration;

use anyhow::Context;

use crate::load::{Mode, Request, Run, Wrk};
use crate::seed::{Seeder, SignedIn};
use crate::server::{Memory, Server, TempDir};
use crate::{Args, PASSWORD, get, log_path, post};

/// Connections signing in with a password.
pub const SIGNING_IN: u32 = 50;
/// Connections making signed-in requests.
pub const SIGNED_IN: u32 = 200;
/// How long the mixed load lasts.
pub const SECONDS: u64 = 20;

/// What one deployment did under the mixed load.
pub struct Mixed {
    pub deployment: &'static str,
    pub sign_in: Run,
    pub me: Run,
    /// Each instance's peak resident memory.
    pub memory: Vec<(String, Memory)>,
}

/// People to sign in as, and full sessions to send requests with.
async fn seed(seeder: &Seeder) -> anyhow::Result<(Vec<SignedIn>, Vec<String>)> {
    let mut people = Vec::new();
    for i in 0..SIGNING_IN {
        people.push(seeder.signed_in(&format!("mixed{i}@bench.test")).await?);
    }
    let sessions = seeder.sessions(&people, SIGNED_IN as usize).await?;
    Ok((people, sessions))
}

/// Both loads at once against `url`.
async fn run(
    wrk: &Wrk,
    url: &str,
    people: &[SignedIn],
    sessions: &[String],
) -> anyhow::Result<(Run, Run)> {
    let bodies: Vec<String> = people
        .iter()
        .map(|p| serde_json::json!({ "email": p.email, "password": PASSWORD }).to_string())
        .collect();
    let sign_ins: Vec<Request> = bodies.iter().map(|b| post("/api/sign-in", "", b)).collect();
    let me: Vec<Request> = sessions.iter().map(|c| get("/api/me", c)).collect();
    let duration = Duration::from_secs(SECONDS);
    let signing_in = wrk.spawn(
        url,
        "mixed-sign-in",
        &sign_ins,
        Mode::Cycle,
        SIGNING_IN,
        duration,
    )?;
    let signed_in = wrk.spawn(url, "mixed-me", &me, Mode::Cycle, SIGNED_IN, duration)?;
    let sign_in = Wrk::finish("mixed-sign-in", signing_in).await?;
    let me = Wrk::finish("mixed-me", signed_in).await?;
    Ok((sign_in, me))
}

/// One instance on SQLite.
pub async fn one_instance(args: &Args) -> anyhow::Result<Mixed> {
    let data = TempDir::new("mixed")?;
    let seeder = Seeder::open(&data.0, None, PASSWORD).await?;
    let (people, sessions) = seed(&seeder).await?;
    drop(seeder);
    let server = Server::start(&args.server, &data.0, &args.dist, &log_path("mixed"), None).await?;
    server.settle().await?;
    let wrk = Wrk::new(&args.wrk_script, &data.0);
    let (sign_in, me) = run(&wrk, &server.url, &people, &sessions).await?;
    let memory = vec![("the instance".to_owned(), server.memory()?)];
    server.stop().await?;
    Ok(Mixed {
        deployment: "one instance (SQLite)",
        sign_in,
        me,
        memory,
    })
}

/// Two instances on one PostgreSQL behind nginx, started and stopped by
/// `scripts/cluster.sh` with the release server.
pub async fn cluster(args: &Args) -> anyhow::Result<Mixed> {
    let dir = TempDir::new("cluster")?;
    let script = Path::new("scripts/cluster.sh");
    let up = tokio::process::Command::new(script)
        .arg("up")
        .env("MFA_CLUSTER_DIR", dir.0.join("cluster"))
        .env("SERVER_BIN", &args.server)
        .stderr(std::process::Stdio::inherit())
        .output()
        .await
        .context("scripts/cluster.sh up")?;
    anyhow::ensure!(up.status.success(), "scripts/cluster.sh up failed");
    let vars = String::from_utf8(up.stdout)?;
    let var = |name: &str| {
        vars.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .map(str::to_owned)
            .with_context(|| format!("cluster.sh printed no {name}"))
    };
    let result = async {
        let seeder =
            Seeder::open(&dir.0, Some(&var("MFA_CLUSTER_DATABASE_URL")?), PASSWORD).await?;
        let (people, sessions) = seed(&seeder).await?;
        drop(seeder);
        let wrk = Wrk::new(&args.wrk_script, &dir.0);
        let (sign_in, me) = run(&wrk, &var("MFA_CLUSTER_URL")?, &people, &sessions).await?;
        let mut memory = Vec::new();
        for instance in ["A", "B"] {
            let pid: u32 = var(&format!("MFA_CLUSTER_{instance}_PID"))?.parse()?;
            memory.push((
                format!("instance {}", instance.to_lowercase()),
                Memory::of(pid)?,
            ));
        }
        anyhow::Ok(Mixed {
            deployment: "two instances (PostgreSQL) behind nginx",
            sign_in,
            me,
            memory,
        })
    }
    .await;
    let down = tokio::process::Command::new(script)
        .arg("down")
        .env("MFA_CLUSTER_DIR", dir.0.join("cluster"))
        .status()
        .await?;
    anyhow::ensure!(down.success(), "scripts/cluster.sh down failed");
    result
}

/// One deployment's line (`--only mixed`) and table row.
pub fn row(m: &Mixed) -> String {
    let memory: Vec<String> = m
        .memory
        .iter()
        .map(|(name, memory)| format!("{name} {:.0} MiB", memory.peak_mib))
        .collect();
    format!(
        "| {} | {:.0} | {:.1} ms | {} | {} | {:.0} | {:.1} ms | {} | {} |",
        m.deployment,
        m.sign_in.per_sec(),
        m.sign_in.p99_us as f64 / 1e3,
        m.sign_in.busy,
        errors(&m.sign_in),
        m.me.per_sec(),
        m.me.p99_us as f64 / 1e3,
        errors(&m.me),
        memory.join(", ")
    )
}

/// Errors other than the documented 503 `busy`.
fn errors(run: &Run) -> u64 {
    run.status_errors - run.busy + run.socket_errors
}

/// BENCHMARKS.md's section.
pub fn markdown(rows: &[Mixed]) -> String {
    let mut out = format!(
        "## Mixed load: {SIGNING_IN} password sign-ins and {SIGNED_IN} signed-in requests at once\n\n\
         For {SECONDS} s, one wrk keeps {SIGNING_IN} connections signing in (`POST /api/sign-in`, the right \
         password of {SIGNING_IN} accounts in turn) and another keeps {SIGNED_IN} connections asking \
         `GET /api/me` with full sessions. Against one instance on SQLite, then against two instances \
         on one PostgreSQL behind Debian's nginx (`scripts/cluster.sh`, the release server), through nginx. \
         *Busy* counts the documented 503 `busy` answers (more passwords waiting than the hashing queue \
         holds); *errors* counts every other failed answer, and must be 0. Peak memory is each instance's \
         highest resident set.\n\n\
         | deployment | sign-ins/s | sign-in p99 | busy | errors | /api/me req/s | /api/me p99 | errors | peak memory |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---|\n"
    );
    for m in rows {
        out.push_str(&row(m));
        out.push('\n');
    }
    out.push('\n');
    out
}
