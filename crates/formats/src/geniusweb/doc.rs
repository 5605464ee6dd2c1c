//! Reading a GeniusWeb JSON document with positions: every error names the
//! file, line and column of the field it is about.

use super::*;

pub(super) fn bad(file: &str, message: impl Into<String>) -> FormatError {
    FormatError::at(Location::file(file), message)
}

pub(super) fn parse_json(text: &str, file: &str) -> Result<J, FormatError> {
    serde_json::from_str(text).map_err(|e| {
        FormatError::at(
            Location {
                file: file.to_string(),
                line: Some(e.line()),
                column: Some(e.column()),
            },
            format!("not valid JSON: {e}"),
        )
    })
}

/// What a JSON value is, for "expected …, found …" messages.
pub(super) fn kind_of(v: &J) -> &'static str {
    match v {
        J::Null => "null",
        J::Bool(_) => "true or false",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "an array",
        J::Object(_) => "an object",
    }
}

/// A JSON document being read: errors point at the line and column of the
/// field they are about. Types are checked, never coerced: a number written
/// as a string (`"0.5"`) is an error, not 0.5 and not 0.
pub(super) struct Doc<'a> {
    pub(super) file: &'a str,
    /// The text, for positions; empty when the value did not come from a
    /// text (then errors name the file only).
    pub(super) text: &'a str,
}

impl Doc<'_> {
    pub(super) fn err(&self, path: &DocPath, message: impl Into<String>) -> FormatError {
        let at = if self.text.is_empty() {
            Location::file(self.file)
        } else {
            locate(Syntax::Json, self.file, self.text, path)
        };
        let message = message.into();
        if path.0.is_empty() {
            FormatError::at(at, message)
        } else {
            FormatError::at(at, format!("{path}: {message}"))
        }
    }

    pub(super) fn expected(&self, path: &DocPath, what: &str, v: &J) -> FormatError {
        self.err(path, format!("expected {what}, found {}", kind_of(v)))
    }

    pub(super) fn object<'v>(
        &self,
        v: &'v J,
        path: &DocPath,
        what: &str,
    ) -> Result<&'v Map<String, J>, FormatError> {
        v.as_object().ok_or_else(|| self.expected(path, what, v))
    }

    /// A required field of an object.
    pub(super) fn field<'v>(
        &self,
        o: &'v Map<String, J>,
        path: &DocPath,
        key: &str,
        what: &str,
    ) -> Result<&'v J, FormatError> {
        o.get(key)
            .ok_or_else(|| self.err(path, format!("missing `{key}`; expected {what}")))
    }

    /// A required field that must be an object (`what` for a missing field,
    /// `object_what` for one of another type), with the field's path.
    pub(super) fn object_field<'v>(
        &self,
        o: &'v Map<String, J>,
        path: &DocPath,
        key: &str,
        what: &str,
        object_what: &str,
    ) -> Result<(&'v Map<String, J>, DocPath), FormatError> {
        let at = path.key(key);
        let v = self.object(self.field(o, path, key, what)?, &at, object_what)?;
        Ok((v, at))
    }

    /// An optional string field; empty when absent.
    pub(super) fn optional_string(
        &self,
        o: &Map<String, J>,
        path: &DocPath,
        key: &str,
    ) -> Result<String, FormatError> {
        match o.get(key) {
            None => Ok(String::new()),
            Some(n) => Ok(self.string(n, &path.key(key))?.to_string()),
        }
    }

    /// A finite JSON number.
    pub(super) fn number(&self, v: &J, path: &DocPath) -> Result<f64, FormatError> {
        match v {
            J::Number(n) => n
                .as_f64()
                .filter(|x| x.is_finite())
                .ok_or_else(|| self.err(path, format!("{n} is not a finite number"))),
            _ => Err(self.expected(path, "a JSON number", v)),
        }
    }

    pub(super) fn string<'v>(&self, v: &'v J, path: &DocPath) -> Result<&'v str, FormatError> {
        v.as_str()
            .ok_or_else(|| self.expected(path, "a JSON string", v))
    }

    /// Every key of `o` must be one of `allowed`: a misspelt or unknown
    /// field would otherwise be ignored and change what the file means.
    pub(super) fn only(
        &self,
        o: &Map<String, J>,
        path: &DocPath,
        allowed: &[&str],
    ) -> Result<(), FormatError> {
        match o.keys().find(|k| !allowed.contains(&k.as_str())) {
            None => Ok(()),
            Some(k) => Err(self.err(
                &path.key(k),
                format!(
                    "unknown field `{k}`; expected {}",
                    allowed
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
}

/// The one entry of an object that has exactly one: how GeniusWeb tags a
/// value with its type (`{"LinearAdditiveUtilitySpace": {...}}`).
pub(super) fn single_entry(v: &J) -> Option<(&String, &J)> {
    v.as_object()
        .filter(|o| o.len() == 1)
        .and_then(|o| o.iter().next())
}

pub(super) fn root_path(key: &str) -> DocPath {
    DocPath(vec![Seg::Key(key.to_string())])
}
