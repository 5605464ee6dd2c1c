//! Writing a folder of files all or nothing: the GENIUS and GeniusWeb
//! scenario folders (a domain and one profile per party).
//!
//! The files are written whole into a temporary sibling folder
//! (`.detente-tmp-…`, every file flushed to disk), which is then renamed to
//! the target: a write that fails or is killed midway leaves either no
//! folder or the previous one, never a folder holding only some of the
//! files (which, for a scenario, would later load with a party missing). On
//! an error the temporary folder is removed; only a process killed outright
//! can leave one behind, and it is safe to delete.
//!
//! A target that is an empty folder is replaced. A non-empty one is refused
//! unless `force` is given, because files left in it from an earlier write
//! would be read as extra parties; with `force` the old folder is moved
//! aside, the new one renamed into place, and the old one deleted (if the
//! process dies between the two renames, the old folder is still whole
//! under its `.detente-tmp-…` name).

use super::{TEMP_PREFIX, WriteError};
use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};

/// A step of writing a folder, named in the error when the system refuses
/// it (the OS error is the error's source).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderStep {
    /// Reading what the target is.
    Read {
        /// The target folder.
        path: PathBuf,
    },
    /// Creating the folder the target goes in.
    CreateParent {
        /// That parent folder.
        parent: PathBuf,
    },
    /// Creating the temporary folder beside the target.
    CreateTemporary {
        /// The folder it is created in.
        parent: PathBuf,
    },
    /// Writing one file into the temporary folder.
    WriteFile {
        /// The target folder.
        path: PathBuf,
        /// The file's name.
        name: String,
    },
    /// Making room to move the old folder aside.
    PrepareReplace {
        /// The target folder.
        path: PathBuf,
    },
    /// Moving the old folder aside.
    MoveOldAside {
        /// The target folder.
        path: PathBuf,
    },
    /// Renaming the new folder to the target.
    Rename {
        /// The target folder.
        path: PathBuf,
    },
}

impl std::fmt::Display for FolderStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FolderStep::Read { path } => write!(f, "reading {}", path.display()),
            FolderStep::CreateParent { parent } => write!(f, "creating {}", parent.display()),
            FolderStep::CreateTemporary { parent } => {
                write!(f, "creating a temporary folder in {}", parent.display())
            }
            FolderStep::WriteFile { path, name } => write!(
                f,
                "writing {} (nothing was written to {})",
                path.join(name).display(),
                path.display()
            ),
            FolderStep::PrepareReplace { path } => {
                write!(f, "preparing to replace {}", path.display())
            }
            FolderStep::MoveOldAside { path } => {
                write!(f, "moving the old {} aside", path.display())
            }
            FolderStep::Rename { path } => {
                write!(f, "renaming the new folder to {}", path.display())
            }
        }
    }
}

fn step_err(step: FolderStep) -> impl FnOnce(io::Error) -> WriteError {
    move |source| WriteError::FolderStep { step, source }
}

/// A temporary folder beside the output, removed when dropped unless kept.
struct TempFolder {
    path: PathBuf,
    keep: bool,
}

impl TempFolder {
    /// Creates `.detente-tmp-<what>-<pid>-<n>` in `parent`.
    fn new(parent: &Path, what: &str) -> Result<TempFolder, WriteError> {
        let pid = std::process::id();
        for n in 0..1000u32 {
            let path = parent.join(format!("{TEMP_PREFIX}{what}-{pid}-{n}"));
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(TempFolder { path, keep: false }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(step_err(FolderStep::CreateTemporary {
                        parent: parent.to_path_buf(),
                    })(e));
                }
            }
        }
        Err(WriteError::NoTemporaryFolder {
            parent: parent.to_path_buf(),
        })
    }
}

impl Drop for TempFolder {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Flushes a folder's entries (new names, renames) to disk; not every
/// platform can open a folder for that, so failure is ignored.
fn sync_folder(path: &Path) {
    if let Ok(f) = std::fs::File::open(path) {
        let _ = f.sync_all();
    }
}

/// Whether `name` names a file directly in a folder (no separator, not
/// `.` or `..`), so that every file lands in the folder being written.
fn is_plain_name(name: &str) -> bool {
    let mut parts = Path::new(name).components();
    matches!(
        (parts.next(), parts.next()),
        (Some(Component::Normal(n)), None) if n == std::ffi::OsStr::new(name)
    )
}

/// Whether the target must be replaced (an existing folder that is not
/// empty), after refusing what may not be written over.
fn must_replace(out: &Path, force: bool) -> Result<bool, WriteError> {
    let read = || FolderStep::Read {
        path: out.to_path_buf(),
    };
    let meta = match std::fs::symlink_metadata(out) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(step_err(read())(e)),
    };
    if !meta.is_dir() {
        return Err(WriteError::NotAFolder {
            path: out.to_path_buf(),
        });
    }
    let empty = std::fs::read_dir(out)
        .map_err(step_err(read()))?
        .next()
        .is_none();
    if !empty && !force {
        return Err(WriteError::FolderNotEmpty {
            path: out.to_path_buf(),
        });
    }
    Ok(!empty)
}

/// Writes `files` (file name, contents) as the folder `path`, all or
/// nothing (see the module documentation); `force` replaces a folder that
/// is not empty. Returns the paths the files now have, in the order given.
pub fn write_folder<N: AsRef<str>, B: AsRef<[u8]>>(
    path: &Path,
    files: &[(N, B)],
    force: bool,
) -> Result<Vec<PathBuf>, WriteError> {
    let out = path;
    if let Some((name, _)) = files.iter().find(|(n, _)| !is_plain_name(n.as_ref())) {
        return Err(WriteError::NotAFileName {
            name: name.as_ref().to_string(),
        });
    }
    let replace = must_replace(out, force)?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(step_err(FolderStep::CreateParent {
        parent: parent.clone(),
    }))?;
    let stem = out
        .file_name()
        .map_or_else(|| "out".into(), |n| file_stem(&n.to_string_lossy()));
    let mut tmp = TempFolder::new(&parent, &stem)?;
    for (name, bytes) in files {
        let name = name.as_ref();
        let write = || -> io::Result<()> {
            let mut f = std::fs::File::create(tmp.path.join(name))?;
            f.write_all(bytes.as_ref())?;
            f.sync_all()
        };
        write().map_err(step_err(FolderStep::WriteFile {
            path: out.to_path_buf(),
            name: name.to_string(),
        }))?;
    }
    sync_folder(&tmp.path);
    let rename = || FolderStep::Rename {
        path: out.to_path_buf(),
    };
    if replace {
        // POSIX rename cannot replace a folder that is not empty: move the
        // old one aside first, then delete it once the new one is in place.
        let old = TempFolder::new(&parent, &format!("{stem}-old"))?;
        std::fs::remove_dir(&old.path).map_err(step_err(FolderStep::PrepareReplace {
            path: out.to_path_buf(),
        }))?;
        std::fs::rename(out, &old.path).map_err(step_err(FolderStep::MoveOldAside {
            path: out.to_path_buf(),
        }))?;
        if let Err(e) = std::fs::rename(&tmp.path, out) {
            // Put the old folder back: the user keeps what they had.
            let _ = std::fs::rename(&old.path, out);
            return Err(step_err(rename())(e));
        }
        tmp.keep = true;
        drop(old); // deletes the old folder
    } else {
        // Replaces an empty folder, or creates the target, in one step.
        std::fs::rename(&tmp.path, out).map_err(step_err(rename()))?;
        tmp.keep = true;
    }
    sync_folder(&parent);
    Ok(files.iter().map(|(n, _)| out.join(n.as_ref())).collect())
}

/// A file name from a scenario, party or folder name (the files of a
/// written folder, the temporary folder beside it): characters unsafe in
/// file names become `_`, leading dots go, and it is cut to 200 bytes so
/// that a prefix or a `-N.xml` suffix still fits a file system's 255.
pub(crate) fn file_stem(name: &str) -> String {
    const MAX: usize = 200;
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let mut s = s.trim().trim_start_matches('.').to_string();
    if s.len() > MAX {
        let mut end = MAX;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    if s.is_empty() { "scenario".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn files<'a>(names: &[&'a str], text: &'a str) -> Vec<(&'a str, &'a str)> {
        names.iter().map(|n| (*n, text)).collect()
    }

    #[test]
    fn folders_are_written_whole_and_replaced_only_with_force() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let paths = write_folder(&out, &files(&["d.xml", "a.xml", "b.xml"], "new"), false).unwrap();
        assert_eq!(
            paths,
            [out.join("d.xml"), out.join("a.xml"), out.join("b.xml")]
        );
        assert_eq!(entries(&out), ["a.xml", "b.xml", "d.xml"]);
        // Not empty: refused without force, and left as it was.
        let e = write_folder(&out, &files(&["d.xml", "c.xml"], "newer"), false).unwrap_err();
        assert!(matches!(e, WriteError::FolderNotEmpty { .. }), "{e}");
        assert!(e.to_string().contains("--force"), "{e}");
        assert_eq!(entries(&out), ["a.xml", "b.xml", "d.xml"]);
        // With force the old files are gone, not mixed with the new ones.
        write_folder(&out, &files(&["d.xml", "c.xml"], "newer"), true).unwrap();
        assert_eq!(entries(&out), ["c.xml", "d.xml"]);
        assert_eq!(std::fs::read_to_string(out.join("c.xml")).unwrap(), "newer");
        // An empty folder is simply replaced.
        let empty = tmp.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        write_folder(&empty, &files(&["d.xml"], "x"), false).unwrap();
        assert_eq!(entries(&empty), ["d.xml"]);
        assert_eq!(
            entries(tmp.path()),
            ["empty", "out"],
            "temporary folders left"
        );
        // A file where the folder should be is refused.
        let file = tmp.path().join("file");
        std::fs::write(&file, "keep").unwrap();
        let e = write_folder(&file, &files(&["d.xml"], "x"), true).unwrap_err();
        assert!(matches!(e, WriteError::NotAFolder { .. }), "{e}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep");
    }

    #[test]
    fn a_failure_midway_leaves_no_partial_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        // The third file's name is too long for any file system, so writing
        // fails after the domain and the first profile are written.
        let long = format!("{}.xml", "p".repeat(300));
        let names = ["d.xml", "a.xml", long.as_str(), "b.xml"];
        let e = write_folder(&out, &files(&names, "new"), false).unwrap_err();
        assert!(matches!(e, WriteError::FolderStep { .. }), "{e}");
        assert!(e.to_string().contains("nothing was written"), "{e}");
        assert!(!out.exists(), "a partial folder was left");
        assert!(entries(tmp.path()).is_empty(), "{:?}", entries(tmp.path()));
        // With force over an existing folder, the old one is kept whole.
        write_folder(&out, &files(&["d.xml", "a.xml", "b.xml"], "old"), false).unwrap();
        assert!(write_folder(&out, &files(&names, "new"), true).is_err());
        assert_eq!(entries(&out), ["a.xml", "b.xml", "d.xml"]);
        assert_eq!(std::fs::read_to_string(out.join("a.xml")).unwrap(), "old");
        assert_eq!(entries(tmp.path()), ["out"]);
    }

    /// A name with a separator would put a file outside the folder or in a
    /// folder that does not exist: refused before anything is written.
    #[test]
    fn names_must_be_plain_file_names() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        for bad in ["../x.xml", "a/b.xml", "..", ".", ""] {
            let e = write_folder(&out, &[(bad, "x")], false).unwrap_err();
            assert!(matches!(e, WriteError::NotAFileName { .. }), "{bad}: {e}");
        }
        assert!(entries(tmp.path()).is_empty());
    }

    #[test]
    fn long_target_names_make_short_temporary_names() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("é".repeat(120));
        write_folder(&out, &[("d.xml", "x")], false).unwrap();
        assert_eq!(entries(&out), ["d.xml"]);
    }
}
