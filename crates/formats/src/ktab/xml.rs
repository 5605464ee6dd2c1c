//! KTAB's XML input: a small, linear-time reader of the elements KTAB reads,
//! and the scenario built from them with KTAB's validation rules.

use super::*;

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
    let (name, desc) = read_title(file, &root)?;
    let seed = read_seed(file, &root)?;
    let params = match root.child("ModelParameters") {
        Some(mp) => read_params(file, mp)?,
        None => Params::default(),
    };
    let dims = read_dimensions(file, &root)?;
    let actors = read_actors(file, &root, &dims)?;
    let acc = read_accommodation(file, &root, &actors)?;
    let model = Model::new(dims, actors)
        .and_then(|m| m.with_accommodation(acc))
        .map_err(|e| KtabError::at(file, root.line, e.to_string()))?;
    Ok(model
        .with_name(&name, &desc)
        .with_params(params)
        .with_seed(seed))
}

/// The scenario's `<name>` (required) and `<desc>`, within KTAB's lengths.
fn read_title(file: &str, root: &Elem) -> Result<(String, String), KtabError> {
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
    Ok((name, desc))
}

/// `<prngSeed>`, or KTAB's default seed when there is none.
fn read_seed(file: &str, root: &Elem) -> Result<u64, KtabError> {
    match root.child("prngSeed") {
        None => Ok(detente_forecast::DEFAULT_SEED),
        Some(e) => e.text().parse::<u64>().map_err(|_| {
            KtabError::at(
                file,
                e.line,
                format!(
                    "<prngSeed> `{}` is not an unsigned 64-bit integer",
                    e.text()
                ),
            )
        }),
    }
}

/// `<ModelParameters>`: when present KTAB requires all nine, so each one is
/// required here too.
fn read_params(file: &str, mp: &Elem) -> Result<Params, KtabError> {
    Ok(Params {
        victory_prob: xml_enum(
            file,
            mp,
            "VictoryProbModel",
            VictoryProbModel::from_name,
            VictoryProbModel::names(),
        )?,
        pce: xml_enum(file, mp, "PCEModel", PceModel::from_name, PceModel::names())?,
        transitions: xml_enum(
            file,
            mp,
            "StateTransitions",
            StateTransitions::from_name,
            StateTransitions::names(),
        )?,
        voting_rule: xml_enum(
            file,
            mp,
            "VotingRule",
            VotingRule::from_name,
            VotingRule::names(),
        )?,
        big_r_adjust: xml_enum(
            file,
            mp,
            "BigRAdjust",
            BigRAdjust::from_name,
            BigRAdjust::names(),
        )?,
        big_r_range: xml_enum(
            file,
            mp,
            "BigRRange",
            BigRRange::from_name,
            BigRRange::names(),
        )?,
        third_party_commit: xml_enum(
            file,
            mp,
            "ThirdPartyCommit",
            ThirdPartyCommit::from_name,
            ThirdPartyCommit::names(),
        )?,
        inter_vec_brgn: xml_enum(
            file,
            mp,
            "InterVecBrgn",
            InterVecBrgn::from_name,
            InterVecBrgn::names(),
        )?,
        bargain_model: xml_enum(
            file,
            mp,
            "BargnModel",
            BargnModel::from_name,
            BargnModel::names(),
        )?,
        ..Params::default()
    })
}

/// The `<dName>`s of `<Dimensions>`, at least one.
fn read_dimensions(file: &str, root: &Elem) -> Result<Vec<String>, KtabError> {
    let dims_el = root.require(file, "Dimensions")?;
    let dims: Vec<String> = dims_el.all("dName").map(|e| e.text().to_string()).collect();
    if dims.is_empty() {
        return Err(KtabError::at(
            file,
            dims_el.line,
            "<Dimensions> lists no <dName>; at least one dimension is required",
        ));
    }
    Ok(dims)
}

/// Every `<Actor>` of `<Actors>`, after checking their number.
fn read_actors(file: &str, root: &Elem, dims: &[String]) -> Result<Vec<Actor>, KtabError> {
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
    actors_el
        .all("Actor")
        .map(|a| read_actor(file, a, dims))
        .collect()
}

/// One `<Actor>`: name, description, capability, and position and salience
/// on every dimension (each 0 to 100 in the file, 0 to 1 in the model).
fn read_actor(file: &str, a: &Elem, dims: &[String]) -> Result<Actor, KtabError> {
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
            format!("capability of `{aname}` is {cap}; KTAB requires it positive (at most 1e8)"),
        ));
    }
    let position = per_dimension(file, a, &aname, dims, ("Position", "dCoord", "position"))?;
    let salience = per_dimension(file, a, &aname, dims, ("Salience", "dSal", "salience"))?;
    let sal_sum: f64 = salience.iter().sum();
    if !(sal_sum > 0.0 && sal_sum <= 100.0) {
        return Err(KtabError::at(
            file,
            a.line,
            format!(
                "saliences of `{aname}` sum to {sal_sum}; expected more than 0 and at most 100"
            ),
        ));
    }
    Ok(Actor {
        name: aname,
        description: adesc,
        capability: cap,
        position: position.iter().map(|x| x / 100.0).collect(),
        salience: salience.iter().map(|x| x / 100.0).collect(),
    })
}

/// An actor's numbers in `group` (one `item` per dimension, each 0 to 100,
/// `what` naming them in messages), on the file's scale.
fn per_dimension(
    file: &str,
    a: &Elem,
    aname: &str,
    dims: &[String],
    (group, item, what): (&str, &str, &str),
) -> Result<Vec<f64>, KtabError> {
    let k = dims.len();
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
    for (e, dim) in items.iter().zip(dims) {
        let x = xml_number(file, e, &format!("{what} of `{aname}` on `{dim}`"))?;
        if !(0.0..=100.0).contains(&x) {
            return Err(KtabError::at(
                file,
                e.line,
                format!("{what} of `{aname}` on `{dim}` is {x}; expected 0 to 100"),
            ));
        }
        v.push(x);
    }
    Ok(v)
}

/// The accommodation matrix (row-major, actors × actors): the identity,
/// changed by each `<iaPair>` of the required `<IdealAdjustment>`.
fn read_accommodation(file: &str, root: &Elem, actors: &[Actor]) -> Result<Vec<f64>, KtabError> {
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
    Ok(acc)
}

// ------------------------------------------------------------------ outputs
