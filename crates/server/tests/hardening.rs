//! Regression tests for the issue "hostile input, hostile pages": a page on
//! another origin cannot make the local server do work, and no request can
//! hold a thread, a job slot, a connection or gigabytes of memory for long.
//! Each test is named after the item of the issue it covers.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use detente_server::{Config, router};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::Duration;
use tower::ServiceExt;

struct Reply {
    status: StatusCode,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn error(&self, status: StatusCode, code: &str) -> String {
        let v = self.json();
        assert_eq!(self.status, status, "{v}");
        assert_eq!(v["error"]["code"], code, "{v}");
        v["error"]["message"].as_str().unwrap().to_string()
    }
}

async fn send(app: &axum::Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply { status, body }
}

fn post_json(path: &str, body: &Value) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// A small deterministic generator (no test depends on a global RNG).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Like the ANAC 2014 50-issue domain: `n` issues of 10 values and two
/// parties with `boxes` random boxes each, so the exact branch and bound runs
/// for far longer than any test's budget (about 30 s on two busy cores,
/// when the search gives up at its node limit).
fn heavy_scenario(n: u64, boxes: usize) -> Value {
    let issues: Vec<Value> = (0..n)
        .map(|i| json!({"name": format!("i{i}"), "kind": "integer", "min": 0, "max": 9}))
        .collect();
    let mut rng = Lcg(7);
    let parties: Vec<Value> = (0..2)
        .map(|p| {
            let boxes: Vec<Value> = (0..boxes)
                .map(|_| {
                    let mut within = serde_json::Map::new();
                    for _ in 0..2 + rng.below(3) {
                        let lo = rng.below(10);
                        let hi = lo + rng.below(10 - lo);
                        within.insert(format!("i{}", rng.below(n)), json!({"min": lo, "max": hi}));
                    }
                    json!({"utility": 1 + rng.below(100), "within": within})
                })
                .collect();
            json!({
                "name": format!("p{p}"),
                "reservation": 0.0,
                "normalisation": "capped-at-one",
                "boxes": {"max_utility": 2500.0, "boxes": boxes},
            })
        })
        .collect();
    json!({"version": 1, "name": "heavy", "issues": issues, "parties": parties})
}

/// Two parties opposed on one integer issue with `values` values: every
/// value is efficient, so the frontier has as many points.
fn opposed_integer(values: u64) -> String {
    format!(
        r#"version = 1
name = "t"
[[issues]]
name = "a"
options = ["x", "y", "z"]
[[issues]]
name = "b"
kind = "integer"
min = 0
max = {max}

[[parties]]
name = "p"
reservation = 0.2
weights = {{ a = 1, b = 1 }}
values.a = {{ x = 0, y = 0.5, z = 1 }}
values.b = "increasing"

[[parties]]
name = "q"
reservation = 0.2
weights = {{ a = 1, b = 2 }}
values.a = {{ x = 1, y = 0.5, z = 0 }}
values.b = "decreasing"
"#,
        max = values - 1
    )
}

async fn car_sale() -> Value {
    let app = router(Config::default());
    let r = send(
        &app,
        Request::get("/api/scenarios/car-sale")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    r.json()["scenario"].clone()
}

fn cheap_request(scenario: &Value) -> Value {
    json!({"scenario": scenario, "charts": false})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellable_budget_frees_the_job_slot() {
    // One job slot and a short budget: if the heavy computation went on
    // after its 503, the cheap request would wait for the slot past its own
    // budget and fail too.
    let app = router(Config {
        time_budget: Duration::from_millis(400),
        max_concurrent_jobs: 1,
        ..Config::default()
    });
    let heavy = json!({"scenario": heavy_scenario(40, 200), "charts": false});
    for path in ["/api/analyze", "/api/evaluate", "/api/export/report"] {
        let body = if path == "/api/evaluate" {
            let mut b = heavy.clone();
            b["outcome"] = json!(
                (0..40)
                    .map(|i| (format!("i{i}"), json!(0)))
                    .collect::<serde_json::Map<_, _>>()
            );
            b
        } else if path == "/api/export/report" {
            json!({"scenario": heavy["scenario"]})
        } else {
            heavy.clone()
        };
        let m = send(&app, post_json(path, &body))
            .await
            .error(StatusCode::SERVICE_UNAVAILABLE, "time_budget_exceeded");
        assert!(m.contains("0.4 s"), "{m}");
        let s = car_sale().await;
        let r = send(&app, post_json("/api/analyze", &cheap_request(&s))).await;
        assert_eq!(r.status, StatusCode::OK, "after {path}: {}", r.json());
    }
}

/// Starts the real server on a free loopback port.
async fn start(config: Config) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(detente_server::serve(listener, config));
    addr
}

/// A raw HTTP/1.1 request, as bytes.
fn raw_post(addr: SocketAddr, path: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Sends `request` on a new connection and reads until the server closes
/// it (or `wait` passes, which fails the test).
fn exchange(addr: SocketAddr, request: &[u8], wait: Duration) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(wait)).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out)
        .unwrap_or_else(|e| panic!("no complete answer within {wait:?}: {e}"));
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellable_budget_stops_when_the_client_goes_away() {
    // A long budget: only the client's departure can stop the heavy job.
    let addr = start(Config {
        time_budget: Duration::from_secs(600),
        max_concurrent_jobs: 1,
        ..Config::default()
    })
    .await;
    let heavy = json!({"scenario": heavy_scenario(60, 600), "charts": false}).to_string();
    let cheap = cheap_request(&car_sale().await).to_string();
    tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(&raw_post(addr, "/api/analyze", &heavy))
            .unwrap();
        // Let the job start, then leave.
        std::thread::sleep(Duration::from_millis(500));
        drop(s);
        let reply = exchange(
            addr,
            &raw_post(addr, "/api/analyze", &cheap),
            // Far less than the heavy job needs to finish by itself (it
            // stops at the search's node limit after about 30 s here).
            Duration::from_secs(5),
        );
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn memory_per_request_bounded() {
    let app = router(Config::default());
    // 2^24 values: refused before the scenario is built.
    let m = send(
        &app,
        post_json(
            "/api/analyze",
            &json!({"scenario": opposed_integer(1 << 24), "charts": false}),
        ),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "outcome_space_too_large");
    assert!(
        m.contains("16777219 values") && m.contains("utility tables"),
        "{m}"
    );
    // 10^6 values: a frontier of three million points, refused by the
    // analysis budget as soon as it outgrows the limit.
    let m = send(
        &app,
        post_json(
            "/api/analyze",
            &json!({"scenario": opposed_integer(1_000_000), "charts": false}),
        ),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "outcome_space_too_large");
    assert!(
        m.contains("Pareto frontier has more than 100000 points"),
        "{m}"
    );
    // The additive method's candidates: a smaller budget refuses the
    // 10^6-value issue up front.
    let app = router(Config {
        analysis_budget: detente_analysis::Budget {
            max_candidate_cells: 1_000_000,
            ..detente_analysis::Budget::default()
        },
        ..Config::default()
    });
    let m = send(
        &app,
        post_json(
            "/api/evaluate",
            &json!({"scenario": opposed_integer(1_000_000), "outcome": {"a": "x", "b": 3}}),
        ),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "outcome_space_too_large");
    assert!(m.contains("issue `b` has 1000000 values"), "{m}");
    // A small space still answers.
    let r = send(
        &app,
        post_json(
            "/api/analyze",
            &json!({"scenario": opposed_integer(1000), "charts": false}),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["analysis"]["pareto"]["count"], 1500);
}

#[tokio::test]
async fn memory_per_request_bounded_negotiation_and_upload() {
    // Forty parties over 2^21 outcomes: sorting every party's outcomes
    // before the session would take over a gigabyte.
    let issues: Vec<Value> = (0..3)
        .map(|i| json!({"name": format!("i{i}"), "kind": "integer", "min": 0, "max": 127}))
        .collect();
    let parties: Vec<Value> = (0..40)
        .map(|p| {
            json!({
                "name": format!("p{p}"),
                "weights": {"i0": 1 + p % 3, "i1": 1, "i2": 1 + p % 2},
                "values": {
                    "i0": if p % 2 == 0 { "increasing" } else { "decreasing" },
                    "i1": "increasing",
                    "i2": "decreasing",
                },
            })
        })
        .collect();
    let scenario = json!({"version": 1, "name": "crowd", "issues": issues, "parties": parties});
    let app = router(Config::default());
    let m = send(
        &app,
        post_json(
            "/api/negotiate",
            &json!({"scenario": scenario, "rounds": 10, "charts": false}),
        ),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "outcome_space_too_large");
    assert!(m.contains("40 parties × 2097152 outcomes"), "{m}");
    // An uploaded native file is checked before it is read, like a body.
    let m = send(
        &app,
        with_headers(
            "/api/upload?filename=big.toml",
            &opposed_integer(1 << 24),
            &[("content-type", "application/octet-stream")],
        ),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "outcome_space_too_large");
    assert!(m.contains("utility tables"), "{m}");
}

fn with_headers(path: &str, body: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut req = Request::post(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.body(Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn origin_and_content_type() {
    let app = router(Config::default());
    let body = cheap_request(&car_sale().await).to_string();
    let json_type = ("content-type", "application/json");
    // A cross-origin "simple request": text/plain, or no type at all.
    for ty in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        send(
            &app,
            with_headers("/api/analyze", &body, &[("content-type", ty)]),
        )
        .await
        .error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    }
    send(&app, with_headers("/api/analyze", &body, &[]))
        .await
        .error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    // Another origin, even with the right type (a preflight would stop a
    // browser; this is for anything else).
    let m = send(
        &app,
        with_headers(
            "/api/analyze",
            &body,
            &[
                json_type,
                ("host", "127.0.0.1:8080"),
                ("origin", "http://evil.example"),
            ],
        ),
    )
    .await
    .error(StatusCode::FORBIDDEN, "forbidden_origin");
    assert!(m.contains("evil.example"), "{m}");
    // Another port of this machine is another origin.
    send(
        &app,
        with_headers(
            "/api/analyze",
            &body,
            &[
                json_type,
                ("host", "localhost:8080"),
                ("origin", "http://localhost:3000"),
            ],
        ),
    )
    .await
    .error(StatusCode::FORBIDDEN, "forbidden_origin");
    send(
        &app,
        with_headers(
            "/api/analyze",
            &body,
            &[json_type, ("sec-fetch-site", "cross-site")],
        ),
    )
    .await
    .error(StatusCode::FORBIDDEN, "forbidden_origin");
    // The server's own page.
    let own = send(
        &app,
        with_headers(
            "/api/analyze",
            &body,
            &[
                ("content-type", "application/json; charset=utf-8"),
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:8080"),
                ("sec-fetch-site", "same-origin"),
            ],
        ),
    )
    .await;
    assert_eq!(own.status, StatusCode::OK);
    // An origin allowed on the command line.
    let allowing = router(Config {
        allowed_origins: vec!["http://localhost:3000".into()],
        ..Config::default()
    });
    let r = send(
        &allowing,
        with_headers(
            "/api/analyze",
            &body,
            &[
                json_type,
                ("host", "localhost:8080"),
                ("origin", "http://localhost:3000"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    // Uploads take the file's bytes as application/octet-stream, with the
    // same origin checks.
    let text = detente_formats::builtin::text("car-sale").unwrap();
    let octets = ("content-type", "application/octet-stream");
    let r = send(
        &app,
        with_headers("/api/upload?filename=c.toml", text, &[octets]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    send(
        &app,
        with_headers(
            "/api/upload?filename=c.toml",
            text,
            &[("content-type", "text/plain")],
        ),
    )
    .await
    .error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    send(
        &app,
        with_headers(
            "/api/upload?filename=c.toml",
            text,
            &[octets, ("origin", "null")],
        ),
    )
    .await
    .error(StatusCode::FORBIDDEN, "forbidden_origin");
    // Octet streams are for uploads only.
    send(&app, with_headers("/api/analyze", &body, &[octets]))
        .await
        .error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    // GET routes do nothing expensive and stay simple.
    let r = send(
        &app,
        Request::get("/api/scenarios")
            .header("origin", "http://evil.example")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn get_with_host(config: Config, host: &str) -> StatusCode {
    let app = router(config);
    send(
        &app,
        Request::get("/api/strategies")
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .status
}

#[tokio::test]
async fn host_checking() {
    let bound = |ip: &str, allow: &[&str]| Config {
        bind: ip.parse::<IpAddr>().unwrap(),
        allowed_hosts: allow.iter().map(|s| s.to_string()).collect(),
        ..Config::default()
    };
    // Another loopback address: its literal and localhost.
    for (host, ok) in [
        ("127.0.0.2:8080", true),
        ("localhost:8080", true),
        ("127.0.0.3:8080", false),
        ("rebind.evil.example:8080", false),
    ] {
        let want = if ok {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(
            get_with_host(bound("127.0.0.2", &[]), host).await,
            want,
            "{host}"
        );
    }
    // All addresses: IP literals, but no DNS name that was not allowed.
    for (host, ok) in [
        ("192.168.1.5:8080", true),
        ("[fe80::1]:8080", true),
        ("rebind.evil.example:8080", false),
        ("localhost:8080", false),
        ("workbench.lan:8080", true),
    ] {
        let want = if ok {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(
            get_with_host(bound("0.0.0.0", &["workbench.lan"]), host).await,
            want,
            "{host}"
        );
    }
    // A network address: only itself and the allowed names.
    assert_eq!(
        get_with_host(bound("10.0.0.7", &[]), "10.0.0.7:80").await,
        StatusCode::OK
    );
    assert_eq!(
        get_with_host(bound("10.0.0.7", &[]), "10.0.0.8:80").await,
        StatusCode::FORBIDDEN
    );
}

fn quick() -> Config {
    Config {
        header_read_timeout: Duration::from_millis(300),
        body_read_timeout: Duration::from_millis(300),
        ..Config::default()
    }
}

/// Reads until the server closes the connection; `None` if it has not
/// within `wait`.
fn read_until_closed(s: &mut TcpStream, wait: Duration) -> Option<String> {
    s.set_read_timeout(Some(wait)).unwrap();
    let mut out = Vec::new();
    match s.read_to_end(&mut out) {
        Ok(_) => Some(String::from_utf8_lossy(&out).into_owned()),
        // A reset is a close too.
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
            Some(String::from_utf8_lossy(&out).into_owned())
        }
        Err(_) => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeouts_and_connection_limits() {
    let addr = start(quick()).await;
    tokio::task::spawn_blocking(move || {
        // 200 half-sent requests are all closed by the server.
        let mut half: Vec<TcpStream> = (0..200)
            .map(|_| {
                let mut s = TcpStream::connect(addr).unwrap();
                s.write_all(b"POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-")
                    .unwrap();
                s
            })
            .collect();
        for s in &mut half {
            assert!(
                read_until_closed(s, Duration::from_secs(20)).is_some(),
                "a half-sent request stayed open"
            );
        }
        // An idle connection is closed too.
        let mut idle = TcpStream::connect(addr).unwrap();
        assert!(read_until_closed(&mut idle, Duration::from_secs(20)).is_some());
        // A body shorter than its Content-Length: a 408, and the
        // connection closed.
        let mut short = TcpStream::connect(addr).unwrap();
        short
            .write_all(
                format!(
                    "POST /api/analyze HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"scenario\""
                )
                .as_bytes(),
            )
            .unwrap();
        let reply = read_until_closed(&mut short, Duration::from_secs(20))
            .expect("a short body held the connection");
        assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
        assert!(reply.contains("request_timeout"), "{reply}");
        // So is a GET whose announced body never comes.
        let mut short = TcpStream::connect(addr).unwrap();
        short
            .write_all(
                format!("GET /api/strategies HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 1000\r\n\r\n{{")
                    .as_bytes(),
            )
            .unwrap();
        assert!(
            read_until_closed(&mut short, Duration::from_secs(20)).is_some(),
            "a GET with a short body held the connection"
        );
        // The server still answers.
        let reply = exchange(
            addr,
            format!("GET /api/strategies HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
            Duration::from_secs(20),
        );
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeouts_and_connection_limits_cap_open_connections() {
    // Four connections at most: four idle clients fill the server, a fifth
    // waits in the listen queue until the idle ones time out, then is
    // served.
    let addr = start(Config {
        max_connections: 4,
        ..quick()
    })
    .await;
    tokio::task::spawn_blocking(move || {
        let idle: Vec<TcpStream> = (0..4).map(|_| TcpStream::connect(addr).unwrap()).collect();
        let reply = exchange(
            addr,
            format!("GET /api/strategies HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
            Duration::from_secs(20),
        );
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
        drop(idle);
    })
    .await
    .unwrap();
    assert!(Config::default().max_connections <= 512);
}
