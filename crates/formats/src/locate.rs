//! Finding the place in a TOML or JSON text that a path of keys and indices
//! points to, so that errors found after parsing still name a line and column.
//!
//! A [`Locator`] parses the text once into a tree of positions and a table of
//! line starts; each look-up then costs the depth of its path, so locating
//! every problem of a file with many stays linear in the size of the file.

use crate::error::Location;
use jsonc_parser::common::Ranged;
use std::collections::HashMap;

/// One step of a path into a document.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Seg {
    /// A field of an object (a table or key in TOML), by name.
    Key(String),
    /// An element of an array, by position from 0.
    Index(usize),
}

/// A path like `parties[1].red_lines[0].when.nato`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Path(pub Vec<Seg>);

impl Path {
    /// This path extended by the field `k`, to point into a child.
    pub fn key(&self, k: &str) -> Path {
        let mut p = self.clone();
        p.0.push(Seg::Key(k.to_string()));
        p
    }
    /// This path extended by the element `i`, to point into an array.
    pub fn index(&self, i: usize) -> Path {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }
    /// True when `self` is `other` or lies inside it.
    pub fn starts_with(&self, other: &Path) -> bool {
        self.0.starts_with(&other.0)
    }
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (n, s) in self.0.iter().enumerate() {
            match s {
                Seg::Key(k) if n == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// Which syntax a text is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// TOML, located through toml_edit's spans.
    Toml,
    /// JSON (comments allowed), located through jsonc-parser's ranges.
    Json,
}

/// Which byte of a node a location should point at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// The value (where a wrong number or name is).
    Value,
    /// The key that names it (where a misspelt field name is).
    Key,
}

/// The positions of one node of the document and of its children.
#[derive(Debug, Default)]
struct Node {
    value: Option<usize>,
    key: Option<usize>,
    keys: HashMap<String, Node>,
    items: Vec<Node>,
}

/// Positions of every node of a text, built once.
pub struct Locator<'a> {
    file: &'a str,
    text: &'a str,
    root: Node,
    /// Byte offset of the start of each line.
    lines: Vec<usize>,
}

impl<'a> Locator<'a> {
    /// Parses `text` for positions. A text that does not parse gives a
    /// locator that names the file only.
    pub fn new(syntax: Syntax, file: &'a str, text: &'a str) -> Self {
        let root = match syntax {
            Syntax::Toml => toml_tree(text),
            Syntax::Json => json_tree(text),
        }
        .unwrap_or_default();
        let lines = std::iter::once(0)
            .chain(
                text.bytes()
                    .enumerate()
                    .filter(|&(_, b)| b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        Locator {
            file,
            text,
            root,
            lines,
        }
    }

    /// The byte offset `path` points to: the deepest existing prefix of the
    /// path is used, so a missing key points at the table that should hold it.
    pub fn offset(&self, path: &Path, anchor: Anchor) -> Option<usize> {
        let mut node = &self.root;
        let mut best = node.value;
        let last = path.0.len();
        for (n, seg) in path.0.iter().enumerate() {
            let next = match seg {
                Seg::Key(k) => node.keys.get(k),
                Seg::Index(i) => node.items.get(*i),
            };
            let Some(next) = next else { break };
            node = next;
            let here = if anchor == Anchor::Key && n + 1 == last {
                node.key.or(node.value)
            } else {
                node.value.or(node.key)
            };
            if here.is_some() {
                best = here;
            }
        }
        best
    }

    /// The location `path` points to.
    pub fn locate(&self, path: &Path, anchor: Anchor) -> Location {
        match self.offset(path, anchor) {
            Some(o) => self.at(o),
            None => Location::file(self.file),
        }
    }

    /// The line and column of a byte offset.
    pub fn at(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let line = self.lines.partition_point(|&s| s <= offset).max(1);
        let start = self.lines[line - 1];
        let column = String::from_utf8_lossy(&self.text.as_bytes()[start..offset])
            .chars()
            .count()
            + 1;
        Location {
            file: self.file.to_string(),
            line: Some(line),
            column: Some(column),
        }
    }
}

impl Locator<'_> {
    /// The locations of many byte offsets, given in increasing order, in one
    /// pass over the text: columns are counted from the previous offset on
    /// the same line, so a one-line file with many problems stays linear.
    pub fn at_sorted(&self, offsets: &[usize]) -> Vec<Location> {
        let bytes = self.text.as_bytes();
        let mut out = Vec::with_capacity(offsets.len());
        // The last offset placed: its line, its byte and its column.
        let mut last: Option<(usize, usize, usize)> = None;
        for &offset in offsets {
            let offset = offset.min(self.text.len());
            let line = self.lines.partition_point(|&s| s <= offset).max(1);
            let (from, col) = match last {
                Some((l, o, c)) if l == line && o <= offset => (o, c),
                _ => (self.lines[line - 1], 1),
            };
            let column = col
                + String::from_utf8_lossy(&bytes[from..offset])
                    .chars()
                    .count();
            last = Some((line, offset, column));
            out.push(Location {
                file: self.file.to_string(),
                line: Some(line),
                column: Some(column),
            });
        }
        out
    }
}

/// Resolves one path to a location (parses the text; use a [`Locator`] for
/// more than one).
#[allow(dead_code)] // for readers that report one problem
pub fn locate(syntax: Syntax, file: &str, text: &str, path: &Path) -> Location {
    Locator::new(syntax, file, text).locate(path, Anchor::Value)
}

fn toml_tree(text: &str) -> Option<Node> {
    use toml_edit::{Item, Table, Value};
    let doc = toml_edit::Document::parse(text).ok()?;
    fn start(r: Option<std::ops::Range<usize>>) -> Option<usize> {
        r.map(|r| r.start)
    }
    fn value(v: &Value) -> Node {
        let mut n = Node {
            value: start(v.span()),
            ..Node::default()
        };
        match v {
            Value::InlineTable(t) => {
                for (k, _) in t.iter() {
                    if let Some((key, item)) = t.get_key_value(k) {
                        let mut c = item_node(item);
                        c.key = start(key.span());
                        n.keys.insert(k.to_string(), c);
                    }
                }
            }
            Value::Array(a) => n.items = a.iter().map(value).collect(),
            _ => {}
        }
        n
    }
    fn table(t: &Table) -> Node {
        let mut n = Node {
            value: start(t.span()),
            ..Node::default()
        };
        for (k, _) in t.iter() {
            if let Some((key, item)) = t.get_key_value(k) {
                let mut c = item_node(item);
                c.key = start(key.span());
                n.keys.insert(k.to_string(), c);
            }
        }
        n
    }
    fn item_node(i: &Item) -> Node {
        match i {
            Item::Value(v) => value(v),
            Item::Table(t) => table(t),
            Item::ArrayOfTables(a) => Node {
                value: start(i.span()),
                items: a.iter().map(table).collect(),
                ..Node::default()
            },
            Item::None => Node::default(),
        }
    }
    Some(table(doc.as_table()))
}

fn json_tree(text: &str) -> Option<Node> {
    use jsonc_parser::ast::Value;
    fn value(v: &Value) -> Node {
        let mut n = Node {
            value: Some(v.range().start),
            ..Node::default()
        };
        match v {
            Value::Object(o) => {
                for p in &o.properties {
                    let mut c = value(&p.value);
                    c.key = Some(p.range.start);
                    // The first of two equal keys is the one a look-up finds.
                    n.keys.entry(p.name.as_str().to_string()).or_insert(c);
                }
            }
            Value::Array(a) => n.items = a.elements.iter().map(value).collect(),
            _ => {}
        }
        n
    }
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default()).ok()?;
    parsed.value.as_ref().map(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_paths_reach_nested_values() {
        let text = "name = \"x\"\n[[parties]]\nname = \"a\"\n[[parties]]\nname = \"b\"\nred_lines = [{ when = { nato = \"yes\" } }]\n";
        let p = Path::default()
            .key("parties")
            .index(1)
            .key("red_lines")
            .index(0)
            .key("when")
            .key("nato");
        let loc = locate(Syntax::Toml, "f.toml", text, &p);
        assert_eq!((loc.line, loc.column), (Some(6), Some(32)));
        // A missing key falls back to the deepest existing node.
        let q = Path::default().key("parties").index(0).key("weights");
        assert_eq!(locate(Syntax::Toml, "f", text, &q).line, Some(2));
    }

    #[test]
    fn json_paths_reach_nested_values() {
        let text = "{\n \"parties\": [\n  {\"name\": \"a\"},\n  {\"name\": \"b\", \"reservation\": 2}\n ]\n}";
        let p = Path::default().key("parties").index(1).key("reservation");
        let loc = locate(Syntax::Json, "f.json", text, &p);
        assert_eq!((loc.line, loc.column), (Some(4), Some(32)));
        let key = Locator::new(Syntax::Json, "f.json", text).locate(&p, Anchor::Key);
        assert_eq!((key.line, key.column), (Some(4), Some(17)));
    }

    #[test]
    fn keys_and_values_have_their_own_positions() {
        let text = "a = 1\n[t]\n\"bé\" = { x = 2 }\n";
        let l = Locator::new(Syntax::Toml, "f", text);
        let p = Path::default().key("t").key("bé");
        assert_eq!(l.locate(&p, Anchor::Key).to_string(), "f:3:1");
        assert_eq!(l.locate(&p, Anchor::Value).to_string(), "f:3:8");
        assert_eq!(l.locate(&p.key("x"), Anchor::Value).to_string(), "f:3:14");
        assert_eq!(l.at(0).to_string(), "f:1:1");
        let many: Vec<String> = l
            .at_sorted(&[0, 2, 4, 11, 12, 16, text.len()])
            .iter()
            .map(|x| x.to_string())
            .collect();
        let one: Vec<String> = [0, 2, 4, 11, 12, 16, text.len()]
            .iter()
            .map(|&o| l.at(o).to_string())
            .collect();
        assert_eq!(many, one);
        assert_eq!(l.at(text.len()).to_string(), "f:4:1");
    }
}
