//! A small, tolerant XML reader that accepts what GENIUS's hand-written
//! `SimpleDOMParser` accepts.
//!
//! quick-xml (strict or not) rejects or mangles several things real ANAC files
//! do: a raw `&` inside an attribute value, attributes with no space between
//! them (`type="discrete"vtype="discrete"`), comments before the `<?xml …?>`
//! declaration. GENIUS reads all of them, so this reader does too:
//!
//! - any number of `<?…?>`, `<!--…-->` and `<!…>` before the root are skipped;
//! - an attribute is `name = "value"` or `name = 'value'`, whitespace between
//!   attributes optional;
//! - the five predefined entities and numeric character references are
//!   decoded when well-formed (GENIUS decodes none; no corpus file uses one,
//!   and decoding them lets the writer emit well-formed XML), and any other
//!   `&` is kept as the literal character;
//! - text content is kept (GENIUS's UNCERTAIN extras are text elements);
//! - anything after the root element is ignored.
//!
//! The parser is iterative (no recursion), so deep nesting cannot overflow
//! the stack.

use crate::error::{FormatError, Location};

/// An element: its name, attributes in document order, child elements, the
/// concatenated text directly inside it, and its byte offset in the text.
#[derive(Clone, Debug, Default)]
pub struct Element {
    /// The element's tag name.
    pub name: String,
    /// The attributes as `(name, value)` pairs in document order, values unescaped.
    pub attrs: Vec<(String, String)>,
    /// The child elements, in document order.
    pub children: Vec<Element>,
    /// The text directly inside the element, concatenated and unescaped.
    pub text: String,
    /// The byte offset of the element in the text, for error positions.
    pub offset: usize,
}

impl Element {
    /// The value of attribute `name` (exact, case-sensitive, first match).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Child elements named `name`, in document order.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first child element named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
}

/// Decodes file bytes as GENIUS effectively does: UTF-8 when valid, else
/// Windows-1252 (the platform charset the ANAC files were written with).
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            text.into_owned()
        }
    }
}

/// The deepest nesting accepted. GENIUS files nest a few levels; the limit
/// keeps a hostile file from exhausting the stack when the tree is dropped.
pub const MAX_DEPTH: usize = 256;

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    file: &'a str,
}

impl<'a> Parser<'a> {
    fn err(&self, at: usize, message: impl Into<String>) -> FormatError {
        FormatError::at(Location::at_offset(self.file, self.text, at), message)
    }

    fn starts(&self, s: &str) -> bool {
        self.b[self.pos..].starts_with(s.as_bytes())
    }

    fn skip_ws(&mut self) {
        while self.pos < self.b.len() && self.b[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    /// Skips past the next occurrence of `end`, or fails naming `what`.
    fn skip_past(&mut self, end: &str, what: &str) -> Result<(), FormatError> {
        let start = self.pos;
        match self.text[self.pos..].find(end) {
            Some(k) => {
                self.pos += k + end.len();
                Ok(())
            }
            None => Err(self.err(start, format!("unterminated {what}: no `{end}` follows"))),
        }
    }

    /// Skips a comment, processing instruction, CDATA-less declaration at the
    /// current position; returns false when there is none.
    fn skip_markup(&mut self) -> Result<bool, FormatError> {
        if self.starts("<!--") {
            self.skip_past("-->", "comment")?;
        } else if self.starts("<?") {
            self.skip_past("?>", "processing instruction")?;
        } else if self.starts("<![CDATA[") {
            return Ok(false);
        } else if self.starts("<!") {
            self.skip_past(">", "declaration")?;
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    fn name(&mut self) -> Result<String, FormatError> {
        let start = self.pos;
        while self.pos < self.b.len() {
            let c = self.b[self.pos];
            if c.is_ascii_whitespace() || matches!(c, b'=' | b'/' | b'>' | b'<' | b'"' | b'\'') {
                break;
            }
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.err(start, "expected a name"));
        }
        Ok(self.text[start..self.pos].to_string())
    }

    /// Reads `<name attr="v" …>` or `…/>`; the `<` is at `pos`. Returns the
    /// element and whether it was self-closing.
    fn open_tag(&mut self) -> Result<(Element, bool), FormatError> {
        let offset = self.pos;
        self.pos += 1;
        let name = self.name()?;
        let mut el = Element {
            name,
            offset,
            ..Element::default()
        };
        loop {
            self.skip_ws();
            if self.pos >= self.b.len() {
                return Err(self.err(offset, format!("unterminated tag <{}>", el.name)));
            }
            match self.b[self.pos] {
                b'>' => {
                    self.pos += 1;
                    return Ok((el, false));
                }
                b'/' if self.b.get(self.pos + 1) == Some(&b'>') => {
                    self.pos += 2;
                    return Ok((el, true));
                }
                _ => {
                    let at = self.pos;
                    let key = self.name().map_err(|_| {
                        self.err(
                            at,
                            format!(
                                "in tag <{}>: expected an attribute name, `>` or `/>`",
                                el.name
                            ),
                        )
                    })?;
                    self.skip_ws();
                    if self.b.get(self.pos) != Some(&b'=') {
                        return Err(self.err(
                            self.pos,
                            format!("attribute `{key}` of <{}>: expected `=`", el.name),
                        ));
                    }
                    self.pos += 1;
                    self.skip_ws();
                    let quote = match self.b.get(self.pos) {
                        Some(&q @ (b'"' | b'\'')) => q,
                        _ => {
                            return Err(self.err(
                                self.pos,
                                format!(
                                    "attribute `{key}` of <{}>: expected a quoted value",
                                    el.name
                                ),
                            ));
                        }
                    };
                    let vstart = self.pos + 1;
                    let len = self.b[vstart..].iter().position(|&c| c == quote);
                    let Some(len) = len else {
                        return Err(self.err(
                            self.pos,
                            format!("attribute `{key}` of <{}>: unterminated value", el.name),
                        ));
                    };
                    let value = unescape(&self.text[vstart..vstart + len]);
                    self.pos = vstart + len + 1;
                    el.attrs.push((key, value));
                }
            }
        }
    }

    fn document(&mut self) -> Result<Element, FormatError> {
        // Prolog: declarations, comments and whitespace, in any order.
        loop {
            self.skip_ws();
            if self.pos >= self.b.len() {
                return Err(self.err(self.pos, "no root element: the file holds no XML element"));
            }
            if !self.skip_markup()? {
                break;
            }
        }
        if self.b[self.pos] != b'<' {
            return Err(self.err(
                self.pos,
                "expected `<` starting the root element; this is not an XML file",
            ));
        }
        let (root, closed) = self.open_tag()?;
        if closed {
            return Ok(root);
        }
        let mut stack = vec![root];
        while let Some(top) = stack.last_mut() {
            if self.pos >= self.b.len() {
                return Err(self.err(
                    top.offset,
                    format!("element <{}> is never closed", top.name),
                ));
            }
            if self.skip_markup()? {
                continue;
            }
            if self.starts("<![CDATA[") {
                let start = self.pos + 9;
                self.skip_past("]]>", "CDATA section")?;
                top.text.push_str(&self.text[start..self.pos - 3]);
                continue;
            }
            if self.starts("</") {
                let at = self.pos;
                self.pos += 2;
                let name = self.name()?;
                self.skip_ws();
                if self.b.get(self.pos) != Some(&b'>') {
                    return Err(self.err(self.pos, format!("expected `>` closing </{name}>")));
                }
                self.pos += 1;
                if name != top.name {
                    return Err(self.err(
                        at,
                        format!(
                            "</{name}> closes <{}> (opened at {})",
                            top.name,
                            Location::at_offset(self.file, self.text, top.offset)
                        ),
                    ));
                }
                let done = stack.pop().unwrap_or_default();
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
                continue;
            }
            if self.b[self.pos] == b'<' {
                let (el, closed) = self.open_tag()?;
                if closed {
                    top.children.push(el);
                } else {
                    if stack.len() >= MAX_DEPTH {
                        return Err(self.err(
                            el.offset,
                            format!("elements nested more than {MAX_DEPTH} deep"),
                        ));
                    }
                    stack.push(el);
                }
                continue;
            }
            let start = self.pos;
            let len = self.b[start..]
                .iter()
                .position(|&c| c == b'<')
                .unwrap_or(self.b.len() - start);
            self.pos = start + len;
            top.text.push_str(&unescape(&self.text[start..self.pos]));
        }
        Err(self.err(0, "empty document"))
    }
}

/// Parses a document and returns its root element.
pub fn parse(text: &str, file: &str) -> Result<Element, FormatError> {
    Parser {
        text,
        b: text.as_bytes(),
        pos: 0,
        file,
    }
    .document()
}

/// The name of the root element, read without parsing the rest: the name
/// after the prolog (`<?…?>`, comments, declarations, whitespace), or `None`
/// when the text does not get as far as a complete root name (empty, not
/// markup, or cut short inside the prolog).
pub fn root_name(text: &str) -> Option<&str> {
    let mut rest = text.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        let end = if rest.starts_with("<!--") {
            rest.find("-->")? + 3
        } else if rest.starts_with("<?") {
            rest.find("?>")? + 2
        } else if rest.starts_with("<!") {
            rest.find('>')? + 1
        } else {
            break;
        };
        rest = &rest[end..];
    }
    let body = rest.strip_prefix('<')?;
    let len =
        body.find(|c: char| c.is_ascii_whitespace() || matches!(c, '/' | '>' | '<' | '"' | '\''))?;
    (len > 0).then(|| &body[..len])
}

/// Decodes well-formed entity references; a lone `&` stays as it is.
pub fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(k) = rest.find('&') {
        out.push_str(&rest[..k]);
        rest = &rest[k..];
        let decoded = rest[1..].find(';').filter(|&e| e <= 10).and_then(|e| {
            let ent = &rest[1..1 + e];
            let c = match ent {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    let code = if let Some(h) = ent.strip_prefix("#x").or(ent.strip_prefix("#X")) {
                        u32::from_str_radix(h, 16).ok()
                    } else if let Some(d) = ent.strip_prefix('#') {
                        d.parse::<u32>().ok()
                    } else {
                        None
                    };
                    code.and_then(char::from_u32)
                }
            };
            c.map(|c| (c, e + 2))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Escapes text for an attribute value in double quotes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_genius_reads() {
        let text = "<!-- profile 1 -->\n<?xml version=\"1.0\"?>\n<a x=\"AT & T\"y='2'><b v=\"&amp;&#65;\"/> hi <c></c></a> trailing";
        let root = parse(text, "t.xml").unwrap();
        assert_eq!(root.name, "a");
        assert_eq!(root.attr("x"), Some("AT & T"));
        assert_eq!(root.attr("y"), Some("2"));
        assert_eq!(root.children[0].attr("v"), Some("&A"));
        assert_eq!(root.children.len(), 2);
        assert_eq!(root.text.trim(), "hi");
    }

    #[test]
    fn windows_1252_bytes_decode() {
        assert_eq!(decode(b"\x80 10"), "\u{20ac} 10");
        assert_eq!(decode("é".as_bytes()), "é");
    }

    #[test]
    fn errors_have_positions() {
        let e = parse("<a>\n<b></c></a>", "f.xml").unwrap_err().to_string();
        assert!(e.starts_with("f.xml:2:4"), "{e}");
        for bad in [
            "",
            "<",
            "<a",
            "<a x>",
            "<a x=1>",
            "<a x=\"1>",
            "<a>",
            "hello",
            "<a><!--</a>",
        ] {
            assert!(parse(bad, "f").is_err(), "{bad}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let text = "<a>".repeat(100_000);
        let e = parse(&text, "f").unwrap_err().to_string();
        assert!(e.contains("nested"), "{e}");
    }

    #[test]
    fn root_names_without_parsing() {
        assert_eq!(
            root_name("<!-- c --><?xml version=\"1.0\"?>\n<utility_space type=\"x\">"),
            Some("utility_space")
        );
        assert_eq!(root_name("<a>"), Some("a"));
        for none in ["", "  ", "0.5, 0.5\n", "<!-- cut", "<", "<abc"] {
            assert_eq!(root_name(none), None, "{none}");
        }
    }

    #[test]
    fn escape_round_trips() {
        let s = "a & b < \"c\" \u{20ac}\n";
        assert_eq!(unescape(&escape(s)), s);
    }
}
