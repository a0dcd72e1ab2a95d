//! Where randomness comes from. The server draws from the operating system;
//! tests pass a seeded source, so what a service generates (secrets, codes,
//! session ids, salts) is reproducible, like the time from a fixed clock.

use std::sync::Mutex;

use rand::rngs::{OsRng, StdRng};
use rand::{CryptoRng, RngCore, SeedableRng};

/// A source of cryptographically strong random bytes, shared by the services.
pub trait RandomSource: Send + Sync + 'static {
    fn fill(&self, dest: &mut [u8]);
}

/// The operating system's generator: what the server runs on.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn fill(&self, dest: &mut [u8]) {
        OsRng.fill_bytes(dest);
    }
}

/// A seeded generator (ChaCha), for tests: the same seed draws the same bytes.
#[derive(Debug)]
pub struct SeededRandom(Mutex<StdRng>);

impl SeededRandom {
    pub fn new(seed: u64) -> Self {
        Self(Mutex::new(StdRng::seed_from_u64(seed)))
    }
}

impl RandomSource for SeededRandom {
    fn fill(&self, dest: &mut [u8]) {
        // A poisoned lock still holds a usable generator.
        let mut rng = self.0.lock().unwrap_or_else(|e| e.into_inner());
        rng.fill_bytes(dest);
    }
}

/// A [`RandomSource`] seen as `RngCore + CryptoRng`, for the domain functions.
pub struct Draw<'a>(pub &'a dyn RandomSource);

impl RngCore for Draw<'_> {
    fn next_u32(&mut self) -> u32 {
        let mut bytes = [0u8; 4];
        self.0.fill(&mut bytes);
        u32::from_le_bytes(bytes)
    }

    fn next_u64(&mut self) -> u64 {
        let mut bytes = [0u8; 8];
        self.0.fill(&mut bytes);
        u64::from_le_bytes(bytes)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill(dest);
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.0.fill(dest);
        Ok(())
    }
}

// Both sources are cryptographically strong (the OS, or ChaCha12 in tests).
impl CryptoRng for Draw<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_draws_the_same_bytes() {
        let (a, b) = (SeededRandom::new(1), SeededRandom::new(1));
        let (mut x, mut y) = ([0u8; 16], [0u8; 16]);
        a.fill(&mut x);
        b.fill(&mut y);
        assert_eq!(x, y);
        a.fill(&mut y);
        assert_ne!(x, y, "the stream moves on");
        assert_ne!(Draw(&OsRandom).next_u64(), Draw(&OsRandom).next_u64());
    }
}
