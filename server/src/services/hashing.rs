//! Bounded password hashing: at most one argon2 computation per core (but
//! one) at a time, each in working memory kept for reuse (so memory stays at a few
//! hashes' worth, however many arrive), with a bounded queue; beyond it a
//! request is refused at once (503 `busy`) instead of piling up.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;

use crate::domain::slow_hash::Memory;

pub struct Hashing {
    permits: Arc<Semaphore>,
    /// Running plus waiting hashes, at most `capacity`.
    admitted: AtomicUsize,
    capacity: usize,
    memories: Arc<Mutex<Vec<Memory>>>,
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
    /// `concurrent` hashes at once, `queue` more waiting. The working
    /// memory of each is allocated now, once (19 MiB apiece), so memory use
    /// does not grow with load.
    pub fn new(concurrent: usize, queue: usize) -> Self {
        let concurrent = concurrent.max(1);
        Self {
            permits: Arc::new(Semaphore::new(concurrent)),
            admitted: AtomicUsize::new(0),
            capacity: concurrent + queue,
            memories: Arc::new(Mutex::new((0..concurrent).map(|_| Memory::new()).collect())),
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

    /// Runs `work` on a blocking thread with reused memory, when a core is
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
        let memories = Arc::clone(&self.memories);
        let done = tokio::task::spawn_blocking(move || {
            // The permit and the memory go with the work: should the request
            // be dropped, the hash still counts until it has finished.
            let _permit = permit;
            let mut memory = lock(&memories).pop().unwrap_or_default();
            let result = work(&mut memory);
            lock(&memories).push(memory);
            result
        })
        .await
        .map_err(|e| anyhow::Error::new(e).context("hashing task"))?;
        Ok(done)
    }

    /// How many working memories are free (all of them, when idle).
    pub fn memories(&self) -> usize {
        lock(&self.memories).len()
    }
}

fn lock(memories: &Mutex<Vec<Memory>>) -> std::sync::MutexGuard<'_, Vec<Memory>> {
    memories.lock().unwrap_or_else(|e| e.into_inner())
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
}
