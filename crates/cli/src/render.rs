//! Shared pieces of terminal and JSON output.

use comfy_table::{Cell, CellAlignment, ContentArrangement, LineStyle, Table, TableStyle};
use detente_core::Scenario;
use serde_json::Value;

/// An outcome as a JSON object `issue -> value` (see
/// `detente_formats::results::outcome`).
pub fn outcome_json(scenario: &Scenario, outcome: &[u32]) -> Value {
    detente_formats::results::outcome(scenario, outcome)
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

/// A table in the house style.
pub fn table(header: Vec<&str>) -> Table {
    let mut t = Table::new();
    t.load_style(STYLE)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.into_iter().map(Cell::new).collect::<Vec<_>>());
    t
}

/// A right-aligned cell (numbers).
pub fn num(s: String) -> Cell {
    Cell::new(s).set_alignment(CellAlignment::Right)
}

/// Prints a JSON value followed by a newline.
pub fn print_json(v: &Value) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}
