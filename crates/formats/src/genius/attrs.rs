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
    let v = el.attr(name).ok_or_else(|| {
        at(
            file,
            text,
            el,
            format!("<{}> has no `{name}` attribute; expected a number", el.name),
        )
    })?;
    parse_f64(v).filter(|x| x.is_finite()).ok_or_else(|| {
        at(
            file,
            text,
            el,
            format!("<{}> {name}=\"{v}\": expected a number", el.name),
        )
    })
}

pub(super) fn int_attr(
    file: &str,
    text: &str,
    el: &Element,
    name: &str,
) -> Result<i64, FormatError> {
    let v = el.attr(name).ok_or_else(|| {
        at(
            file,
            text,
            el,
            format!(
                "<{}> has no `{name}` attribute; expected an integer",
                el.name
            ),
        )
    })?;
    parse_int(v).ok_or_else(|| {
        at(
            file,
            text,
            el,
            format!("<{}> {name}=\"{v}\": expected an integer", el.name),
        )
    })
}
