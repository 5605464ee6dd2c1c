//! Request body fuzzing: valid bodies of every POST route, mutated in their
//! JSON structure or in their bytes, through the router in process. Every
//! answer must be a status with a JSON error (or a success), never a panic,
//! an internal error (a panic caught on the blocking pool) or a hang. The
//! rooms' routes are fuzzed too: creating rooms, and the actions of a
//! party's seat and of a mediator's seat in a live room (with their tokens).
//!
//! 64 cases by default; more with `PROPTEST_CASES=5000 cargo test -p
//! detente-server --test fuzz` (see docs/fuzzing.md).

use axum::body::Body;
use axum::http::{Request, header};
use detente_server::{Config, router_with_rooms};
use http_body_util::BodyExt;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::OnceLock;
use std::time::Duration;
use tower::ServiceExt;

/// A valid request for each route: path, content type, body and bearer
/// token.
struct Seed {
    path: String,
    content_type: &'static str,
    body: Vec<u8>,
    token: Option<String>,
}

/// The router (with rooms, in a temporary database) and a seed per route.
struct Fixture {
    app: axum::Router,
    seeds: Vec<Seed>,
    /// The same seeds on a room of their own, which the fuzzing never
    /// touches (the fuzzed room's state moves as mutated actions land).
    untouched: Vec<Seed>,
    _dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let rooms = detente_rooms::Rooms::open(
            &dir.path().join("rooms.db"),
            detente_rooms::Limits {
                actions_per_second: 1_000_000,
                ..Default::default()
            },
        )
        .unwrap();
        // A live mediated room with a person in every seat, the chair too.
        let seat = |party: &str| detente_rooms::SeatSpec {
            party: party.into(),
            player: "human".into(),
        };
        let spec = detente_rooms::RoomSpec {
            scenario: "car-sale".into(),
            protocol: "mediated".into(),
            rounds: Some(2000),
            minutes: None,
            seats: vec![seat("buyer"), seat("dealer"), seat("mediator")],
            seed: 1,
        };
        let text = detente_formats::builtin::text("car-sale").unwrap();
        let created = rooms.create(&spec, text, 2, 0).unwrap();
        let with_room = |room: &detente_rooms::NewRoom| {
            let token = |party: &str| {
                room.seats
                    .iter()
                    .find(|s| s.party == party)
                    .map(|s| s.token.clone())
            };
            let actions = format!("/api/rooms/{}/actions", room.room);
            let mut seeds = bodies();
            let json = "application/json";
            let outcome = json!({"price": 17, "warranty": "6-months", "delivery": "today"});
            seeds.push(Seed {
                path: actions.clone(),
                content_type: json,
                body: json!({"type": "propose", "outcome": outcome})
                    .to_string()
                    .into_bytes(),
                token: token("mediator"),
            });
            seeds.push(Seed {
                path: actions,
                content_type: json,
                body: json!({"type": "vote", "accept": true, "reason": "fine"})
                    .to_string()
                    .into_bytes(),
                token: token("buyer"),
            });
            seeds
        };
        let seeds = with_room(&created.rooms[0]);
        let untouched = with_room(&created.rooms[1]);
        let app = router_with_rooms(
            Config {
                time_budget: Duration::from_secs(5),
                max_outcomes: 200_000,
                ..Config::default()
            },
            Some(std::sync::Arc::new(rooms)),
        );
        Fixture {
            app,
            seeds,
            untouched,
            _dir: dir,
        }
    })
}

fn seeds() -> &'static [Seed] {
    &fixture().seeds
}

/// The bodies of the routes that need no token.
fn bodies() -> Vec<Seed> {
    {
        let native = |name: &str| -> Value {
            let text = detente_formats::builtin::text(name).unwrap();
            let s = detente_formats::native::read_str(text, name).unwrap();
            serde_json::from_str(&detente_formats::native::to_json(s.parts())).unwrap()
        };
        let car = native("car-sale");
        let peace = detente_formats::builtin::text("peace-talks").unwrap();
        let json = "application/json";
        let body = |v: Value| v.to_string().into_bytes();
        vec![
            ("/api/analyze", json, body(json!({"scenario": car, "charts": true, "disagreement": "zero", "at_time": 0.5}))),
            ("/api/analyze", json, body(json!({"scenario": peace}))),
            ("/api/evaluate", json, body(json!({"scenario": car, "outcome": {"price": 17, "warranty": "6-months", "delivery": "today"}, "repairs": 3}))),
            ("/api/evaluate", json, body(json!({"scenario": peace, "proposal": "mediator-draft"}))),
            ("/api/negotiate", json, body(json!({"scenario": car, "protocol": "alternating", "strategies": ["boulware", "conceder:e=2"], "rounds": 50, "seed": 3}))),
            ("/api/forecast", json, body(json!({"scenario": peace}))),
            ("/api/export/toml", json, body(json!({"scenario": car}))),
            ("/api/export/report", json, body(json!({"scenario": peace, "forecast": true, "negotiation": {"rounds": 20}}))),
            ("/api/upload?filename=talks.toml", "application/octet-stream", peace.as_bytes().to_vec()),
            ("/api/rooms", json, body(json!({"scenario": "car-sale", "protocol": "mediated", "rounds": 20, "minutes": 30, "count": 2, "seed": 4,
                "seats": [{"party": "buyer", "player": "human"}, {"party": "dealer", "player": "boulware:e=0.2"}, {"party": "mediator", "player": "human"}]}))),
        ]
        .into_iter()
        .map(|(path, content_type, body)| Seed {
            path: path.to_string(),
            content_type,
            body,
            token: None,
        })
        .collect()
    }
}

/// One structural mutation: where (a path of child choices) and what.
#[derive(Clone, Debug)]
struct Mutation {
    path: Vec<usize>,
    what: u8,
    text: String,
}

fn replacement(what: u8, text: &str) -> Option<Value> {
    Some(match what % 14 {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(-1),
        3 => json!(0),
        4 => json!(1e308),
        5 => json!(u64::MAX),
        6 => json!(-1e-308),
        7 => json!(""),
        8 => json!(text),
        9 => json!([]),
        10 => json!({}),
        11 => json!(16_777_215),
        12 => json!([text, 1, null]),
        // Remove the node.
        _ => return None,
    })
}

fn mutate(v: &mut Value, path: &[usize], what: u8, text: &str) {
    let Some((&first, rest)) = path.split_first() else {
        if let Some(r) = replacement(what, text) {
            *v = r;
        }
        return;
    };
    match v {
        Value::Object(map) if !map.is_empty() => {
            let i = first % map.len();
            if rest.is_empty() && replacement(what, text).is_none() {
                let key = map.keys().nth(i).cloned().unwrap_or_default();
                map.shift_remove(&key);
            } else if rest.is_empty() && what % 14 == 8 {
                // A new key: unknown fields are refused, not ignored.
                map.insert(text.to_string(), json!(1));
            } else if let Some((_, child)) = map.iter_mut().nth(i) {
                mutate(child, rest, what, text);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let i = first % items.len();
            if rest.is_empty() && replacement(what, text).is_none() {
                items.remove(i);
            } else if rest.is_empty() && what % 14 == 12 {
                let copy = items[i].clone();
                items.push(copy);
            } else {
                mutate(&mut items[i], rest, what, text);
            }
        }
        other => {
            if let Some(r) = replacement(what, text) {
                *other = r;
            }
        }
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    (
        prop::collection::vec(any::<usize>(), 0..7),
        any::<u8>(),
        "[a-z0-9 _.:=-]{0,12}",
    )
        .prop_map(|(path, what, text)| Mutation { path, what, text })
}

/// Byte edits: (position, kind, byte).
fn byte_edits() -> impl Strategy<Value = Vec<(usize, u8, u8)>> {
    prop::collection::vec((any::<usize>(), 0u8..4, any::<u8>()), 0..4)
}

fn edit_bytes(bytes: &mut Vec<u8>, edits: &[(usize, u8, u8)]) {
    for &(at, kind, b) in edits {
        if bytes.is_empty() {
            bytes.push(b);
            continue;
        }
        let i = at % bytes.len();
        match kind {
            0 => bytes[i] = b,
            1 => bytes.insert(i, b),
            2 => {
                bytes.remove(i);
            }
            _ => bytes.truncate(i),
        }
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

fn app() -> &'static axum::Router {
    &fixture().app
}

/// The request of `seed` with `body`.
fn request(seed: &Seed, body: Vec<u8>) -> Request<Body> {
    let mut req = Request::post(&seed.path).header(header::CONTENT_TYPE, seed.content_type);
    if let Some(t) = &seed.token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    req.body(Body::from(body)).unwrap()
}

/// Sends one body and checks the answer.
fn check(seed: &Seed, body: Vec<u8>) -> Result<(), TestCaseError> {
    let req = request(seed, body);
    let (status, bytes, ty) = runtime().block_on(async {
        let answer = tokio::time::timeout(Duration::from_secs(60), app().clone().oneshot(req))
            .await
            .expect("no answer within 60 s")
            .unwrap();
        let status = answer.status();
        let ty = answer
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = answer.into_body().collect().await.unwrap().to_bytes();
        (status, bytes, ty)
    });
    if status.is_success() {
        if ty.starts_with("application/json") {
            prop_assert!(serde_json::from_slice::<Value>(&bytes).is_ok());
        }
        return Ok(());
    }
    prop_assert!(
        status.is_client_error() || status.is_server_error(),
        "status {status}"
    );
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| {
        TestCaseError::fail(format!(
            "{status} without a JSON error ({e}): {}",
            String::from_utf8_lossy(&bytes)
        ))
    })?;
    let code = v["error"]["code"].as_str().unwrap_or("");
    prop_assert!(!code.is_empty(), "{v}");
    // A panic on the blocking pool comes back as an internal error.
    prop_assert_ne!(code, "internal", "{}", v);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        // PROPTEST_CASES raises it (an explicit value here would win over
        // the variable).
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(64),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn request_body_fuzz_json_mutations(
        route in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let seed = &seeds()[route.index(seeds().len())];
        let mut bytes = seed.body.clone();
        if let Ok(mut v) = serde_json::from_slice::<Value>(&seed.body) {
            for m in &mutations {
                mutate(&mut v, &m.path, m.what, &m.text);
            }
            bytes = v.to_string().into_bytes();
        }
        check(seed, bytes)?;
    }

    #[test]
    fn request_body_fuzz_byte_edits(route in any::<prop::sample::Index>(), edits in byte_edits()) {
        let seed = &seeds()[route.index(seeds().len())];
        let mut bytes = seed.body.clone();
        edit_bytes(&mut bytes, &edits);
        check(seed, bytes)?;
    }
}

/// The seeds themselves succeed, so the mutations start from valid bodies
/// (the chair's revision first, then the buyer's vote on it).
#[test]
fn request_body_fuzz_seeds_are_valid() {
    for seed in &fixture().untouched {
        let path = &seed.path;
        let req = request(seed, seed.body.clone());
        let (status, bytes) = runtime().block_on(async {
            let answer = app().clone().oneshot(req).await.unwrap();
            let status = answer.status();
            (
                status,
                answer.into_body().collect().await.unwrap().to_bytes(),
            )
        });
        assert!(
            status.is_success(),
            "{path}: {status} {}",
            String::from_utf8_lossy(&bytes)
        );
    }
}
