//! Atomic file replacement: a reader of the destination sees the old file or the complete
//! new one, never a part, and a crash or an error leaves the old file as it was.
//!
//! This is the only way nasland writes a file (tables, reports, plots, column exports),
//! because a memory-mapped table must never change under a reader (see
//! [`Table::open`](crate::Table::open)): replacing by rename gives the reader's map the
//! old inode, which stays intact until it is unmapped.
//!
//! The steps: create a temporary file exclusively, with an unpredictable name, in the
//! destination's own directory (so the rename stays on one file system and no other
//! process can guess the name and pre-empt it); write it; fsync it; rename it over the
//! destination; fsync the directory so the rename itself survives a crash. On any error
//! before the rename, the temporary file is removed and nothing else has been touched.

use crate::error::{Error, IoResultExt};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A temporary file that replaces its destination when committed, and disappears if it
/// is dropped uncommitted (so every early return cleans up).
#[derive(Debug)]
pub struct AtomicFile {
    tmp: tempfile::NamedTempFile,
    target: PathBuf,
}

impl AtomicFile {
    /// Creates the temporary file for `target` (hidden, `.name.XXXXXX.tmp`, beside it).
    ///
    /// Once renamed it has the permissions of any new file (0666 less the umask), not the
    /// private 0600 of a temporary file, so a packed table is as readable as a CSV export.
    pub fn create(target: &Path) -> Result<AtomicFile, Error> {
        let name = target.file_name().ok_or_else(|| {
            Error::invalid_input(format!(
                "{} is not a file path (it names no file)",
                target.display()
            ))
        })?;
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let prefix = format!(".{}.", name.to_string_lossy());
        let mut b = tempfile::Builder::new();
        b.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            b.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let tmp = b.tempfile_in(dir).map_err(|e| {
            // ENAMETOOLONG: the name, with the temporary file's dot prefix and random
            // suffix, is over the file system's limit (255 bytes on most).
            let why = if e.raw_os_error() == Some(36) {
                format!(
                    "cannot create a temporary file beside {}: the file name is too long \
                     ({} bytes, and the temporary name adds about 12); choose a shorter name",
                    target.display(),
                    name.len()
                )
            } else {
                format!(
                    "cannot create a temporary file in {} (does the directory exist and is it writable?)",
                    dir.display()
                )
            };
            Error::io_msg(target, why, e)
        })?;
        Ok(AtomicFile {
            tmp,
            target: target.to_path_buf(),
        })
    }

    /// The open temporary file, for writing (and seeking back to fill in a header).
    pub fn file(&self) -> &File {
        self.tmp.as_file()
    }

    /// Where the temporary file is, so it can be reopened and checked before it is
    /// committed.
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// Syncs the temporary file, renames it over the destination and syncs the directory.
    pub fn commit(self) -> Result<(), Error> {
        let target = self.target;
        self.tmp.as_file().sync_all().map_err(|e| {
            Error::io_msg(
                &target,
                format!("cannot sync the new contents of {}", target.display()),
                e,
            )
        })?;
        let tmp_path = self.tmp.path().to_path_buf();
        self.tmp.persist(&target).map_err(|e| {
            Error::io_msg(
                &target,
                format!("cannot move {} to {}", tmp_path.display(), target.display()),
                e.error,
            )
        })?;
        sync_dir(&target);
        Ok(())
    }
}

/// Makes the rename durable. Best effort: the destination is already replaced, so failing
/// here would report an error for a write that happened, and some file systems (network
/// mounts, Windows) do not sync directories at all.
fn sync_dir(target: &Path) {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Replaces `path` with the bytes `write` produces, atomically (see the module doc).
///
/// `write` gets a buffered writer; its error type is the caller's (an `anyhow::Error` in
/// the application), and this function's own failures convert into it.
pub fn write_atomic<E, F>(path: &Path, write: F) -> Result<(), E>
where
    F: FnOnce(&mut dyn Write) -> Result<(), E>,
    E: From<Error>,
{
    let file = AtomicFile::create(path)?;
    let mut out = BufWriter::new(file.file());
    write(&mut out)?;
    out.flush().at(path)?;
    drop(out);
    file.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use std::fs;

    type BoxError = Box<dyn std::error::Error>;

    #[test]
    fn replaces_whole_file_and_cleans_up_on_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        fs::write(&path, "old").unwrap();
        let err = write_atomic(&path, |w| -> Result<(), BoxError> {
            w.write_all(b"partial")?;
            Err("boom".into())
        });
        assert_eq!(err.unwrap_err().to_string(), "boom");
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "temp file removed"
        );
        write_atomic(&path, |w| -> Result<(), BoxError> {
            Ok(w.write_all(b"new")?)
        })
        .unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn missing_directory_is_an_io_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no/such/dir/out.txt");
        let e = write_atomic(&missing, |_| Ok::<(), Error>(())).unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::Io { path: missing });
        let src = std::error::Error::source(&e).expect("the io::Error");
        assert!(src.downcast_ref::<std::io::Error>().is_some());
    }

    #[test]
    fn a_path_without_a_file_name_is_invalid_input() {
        let e = AtomicFile::create(Path::new("/")).unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::InvalidInput);
    }

    #[test]
    fn temporaries_are_distinct_hidden_and_beside_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t.nasl");
        let a = AtomicFile::create(&target).unwrap();
        let b = AtomicFile::create(&target).unwrap();
        assert_ne!(a.path(), b.path());
        for f in [&a, &b] {
            assert_eq!(f.path().parent(), Some(dir.path()));
            let name = f.path().file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                name.starts_with(".t.nasl.") && name.ends_with(".tmp"),
                "{name}"
            );
        }
        drop(a);
        b.file().write_all(b"x").unwrap();
        b.commit().unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"x");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
