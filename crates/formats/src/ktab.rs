//! KTAB SMP input files (CSV and XML) and SMP outputs in KTAB's layouts.
//!
//! The readers apply KTAB's own validation rules (`SMPModel::csvRead` and
//! `SMPModel::xmlRead`), including the ones that make KTAB reject two of
//! its shipped samples (an XML file without `IdealAdjustment`, an empty
//! `dCoord`), and report every problem with the file, the line and what
//! was expected.

use std::fmt::Write as _;
use std::path::Path;

use detente_forecast::{
    Actor, BargnModel, BigRAdjust, BigRRange, Forecast, InterVecBrgn, Model, Params, PceModel,
    StateTransitions, ThirdPartyCommit, VictoryProbModel, VotingRule,
};

use crate::error::{FormatError, Location};

/// KTAB's limits on text fields.
const MAX_ACTOR_NAME: usize = 25;
const MAX_ACTOR_DESC: usize = 256;
const MAX_SCENARIO_TEXT: usize = 512;
const MAX_CAPABILITY: f64 = 1e8;

/// Why a KTAB file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum KtabError {
    /// A problem at a line of the file.
    #[error("{file}:{line}: {message}")]
    At {
        file: String,
        line: usize,
        message: String,
    },
    /// A problem with the file as a whole.
    #[error("{file}: {message}")]
    File { file: String, message: String },
}

impl KtabError {
    fn at(file: &str, line: usize, message: impl Into<String>) -> Self {
        KtabError::At {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
    fn file(file: &str, message: impl Into<String>) -> Self {
        KtabError::File {
            file: file.to_string(),
            message: message.into(),
        }
    }
}

impl From<KtabError> for FormatError {
    fn from(e: KtabError) -> Self {
        match e {
            KtabError::At {
                file,
                line,
                message,
            } => FormatError::at(
                Location {
                    file,
                    line: Some(line),
                    column: None,
                },
                message,
            ),
            KtabError::File { file, message } => FormatError::unusable(file, message),
        }
    }
}

/// Reads a KTAB file by extension (`.csv` or `.xml`), decoding UTF-8 (with
/// or without BOM) or, failing that, Windows-1252.
pub fn read_ktab_file(path: &Path) -> Result<Model, FormatError> {
    let bytes = crate::input::read_input(path)?;
    let text = match std::str::from_utf8(&bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned(),
    };
    let name = path.display().to_string();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "csv" => Ok(read_ktab_csv(&text, &name)?),
        "xml" => Ok(read_ktab_xml(&text, &name)?),
        _ => Err(FormatError::unusable(
            name,
            "a KTAB scenario must end in .csv or .xml",
        )),
    }
}

// ------------------------------------------------------------------ CSV

/// Splits one CSV line at commas outside double quotes; each field is
/// trimmed of blanks and of its surrounding quotes.
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for ch in line.chars() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut cur)),
            _ => cur.push(ch),
        }
    }
    fields.push(cur);
    fields.into_iter().map(|f| f.trim().to_string()).collect()
}

fn parse_number(file: &str, line: usize, what: &str, s: &str) -> Result<f64, KtabError> {
    if s.is_empty() {
        return Err(KtabError::at(
            file,
            line,
            format!("{what} is empty; expected a number"),
        ));
    }
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| KtabError::at(file, line, format!("{what} `{s}` is not a number")))
}

fn parse_count(file: &str, line: usize, what: &str, s: &str) -> Result<usize, KtabError> {
    s.parse::<usize>()
        .map_err(|_| KtabError::at(file, line, format!("{what} `{s}` is not a whole number")))
}

fn check_len(
    file: &str,
    line: usize,
    what: &str,
    s: &str,
    min: usize,
    max: usize,
) -> Result<(), KtabError> {
    let n = s.chars().count();
    if n < min || n > max {
        return Err(KtabError::at(
            file,
            line,
            format!("{what} `{s}` has {n} characters; KTAB allows {min} to {max}"),
        ));
    }
    Ok(())
}

/// Reads KTAB's SMP CSV format (see `SMPModel::csvRead`):
///
/// ```text
/// <scenario name>, <description>, <#actors>, <#dims>
/// Actor, Description, <capability header>, <dim-1 name>, <salience-1 header>, ...
/// <name>, <description>, <capability>, <pos 1>, <sal 1>, ...
/// ```
///
/// `file` names the input in error messages. Default parameters, identity
/// accommodation and KTAB's default seed.
pub fn read_ktab_csv(text: &str, file: &str) -> Result<Model, KtabError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // (line number, fields) of every line that is not blank.
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty());
    let (l1, head) = lines
        .next()
        .ok_or_else(|| KtabError::file(file, "the file is empty; expected a KTAB SMP CSV"))?;
    let head = split_csv(head);
    if head.len() < 4 {
        return Err(KtabError::at(
            file,
            l1,
            "the first line must be `scenario name, description, number of actors, number of dimensions`",
        ));
    }
    check_len(file, l1, "scenario name", &head[0], 0, MAX_SCENARIO_TEXT)?;
    check_len(
        file,
        l1,
        "scenario description",
        &head[1],
        0,
        MAX_SCENARIO_TEXT,
    )?;
    let num_actors = parse_count(file, l1, "the number of actors", &head[2])?;
    let num_dims = parse_count(file, l1, "the number of dimensions", &head[3])?;
    if num_dims < 1 {
        return Err(KtabError::at(
            file,
            l1,
            "the number of dimensions must be at least 1",
        ));
    }
    if !(detente_forecast::model::MIN_ACTORS..=detente_forecast::model::MAX_ACTORS)
        .contains(&num_actors)
    {
        return Err(KtabError::at(
            file,
            l1,
            format!(
                "the number of actors is {num_actors}; KTAB allows {} to {}",
                detente_forecast::model::MIN_ACTORS,
                detente_forecast::model::MAX_ACTORS
            ),
        ));
    }
    let width = 3 + 2 * num_dims;
    let (l2, header) = lines.next().ok_or_else(|| {
        KtabError::file(
            file,
            "the file ends after its first line; expected the column header line",
        )
    })?;
    let header = split_csv(header);
    if header.len() < width {
        return Err(KtabError::at(
            file,
            l2,
            format!(
                "the header has {} columns; {num_dims} dimensions need {width} (Actor, Description, capability, then position and salience per dimension)",
                header.len()
            ),
        ));
    }
    let dims: Vec<String> = (0..num_dims).map(|d| header[3 + 2 * d].clone()).collect();
    let mut actors = Vec::with_capacity(num_actors);
    for a in 0..num_actors {
        let (ln, row) = lines.next().ok_or_else(|| {
            KtabError::file(
                file,
                format!(
                    "the first line declares {num_actors} actors but only {a} actor lines follow"
                ),
            )
        })?;
        let row = split_csv(row);
        // Trailing commas leave empty fields, which KTAB tolerates.
        let used = row.iter().rposition(|f| !f.is_empty()).map_or(0, |p| p + 1);
        if used != width {
            return Err(KtabError::at(
                file,
                ln,
                format!(
                    "actor line has {used} fields; expected {width} (name, description, capability, then position and salience for each of {num_dims} dimensions)"
                ),
            ));
        }
        let name = row[0].clone();
        check_len(file, ln, "actor name", &name, 1, MAX_ACTOR_NAME)?;
        check_len(file, ln, "actor description", &row[1], 0, MAX_ACTOR_DESC)?;
        let cap = parse_number(file, ln, "capability", &row[2])?;
        if !(0.0..=MAX_CAPABILITY).contains(&cap) {
            return Err(KtabError::at(
                file,
                ln,
                format!("capability {cap} is outside KTAB's range [0, 1e8]"),
            ));
        }
        let mut pos = Vec::with_capacity(num_dims);
        let mut sal = Vec::with_capacity(num_dims);
        let mut sal_sum = 0.0;
        for d in 0..num_dims {
            let p = parse_number(
                file,
                ln,
                &format!("position on `{}`", dims[d]),
                &row[3 + 2 * d],
            )?;
            let s = parse_number(
                file,
                ln,
                &format!("salience on `{}`", dims[d]),
                &row[4 + 2 * d],
            )?;
            for (what, v) in [("position", p), ("salience", s)] {
                if !(0.0..=100.0).contains(&v) {
                    return Err(KtabError::at(
                        file,
                        ln,
                        format!("{what} {v} on `{}` is outside [0, 100]", dims[d]),
                    ));
                }
            }
            sal_sum += s;
            pos.push(p / 100.0);
            sal.push(s / 100.0);
        }
        if sal_sum > 100.0 {
            return Err(KtabError::at(
                file,
                ln,
                format!("saliences of `{name}` sum to {sal_sum}; KTAB requires at most 100"),
            ));
        }
        if cap <= 0.0 {
            return Err(KtabError::at(
                file,
                ln,
                format!(
                    "capability of `{name}` is {cap}; it must be positive (KTAB fails with \"non-positive voting weight\")"
                ),
            ));
        }
        if sal_sum <= 0.0 {
            return Err(KtabError::at(
                file,
                ln,
                format!("every salience of `{name}` is 0; at least one must be positive"),
            ));
        }
        actors.push(Actor {
            name,
            description: row[1].clone(),
            capability: cap,
            position: pos,
            salience: sal,
        });
    }
    let model = Model::new(dims, actors).map_err(|e| KtabError::file(file, e.to_string()))?;
    Ok(model.with_name(&head[0], &head[1]))
}

// ------------------------------------------------------------------ XML

/// A parsed XML element: enough of a tree for KTAB's small files.
#[derive(Debug, Default)]
struct Elem {
    name: String,
    text: String,
    line: usize,
    children: Vec<Elem>,
}

impl Elem {
    fn child(&self, name: &str) -> Option<&Elem> {
        self.children.iter().find(|c| c.name == name)
    }
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Elem> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    fn require(&self, file: &str, name: &str) -> Result<&Elem, KtabError> {
        self.child(name).ok_or_else(|| {
            KtabError::at(
                file,
                self.line,
                format!("<{}> has no <{name}> element; KTAB requires one", self.name),
            )
        })
    }
    fn text(&self) -> &str {
        self.text.trim()
    }
}

/// Line numbers of byte offsets that only move forward: each call counts the
/// newlines since the previous one, so numbering every element of a file
/// costs one pass over it (counting from the start each time was quadratic:
/// 19 s for a 0.4 MB file of 80,000 elements).
struct Lines<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    fn at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            // Not expected (the reader only moves forward); recount.
            self.offset = 0;
            self.line = 1;
        }
        self.line += self.text[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = offset;
        self.line
    }
}

/// The deepest nesting accepted; KTAB files nest four levels. Deeper input
/// is an error rather than a deep tree whose drop could exhaust the stack.
const MAX_XML_DEPTH: usize = 256;

fn parse_xml(text: &str, file: &str) -> Result<Elem, KtabError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Elem> = vec![Elem::default()];
    let mut lines = Lines::new(text);
    loop {
        let before = reader.buffer_position() as usize;
        let line = lines.at(before);
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                let line = lines.at(reader.buffer_position() as usize);
                return Err(KtabError::at(file, line, format!("malformed XML: {e}")));
            }
        };
        match ev {
            Event::Start(e) => {
                if stack.len() > MAX_XML_DEPTH {
                    return Err(KtabError::at(
                        file,
                        line,
                        format!("elements nested more than {MAX_XML_DEPTH} deep"),
                    ));
                }
                stack.push(Elem {
                    name: e.name().as_ref().to_string(),
                    line,
                    ..Elem::default()
                })
            }
            Event::Empty(e) => {
                let el = Elem {
                    name: e.name().as_ref().to_string(),
                    line,
                    ..Elem::default()
                };
                if let Some(top) = stack.last_mut() {
                    top.children.push(el);
                }
            }
            Event::End(_) => {
                let el = stack.pop().unwrap_or_default();
                match stack.last_mut() {
                    Some(top) => top.children.push(el),
                    None => return Err(KtabError::at(file, line, "unbalanced closing tag")),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten().map(String::from)
                } else {
                    match r.into_inner().as_ref() {
                        "amp" => Some("&".into()),
                        "lt" => Some("<".into()),
                        "gt" => Some(">".into()),
                        "quot" => Some("\"".into()),
                        "apos" => Some("'".into()),
                        _ => None,
                    }
                };
                let s = resolved
                    .ok_or_else(|| KtabError::at(file, line, "unknown XML entity reference"))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err(KtabError::file(
            file,
            "malformed XML: an element is not closed",
        ));
    }
    let mut doc = stack.pop().unwrap_or_default();
    doc.children
        .pop()
        .filter(|_| doc.children.is_empty())
        .ok_or_else(|| KtabError::file(file, "expected exactly one root element <Scenario>"))
}

fn xml_number(file: &str, e: &Elem, what: &str) -> Result<f64, KtabError> {
    let s = e.text();
    if s.is_empty() {
        return Err(KtabError::at(
            file,
            e.line,
            format!("<{}> ({what}) is empty; expected a number", e.name),
        ));
    }
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            KtabError::at(
                file,
                e.line,
                format!("<{}> ({what}) `{s}` is not a number", e.name),
            )
        })
}

fn xml_enum<T>(
    file: &str,
    parent: &Elem,
    name: &str,
    parse: fn(&str) -> Option<T>,
    names: Vec<&str>,
) -> Result<T, KtabError> {
    let e = parent.require(file, name)?;
    parse(e.text()).ok_or_else(|| {
        KtabError::at(
            file,
            e.line,
            format!(
                "<{name}> is `{}`; expected one of {}",
                e.text(),
                names.join(", ")
            ),
        )
    })
}

/// Reads KTAB's SMP XML format (see `SMPModel::xmlRead` and
/// `smpSchema.xsd`). Like KTAB, requires `Dimensions` and
/// `IdealAdjustment`; `ModelParameters` is optional but, when present,
/// needs all nine children.
pub fn read_ktab_xml(text: &str, file: &str) -> Result<Model, KtabError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let root = parse_xml(text, file)?;
    if root.name != "Scenario" {
        return Err(KtabError::at(
            file,
            root.line,
            format!("the root element is <{}>; expected <Scenario>", root.name),
        ));
    }
    let name = root.require(file, "name")?.text().to_string();
    let desc = root
        .child("desc")
        .map(|e| e.text().to_string())
        .unwrap_or_default();
    check_len(
        file,
        root.line,
        "scenario name",
        &name,
        0,
        MAX_SCENARIO_TEXT,
    )?;
    check_len(
        file,
        root.line,
        "scenario description",
        &desc,
        0,
        MAX_SCENARIO_TEXT,
    )?;
    let seed = match root.child("prngSeed") {
        None => detente_forecast::DEFAULT_SEED,
        Some(e) => e.text().parse::<u64>().map_err(|_| {
            KtabError::at(
                file,
                e.line,
                format!(
                    "<prngSeed> `{}` is not an unsigned 64-bit integer",
                    e.text()
                ),
            )
        })?,
    };
    let mut params = Params::default();
    if let Some(mp) = root.child("ModelParameters") {
        params.victory_prob = xml_enum(
            file,
            mp,
            "VictoryProbModel",
            VictoryProbModel::from_name,
            VictoryProbModel::names(),
        )?;
        params.pce = xml_enum(file, mp, "PCEModel", PceModel::from_name, PceModel::names())?;
        params.transitions = xml_enum(
            file,
            mp,
            "StateTransitions",
            StateTransitions::from_name,
            StateTransitions::names(),
        )?;
        params.voting_rule = xml_enum(
            file,
            mp,
            "VotingRule",
            VotingRule::from_name,
            VotingRule::names(),
        )?;
        params.big_r_adjust = xml_enum(
            file,
            mp,
            "BigRAdjust",
            BigRAdjust::from_name,
            BigRAdjust::names(),
        )?;
        params.big_r_range = xml_enum(
            file,
            mp,
            "BigRRange",
            BigRRange::from_name,
            BigRRange::names(),
        )?;
        params.third_party_commit = xml_enum(
            file,
            mp,
            "ThirdPartyCommit",
            ThirdPartyCommit::from_name,
            ThirdPartyCommit::names(),
        )?;
        params.inter_vec_brgn = xml_enum(
            file,
            mp,
            "InterVecBrgn",
            InterVecBrgn::from_name,
            InterVecBrgn::names(),
        )?;
        params.bargain_model = xml_enum(
            file,
            mp,
            "BargnModel",
            BargnModel::from_name,
            BargnModel::names(),
        )?;
    }
    let dims_el = root.require(file, "Dimensions")?;
    let dims: Vec<String> = dims_el.all("dName").map(|e| e.text().to_string()).collect();
    if dims.is_empty() {
        return Err(KtabError::at(
            file,
            dims_el.line,
            "<Dimensions> lists no <dName>; at least one dimension is required",
        ));
    }
    let k = dims.len();
    let actors_el = root.require(file, "Actors")?;
    // Counted before any actor is read, so a file of many actors fails at once.
    let n = actors_el.all("Actor").count();
    if !(detente_forecast::model::MIN_ACTORS..=detente_forecast::model::MAX_ACTORS).contains(&n) {
        return Err(KtabError::at(
            file,
            actors_el.line,
            format!(
                "<Actors> has {n} actors; KTAB allows {} to {}",
                detente_forecast::model::MIN_ACTORS,
                detente_forecast::model::MAX_ACTORS
            ),
        ));
    }
    let mut actors = Vec::with_capacity(n);
    for a in actors_el.all("Actor") {
        let aname = a.require(file, "name")?.text().to_string();
        check_len(file, a.line, "actor name", &aname, 1, MAX_ACTOR_NAME)?;
        let adesc = a
            .child("description")
            .map(|e| e.text().to_string())
            .unwrap_or_default();
        check_len(file, a.line, "actor description", &adesc, 0, MAX_ACTOR_DESC)?;
        let cap_el = a.require(file, "capability")?;
        let cap = xml_number(file, cap_el, &format!("capability of `{aname}`"))?;
        if !(cap > 0.0 && cap <= MAX_CAPABILITY) {
            return Err(KtabError::at(
                file,
                cap_el.line,
                format!(
                    "capability of `{aname}` is {cap}; KTAB requires it positive (at most 1e8)"
                ),
            ));
        }
        let mut vecs = Vec::new();
        for (group, item, what) in [
            ("Position", "dCoord", "position"),
            ("Salience", "dSal", "salience"),
        ] {
            let g = a.require(file, group)?;
            let items: Vec<&Elem> = g.all(item).collect();
            if items.len() != k {
                return Err(KtabError::at(
                    file,
                    g.line,
                    format!(
                        "<{group}> of `{aname}` has {} <{item}>; expected {k}, one per dimension",
                        items.len()
                    ),
                ));
            }
            let mut v = Vec::with_capacity(k);
            for (d, e) in items.iter().enumerate() {
                let x = xml_number(file, e, &format!("{what} of `{aname}` on `{}`", dims[d]))?;
                if !(0.0..=100.0).contains(&x) {
                    return Err(KtabError::at(
                        file,
                        e.line,
                        format!(
                            "{what} of `{aname}` on `{}` is {x}; expected 0 to 100",
                            dims[d]
                        ),
                    ));
                }
                v.push(x);
            }
            vecs.push(v);
        }
        let sal_sum: f64 = vecs[1].iter().sum();
        if !(sal_sum > 0.0 && sal_sum <= 100.0) {
            return Err(KtabError::at(
                file,
                a.line,
                format!(
                    "saliences of `{aname}` sum to {sal_sum}; expected more than 0 and at most 100"
                ),
            ));
        }
        actors.push(Actor {
            name: aname,
            description: adesc,
            capability: cap,
            position: vecs[0].iter().map(|x| x / 100.0).collect(),
            salience: vecs[1].iter().map(|x| x / 100.0).collect(),
        });
    }
    let n = actors.len();
    let ia = root.child("IdealAdjustment").ok_or_else(|| {
        KtabError::at(
            file,
            root.line,
            "<Scenario> has no <IdealAdjustment> element; KTAB's reader requires one (the schema calls it optional). Add <IdealAdjustment> with at least one <iaPair>, e.g. an actor adjusting toward itself with <adjust>1.0</adjust>",
        )
    })?;
    let mut acc = vec![0.0; n * n];
    for i in 0..n {
        acc[i * n + i] = 1.0;
    }
    let index = |e: &Elem, what: &str| -> Result<usize, KtabError> {
        let nm = e.text();
        actors.iter().position(|a| a.name == nm).ok_or_else(|| {
            KtabError::at(
                file,
                e.line,
                format!("<{what}> names `{nm}`, which is not an actor"),
            )
        })
    };
    for pair in ia.all("iaPair") {
        let i = index(pair.require(file, "adjustingIdeal")?, "adjustingIdeal")?;
        let j = index(pair.require(file, "referencePos")?, "referencePos")?;
        let adj_el = pair.require(file, "adjust")?;
        let v = xml_number(file, adj_el, "accommodation")?;
        if !(0.0..=1.0).contains(&v) {
            return Err(KtabError::at(
                file,
                adj_el.line,
                format!("<adjust> is {v}; expected 0 to 1"),
            ));
        }
        acc[i * n + j] = v;
        let row_sum: f64 = acc[i * n..(i + 1) * n].iter().sum();
        if row_sum > 1.0 + 1e-10 {
            return Err(KtabError::at(
                file,
                pair.line,
                format!(
                    "the accommodation row of `{}` now sums to {row_sum}; it must be at most 1 (the matrix starts as the identity, so lower the actor's own entry first)",
                    actors[i].name
                ),
            ));
        }
    }
    let model = Model::new(dims, actors)
        .and_then(|m| m.with_accommodation(acc))
        .map_err(|e| KtabError::at(file, root.line, e.to_string()))?;
    Ok(model
        .with_name(&name, &desc)
        .with_params(params)
        .with_seed(seed))
}

// ------------------------------------------------------------------ outputs

/// The forecast in the layout of KTAB corpus `positions_wide.csv`: one row
/// per actor and dimension, columns `t0..tN` on the 0–100 scale, six
/// decimals, CRLF line ends (byte for byte the corpus files' format).
pub fn positions_wide_csv(model: &Model, forecast: &Forecast) -> String {
    let mut out = String::from("actor,dim");
    for t in 0..forecast.turns.len() {
        let _ = write!(out, ",t{t}");
    }
    out.push_str("\r\n");
    for (i, a) in model.actors().iter().enumerate() {
        for (d, dim) in model.dimensions().iter().enumerate() {
            let _ = write!(out, "{},{}", csv_field(&a.name), csv_field(dim));
            for t in 0..forecast.turns.len() {
                let _ = write!(out, ",{:.6}", 100.0 * forecast.position(t, i, d));
            }
            out.push_str("\r\n");
        }
    }
    out
}

/// Win probabilities per turn, as corpus `win_prob_by_turn.csv` (4 decimals,
/// CRLF line ends).
pub fn win_prob_csv(model: &Model, forecast: &Forecast) -> String {
    let mut out = String::from("actor");
    for t in 0..forecast.turns.len() {
        let _ = write!(out, ",t{t}");
    }
    out.push_str("\r\n");
    for (i, a) in model.actors().iter().enumerate() {
        out.push_str(&csv_field(&a.name));
        for turn in &forecast.turns {
            let _ = write!(out, ",{:.4}", turn.win_prob[i]);
        }
        out.push_str("\r\n");
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "Demo ,\"A demo\",3,1,\nActor,Description,Power,P1,S1,\nA, first, 10, 10, 50,\nB, second, 20, 50, 50,\nC, third, 30, 90, 50,\n";

    #[test]
    fn reads_csv() {
        let m = read_ktab_csv(CSV, "demo.csv").unwrap();
        assert_eq!(m.name(), "Demo");
        assert_eq!(m.dimensions(), ["P1"]);
        assert_eq!(m.actors()[2].position, vec![0.9]);
        assert_eq!(m.actors()[1].salience, vec![0.5]);
    }

    #[test]
    fn csv_errors_name_the_line() {
        let bad = CSV.replace("20, 50, 50", "20, 150, 50");
        let e = read_ktab_csv(&bad, "demo.csv").unwrap_err().to_string();
        assert!(e.starts_with("demo.csv:4:"), "{e}");
        assert!(e.contains("outside [0, 100]"), "{e}");
        let short = CSV.replace("C, third, 30, 90, 50,\n", "");
        let e = read_ktab_csv(&short, "demo.csv").unwrap_err().to_string();
        assert!(e.contains("only 2 actor lines"), "{e}");
    }
}
