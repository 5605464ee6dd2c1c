//! Shared pieces of terminal and JSON output.

use comfy_table::{Cell, CellAlignment, ContentArrangement, LineStyle, Table, TableStyle};
use detente_core::Scenario;
use std::io::IsTerminal;

/// A scenario's name followed by its description, or the name alone when it
/// has none.
pub fn title(scenario: &Scenario) -> String {
    match scenario.description() {
        "" => scenario.name().to_string(),
        d => format!("{} — {d}", scenario.name()),
    }
}

/// `n` followed by `word`, in the plural unless `n` is 1 (`1 proposal`,
/// `2 proposals`, `2 parties`).
pub fn plural(n: usize, word: &str) -> String {
    match (n, word.strip_suffix('y')) {
        (1, _) => format!("{n} {word}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        (_, None) => format!("{n} {word}s"),
    }
}

/// Wraps `text` at spaces to lines of at most [`width`] characters, the
/// first starting with `first` and the rest with `rest` (indentation).
pub fn wrap(text: &str, first: &str, rest: &str) -> String {
    let limit = width();
    let mut out = String::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !empty && line.chars().count() + 1 + word.chars().count() > limit {
            out.push_str(&line);
            out.push('\n');
            line = rest.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(&line);
    out
}

/// A utility for display.
pub fn u(x: f64) -> String {
    format!("{x:.3}")
}

/// A count with thousands separators, or scientific notation when huge.
pub fn count(n: Option<u128>, approx: f64) -> String {
    match n {
        Some(n) if n < 1_000_000_000_000 => {
            let s = n.to_string();
            let mut out = String::new();
            for (i, c) in s.chars().enumerate() {
                if i > 0 && (s.len() - i) % 3 == 0 {
                    out.push(',');
                }
                out.push(c);
            }
            out
        }
        _ => format!("{approx:.3e}"),
    }
}

/// The house table style: one rule under the header, nothing else.
const STYLE: TableStyle =
    TableStyle::new().header_separator(LineStyle::none().fill('─').junction('─'));

/// The width tables wrap to when standard output is not a terminal. Fixed,
/// so that piped and captured output is the same bytes whatever the window.
pub const PIPE_WIDTH: u16 = 100;

/// The width output should fit: the terminal's, or [`PIPE_WIDTH`] when
/// standard output is not a terminal.
pub fn width() -> usize {
    if std::io::stdout().is_terminal() {
        Table::new().width().map_or(PIPE_WIDTH, |w| w.max(40)) as usize
    } else {
        PIPE_WIDTH as usize
    }
}

/// A table in the house style that fits the terminal: long cells wrap to the
/// terminal's width, or to [`PIPE_WIDTH`] when output is not a terminal.
pub fn table(header: Vec<&str>) -> TextTable {
    let mut t = Table::new();
    t.load_style(STYLE)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.into_iter().map(Cell::new).collect::<Vec<_>>());
    if !std::io::stdout().is_terminal() {
        t.set_width(PIPE_WIDTH);
    }
    TextTable(t)
}

/// A table that prints without the padding comfy-table leaves at the ends of
/// lines (wrapped tables are padded to the full width).
pub struct TextTable(Table);

impl std::ops::Deref for TextTable {
    type Target = Table;
    fn deref(&self) -> &Table {
        &self.0
    }
}

impl std::ops::DerefMut for TextTable {
    fn deref_mut(&mut self) -> &mut Table {
        &mut self.0
    }
}

impl std::fmt::Display for TextTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, line) in self.0.lines().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            f.write_str(line.trim_end())?;
        }
        Ok(())
    }
}

/// A right-aligned cell (numbers).
pub fn num(s: String) -> Cell {
    Cell::new(s).set_alignment(CellAlignment::Right)
}

/// Prints a result (or any JSON value) as pretty JSON followed by a newline.
pub fn print_json(v: &impl serde::Serialize) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}
