//! The release server as a child process, and what `/proc` says about it.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Clock ticks per second of `/proc/<pid>/stat` (`getconf CLK_TCK`; 100 on Linux).
const TICKS_PER_SEC: f64 = 100.0;

pub struct Server {
    child: Child,
    pub url: String,
    pid: u32,
}

/// The server's CPU time so far (user + system, every thread).
#[derive(Clone, Copy, Debug)]
pub struct CpuTime(pub f64);

/// Resident memory, MiB.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Memory {
    pub rss_mib: f64,
    /// The highest RSS since the process started.
    pub peak_mib: f64,
}

impl Server {
    /// Starts `binary` on a free loopback port over `data_dir` (a SQLite
    /// database and key seeded beforehand), serving `dist`.
    /// Its log (default levels, or `RUST_LOG`) goes to `log`.
    pub async fn start(
        binary: &Path,
        data_dir: &Path,
        dist: &Path,
        log: &Path,
        database_url: Option<&str>,
    ) -> anyhow::Result<Self> {
        let mut command = Command::new(binary);
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("MFA_BIND", "127.0.0.1:0")
            .env("MFA_DATA_DIR", data_dir)
            .env("MFA_DIST_DIR", dist);
        if let Some(url) = database_url {
            command.env("MFA_DATABASE_URL", url);
        }
        // The outbox (the default) keeps the emails: the drain is measured on it.
        if let Ok(filter) = std::env::var("RUST_LOG") {
            command.env("RUST_LOG", filter);
        }
        if let Some(dir) = log.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let log =
            std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let pid = child.id().context("the server exited at once")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let url = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await? {
                if let Some(url) = line.strip_prefix("listening on ") {
                    return Ok(url.trim().to_owned());
                }
            }
            bail!("the server stopped before listening")
        })
        .await
        .context("the server did not start within 60 s")??;
        // Keep draining stdout so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self { child, url, pid })
    }

    pub fn cpu(&self) -> anyhow::Result<CpuTime> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid))?;
        // Fields after the command name (which may hold spaces) in parentheses.
        let rest = stat.rsplit_once(')').context("odd /proc stat")?.1;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // utime and stime are fields 14 and 15 of the whole line: 12 and 13 here.
        let ticks: f64 = fields[11].parse::<f64>()? + fields[12].parse::<f64>()?;
        Ok(CpuTime(ticks / TICKS_PER_SEC))
    }

    /// Context switches so far, voluntary and involuntary, of each thread.
    pub fn context_switches(&self) -> anyhow::Result<Switches> {
        let mut threads = std::collections::HashMap::new();
        for task in std::fs::read_dir(format!("/proc/{}/task", self.pid))? {
            let task = task?;
            // A thread that ended meanwhile is skipped.
            let Ok(status) = std::fs::read_to_string(task.path().join("status")) else {
                continue;
            };
            let mut total = 0;
            for line in status.lines() {
                if let Some(n) = line
                    .strip_prefix("voluntary_ctxt_switches:")
                    .or_else(|| line.strip_prefix("nonvoluntary_ctxt_switches:"))
                {
                    total += n.trim().parse::<u64>()?;
                }
            }
            threads.insert(task.file_name(), total);
        }
        Ok(Switches(threads))
    }

    /// Waits until the server is idle (under 10 ms of CPU in a second),
    /// its start-up work done (the first start makes an RSA key), for at
    /// most a minute.
    pub async fn settle(&self) -> anyhow::Result<()> {
        for _ in 0..60 {
            let before = self.cpu()?.0;
            tokio::time::sleep(Duration::from_secs(1)).await;
            if self.cpu()?.0 - before < 0.01 {
                return Ok(());
            }
        }
        bail!("the server was still busy after a minute")
    }

    pub fn memory(&self) -> anyhow::Result<Memory> {
        Memory::of(self.pid)
    }

    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.child.kill().await?;
        Ok(())
    }
}

/// Each thread's context switches at one moment.
pub struct Switches(std::collections::HashMap<std::ffi::OsString, u64>);

impl Switches {
    /// The switches since `earlier`, of the threads alive now (a thread
    /// that ended in between takes its count with it: not counted).
    pub fn since(&self, earlier: &Switches) -> u64 {
        self.0
            .iter()
            .map(|(tid, now)| now - earlier.0.get(tid).copied().unwrap_or(0))
            .sum()
    }
}

impl Memory {
    /// Process `pid`'s resident memory now and at its peak.
    pub fn of(pid: u32) -> anyhow::Result<Self> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        let kib = |name: &str| -> anyhow::Result<f64> {
            let line = status
                .lines()
                .find(|l| l.starts_with(name))
                .with_context(|| format!("{name} missing"))?;
            let value = line.split_whitespace().nth(1).context("odd status line")?;
            Ok(value.parse::<f64>()? / 1024.0)
        };
        Ok(Self {
            rss_mib: kib("VmRSS:")?,
            peak_mib: kib("VmHWM:")?,
        })
    }
}

/// A fresh temporary data dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> anyhow::Result<Self> {
        let path = std::env::temp_dir().join(format!("mfa-bench-{name}-{}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path)?;
        }
        mfa_server::files::private_dir(&path)?;
        Ok(Self(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
