//! Load runs: wrk (Debian's) on loopback, driven by `bench/wrk.lua`, with
//! the server's CPU time read from `/proc` around each run.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use serde::Deserialize;
use tokio::process::Command;

use crate::server::Server;

/// One request line of the wrk script's file.
pub struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub cookie: &'a str,
    pub body: &'a str,
}

/// Whether the lines repeat or each is sent once.
#[derive(Clone, Copy)]
pub enum Mode {
    Cycle,
    Once,
}

/// What wrk measured, plus the server's CPU.
#[derive(Clone, Debug, Deserialize)]
pub struct Run {
    pub requests: u64,
    pub duration_us: u64,
    pub status_errors: u64,
    pub socket_errors: u64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub exhausted: u64,
    /// 503 `busy` answers (among `status_errors`).
    #[serde(default)]
    pub busy: u64,
    /// Server CPU seconds during the run.
    #[serde(skip)]
    pub server_cpu_s: f64,
}

impl Run {
    pub fn per_sec(&self) -> f64 {
        self.requests as f64 / (self.duration_us as f64 / 1e6)
    }

    /// Server CPU per request, milliseconds.
    pub fn cpu_ms(&self) -> f64 {
        self.server_cpu_s * 1e3 / self.requests.max(1) as f64
    }

    /// Every answer was a success and no line was sent twice.
    pub fn valid(&self) -> bool {
        self.status_errors == 0 && self.socket_errors == 0 && self.exhausted == 0
    }
}

pub struct Wrk {
    script: PathBuf,
    work_dir: PathBuf,
}

impl Wrk {
    pub fn new(script: &Path, work_dir: &Path) -> Self {
        Self {
            script: script.to_owned(),
            work_dir: work_dir.to_owned(),
        }
    }

    /// Runs `requests` against `server` with `connections` open for
    /// `duration` (one wrk thread), and reads the server's CPU around it.
    pub async fn run(
        &self,
        server: &Server,
        name: &str,
        requests: &[Request<'_>],
        mode: Mode,
        connections: u32,
        duration: Duration,
    ) -> anyhow::Result<Run> {
        let child = self.spawn(&server.url, name, requests, mode, connections, duration)?;
        let before = server.cpu()?;
        let output = child.wait_with_output().await?;
        let after = server.cpu()?;
        let mut run = parse(name, &output)?;
        run.server_cpu_s = after.0 - before.0;
        Ok(run)
    }

    /// Starts a run in the background (its CPU is not attributed).
    pub fn spawn(
        &self,
        url: &str,
        name: &str,
        requests: &[Request<'_>],
        mode: Mode,
        connections: u32,
        duration: Duration,
    ) -> anyhow::Result<tokio::process::Child> {
        let file = self.work_dir.join(format!("{name}.requests"));
        let mut lines = String::new();
        for r in requests {
            lines.push_str(&format!(
                "{}\t{}\t{}\t{}\n",
                r.method, r.path, r.cookie, r.body
            ));
        }
        std::fs::write(&file, lines)?;
        let host = url
            .strip_prefix("http://")
            .context("server URL")?
            .to_owned();
        let mode = match mode {
            Mode::Cycle => "cycle",
            Mode::Once => "once",
        };
        Command::new("wrk")
            .args(["-t1", &format!("-c{connections}")])
            .arg(format!("-d{}s", duration.as_secs()))
            .args(["--timeout", "10s", "-s"])
            .arg(&self.script)
            .arg(url)
            .arg("--")
            .arg(&file)
            .args([mode, &host])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("running wrk (Debian package wrk; scripts/bench.sh installs it)")
    }

    /// Waits for a run started by [`Wrk::spawn`].
    pub async fn finish(name: &str, child: tokio::process::Child) -> anyhow::Result<Run> {
        parse(name, &child.wait_with_output().await?)
    }
}

fn parse(name: &str, output: &std::process::Output) -> anyhow::Result<Run> {
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "wrk failed on {name}: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("BENCH "))
        .with_context(|| format!("no result from wrk on {name}: {stdout}"))?;
    Ok(serde_json::from_str(line)?)
}
