//! Writing what a user asked for: standard output for `-`, devices, FIFOs
//! and sockets directly, regular files atomically.
//!
//! A regular file is replaced through a temporary file in the same folder
//! (named `.detente-tmp-*`, flushed to disk, then renamed over the target),
//! so a crash leaves the old file or the new one, never half of one. The
//! rules around that:
//!
//! - The target keeps its permissions (and, where we may, its owner); a new
//!   file gets `rw-r--r--`.
//! - A target we may not write is refused: one that access(2) says is not
//!   writable by us, and one whose mode has no write bit for anyone, which
//!   also stops root (who may write anything) from replacing a file someone
//!   made read-only on purpose.
//! - A file with several hard links is written in place (truncated, then
//!   written), as a shell's `>` would: replacing it would silently cut it
//!   from its other names. That write is not atomic.
//! - A symbolic link is followed: the file it names is replaced, the link
//!   stays a link. Links under `/dev/` and `/proc/` (`/dev/stdout`,
//!   `/dev/fd/N`, `/proc/self/fd/N`) name open descriptors, not documents:
//!   they are opened and appended to, whatever they point at.
//! - Character and block devices, FIFOs and sockets are opened and written;
//!   there is nothing to rename.
//!
//! Temporary files are removed on every error path, and the files in flight
//! are listed so that a signal handler can remove them
//! ([`remove_temporary_files`]). Only a process killed outright (SIGKILL,
//! power loss) can leave a `.detente-tmp-*` file behind; it is safe to
//! delete.
//!
//! A folder of files (a GENIUS or GeniusWeb scenario) is written all or
//! nothing by [`write_folder`].

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

mod folder;

pub(crate) use folder::file_stem;
pub use folder::{FolderStep, write_folder};

/// How temporary files start, so that one left by a killed process is
/// recognisable.
pub const TEMP_PREFIX: &str = ".detente-tmp-";

/// Why a file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The output names a folder, which cannot be replaced by a file.
    #[error("{}: is a folder; name a file", path.display())]
    Folder {
        /// The folder named as output.
        path: PathBuf,
    },
    /// The output file is read-only: it is refused rather than replaced, as
    /// replacing it would bypass its permissions.
    #[error(
        "{}: the file is read-only (mode {mode:03o}); make it writable (chmod u+w) or choose another file",
        path.display()
    )]
    ReadOnly {
        /// The read-only file.
        path: PathBuf,
        /// Its permission bits, shown so the user sees why.
        mode: u32,
    },
    /// A folder is to be written where something else is.
    #[error(
        "{} exists and is not a folder; GENIUS and GeniusWeb scenarios are written as a folder",
        path.display()
    )]
    NotAFolder {
        /// What is there.
        path: PathBuf,
    },
    /// A folder is to be written over a folder that is not empty, without
    /// `force`: its old files would be read with the new ones.
    #[error(
        "{} is a folder that is not empty; its files would be read with the new ones (an old profile as an extra party). Choose a new folder, or use --force to replace it",
        path.display()
    )]
    FolderNotEmpty {
        /// The folder.
        path: PathBuf,
    },
    /// A file of a folder is named with a separator, or `.` or `..`.
    #[error("`{name}` is not a file name; the files of a folder are named without separators")]
    NotAFileName {
        /// The name given.
        name: String,
    },
    /// No temporary folder could be named beside the target (a thousand
    /// names were taken).
    #[error("could not create a temporary folder in {}", parent.display())]
    NoTemporaryFolder {
        /// The folder where it was tried.
        parent: PathBuf,
    },
    /// A step of writing a folder failed; the OS error is the source.
    #[error("{step}")]
    FolderStep {
        /// The step, with the paths it concerns.
        step: FolderStep,
        /// The OS's error.
        #[source]
        source: io::Error,
    },
    /// A step of writing failed; the OS error is the source.
    #[error("{}: cannot {action}", path.display())]
    Io {
        /// The file being written (or its temporary file).
        path: PathBuf,
        /// The step that failed, as a verb phrase completing "cannot ..."
        /// (such as `write to it`).
        action: &'static str,
        /// The OS's error.
        #[source]
        source: io::Error,
    },
}

fn io_err<'a>(path: &'a Path, action: &'static str) -> impl FnOnce(io::Error) -> WriteError + 'a {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        action,
        source,
    }
}

/// Whether `path` is `-`, the usual name of standard output.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// How to name an output in messages: `standard output` for `-`, else the
/// path.
pub fn output_name(path: &Path) -> String {
    if is_stdout(path) {
        "standard output".into()
    } else {
        path.display().to_string()
    }
}

/// Writes `bytes` where a user's output option points: standard output for
/// `-`, otherwise as [`write_file`]. A reader that closes the pipe early
/// (`| head`) is not an error.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    if !is_stdout(path) {
        return write_file(path, bytes);
    }
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(WriteError::Io {
            path: path.to_path_buf(),
            action: "write to standard output",
            source: e,
        }),
        _ => Ok(()),
    }
}

/// Writes `bytes` to the file at `path` (see the module documentation):
/// atomically for a regular file, directly for a device, FIFO or socket.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_file_with(path, bytes, &|_| Ok(()))
}

/// The former name of [`write_file`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_file(path, bytes)
}

/// [`write_file`], calling `before_rename` with the temporary file's path
/// once it is written and flushed (tests use it to fail or interrupt there).
fn write_file_with(
    path: &Path,
    bytes: &[u8],
    before_rename: &dyn Fn(&Path) -> io::Result<()>,
) -> Result<(), WriteError> {
    if names_descriptor(path) {
        return write_direct(path, bytes);
    }
    let meta = match std::fs::metadata(path) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_err(path, "read its metadata")(e)),
    };
    let Some(meta) = meta else {
        return replace(path, bytes, None, before_rename);
    };
    if meta.is_dir() {
        return Err(WriteError::Folder {
            path: path.to_path_buf(),
        });
    }
    if !meta.is_file() {
        return write_direct(path, bytes);
    }
    check_writable(path, &meta)?;
    if links(&meta) > 1 {
        return write_in_place(path, bytes);
    }
    // Replace the file a symbolic link names, not the link.
    let target = std::fs::canonicalize(path).map_err(io_err(path, "resolve its links"))?;
    replace(&target, bytes, Some(&meta), before_rename)
}

/// A symbolic link under `/dev/` or `/proc/`: an open descriptor's name.
fn names_descriptor(path: &Path) -> bool {
    (path.starts_with("/dev") || path.starts_with("/proc"))
        && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Opens and writes, without creating or renaming. Appending keeps what a
/// shell's `>>` already put in a file behind `/dev/stdout`, and changes
/// nothing for devices and pipes.
fn write_direct(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let mut f = OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(io_err(path, "open it for writing"))?;
    f.write_all(bytes)
        .and_then(|()| f.flush())
        .map_err(io_err(path, "write to it"))
}

fn write_in_place(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let mut f = OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)
        .map_err(io_err(path, "open it for writing"))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(io_err(path, "write to it"))
}

#[cfg(unix)]
fn check_writable(path: &Path, meta: &Metadata) -> Result<(), WriteError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o7777;
    let allowed = rustix::fs::access(path, rustix::fs::Access::WRITE_OK).is_ok();
    if mode & 0o222 == 0 || !allowed {
        return Err(WriteError::ReadOnly {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_writable(path: &Path, meta: &Metadata) -> Result<(), WriteError> {
    if meta.permissions().readonly() {
        return Err(WriteError::ReadOnly {
            path: path.to_path_buf(),
            mode: 0o444,
        });
    }
    Ok(())
}

#[cfg(unix)]
fn links(meta: &Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn links(_: &Metadata) -> u64 {
    1
}

/// Writes a temporary file beside `target` and renames it over `target`.
fn replace(
    target: &Path,
    bytes: &[u8],
    existing: Option<&Metadata>,
    before_rename: &dyn Fn(&Path) -> io::Result<()>,
) -> Result<(), WriteError> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = Temp::new_in(dir).map_err(io_err(dir, "create a temporary file in it"))?;
    let tmp_path = tmp.path().to_path_buf();
    let file = tmp.file();
    file.write_all(bytes)
        .map_err(io_err(&tmp_path, "write to it"))?;
    let permissions = match existing {
        Some(m) => m.permissions(),
        None => default_permissions(file).map_err(io_err(&tmp_path, "read its permissions"))?,
    };
    file.set_permissions(permissions)
        .map_err(io_err(&tmp_path, "set its permissions"))?;
    if let Some(m) = existing {
        keep_owner(file, m);
    }
    file.sync_all()
        .map_err(io_err(&tmp_path, "flush it to disk"))?;
    before_rename(&tmp_path).map_err(io_err(&tmp_path, "finish it"))?;
    tmp.persist(target)
        .map_err(io_err(target, "replace it with the new file"))?;
    // The rename is durable once the folder is flushed; a folder that
    // cannot be opened or flushed still holds the new file.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The new file keeps the replaced file's owner and group when we may set
/// them (root may; others may keep their own group). Failing to is not an
/// error: the file is written all the same, owned by us.
#[cfg(unix)]
fn keep_owner(file: &File, meta: &Metadata) {
    use std::os::unix::fs::MetadataExt;
    let _ = std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid()));
}

#[cfg(not(unix))]
fn keep_owner(_: &File, _: &Metadata) {}

#[cfg(unix)]
fn default_permissions(_: &File) -> io::Result<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions(f: &File) -> io::Result<std::fs::Permissions> {
    Ok(f.metadata()?.permissions())
}

/// The temporary files being written now.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn in_flight() -> MutexGuard<'static, Vec<PathBuf>> {
    // A panic while the list was held leaves it usable.
    IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes the temporary files of the writes in progress, for a signal
/// handler to call before the process ends. Returns how many it removed.
/// Those writes then fail; their targets are untouched.
pub fn remove_temporary_files() -> usize {
    let mut list = in_flight();
    let removed = list
        .iter()
        .filter(|p| std::fs::remove_file(p).is_ok())
        .count();
    list.clear();
    removed
}

/// A temporary file, listed in [`IN_FLIGHT`] while it exists, removed when
/// dropped unless it was renamed into place.
struct Temp {
    file: Option<tempfile::NamedTempFile>,
}

impl Temp {
    fn new_in(dir: &Path) -> io::Result<Temp> {
        // Created and listed under the lock, so a signal handler sees
        // every file that exists.
        let mut list = in_flight();
        let file = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(dir)?;
        list.push(file.path().to_path_buf());
        Ok(Temp { file: Some(file) })
    }

    fn file(&mut self) -> &mut File {
        self.file
            .as_mut()
            .expect("a Temp holds its file until persisted or dropped")
            .as_file_mut()
    }

    fn path(&self) -> &Path {
        self.file
            .as_ref()
            .expect("a Temp holds its file until persisted or dropped")
            .path()
    }

    fn persist(mut self, target: &Path) -> io::Result<()> {
        let file = self
            .file
            .take()
            .expect("a Temp holds its file until persisted or dropped");
        let mut list = in_flight();
        let path = file.path().to_path_buf();
        // A failed rename drops the file, which removes it.
        let result = file.persist(target).map(drop).map_err(|e| e.error);
        list.retain(|p| p != &path);
        result
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            let mut list = in_flight();
            let path = file.path().to_path_buf();
            drop(file);
            list.retain(|p| p != &path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list of files in flight is global and one test empties it, so
    /// the tests that write run one at a time.
    static SERIAL: Mutex<()> = Mutex::new(());

    fn serial() -> MutexGuard<'static, ()> {
        SERIAL.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(TEMP_PREFIX))
            .collect()
    }

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    fn chmod(p: &Path, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn replaces_atomically_and_keeps_permissions() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        write_file(&p, b"one").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        #[cfg(unix)]
        {
            assert_eq!(mode(&p), 0o644);
            chmod(&p, 0o600);
        }
        write_file(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        #[cfg(unix)]
        assert_eq!(mode(&p), 0o600);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn outputs_a_folder_is_refused() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let e = write_file(dir.path(), b"x").unwrap_err();
        assert!(matches!(e, WriteError::Folder { .. }), "{e}");
        assert!(e.to_string().contains("is a folder"), "{e}");
    }

    /// Issue "first hour": a read-only target was silently replaced.
    #[cfg(unix)]
    #[test]
    fn outputs_a_read_only_target_is_refused_and_kept() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("keep.txt");
        std::fs::write(&p, b"precious").unwrap();
        chmod(&p, 0o444);
        let e = write_file(&p, b"new").unwrap_err();
        assert!(matches!(e, WriteError::ReadOnly { mode: 0o444, .. }), "{e}");
        assert!(e.to_string().contains("read-only"), "{e}");
        assert!(e.to_string().contains("keep.txt"), "{e}");
        assert_eq!(std::fs::read(&p).unwrap(), b"precious");
        assert!(leftovers(dir.path()).is_empty());
    }

    /// Issue "first hour": replacing a hard-linked file cut its other name
    /// off; it is now written in place, so both names see the new bytes.
    #[cfg(unix)]
    #[test]
    fn outputs_a_hard_linked_target_is_written_in_place() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        let b = dir.path().join("b.txt");
        std::fs::write(&a, b"old").unwrap();
        std::fs::hard_link(&a, &b).unwrap();
        chmod(&a, 0o640);
        write_file(&b, b"new contents").unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), b"new contents");
        assert_eq!(std::fs::read(&b).unwrap(), b"new contents");
        assert_eq!(links(&std::fs::metadata(&a).unwrap()), 2);
        assert_eq!(mode(&a), 0o640);
        assert!(leftovers(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn outputs_a_symlink_is_followed_not_replaced() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.txt");
        let link = dir.path().join("link.txt");
        std::fs::write(&real, b"old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_file(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
    }

    /// Issue "first hour": a FIFO was replaced by a regular file instead of
    /// being written to.
    #[cfg(unix)]
    #[test]
    fn outputs_a_fifo_is_written_not_replaced() {
        let _serial = serial();
        use std::io::Read;
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut s = String::new();
                File::open(&fifo).unwrap().read_to_string(&mut s).unwrap();
                s
            })
        };
        write_file(&fifo, b"through the pipe").unwrap();
        assert_eq!(reader.join().unwrap(), "through the pipe");
        assert!(
            std::fs::symlink_metadata(&fifo)
                .unwrap()
                .file_type()
                .is_fifo(),
            "the FIFO is still a FIFO"
        );
        assert!(leftovers(dir.path()).is_empty());
    }

    /// A socket cannot be opened as a file: the error says so, and the
    /// socket is not replaced by a regular file.
    #[cfg(unix)]
    #[test]
    fn outputs_a_socket_is_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("sock");
        let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        let e = write_file(&sock, b"x").unwrap_err();
        assert!(e.to_string().contains("cannot open it for writing"), "{e}");
        assert!(
            std::fs::symlink_metadata(&sock)
                .unwrap()
                .file_type()
                .is_socket()
        );
        assert!(leftovers(dir.path()).is_empty());
    }

    /// A failure after the temporary file exists removes it and leaves the
    /// target as it was.
    #[test]
    fn outputs_a_failed_write_leaves_no_temporary_file() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        std::fs::write(&p, b"before").unwrap();
        let seen = Mutex::new(None);
        let e = write_file_with(&p, b"after", &|tmp| {
            assert!(tmp.exists());
            assert!(
                in_flight().iter().any(|q| q == tmp),
                "listed while in flight"
            );
            *seen.lock().unwrap() = Some(tmp.to_path_buf());
            Err(io::Error::other("disk on fire"))
        })
        .unwrap_err();
        assert!(e.to_string().contains(TEMP_PREFIX), "{e}");
        let tmp = seen.into_inner().unwrap().unwrap();
        assert!(!tmp.exists());
        assert!(!in_flight().iter().any(|q| q == &tmp));
        assert!(leftovers(dir.path()).is_empty());
        assert_eq!(std::fs::read(&p).unwrap(), b"before");
    }

    /// What the CLI's signal handler does: the file in flight is removed,
    /// the write fails, the target is untouched.
    #[test]
    fn outputs_an_interrupted_write_removes_its_temporary_file() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        std::fs::write(&p, b"before").unwrap();
        let e = write_file_with(&p, b"after", &|tmp| {
            assert!(tmp.exists());
            assert!(remove_temporary_files() >= 1);
            assert!(!tmp.exists());
            Ok(())
        })
        .unwrap_err();
        assert!(matches!(e, WriteError::Io { .. }), "{e}");
        assert!(leftovers(dir.path()).is_empty());
        assert_eq!(std::fs::read(&p).unwrap(), b"before");
    }

    #[test]
    fn outputs_temporary_files_are_named_recognisably() {
        let _serial = serial();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        write_file_with(&p, b"x", &|tmp| {
            let name = tmp.file_name().unwrap().to_string_lossy().into_owned();
            assert!(name.starts_with(TEMP_PREFIX), "{name}");
            assert_eq!(tmp.parent(), Some(dir.path()));
            Ok(())
        })
        .unwrap();
    }
}
