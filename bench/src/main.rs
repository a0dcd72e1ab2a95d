//! `scripts/bench.sh`'s measuring half: seeds a temporary data dir, starts
//! the release server on a free port, measures page weight and load time in
//! Chromium, API throughput with wrk, and a 100,000-member company, then
//! writes BENCHMARKS.md. Every figure in that file comes from this run.

mod load;
mod mixed;
mod report;
mod scale;
mod seed;
mod server;
mod step;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};

use load::{Mode, Request, Wrk};
use report::{LoadResults, PageLoad, Report};
use seed::Seeder;
use server::{Memory, Server, TempDir};

/// What `scripts/bench.sh` passes.
pub struct Args {
    pub server: PathBuf,
    pub dist: PathBuf,
    pub page_load_script: PathBuf,
    pub wrk_script: PathBuf,
    pub out: PathBuf,
    /// Repetitions of each load run.
    pub runs: usize,
    /// Length of each load run.
    pub seconds: u64,
    /// Members of the big company.
    pub members: usize,
    /// `--only second-step` or `--only mixed`: that part alone, its
    /// figures printed.
    pub only: Option<Only>,
    /// `--database-url`: an empty PostgreSQL database for the second step
    /// on PostgreSQL (with `--only second-step`, instead of SQLite).
    pub database_url: Option<String>,
}

impl Args {
    fn parse() -> anyhow::Result<Self> {
        let mut args = Self {
            server: "target/release/mfa-server".into(),
            dist: "dist".into(),
            page_load_script: "e2e/bench-page-load.mjs".into(),
            wrk_script: "bench/wrk.lua".into(),
            out: "BENCHMARKS.md".into(),
            runs: 3,
            seconds: 10,
            members: 100_000,
            only: None,
            database_url: None,
        };
        let mut it = std::env::args().skip(1);
        while let Some(flag) = it.next() {
            let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
            match flag.as_str() {
                "--server" => args.server = value()?.into(),
                "--dist" => args.dist = value()?.into(),
                "--out" => args.out = value()?.into(),
                "--runs" => args.runs = value()?.parse()?,
                "--seconds" => args.seconds = value()?.parse()?,
                "--members" => args.members = value()?.parse()?,
                "--only" => match value()?.as_str() {
                    "second-step" => args.only = Some(Only::SecondStep),
                    "mixed" => args.only = Some(Only::Mixed),
                    other => bail!("--only: unknown part {other:?} (second-step, mixed)"),
                },
                "--database-url" => args.database_url = Some(value()?),
                other => bail!("unknown argument {other:?}"),
            }
        }
        if !(1..=20).contains(&args.seconds) {
            bail!("--seconds: each load run lasts 1 to 20 s");
        }
        Ok(args)
    }
}

/// A part of the bench run alone.
#[derive(Clone, Copy)]
pub enum Only {
    SecondStep,
    Mixed,
}

/// The bench accounts' password (argon2-hashed like any other).
pub const PASSWORD: &str = "bench-password-0123";
/// Connections wrk keeps open in the throughput runs.
pub const CONNECTIONS: u32 = 8;
/// Re-authentications in flight while the health endpoint's latency is measured.
const REAUTHS_IN_FLIGHT: u32 = 20;
/// Half-signed-in people seeded for each second-step run: more than a run
/// can use (a run that runs out is reported invalid).
pub const SECOND_STEP_POOL_PER_SEC: usize = 2_500;
/// Sessions seeded per second of a re-authentication run: above what the
/// argon2 threads can check (each request uses one up).
const REAUTH_POOL_PER_SEC: usize = 200;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse()?;
    match args.only {
        Some(Only::SecondStep) => {
            let engine = match &args.database_url {
                Some(_) => "PostgreSQL",
                None => "SQLite",
            };
            let runs = step::runs(&args, args.database_url.as_deref()).await?;
            step::print(engine, &runs);
            return Ok(());
        }
        Some(Only::Mixed) => {
            for mixed in [
                mixed::one_instance(&args).await?,
                mixed::cluster(&args).await?,
            ] {
                println!("{}", mixed::row(&mixed));
            }
            return Ok(());
        }
        None => {}
    }
    let mut report = Report::new(args.runs, args.seconds)?;

    let data = TempDir::new("load")?;
    let seeder = Seeder::open(&data.0, None, PASSWORD).await?;
    let page_user = seeder.signed_in("page@bench.test").await?;
    let me_user = seeder.signed_in("me@bench.test").await?;
    // One person per re-authentication in flight: a single account with 20
    // checks at once would (rightly) hit its guessing limit.
    let mut reauth_users = Vec::new();
    for i in 0..REAUTHS_IN_FLIGHT {
        reauth_users.push(seeder.signed_in(&format!("reauth{i}@bench.test")).await?);
    }
    // Every run's half-signed-in people, seeded before the server starts: a
    // second writer beside the server would make it wait on SQLite's lock.
    // Their sessions allow 10 minutes for the code, longer than the load runs take.
    let mut pools = Vec::new();
    for run in 1..=args.runs {
        let count = SECOND_STEP_POOL_PER_SEC * args.seconds as usize;
        pools.push(seeder.half_signed_in(&format!("step{run}-"), count).await?);
    }
    // Re-authentication gives the session a new id: each request of those
    // runs takes a session of its own (two runs of each per round, the
    // background one two seconds longer).
    let mut reauth_pools = Vec::new();
    for _ in 1..=args.runs {
        let count = REAUTH_POOL_PER_SEC * args.seconds as usize;
        let foreground = seeder.sessions(&reauth_users, count).await?;
        let background = seeder
            .sessions(&reauth_users, count + 2 * REAUTH_POOL_PER_SEC)
            .await?;
        reauth_pools.push((foreground, background));
    }
    drop(seeder);
    let server = Server::start(&args.server, &data.0, &args.dist, &log_path("load"), None).await?;
    eprintln!(
        "bench: server at {} (log: {})",
        server.url,
        log_path("load").display()
    );
    let wrk = Wrk::new(&args.wrk_script, &data.0);
    let idle_memory = server.memory()?;

    eprintln!("bench: page weight and load in Chromium");
    report.pages = Some(page_load(&args, &server, &page_user.email).await?);

    let duration = Duration::from_secs(args.seconds);
    let health = [get("/api/health", "")];
    let me_cookie = me_user.cookie.clone();
    let me = [get("/api/me", &me_cookie)];
    let reauth_body = serde_json::json!({ "password": PASSWORD }).to_string();
    let mut results = LoadResults::default();
    let mut loaded_memory = idle_memory;
    for ((run, pool), (foreground, background)) in (1..=args.runs).zip(&pools).zip(&reauth_pools) {
        let reauth: Vec<Request> = foreground
            .iter()
            .map(|cookie| post("/api/reauth", cookie, &reauth_body))
            .collect();
        let reauth_background: Vec<Request> = background
            .iter()
            .map(|cookie| post("/api/reauth", cookie, &reauth_body))
            .collect();
        eprintln!("bench: load run {run}/{}", args.runs);
        results.health.push(
            wrk.run(
                &server,
                "health",
                &health,
                Mode::Cycle,
                CONNECTIONS,
                duration,
            )
            .await?,
        );
        results.me.push(
            wrk.run(&server, "me", &me, Mode::Cycle, CONNECTIONS, duration)
                .await?,
        );
        let bodies = step::answers(pool);
        let step = step::requests(&bodies);
        results.second_step.push(
            wrk.run(
                &server,
                "second-step",
                &step,
                Mode::Once,
                CONNECTIONS,
                duration,
            )
            .await?,
        );
        results.reauth.push(
            wrk.run(
                &server,
                "reauth",
                &reauth,
                Mode::Once,
                CONNECTIONS,
                duration,
            )
            .await?,
        );
        loaded_memory = max_memory(loaded_memory, server.memory()?);

        // The floor's latency alone, then with re-authentications queued.
        results.health_idle.push(
            wrk.run(&server, "health-idle", &health, Mode::Cycle, 1, duration)
                .await?,
        );
        let background = wrk.spawn(
            &server.url,
            "reauth-background",
            &reauth_background,
            Mode::Once,
            REAUTHS_IN_FLIGHT,
            duration + Duration::from_secs(2),
        )?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        results.health_busy.push(
            wrk.run(&server, "health-busy", &health, Mode::Cycle, 1, duration)
                .await?,
        );
        loaded_memory = max_memory(loaded_memory, server.memory()?);
        results
            .background
            .push(Wrk::finish("reauth-background", background).await?);
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after_memory = server.memory()?;
    server.stop().await?;
    report.load = Some(results);
    report.memory = Some([idle_memory, loaded_memory, after_memory]);
    drop(data);

    eprintln!("bench: the second step alone, on SQLite and on PostgreSQL");
    let mut engines = vec![("SQLite", step::runs(&args, None).await?)];
    if let Some(url) = &args.database_url {
        engines.push(("PostgreSQL", step::runs(&args, Some(url)).await?));
    }
    report.second_step = Some(step::markdown(&engines));

    eprintln!("bench: mixed load, one instance then two behind nginx");
    let mixed = [
        mixed::one_instance(&args).await?,
        mixed::cluster(&args).await?,
    ];
    report.mixed = Some(mixed::markdown(&mixed));

    eprintln!("bench: a company of {} members", args.members);
    report.scale = Some(
        scale::run(
            &args.server,
            &args.dist,
            args.members,
            PASSWORD,
            args.runs,
            duration,
        )
        .await?,
    );

    std::fs::write(&args.out, report.markdown())?;
    eprintln!("bench: wrote {}", args.out.display());
    Ok(())
}

/// Where the server's log of a part of the bench goes.
pub fn log_path(part: &str) -> PathBuf {
    PathBuf::from(format!("target/bench/server-{part}.log"))
}

pub fn get<'a>(path: &'a str, cookie: &'a str) -> Request<'a> {
    Request {
        method: "GET",
        path,
        cookie,
        body: "",
    }
}

pub fn post<'a>(path: &'a str, cookie: &'a str, body: &'a str) -> Request<'a> {
    Request {
        method: "POST",
        path,
        cookie,
        body,
    }
}

fn max_memory(a: Memory, b: Memory) -> Memory {
    Memory {
        rss_mib: a.rss_mib.max(b.rss_mib),
        peak_mib: a.peak_mib.max(b.peak_mib),
    }
}

async fn page_load(args: &Args, server: &Server, email: &str) -> anyhow::Result<PageLoad> {
    let output = tokio::process::Command::new("node")
        .arg(&args.page_load_script)
        .args([&server.url, email, PASSWORD, "10"])
        .output()
        .await
        .context("running node (scripts/setup.sh installs it)")?;
    if !output.status.success() {
        bail!(
            "page load failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}
