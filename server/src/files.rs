//! Files that hold secrets or hashes (the data directory, the SQLite
//! database and its journal files, the server key, the demo password) are
//! for the server's own user only: created that way, tightened (and logged)
//! when found wider, and a key others can read is refused.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::Context;

/// Permission bits for group and others.
const SHARED: u32 = 0o077;

/// Creates `path` (and its parents) as a directory only its owner can
/// enter; an existing one that others can is tightened to 0700.
pub fn private_dir(path: &Path) -> anyhow::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .with_context(|| format!("creating {}", path.display()))?;
    restrict(path, 0o700)
}

/// Tightens an existing file to 0600 when group or others have any access.
pub fn private_file(path: &Path) -> anyhow::Result<()> {
    match fs::metadata(path) {
        Ok(_) => restrict(path, 0o600),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

fn restrict(path: &Path, mode: u32) -> anyhow::Result<()> {
    let current = fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .permissions()
        .mode();
    if current & SHARED != 0 {
        fs::set_permissions(path, fs::Permissions::from_mode(mode))
            .with_context(|| format!("restricting {}", path.display()))?;
        tracing::warn!(
            path = %path.display(),
            was = format!("{:o}", current & 0o777),
            now = format!("{mode:o}"),
            "tightened the permissions of a private file"
        );
    }
    Ok(())
}

/// Creates an empty file readable by its owner only, unless it exists.
pub fn create_private(path: &Path) -> anyhow::Result<()> {
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e).with_context(|| format!("creating {}", path.display())),
    }
}

/// An error when group or others can read `path` (a secret must not be used
/// after it may have leaked; the operator decides).
pub fn refuse_shared(path: &Path) -> anyhow::Result<()> {
    let mode = fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .permissions()
        .mode();
    if mode & SHARED != 0 {
        anyhow::bail!(
            "{} is readable by other users (mode {:o}); it holds a secret: make it private \
             (chmod 600) after checking it has not leaked, then start again",
            path.display(),
            mode & 0o777
        );
    }
    Ok(())
}

/// Writes `path` (creating its parent directories) readable by its owner
/// only, atomically: a reader sees no file or the whole of it, never a part.
/// Fails rather than replace an existing file.
pub fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary: PathBuf = parent.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| -> anyhow::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temporary)
            .with_context(|| format!("creating {}", temporary.display()))?;
        file.write_all(contents.as_bytes())?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        // A hard link, unlike a rename, refuses to replace an existing file.
        fs::hard_link(&temporary, path).with_context(|| format!("creating {}", path.display()))
    })();
    let _ = fs::remove_file(&temporary);
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn private_files_are_created_and_tightened() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        private_dir(&data).unwrap();
        assert_eq!(mode(&data), 0o700);
        fs::set_permissions(&data, fs::Permissions::from_mode(0o755)).unwrap();
        private_dir(&data).unwrap();
        assert_eq!(mode(&data), 0o700, "tightened");

        let file = data.join("f");
        create_private(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(refuse_shared(&file).is_err());
        private_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        assert!(refuse_shared(&file).is_ok());
        private_file(&data.join("absent")).unwrap();
    }

    #[test]
    fn writes_whole_files_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/secret");
        write_private(&path, "s3cret").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "s3cret\n");
        assert_eq!(mode(&path), 0o600);
        assert!(write_private(&path, "other").is_err(), "never replaced");
        assert_eq!(fs::read_to_string(&path).unwrap(), "s3cret\n");
        let leftovers: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
    }
}
