//! Reading native text: the syntax, then the structure (field names and
//! types), each problem with its place.
//!
//! The text is parsed into a generic tree first: a syntax error stops there,
//! as nothing after it can be trusted. The tree is then deserialized into
//! [`ScenarioFile`]; serde stops at the first structural problem, so each one
//! is recorded and repaired in the tree (an unknown field, or an optional
//! field of the wrong type, is removed) and deserialization runs again, until
//! it succeeds or meets a problem it cannot step over (a required field
//! missing or of the wrong type, a wrong list element).

use super::schema::ScenarioFile;
use crate::error::{FormatError, Location, Problem};
use crate::locate::{Anchor, Locator, Path, Seg, Syntax};
use serde_json::Value as J;

/// The most structural problems collected from one file; each costs one
/// pass over the tree.
const MAX_STRUCTURAL: usize = 200;

/// A problem found before or after deserializing, not yet positioned.
pub(super) struct Found {
    pub path: Path,
    pub anchor: Anchor,
    pub message: String,
}

/// What reading the structure gave: the file (unless a problem could not be
/// stepped over), the problems, and the paths removed to step over them.
pub(super) struct Structure {
    pub spec: Option<ScenarioFile>,
    pub found: Vec<Found>,
    pub removed: Vec<Path>,
}

/// Parses `text` (a syntax error is returned at once, with its position)
/// and reads its structure.
///
/// A well-formed file is deserialized straight from the text. Only when
/// that fails is the generic tree built to find every structural problem;
/// if the tree finds none, the problem is one that the tree hides (a field
/// given twice in JSON, where the tree keeps the last), reported as the
/// parser saw it.
pub(super) fn structure(syntax: Syntax, text: &str, file: &str) -> Result<Structure, FormatError> {
    let clean = |spec| Structure {
        spec: Some(spec),
        found: Vec::new(),
        removed: Vec::new(),
    };
    let toml_error = |e: toml::de::Error| {
        let at = match e.span() {
            Some(s) => Location::at_offset(file, text, s.start),
            None => Location::file(file),
        };
        FormatError::at(at, e.message().trim().to_string())
    };
    let json_error = |e: serde_json::Error| {
        let at = Location {
            file: file.to_string(),
            line: Some(e.line()),
            column: Some(e.column()),
        };
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        FormatError::at(at, msg)
    };
    let read = match syntax {
        Syntax::Toml => {
            let direct = match toml::from_str::<ScenarioFile>(text) {
                Ok(spec) => return Ok(clean(spec)),
                Err(e) => e,
            };
            let table: toml::Table = toml::from_str(text).map_err(toml_error)?;
            let mut tree = toml::Value::Table(table);
            let read = repair_loop(&mut tree, |t| {
                serde_path_to_error::deserialize::<_, ScenarioFile>(t.clone())
                    .map_err(|e| (convert(e.path()), e.inner().message().trim().to_string()))
            });
            if read.found.is_empty() {
                return Err(toml_error(direct));
            }
            read
        }
        Syntax::Json => {
            let direct = match serde_json::from_str::<ScenarioFile>(text) {
                Ok(spec) => return Ok(clean(spec)),
                Err(e) if e.is_syntax() || e.is_eof() => return Err(json_error(e)),
                Err(e) => e,
            };
            let mut tree: J = serde_json::from_str(text).map_err(json_error)?;
            let read = repair_loop(&mut tree, |t| {
                serde_path_to_error::deserialize::<_, ScenarioFile>(t)
                    .map_err(|e| (convert(e.path()), e.inner().to_string()))
            });
            if read.found.is_empty() {
                return Err(json_error(direct));
            }
            read
        }
    };
    Ok(read)
}

fn convert(p: &serde_path_to_error::Path) -> Path {
    use serde_path_to_error::Segment;
    Path(
        p.iter()
            .filter_map(|s| match s {
                Segment::Seq { index } => Some(Seg::Index(*index)),
                Segment::Map { key } => Some(Seg::Key(key.clone())),
                Segment::Enum { .. } | Segment::Unknown => None,
            })
            .collect(),
    )
}

/// The name between the first pair of backticks of a serde message.
fn quoted(message: &str, prefix: &str) -> Option<String> {
    message
        .strip_prefix(prefix)?
        .split('`')
        .next()
        .map(str::to_string)
}

fn repair_loop<T: Tree>(
    tree: &mut T,
    mut deserialize: impl FnMut(&T) -> Result<ScenarioFile, (Path, String)>,
) -> Structure {
    let mut found = Vec::new();
    let mut removed: Vec<Path> = Vec::new();
    loop {
        let (path, message) = match deserialize(tree) {
            Ok(spec) => {
                return Structure {
                    spec: Some(spec),
                    found,
                    removed,
                };
            }
            Err(e) => e,
        };
        let give_up = |found, removed| Structure {
            spec: None,
            found,
            removed,
        };
        if let Some(key) = quoted(&message, "unknown field `") {
            // The path names the table holding the field (or the field).
            let parent = match path.0.last() {
                Some(Seg::Key(k)) if *k == key => Path(path.0[..path.0.len() - 1].to_vec()),
                _ => path.clone(),
            };
            let field = parent.key(&key);
            found.push(Found {
                path: field.clone(),
                anchor: Anchor::Key,
                message,
            });
            if found.len() >= MAX_STRUCTURAL || !tree.remove(&parent, &key) {
                return give_up(found, removed);
            }
            removed.push(field);
            continue;
        }
        if let Some(key) = quoted(&message, "missing field `") {
            // Right after removing a field of the wrong type, this says the
            // field was required: its problem is reported already.
            if removed.last() != Some(&path.key(&key)) {
                found.push(Found {
                    path,
                    anchor: Anchor::Value,
                    message,
                });
            }
            return give_up(found, removed);
        }
        found.push(Found {
            path: path.clone(),
            anchor: Anchor::Value,
            message,
        });
        let stepped_over = match path.0.split_last() {
            Some((Seg::Key(k), parent)) if found.len() < MAX_STRUCTURAL => {
                tree.remove(&Path(parent.to_vec()), k)
            }
            _ => false,
        };
        if !stepped_over {
            return give_up(found, removed);
        }
        removed.push(path);
    }
}

/// The two generic trees a native text can be parsed into.
trait Tree {
    fn child_mut(&mut self, seg: &Seg) -> Option<&mut Self>;
    /// Removes `key` from the table this is; false when it is no table or
    /// has no such key.
    fn remove_key(&mut self, key: &str) -> bool;

    fn remove(&mut self, parent: &Path, key: &str) -> bool {
        let mut node = self;
        for seg in &parent.0 {
            match node.child_mut(seg) {
                Some(n) => node = n,
                None => return false,
            }
        }
        node.remove_key(key)
    }
}

impl Tree for J {
    fn child_mut(&mut self, seg: &Seg) -> Option<&mut Self> {
        match (self, seg) {
            (J::Object(o), Seg::Key(k)) => o.get_mut(k),
            (J::Array(a), Seg::Index(i)) => a.get_mut(*i),
            _ => None,
        }
    }
    fn remove_key(&mut self, key: &str) -> bool {
        match self {
            J::Object(o) => o.shift_remove(key).is_some(),
            _ => false,
        }
    }
}

impl Tree for toml::Value {
    fn child_mut(&mut self, seg: &Seg) -> Option<&mut Self> {
        match (self, seg) {
            (toml::Value::Table(t), Seg::Key(k)) => t.get_mut(k),
            (toml::Value::Array(a), Seg::Index(i)) => a.get_mut(*i),
            _ => None,
        }
    }
    fn remove_key(&mut self, key: &str) -> bool {
        match self {
            toml::Value::Table(t) => t.remove(key).is_some(),
            _ => false,
        }
    }
}

/// Gives every problem its line and column (parsing the text for positions
/// once), in file order. Problems checked after deserializing that concern
/// a field removed to step over a structural problem, or a table holding
/// one, are dropped: they repeat what was said.
pub(super) fn position(
    syntax: Syntax,
    file: &str,
    text: &str,
    mut found: Vec<Found>,
    checked: Vec<(Path, String)>,
    removed: &[Path],
) -> FormatError {
    for (path, message) in checked {
        let repeats = !path.0.is_empty()
            && removed
                .iter()
                .any(|r| path.starts_with(r) || r.starts_with(&path));
        if !repeats {
            found.push(Found {
                path,
                anchor: Anchor::Value,
                message,
            });
        }
    }
    let locator = Locator::new(syntax, file, text);
    let mut placed: Vec<(Option<usize>, String)> = found
        .into_iter()
        .map(|f| (locator.offset(&f.path, f.anchor), f.message))
        .collect();
    // File order; problems without a position (none is expected) come first.
    placed.sort_by_key(|(offset, _)| *offset);
    let offsets: Vec<usize> = placed.iter().filter_map(|(o, _)| *o).collect();
    let mut at = locator.at_sorted(&offsets).into_iter();
    let problems: Vec<Problem> = placed
        .into_iter()
        .map(|(offset, message)| Problem {
            at: match offset {
                Some(_) => at.next().unwrap_or_else(|| Location::file(file)),
                None => Location::file(file),
            },
            message,
        })
        .collect();
    FormatError::Invalid { problems }
}
