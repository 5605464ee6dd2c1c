//! The forecast section: dimensions and actors, checked into a model.

use super::build::{BuildProblem, Sink, expected_list};
use super::schema::ForecastSpec;
use crate::locate::Path;
use indexmap::IndexMap;
use std::collections::HashMap;

/// Converts the forecast section into a model, checking names and ranges;
/// every problem found is returned.
pub fn build_forecast(
    f: &ForecastSpec,
    name: &str,
) -> Result<detente_forecast::Model, Vec<BuildProblem>> {
    let mut p = Sink::default();
    let at = Path::default().key("forecast");
    if f.dimensions.is_empty() {
        p.add(
            at.key("dimensions"),
            "the forecast needs at least one dimension",
        );
    }
    let dims: Vec<&str> = f.dimensions.iter().map(|d| d.name.as_str()).collect();
    let mut known: HashMap<&str, usize> = HashMap::with_capacity(dims.len());
    for (k, d) in dims.iter().enumerate() {
        if known.insert(d, k).is_some() {
            p.add(
                at.key("dimensions").index(k),
                format!("dimension `{d}` is declared twice"),
            );
        }
    }
    let mut actors = Vec::new();
    for (k, a) in f.actors.iter().enumerate() {
        let aat = at.key("actors").index(k);
        let mut per_dim = |field: &str, m: &IndexMap<String, f64>| -> Vec<f64> {
            for key in m.keys() {
                if !known.contains_key(key.as_str()) {
                    p.add(
                        aat.key(field).key(key),
                        format!(
                            "unknown dimension `{key}`; expected one of {}",
                            expected_list(&dims)
                        ),
                    );
                }
            }
            let mut missing = false;
            let mut out = Vec::with_capacity(dims.len());
            for d in &dims {
                match m.get(*d) {
                    Some(&x) if (0.0..=100.0).contains(&x) => out.push(x / 100.0),
                    Some(&x) => {
                        p.add(
                            aat.key(field).key(d),
                            format!("{field} {x} on dimension `{d}` is outside [0, 100]"),
                        );
                        out.push(0.0);
                    }
                    // One message per actor and field is enough.
                    None if !missing => {
                        missing = true;
                        p.add(
                            aat.key(field),
                            format!("actor `{}` has no {field} on dimension `{d}`", a.name),
                        );
                        out.push(0.0);
                    }
                    None => out.push(0.0),
                }
            }
            out
        };
        let position = per_dim("position", &a.position);
        let salience = per_dim("salience", &a.salience);
        let mut actor = detente_forecast::Actor::new(&a.name, a.capability, position, salience);
        actor.description = a.description.clone();
        actors.push(actor);
    }
    let mut params = detente_forecast::Params::default();
    for (k, v) in &f.params {
        if let Err(e) = params.set(k, v) {
            p.add(at.key("params").key(k), e.to_string());
        }
    }
    p.finish()?;
    detente_forecast::Model::new(dims.iter().map(|d| d.to_string()).collect(), actors)
        .map(|m| m.with_name(name, &f.description).with_params(params))
        .map_err(|e| vec![(at.key("actors"), e.to_string())])
}
