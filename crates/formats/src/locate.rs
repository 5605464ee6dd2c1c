//! Finding the place in a TOML or JSON text that a path of keys and indices
//! points to, so that errors found after parsing still name a line and column.

use crate::error::Location;
use jsonc_parser::common::Ranged;

/// One step of a path into a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A path like `parties[1].red_lines[0].when.nato`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Path(pub Vec<Seg>);

impl Path {
    pub fn key(&self, k: &str) -> Path {
        let mut p = self.clone();
        p.0.push(Seg::Key(k.to_string()));
        p
    }
    pub fn index(&self, i: usize) -> Path {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
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
    Toml,
    Json,
}

/// Resolves paths to byte offsets. The deepest existing prefix of the path is
/// used, so a missing key points at the table that should hold it.
pub fn locate(syntax: Syntax, file: &str, text: &str, path: &Path) -> Location {
    let offset = match syntax {
        Syntax::Toml => toml_offset(text, path),
        Syntax::Json => json_offset(text, path),
    };
    match offset {
        Some(o) => Location::at_offset(file, text, o),
        None => Location::file(file),
    }
}

fn toml_offset(text: &str, path: &Path) -> Option<usize> {
    use toml_edit::{Item, Value};
    let doc = toml_edit::Document::parse(text).ok()?;
    enum Node<'a> {
        Item(&'a Item),
        Value(&'a Value),
        Table(&'a toml_edit::Table),
    }
    let span = |n: &Node| match n {
        Node::Item(i) => i.span(),
        Node::Value(v) => v.span(),
        Node::Table(t) => t.span(),
    };
    let mut node = Node::Table(doc.as_table());
    let mut best = None;
    for seg in &path.0 {
        let next = match (&node, seg) {
            (Node::Table(t), Seg::Key(k)) => t.get(k).map(Node::Item),
            (Node::Item(Item::Table(t)), Seg::Key(k)) => t.get(k).map(Node::Item),
            (Node::Item(Item::Value(Value::InlineTable(t))), Seg::Key(k))
            | (Node::Value(Value::InlineTable(t)), Seg::Key(k)) => t.get(k).map(Node::Value),
            (Node::Item(Item::ArrayOfTables(a)), Seg::Index(i)) => a.get(*i).map(Node::Table),
            (Node::Item(Item::Value(Value::Array(a))), Seg::Index(i))
            | (Node::Value(Value::Array(a)), Seg::Index(i)) => a.get(*i).map(Node::Value),
            _ => None,
        };
        match next {
            Some(n) => {
                if let Some(s) = span(&n) {
                    best = Some(s.start);
                }
                node = n;
            }
            None => break,
        }
    }
    best
}

fn json_offset(text: &str, path: &Path) -> Option<usize> {
    use jsonc_parser::ast::Value;
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default()).ok()?;
    let mut node = parsed.value?;
    let mut best = Some(node.range().start);
    for seg in &path.0 {
        let next = match (&node, seg) {
            (Value::Object(o), Seg::Key(k)) => o.get(k).map(|p| p.value.clone()),
            (Value::Array(a), Seg::Index(i)) => a.elements.get(*i).cloned(),
            _ => None,
        };
        match next {
            Some(n) => {
                best = Some(n.range().start);
                node = n;
            }
            None => break,
        }
    }
    best
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
    }
}
