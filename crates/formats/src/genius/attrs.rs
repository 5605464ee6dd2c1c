//! Reading numbers and attributes of GENIUS elements, with positions for errors.

use super::*;

pub(super) fn at(file: &str, text: &str, el: &Element, message: impl Into<String>) -> FormatError {
    FormatError::at(Location::at_offset(file, text, el.offset), message)
}

pub(super) fn parse_f64(s: &str) -> Option<f64> {
    let t = s.trim();
    // Java's Double.parseDouble accepts a trailing type suffix.
    let t = t
        .strip_suffix(['d', 'D', 'f', 'F'])
        .filter(|r| !r.is_empty() && !r.ends_with(|c: char| c.is_ascii_alphabetic()))
        .unwrap_or(t);
    t.parse::<f64>().ok()
}

pub(super) fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    t.parse::<i64>().ok().or_else(|| {
        // Some writers put `3.0` where GENIUS expects an integer.
        parse_f64(t)
            .filter(|x| x.fract() == 0.0 && x.abs() < 9e15)
            .map(|x| x as i64)
    })
}

/// Reads a required numeric attribute.
pub(super) fn num_attr(
    file: &str,
    text: &str,
    el: &Element,
    name: &str,
) -> Result<f64, FormatError> {
    typed_attr(file, text, el, name, "a number", |v| {
        parse_f64(v).filter(|x| x.is_finite())
    })
}

/// Reads a required integer attribute (`3.0` counts as 3, as in GENIUS).
pub(super) fn int_attr(
    file: &str,
    text: &str,
    el: &Element,
    name: &str,
) -> Result<i64, FormatError> {
    typed_attr(file, text, el, name, "an integer", parse_int)
}

/// A required attribute read by `parse`; a missing or unreadable one is an
/// error at the element that says what was `expected`.
fn typed_attr<T>(
    file: &str,
    text: &str,
    el: &Element,
    name: &str,
    expected: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T, FormatError> {
    let v = el.attr(name).ok_or_else(|| {
        at(
            file,
            text,
            el,
            format!(
                "<{}> has no `{name}` attribute; expected {expected}",
                el.name
            ),
        )
    })?;
    parse(v).ok_or_else(|| {
        at(
            file,
            text,
            el,
            format!("<{}> {name}=\"{v}\": expected {expected}", el.name),
        )
    })
}
