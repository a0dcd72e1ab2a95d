//! The server's own 256-bit key, which seals second-factor secrets at rest.
//! Read from `MFA_SECRET_KEY_FILE`, or generated there (0600, atomically).

use std::fmt;
use std::fs;
use std::io::ErrorKind;
use std::path::Path;

use anyhow::Context;

use crate::files;
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

    /// Reads the key file (64 hex digits); `None` when there is none. A key
    /// file that others can read is refused.
    pub fn load(path: &Path) -> anyhow::Result<Option<Self>> {
        match fs::read_to_string(path) {
            Ok(text) => {
                files::refuse_shared(path)?;
                let mut key = [0u8; KEY_BYTES];
                hex::decode_to_slice(text.trim(), &mut key)
                    .with_context(|| format!("{} must hold 64 hex digits", path.display()))?;
                Ok(Some(Self(key)))
            }
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// Generates a key and writes it to `path`, which must not exist.
    pub fn create(path: &Path, rng: &mut (impl RngCore + CryptoRng)) -> anyhow::Result<Self> {
        let key = Self::generate(rng);
        files::write_private(path, &hex::encode(key.0))?;
        tracing::info!(path = %path.display(), "generated a new server key");
        Ok(key)
    }
}

impl fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServerKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn creates_once_with_owner_only_permissions_then_reuses() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/server.key");
        let mut rng = StdRng::seed_from_u64(3);
        assert_eq!(ServerKey::load(&path).unwrap(), None);
        let first = ServerKey::create(&path, &mut rng).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(ServerKey::load(&path).unwrap(), Some(first));
        assert!(
            ServerKey::create(&path, &mut rng).is_err(),
            "never replaced"
        );
    }

    #[test]
    fn refuses_a_corrupt_or_shared_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.key");
        crate::files::write_private(&path, "not hex").unwrap();
        assert!(ServerKey::load(&path).is_err());
        fs::remove_file(&path).unwrap();
        let key = ServerKey::create(&path, &mut StdRng::seed_from_u64(4)).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let refused = ServerKey::load(&path).unwrap_err().to_string();
        assert!(refused.contains("readable by other users"), "{refused}");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(ServerKey::load(&path).unwrap(), Some(key));
    }

    #[test]
    fn debug_is_redacted() {
        let key = ServerKey::generate(&mut StdRng::seed_from_u64(5));
        assert_eq!(format!("{key:?}"), "ServerKey(<redacted>)");
    }
}
