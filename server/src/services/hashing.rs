//! Bounded password hashing: at most one argon2 computation per core (but
//! one) at a time, on threads of their own that run at a lower CPU priority
//! (nice 10), so that every other request is served first; each in working
//! memory kept for reuse (so memory stays at a few hashes' worth, however
//! many arrive), with a bounded queue; beyond it a request is refused at
//! once (503 `busy`) instead of piling up.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use tokio::sync::{Semaphore, oneshot};

use crate::domain::slow_hash::Memory;

/// The hashing threads' niceness: below the request handlers, above idle.
const NICENESS: i32 = 10;

type Job = Box<dyn FnOnce(&mut Memory) + Send>;

pub struct Hashing {
    permits: Arc<Semaphore>,
    /// Running plus waiting hashes, at most `capacity`.
    admitted: AtomicUsize,
    capacity: usize,
    jobs: mpsc::Sender<Job>,
    /// Hashing threads, each with its working memory.
    threads: usize,
}

/// Why a hash was not computed.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("too many hashes are waiting")]
    Busy,
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

impl Hashing {
    /// `concurrent` hashes at once (one thread each), `queue` more waiting.
    /// The working memory of each thread is allocated now, once (19 MiB
    /// apiece), so memory use does not grow with load.
    pub fn new(concurrent: usize, queue: usize) -> Self {
        let concurrent = concurrent.max(1);
        let (jobs, waiting) = mpsc::channel::<Job>();
        let waiting = Arc::new(Mutex::new(waiting));
        for i in 0..concurrent {
            let waiting = Arc::clone(&waiting);
            let mut memory = Memory::new();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    lower_priority();
                    // Ends when the Hashing (the only sender) is dropped.
                    while let Ok(job) = next_job(&waiting) {
                        job(&mut memory);
                    }
                })
                .expect("spawning a hashing thread");
        }
        Self {
            permits: Arc::new(Semaphore::new(concurrent)),
            admitted: AtomicUsize::new(0),
            capacity: concurrent + queue,
            jobs,
            threads: concurrent,
        }
    }

    /// One hash per core but one (a core stays free for every other
    /// request, so a burst of sign-ins cannot stall the rest), and 32 per
    /// core waiting (about a second and a half of work at most, each hash
    /// taking some 50 ms).
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::new(cores.saturating_sub(1).max(1), 32 * cores)
    }

    /// Runs `work` on a hashing thread with its reused memory, when one is
    /// free; `Busy` at once when the queue is full.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let _admission = Admission::enter(self).ok_or(HashError::Busy)?;
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|e| anyhow::anyhow!("hashing stopped: {e}"))?;
        let (answer, done) = oneshot::channel();
        let job: Job = Box::new(move |memory| {
            // The permit goes with the work: should the request be dropped,
            // the hash still counts until it has finished.
            let _permit = permit;
            let _ = answer.send(work(memory));
        });
        self.jobs
            .send(job)
            .map_err(|_| anyhow::anyhow!("the hashing threads stopped"))?;
        Ok(done
            .await
            .map_err(|_| anyhow::anyhow!("a hashing thread stopped"))?)
    }

    /// How many working memories there are: one per hashing thread, made
    /// at the start and reused by every hash.
    pub fn memories(&self) -> usize {
        self.threads
    }
}

fn next_job(waiting: &Mutex<mpsc::Receiver<Job>>) -> Result<Job, mpsc::RecvError> {
    waiting.lock().unwrap_or_else(|e| e.into_inner()).recv()
}

/// Lowers the calling thread's CPU priority (Linux: setpriority on the
/// thread id). Hashing still runs when it cannot be lowered.
fn lower_priority() {
    let thread = rustix::thread::gettid();
    if let Err(e) = rustix::process::setpriority_process(Some(thread), NICENESS) {
        tracing::warn!(error = %e, "the hashing thread's priority could not be lowered");
    }
}

/// A place among the admitted hashes, given back when dropped.
struct Admission<'a>(&'a AtomicUsize);

impl<'a> Admission<'a> {
    fn enter(hashing: &'a Hashing) -> Option<Self> {
        let admitted = &hashing.admitted;
        admitted
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < hashing.capacity).then_some(n + 1)
            })
            .ok()
            .map(|_| Self(admitted))
    }
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn beyond_the_queue_requests_are_refused_at_once() {
        let hashing = Arc::new(Hashing::new(1, 1));
        let (release, hold) = mpsc::channel::<()>();
        let running = {
            let hashing = Arc::clone(&hashing);
            tokio::spawn(async move { hashing.run(move |_| hold.recv().is_ok()).await })
        };
        while hashing.admitted.load(Ordering::SeqCst) < 1 {
            tokio::task::yield_now().await;
        }
        let waiting = {
            let hashing = Arc::clone(&hashing);
            tokio::spawn(async move { hashing.run(|_| 2).await })
        };
        while hashing.admitted.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(hashing.run(|_| 3).await, Err(HashError::Busy)));
        release.send(()).unwrap();
        assert!(running.await.unwrap().unwrap());
        assert_eq!(waiting.await.unwrap().unwrap(), 2);
        assert_eq!(hashing.run(|_| 4).await.unwrap(), 4, "room again");
        assert_eq!(hashing.memories(), 1, "one working memory, reused");
        assert_eq!(Hashing::new(3, 0).memories(), 3, "allocated up front");
    }

    #[tokio::test]
    async fn hashes_run_below_the_request_handlers_priority() {
        let hashing = Hashing::new(1, 0);
        let nice = hashing
            .run(|_| rustix::process::getpriority_process(Some(rustix::thread::gettid())))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(nice, NICENESS);
    }
}
