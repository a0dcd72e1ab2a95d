//! The server's own 256-bit key, which seals second-factor secrets at rest.
//! Read from `MFA_SECRET_KEY_FILE`, or generated there with 0600 permissions.

use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use anyhow::Context;
use rand::{CryptoRng, RngCore};

pub const KEY_BYTES: usize = 32;

#[derive(Clone, PartialEq, Eq)]
pub struct ServerKey([u8; KEY_BYTES]);

impl ServerKey {
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        let mut key = [0u8; KEY_BYTES];
        rng.fill_bytes(&mut key);
        Self(key)
    }

    pub fn as_bytes(&self) -> &[u8; KEY_BYTES] {
        &self.0
    }

    /// Loads the key file (64 hex digits), creating it when it does not exist.
    pub fn load_or_create(
        path: &Path,
        rng: &mut (impl RngCore + CryptoRng),
    ) -> anyhow::Result<Self> {
        match fs::read_to_string(path) {
            Ok(text) => {
                warn_if_readable_by_others(path);
                let mut key = [0u8; KEY_BYTES];
                hex::decode_to_slice(text.trim(), &mut key)
                    .with_context(|| format!("{} must hold 64 hex digits", path.display()))?;
                Ok(Self(key))
            }
            Err(e) if e.kind() == ErrorKind::NotFound => {
                let key = Self::generate(rng);
                write_private(path, &hex::encode(key.0))?;
                tracing::info!(path = %path.display(), "generated a new server key");
                Ok(key)
            }
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }
}

impl fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServerKey(<redacted>)")
    }
}

/// Creates `path` (and its parent directories) readable by the owner only.
/// Fails rather than overwrite an existing file.
pub fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    Ok(())
}

fn warn_if_readable_by_others(path: &Path) {
    if let Ok(meta) = fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(path = %path.display(), "secret file is readable by group or others; chmod 600 it");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn creates_once_with_owner_only_permissions_then_reuses() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/server.key");
        let mut rng = StdRng::seed_from_u64(3);
        let first = ServerKey::load_or_create(&path, &mut rng).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let second = ServerKey::load_or_create(&path, &mut rng).unwrap();
        assert_eq!(first, second);
    }

    #[test]
    fn refuses_a_corrupt_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.key");
        fs::write(&path, "not hex").unwrap();
        assert!(ServerKey::load_or_create(&path, &mut StdRng::seed_from_u64(4)).is_err());
    }

    #[test]
    fn debug_is_redacted() {
        let key = ServerKey::generate(&mut StdRng::seed_from_u64(5));
        assert_eq!(format!("{key:?}"), "ServerKey(<redacted>)");
    }
}
