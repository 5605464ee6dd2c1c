//! KTAB's CSV input: one row per actor, with the scenario's dimensions in
//! the header, read with KTAB's own validation rules.

use super::*;

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
    let head = read_head(file, &mut lines)?;
    let dims = read_dimensions(file, &mut lines, head.dims)?;
    let mut actors = Vec::with_capacity(head.actors);
    for a in 0..head.actors {
        let (ln, row) = lines.next().ok_or_else(|| {
            KtabError::file(
                file,
                format!(
                    "the first line declares {} actors but only {a} actor lines follow",
                    head.actors
                ),
            )
        })?;
        actors.push(read_actor(file, ln, &split_csv(row), &dims)?);
    }
    let model = Model::new(dims, actors).map_err(|e| KtabError::file(file, e.to_string()))?;
    Ok(model.with_name(&head.name, &head.description))
}

/// What the first line declares.
struct Head {
    name: String,
    description: String,
    actors: usize,
    dims: usize,
}

/// The first line: the scenario's name and description and the numbers of
/// actors and dimensions, each within KTAB's limits.
fn read_head<'a>(
    file: &str,
    lines: &mut impl Iterator<Item = (usize, &'a str)>,
) -> Result<Head, KtabError> {
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
    Ok(Head {
        name: head[0].clone(),
        description: head[1].clone(),
        actors: num_actors,
        dims: num_dims,
    })
}

/// The column header line, which names the dimensions (every other column
/// after the capability's).
fn read_dimensions<'a>(
    file: &str,
    lines: &mut impl Iterator<Item = (usize, &'a str)>,
    num_dims: usize,
) -> Result<Vec<String>, KtabError> {
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
    Ok((0..num_dims).map(|d| header[3 + 2 * d].clone()).collect())
}

/// One actor line (line `ln`, split into fields), checked as KTAB checks it
/// and in the same order, so the first problem reported is KTAB's.
fn read_actor(file: &str, ln: usize, row: &[String], dims: &[String]) -> Result<Actor, KtabError> {
    let num_dims = dims.len();
    let width = 3 + 2 * num_dims;
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
    let (pos, sal, sal_sum) = read_positions(file, ln, row, dims)?;
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
    Ok(Actor {
        name,
        description: row[1].clone(),
        capability: cap,
        position: pos,
        salience: sal,
    })
}

/// An actor's position and salience on each dimension, on the 0–1 scale,
/// and the sum of its saliences on KTAB's 0–100 scale.
fn read_positions(
    file: &str,
    ln: usize,
    row: &[String],
    dims: &[String],
) -> Result<(Vec<f64>, Vec<f64>, f64), KtabError> {
    let mut pos = Vec::with_capacity(dims.len());
    let mut sal = Vec::with_capacity(dims.len());
    let mut sal_sum = 0.0;
    for (d, dim) in dims.iter().enumerate() {
        let p = parse_number(file, ln, &format!("position on `{dim}`"), &row[3 + 2 * d])?;
        let s = parse_number(file, ln, &format!("salience on `{dim}`"), &row[4 + 2 * d])?;
        for (what, v) in [("position", p), ("salience", s)] {
            if !(0.0..=100.0).contains(&v) {
                return Err(KtabError::at(
                    file,
                    ln,
                    format!("{what} {v} on `{dim}` is outside [0, 100]"),
                ));
            }
        }
        sal_sum += s;
        pos.push(p / 100.0);
        sal.push(s / 100.0);
    }
    Ok((pos, sal, sal_sum))
}

// ------------------------------------------------------------------ XML
