//! The one way nasland writes a file (tables, reports, plots, column exports): a reader
//! of the destination sees the old file or the complete new one, never a part; an error,
//! a crash or a signal leaves the old file as it was; and no input is ever overwritten.
//!
//! Memory-mapped tables are why replacement is by rename: a reader's map keeps the old
//! inode, which stays intact until it is unmapped (see [`Table::open`](crate::Table::open)).
//!
//! The steps: create a temporary file exclusively, with an unpredictable name, in the
//! destination's own directory (so the rename stays on one file system and no other
//! process can guess the name and pre-empt it); write it; fsync it; rename it over the
//! destination; fsync the directory so the rename itself survives a crash. On any error
//! before the rename, the temporary file is removed and nothing else has been touched.
//!
//! What the destination is decides the details:
//! - a symbolic link is followed (to any depth): its final target is replaced and the
//!   link stays a link;
//! - an existing regular file keeps its permission bits (not its owner: a new inode
//!   belongs to whoever writes it);
//! - a FIFO or a character device (`/dev/null`, `/dev/stdout`, a terminal) is written
//!   through, never replaced: the complete contents are built in a temporary file under
//!   the system's temporary directory first, then copied into the open destination, so a
//!   failed run still writes nothing to it;
//! - a directory, a socket or a block device is refused ([`ErrorKind::NotAFile`]).
//!
//! Every temporary file is listed while it exists, so that a signal handler in the
//! application can remove them all ([`remove_temporaries`]) before the process ends; this
//! crate installs no handler itself. Only paths this process created are ever removed.
//!
//! [`refuse_inputs`] is the check a command makes before it starts: an output that is the
//! same file (device and inode, whatever the path text) as one of its inputs is an error.

use crate::error::{Error, ErrorKind, IoResultExt};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The temporary files that exist now, and whether [`remove_temporaries`] has run (after
/// which no new one may be created: the process is about to end).
struct Pending {
    paths: Vec<PathBuf>,
    abandoned: bool,
}

static PENDING: Mutex<Pending> = Mutex::new(Pending {
    paths: Vec::new(),
    abandoned: false,
});

fn pending() -> MutexGuard<'static, Pending> {
    // A panic while the lock was held leaves the list as valid as before.
    PENDING.lock().unwrap_or_else(|p| p.into_inner())
}

/// Removes every temporary file this process has open for writing, and makes any later
/// attempt to create one fail. For a signal handler that is about to end the process
/// (run it on an ordinary thread, as `signal-hook`'s iterator does, not inside the
/// handler itself: it takes a lock). Returns how many files it removed.
pub fn remove_temporaries() -> usize {
    let mut p = pending();
    p.abandoned = true;
    let mut removed = 0;
    for path in p.paths.drain(..) {
        if std::fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// A temporary file on the list of [`PENDING`], taken off it (and removed) under the lock,
/// so a signal handler never sees a path that is already gone or renamed.
#[derive(Debug)]
struct Listed {
    tmp: Option<tempfile::NamedTempFile>,
}

impl Listed {
    fn new(b: &tempfile::Builder, dir: &Path) -> std::io::Result<Listed> {
        let mut p = pending();
        if p.abandoned {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "the process is ending on a signal",
            ));
        }
        let tmp = b.tempfile_in(dir)?;
        p.paths.push(tmp.path().to_path_buf());
        Ok(Listed { tmp: Some(tmp) })
    }

    // `tmp` is Some from creation until persist or drop, which both consume self.
    #[allow(clippy::expect_used)]
    fn get(&self) -> &tempfile::NamedTempFile {
        self.tmp
            .as_ref()
            .expect("only commit and drop take it, and both consume self")
    }

    /// Renames the file over `target`, taking it off the list in the same step; on
    /// failure the file is removed, also under the lock.
    // As in `get`: this is the one take, and it consumes self.
    #[allow(clippy::expect_used)]
    fn persist(mut self, target: &Path) -> std::io::Result<()> {
        let mut p = pending();
        let tmp = self.tmp.take().expect("taken once");
        let path = tmp.path().to_path_buf();
        let result = tmp.persist(target).map(drop).map_err(|e| {
            let tempfile::PersistError { error, file } = e;
            drop(file);
            error
        });
        p.paths.retain(|q| q != &path);
        result
    }
}

impl Drop for Listed {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let mut p = pending();
            p.paths.retain(|q| q != tmp.path());
            drop(tmp);
        }
    }
}

/// How the new contents reach the destination.
#[derive(Debug)]
enum Dest {
    /// Renamed over this path (the destination with its symbolic links resolved).
    Replace(PathBuf),
    /// Copied into this FIFO or character device, which stays what it is.
    Through(PathBuf),
}

/// A temporary file that replaces its destination when committed, and disappears if it
/// is dropped uncommitted (so every early return cleans up).
#[derive(Debug)]
pub struct AtomicFile {
    tmp: Listed,
    target: PathBuf,
    dest: Dest,
}

impl AtomicFile {
    /// Creates the temporary file for `target` (hidden, `.name.XXXXXX.tmp`, beside the
    /// file a symbolic link at `target` leads to; see the module doc for FIFOs and
    /// devices).
    ///
    /// A new file gets the permissions of any new file (0666 less the umask), not the
    /// private 0600 of a temporary file, so a packed table is as readable as a CSV export;
    /// a replaced file keeps its own.
    pub fn create(target: &Path) -> Result<AtomicFile, Error> {
        let real = resolve_links(target)?;
        let name = real.file_name().ok_or_else(|| {
            Error::invalid_input(format!(
                "{} is not a file path (it names no file)",
                target.display()
            ))
        })?;
        let existing = match std::fs::metadata(&real) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(Error::io_msg(
                    target,
                    format!("cannot look at the output {}", target.display()),
                    e,
                ))
            }
        };
        let through = match &existing {
            Some(m) if m.is_dir() => return Err(not_a_file(target, "a directory")),
            Some(m) if !m.is_file() => {
                if !writable_through(m) {
                    return Err(not_a_file(target, "a socket or block device"));
                }
                true
            }
            _ => false,
        };
        let dir = if through {
            std::env::temp_dir()
        } else {
            match real.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            }
        };
        let prefix = format!(".{}.", name.to_string_lossy());
        let mut b = tempfile::Builder::new();
        b.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            b.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let tmp = Listed::new(&b, &dir).map_err(|e| {
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
        if let Some(m) = existing.filter(|m| m.is_file()) {
            tmp.get()
                .as_file()
                .set_permissions(m.permissions())
                .map_err(|e| {
                    Error::io_msg(
                        target,
                        format!(
                            "cannot give the new {} the mode of the old one",
                            target.display()
                        ),
                        e,
                    )
                })?;
        }
        Ok(AtomicFile {
            tmp,
            target: target.to_path_buf(),
            dest: if through {
                Dest::Through(real)
            } else {
                Dest::Replace(real)
            },
        })
    }

    /// The open temporary file, for writing (and seeking back to fill in a header).
    pub fn file(&self) -> &File {
        self.tmp.get().as_file()
    }

    /// Where the temporary file is, so it can be reopened and checked before it is
    /// committed.
    pub fn path(&self) -> &Path {
        self.tmp.get().path()
    }

    /// Syncs the temporary file, renames it over the destination and syncs the directory
    /// (or, for a FIFO or device, copies it into the destination and removes it).
    pub fn commit(self) -> Result<(), Error> {
        let target = self.target;
        match self.dest {
            Dest::Replace(real) => {
                self.tmp.get().as_file().sync_all().map_err(|e| {
                    Error::io_msg(
                        &target,
                        format!("cannot sync the new contents of {}", target.display()),
                        e,
                    )
                })?;
                let tmp_path = self.tmp.get().path().to_path_buf();
                self.tmp.persist(&real).map_err(|e| {
                    Error::io_msg(
                        &target,
                        format!("cannot move {} to {}", tmp_path.display(), real.display()),
                        e,
                    )
                })?;
                sync_dir(&real);
            }
            Dest::Through(real) => {
                let write =
                    |e| Error::io_msg(&target, format!("cannot write to {}", target.display()), e);
                let mut src = File::open(self.tmp.get().path()).map_err(write)?;
                // No truncation, no creation: the FIFO or device stays what it is.
                let mut out = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&real)
                    .map_err(write)?;
                std::io::copy(&mut src, &mut out).map_err(write)?;
                out.flush().map_err(write)?;
            }
        }
        Ok(())
    }
}

fn not_a_file(target: &Path, what: &str) -> Error {
    Error::new(
        ErrorKind::NotAFile {
            path: target.to_path_buf(),
        },
        format!(
            "{} is {what}, not a file: give the path of a file to write",
            target.display()
        ),
    )
}

/// FIFOs and character devices take a stream of bytes; the rest (sockets, block devices)
/// are refused rather than guessed at.
#[cfg(unix)]
fn writable_through(m: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    m.file_type().is_fifo() || m.file_type().is_char_device()
}

#[cfg(not(unix))]
fn writable_through(_: &std::fs::Metadata) -> bool {
    false
}

/// The path a chain of symbolic links at `target` ends at (which need not exist yet).
///
/// Hand-written rather than `fs::canonicalize`, which fails when the final target does not
/// exist (a dangling link is a fine place to write) and resolves every directory on the
/// way, changing the path the messages show.
fn resolve_links(target: &Path) -> Result<PathBuf, Error> {
    let mut path = target.to_path_buf();
    // Linux gives up after 40 links (ELOOP); so does this.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&path).at(target)?;
                path = match path.parent() {
                    Some(dir) => dir.join(link),
                    None => link,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(Error::invalid_input(format!(
        "{} is a chain of more than 40 symbolic links (a loop?)",
        target.display()
    )))
}

/// Refuses an `output` that is the same file as one of `inputs`.
///
/// Compared by device and inode after following symbolic links, so `./t.csv`,
/// `t.csv`, a link to it and a hard link are all the same file. Only an existing regular
/// file can be destroyed by writing; a FIFO or device output is written through and an
/// output that does not exist yet cannot be an input. Inputs that cannot be looked at are
/// skipped: reading them will fail with its own message.
pub fn refuse_inputs<P: AsRef<Path>>(output: &Path, inputs: &[P]) -> Result<(), Error> {
    let Ok(out) = std::fs::metadata(output) else {
        return Ok(());
    };
    if !out.is_file() {
        return Ok(());
    }
    for input in inputs {
        let input = input.as_ref();
        if let Ok(m) = std::fs::metadata(input) {
            if same_file(&out, &m) {
                return Err(Error::new(
                    ErrorKind::OutputIsInput {
                        output: output.to_path_buf(),
                        input: input.to_path_buf(),
                    },
                    format!(
                        "the output {} is the input {}: writing it would destroy the input; choose another output path",
                        output.display(),
                        input.display()
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
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
    #[test]
    fn an_output_that_is_an_input_is_refused_by_identity_not_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        fs::write(&input, "a").unwrap();
        let hard = dir.path().join("hard.csv");
        fs::hard_link(&input, &hard).unwrap();
        let other = dir.path().join("other.csv");
        fs::write(&other, "a").unwrap();
        let e = refuse_inputs(&hard, &[&other, &input]).unwrap_err();
        assert_eq!(
            e.kind(),
            &ErrorKind::OutputIsInput {
                output: hard.clone(),
                input: input.clone()
            }
        );
        // Equal contents are not the same file; a missing output cannot be an input.
        refuse_inputs(&other, &[&input]).unwrap();
        refuse_inputs(&dir.path().join("new.csv"), &[&input]).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_and_modes_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.txt");
        fs::write(&real, "old").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink("real.txt", &link).unwrap();
        write_atomic(&link, |w| -> Result<(), Error> {
            w.write_all(b"new").at(&link)
        })
        .unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(&real).unwrap(), b"new");
        let mode = fs::metadata(&real).unwrap().permissions().mode();
        assert_eq!(mode & 0o7777, 0o640);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_directory_is_not_an_output() {
        let dir = tempfile::tempdir().unwrap();
        let e = AtomicFile::create(dir.path()).unwrap_err();
        assert_eq!(
            e.kind(),
            &ErrorKind::NotAFile {
                path: dir.path().to_path_buf()
            }
        );
    }
}
