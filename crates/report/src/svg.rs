//! Small SVG building blocks: escaping, number formatting, a plotting frame
//! with linear scales and axes, and the colour palette.
//!
//! Every number is written with a fixed precision so that the same inputs
//! give the same bytes.

use std::fmt::Write;

/// Okabe–Ito colours: distinguishable with the common colour-vision
/// deficiencies, and still distinct when printed in grey.
pub const PALETTE: &[&str] = &[
    "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#f0e442", "#000000",
];

/// The colour of series `i` (a party, an actor, a strategy), cycling through
/// one palette so that charts colour their series alike.
pub fn color(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// Escapes text for HTML and SVG content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A coordinate with one decimal, without `-0.0`.
pub fn c(x: f64) -> String {
    let s = format!("{x:.1}");
    if s == "-0.0" { "0.0".into() } else { s }
}

/// A utility for display, three decimals.
pub fn u(x: f64) -> String {
    format!("{x:.3}")
}

/// A count with thousands separators, or in scientific notation beyond
/// 10^15.
pub fn count(n: f64) -> String {
    if !(n.is_finite() && n.abs() < 1e15) {
        return format!("{n:.3e}");
    }
    let digits = format!("{}", n.round() as i64);
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A plotting area inside an SVG canvas, with linear scales.
#[derive(Clone, Debug)]
pub struct Frame {
    /// The canvas width, in SVG units.
    pub width: f64,
    /// The canvas height, in SVG units.
    pub height: f64,
    /// The margin left of the plotting area, room for the y axis labels.
    pub left: f64,
    /// The margin right of the plotting area.
    pub right: f64,
    /// The margin above the plotting area.
    pub top: f64,
    /// The margin below the plotting area, room for the x axis labels.
    pub bottom: f64,
    /// The data values at the left and right edges of the plotting area.
    pub x_range: (f64, f64),
    /// The data values at the bottom and top edges of the plotting area.
    pub y_range: (f64, f64),
}

impl Frame {
    /// A frame with room for axis labels.
    pub fn new(width: f64, height: f64, x_range: (f64, f64), y_range: (f64, f64)) -> Frame {
        Frame {
            width,
            height,
            left: 56.0,
            right: 16.0,
            top: 16.0,
            bottom: 44.0,
            x_range,
            y_range,
        }
    }

    /// The width of the plotting area, margins excluded.
    pub fn inner_width(&self) -> f64 {
        self.width - self.left - self.right
    }

    /// The height of the plotting area, margins excluded.
    pub fn inner_height(&self) -> f64 {
        self.height - self.top - self.bottom
    }

    /// The canvas x of a data x.
    pub fn x(&self, v: f64) -> f64 {
        let (a, b) = self.x_range;
        let span = if b > a { b - a } else { 1.0 };
        self.left + (v - a) / span * self.inner_width()
    }

    /// The canvas y of a data y (up is larger).
    pub fn y(&self, v: f64) -> f64 {
        let (a, b) = self.y_range;
        let span = if b > a { b - a } else { 1.0 };
        self.top + self.inner_height() - (v - a) / span * self.inner_height()
    }

    /// Data points as the `points` attribute of a polygon or polyline.
    pub fn points(&self, xy: &[(f64, f64)]) -> String {
        let d: Vec<String> = xy
            .iter()
            .map(|&(x, y)| format!("{},{}", c(self.x(x)), c(self.y(y))))
            .collect();
        d.join(" ")
    }

    /// Opens the `<svg>` element.
    pub fn open(&self, out: &mut String, class: &str, label: &str) {
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="{}" viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-label="{}">"#,
            esc(class),
            c(self.width),
            c(self.height),
            c(self.width),
            c(self.height),
            esc(label)
        );
    }

    /// Grid lines, tick labels and axis titles.
    pub fn axes(
        &self,
        out: &mut String,
        x_ticks: &[f64],
        y_ticks: &[f64],
        x_label: &str,
        y_label: &str,
        tick: impl Fn(f64) -> String,
    ) {
        out.push_str(r#"<g class="axes">"#);
        let (l, r) = (self.left, self.width - self.right);
        let (t, b) = (self.top, self.height - self.bottom);
        for &v in x_ticks {
            let x = c(self.x(v));
            let _ = write!(
                out,
                r#"<line class="grid" x1="{x}" y1="{}" x2="{x}" y2="{}"/><text class="tick" x="{x}" y="{}" text-anchor="middle">{}</text>"#,
                c(t),
                c(b),
                c(b + 14.0),
                esc(&tick(v))
            );
        }
        for &v in y_ticks {
            let y = c(self.y(v));
            let _ = write!(
                out,
                r#"<line class="grid" x1="{}" y1="{y}" x2="{}" y2="{y}"/><text class="tick" x="{}" y="{}" text-anchor="end">{}</text>"#,
                c(l),
                c(r),
                c(l - 5.0),
                c(self.y(v) + 3.5),
                esc(&tick(v))
            );
        }
        let _ = write!(
            out,
            r#"<rect class="frame" x="{}" y="{}" width="{}" height="{}"/>"#,
            c(l),
            c(t),
            c(r - l),
            c(b - t)
        );
        let _ = write!(
            out,
            r#"<text class="axis-label" x="{}" y="{}" text-anchor="middle">{}</text>"#,
            c((l + r) / 2.0),
            c(self.height - 8.0),
            esc(x_label)
        );
        let _ = write!(
            out,
            r#"<text class="axis-label" transform="translate({} {}) rotate(-90)" text-anchor="middle">{}</text>"#,
            c(14.0),
            c((t + b) / 2.0),
            esc(y_label)
        );
        out.push_str("</g>");
    }
}

/// Evenly spaced ticks from `a` to `b` inclusive.
pub fn ticks(a: f64, b: f64, n: usize) -> Vec<f64> {
    if n == 0 || !(b > a) {
        return vec![a];
    }
    (0..=n).map(|i| a + (b - a) * i as f64 / n as f64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn scales_map_ranges_to_the_inner_area() {
        let f = Frame::new(200.0, 100.0, (0.0, 1.0), (0.0, 1.0));
        assert_eq!(f.x(0.0), f.left);
        assert_eq!(f.x(1.0), 200.0 - f.right);
        assert_eq!(f.y(0.0), 100.0 - f.bottom);
        assert_eq!(f.y(1.0), f.top);
        assert_eq!(c(-0.01), "0.0");
        assert_eq!(count(11_664.0), "11,664");
        assert_eq!(count(84.0), "84");
        assert_eq!(count(1e30), "1.000e30");
    }
}
