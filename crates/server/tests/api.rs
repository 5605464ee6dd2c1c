//! The JSON API, through the router: every endpoint, bad input, limits.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use detente_server::{Config, router};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::time::Duration;
use tower::ServiceExt;

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
    /// An error reply: the status and the error code.
    fn error(&self, status: StatusCode, code: &str) -> String {
        assert_eq!(self.status, status, "{}", self.text());
        let v = self.json();
        assert_eq!(v["error"]["code"], code, "{v}");
        v["error"]["message"].as_str().unwrap().to_string()
    }
}

async fn send_with(config: Config, req: Request<Body>) -> Reply {
    let res = router(config).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

async fn get(path: &str) -> Reply {
    send_with(
        Config::default(),
        Request::get(path).body(Body::empty()).unwrap(),
    )
    .await
}

async fn post_with(config: Config, path: &str, body: Value) -> Reply {
    let req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    send_with(config, req).await
}

async fn post(path: &str, body: Value) -> Reply {
    post_with(Config::default(), path, body).await
}

async fn builtin(name: &str) -> Value {
    let r = get(&format!("/api/scenarios/{name}")).await;
    assert_eq!(r.status, StatusCode::OK);
    r.json()["scenario"].clone()
}

#[tokio::test]
async fn page_and_assets_are_served_with_a_strict_policy() {
    let r = get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("<!DOCTYPE html>"));
    let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"));
    assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    for (path, ty) in [("/app.js", "text/javascript"), ("/app.css", "text/css")] {
        let r = get(path).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with(ty)
        );
    }
    // No external resources in the page.
    for path in ["/", "/app.js", "/app.css"] {
        let t = get(path).await.text();
        assert!(!t.contains("http://") && !t.contains("https://"), "{path}");
    }
}

#[tokio::test]
async fn openapi_lists_every_endpoint() {
    let r = get("/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["openapi"], "3.1.0");
    for p in [
        "/api/scenarios",
        "/api/scenarios/{name}",
        "/api/upload",
        "/api/analyze",
        "/api/evaluate",
        "/api/forecast",
        "/api/strategies",
        "/api/negotiate",
        "/api/export/toml",
        "/api/export/report",
        "/api/rooms",
        "/api/rooms/{id}",
        "/api/rooms/{id}/seat",
        "/api/rooms/{id}/actions",
        "/api/rooms/{id}/events",
        "/api/rooms/{id}/transcript",
        "/api/rooms/{id}/report",
        "/api/rooms/{id}/stream",
        "/api/batches/{batch}",
        "/api/batches/{batch}/results.csv",
    ] {
        assert!(v["paths"][p].is_object(), "{p} missing");
    }
}

#[tokio::test]
async fn lists_and_gets_builtin_scenarios() {
    let v = get("/api/scenarios").await.json();
    assert_eq!(v["default"], "peace-talks");
    let names: Vec<&str> = v["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"peace-talks") && names.contains(&"car-sale"));
    let s = builtin("peace-talks").await;
    assert_eq!(s["name"], "peace-talks");
    assert!(s["forecast"].is_object());
    let m = get("/api/scenarios/nope")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    assert!(m.contains("car-sale"));
}

#[tokio::test]
async fn analyze_returns_the_analysis_and_charts() {
    let s = builtin("car-sale").await;
    let r = post("/api/analyze", json!({"scenario": s})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["analysis"]["outcome_count"], 84);
    assert_eq!(v["analysis"]["bargainers"], json!(["buyer", "dealer"]));
    assert!(v["analysis"]["solutions"]["nash"]["outcome"]["price"].is_number());
    let chart = &v["charts"][0];
    assert_eq!(chart["id"], "utility-space");
    assert!(chart["svg"].as_str().unwrap().starts_with("<svg"));
    assert!(!chart["reading"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_changed_weight_changes_the_frontier() {
    let mut s = builtin("car-sale").await;
    let before = post("/api/analyze", json!({"scenario": s, "charts": false}))
        .await
        .json();
    s["parties"][0]["weights"]["warranty"] = json!(20);
    let after = post("/api/analyze", json!({"scenario": s, "charts": false}))
        .await
        .json();
    assert_ne!(before["analysis"]["pareto"], after["analysis"]["pareto"]);
}

#[tokio::test]
async fn analyze_accepts_toml_text() {
    let text = detente_formats::builtin::text("job-offer").unwrap();
    let r = post("/api/analyze", json!({"scenario": text, "charts": false})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["analysis"]["scenario"], "job-offer");
}

#[tokio::test]
async fn analyze_rejects_bad_input_with_json_errors() {
    // Not JSON.
    let req = Request::post("/api/analyze")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{nope"))
        .unwrap();
    send_with(Config::default(), req)
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
    // Missing scenario; unknown field.
    post("/api/analyze", json!({}))
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
    let s = builtin("car-sale").await;
    post("/api/analyze", json!({"scenario": s, "colour": 1}))
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
    post(
        "/api/analyze",
        json!({"scenario": s, "disagreement": "nope"}),
    )
    .await
    .error(StatusCode::BAD_REQUEST, "bad_request");
    post("/api/analyze", json!({"scenario": s, "at_time": 2.0}))
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
    // An invalid scenario names the problem.
    let mut bad = s.clone();
    bad["parties"][0]["weights"]["colour"] = json!(1);
    let m = post("/api/analyze", json!({"scenario": bad}))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_scenario");
    assert!(m.contains("colour"), "{m}");
    let m = post("/api/analyze", json!({"scenario": "version = 1\nname = "}))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_scenario");
    assert!(m.contains("scenario:2"), "{m}");
}

#[tokio::test]
async fn evaluate_gives_verdicts_red_lines_and_repairs() {
    let s = builtin("peace-talks").await;
    let r = post(
        "/api/evaluate",
        json!({"scenario": s, "proposal": "mediator-draft"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    let e = &v["evaluation"];
    assert_eq!(e["acceptable_to_all"], false);
    let ukraine = e["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "ukraine")
        .unwrap();
    assert_eq!(ukraine["accepts"], false);
    assert_eq!(
        ukraine["red_lines_crossed"][0]["issues"],
        json!(["unheld_donetsk"])
    );
    assert_eq!(e["repairs"][0]["changes"][0]["to"], "ukraine-stays");
    assert!(
        v["reading"]
            .as_str()
            .unwrap()
            .contains("red line on unheld_donetsk")
    );
    assert!(v["charts"][0]["svg"].as_str().unwrap().contains("repair 1"));
    // Edited values over the named proposal make it acceptable.
    let v = post(
        "/api/evaluate",
        json!({"scenario": s, "proposal": "mediator-draft", "outcome": {"unheld_donetsk": "ukraine-stays"}, "charts": false}),
    )
    .await
    .json();
    assert_eq!(v["evaluation"]["acceptable_to_all"], true);
    // A fully custom outcome, numbers for numeric issues.
    let cs = builtin("car-sale").await;
    let v = post(
        "/api/evaluate",
        json!({"scenario": cs, "outcome": {"price": 17, "warranty": "12-months", "delivery": "next-week"}, "charts": false}),
    )
    .await
    .json();
    assert_eq!(v["evaluation"]["proposal"], "custom");
    assert_eq!(v["evaluation"]["outcome"]["price"], 17);
}

#[tokio::test]
async fn evaluate_rejects_bad_proposals() {
    let s = builtin("car-sale").await;
    let m = post("/api/evaluate", json!({"scenario": s, "proposal": "nope"}))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable");
    assert!(m.contains("sticker"));
    let m = post(
        "/api/evaluate",
        json!({"scenario": s, "outcome": {"price": 17}}),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable");
    assert!(m.contains("warranty") && m.contains("delivery"), "{m}");
    post(
        "/api/evaluate",
        json!({"scenario": s, "outcome": {"price": 99, "warranty": "none", "delivery": "today"}}),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable");
    post(
        "/api/evaluate",
        json!({"scenario": s, "outcome": {"colour": "red"}}),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable");
    post(
        "/api/evaluate",
        json!({"scenario": s, "outcome": {"price": [1]}}),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable");
}

#[tokio::test]
async fn forecast_runs_the_scenario_model() {
    let s = builtin("peace-talks").await;
    let r = post("/api/forecast", json!({"scenario": s})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    // The forecast has the CLI's form (`detente forecast --json`).
    assert!(v["forecast"]["num_turns"].as_u64().unwrap() >= 1);
    assert_eq!(
        v["forecast"]["forecast"].as_array().unwrap().len(),
        v["forecast"]["dimensions"].as_array().unwrap().len()
    );
    assert_eq!(v["charts"][0]["id"], "forecast");
    let cs = builtin("car-sale").await;
    let m = post("/api/forecast", json!({"scenario": cs}))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable");
    assert!(m.contains("no forecasting model"));
}

#[tokio::test]
async fn exports_toml_that_reads_back_and_a_report() {
    let mut s = builtin("car-sale").await;
    s["parties"][0]["reservation"] = json!(0.42);
    let r = post("/api/export/toml", json!({"scenario": s})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("car-sale.toml")
    );
    let back = detente_formats::native::read_str(&r.text(), "x.toml").unwrap();
    assert_eq!(back.reservation(detente_core::PartyId(0)), 0.42);

    let r = post(
        "/api/export/report",
        json!({"scenario": s, "proposal": "sticker"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        r.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("car-sale.html")
    );
    let html = r.text();
    assert!(html.contains("Proposal: sticker") && html.contains("<svg"));
    let pt = builtin("peace-talks").await;
    let html = post(
        "/api/export/report",
        json!({"scenario": pt, "forecast": true}),
    )
    .await
    .text();
    assert!(html.contains(r#"<figure id="forecast">"#));
    post(
        "/api/export/report",
        json!({"scenario": s, "forecast": true}),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable");
}

#[tokio::test]
async fn upload_reads_a_file_in_a_temporary_folder() {
    let text = detente_formats::builtin::text("water-sharing").unwrap();
    let req = Request::post("/api/upload?filename=my%20talks.toml")
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(text))
        .unwrap();
    let r = send_with(Config::default(), req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["scenario"]["name"], "water-sharing");
    // Errors name the user's file, not the temporary path.
    let req = Request::post("/api/upload?filename=bad.toml")
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from("name = 3"))
        .unwrap();
    let m = send_with(Config::default(), req)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_scenario");
    assert!(m.contains("bad.toml") && !m.contains("upload.toml"), "{m}");
    let req = Request::post("/api/upload")
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::empty())
        .unwrap();
    send_with(Config::default(), req)
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn limits_answer_with_json_errors() {
    // Body size.
    let small = Config {
        max_body_bytes: 1000,
        ..Config::default()
    };
    let s = builtin("peace-talks").await;
    let m = post_with(small.clone(), "/api/analyze", json!({"scenario": s}))
        .await
        .error(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large");
    assert!(m.contains("1000"));
    let req = Request::post("/api/upload?filename=x.toml")
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(vec![b'#'; 2000]))
        .unwrap();
    send_with(small, req)
        .await
        .error(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large");
    // Outcome space: peace-talks has interaction terms, so its 11,664
    // outcomes must be enumerated.
    let tiny = Config {
        max_outcomes: 1000,
        ..Config::default()
    };
    let m = post_with(tiny, "/api/analyze", json!({"scenario": s}))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "outcome_space_too_large");
    assert!(m.contains("enumeration limit of 1000"), "{m}");
    // Time budget.
    let hurried = Config {
        time_budget: Duration::ZERO,
        ..Config::default()
    };
    post_with(hurried, "/api/analyze", json!({"scenario": s}))
        .await
        .error(StatusCode::SERVICE_UNAVAILABLE, "time_budget_exceeded");
}

#[tokio::test]
async fn foreign_hosts_and_unknown_paths_are_refused() {
    let req = Request::get("/api/scenarios")
        .header(header::HOST, "evil.example:8080")
        .body(Body::empty())
        .unwrap();
    send_with(Config::default(), req)
        .await
        .error(StatusCode::FORBIDDEN, "forbidden_host");
    let req = Request::get("/api/scenarios")
        .header(header::HOST, "127.0.0.1:8080")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        send_with(Config::default(), req).await.status,
        StatusCode::OK
    );
    let open = Config {
        allowed_hosts: vec!["lan-host".into()],
        ..Config::default()
    };
    let req = Request::get("/api/scenarios")
        .header(header::HOST, "lan-host:8080")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send_with(open, req).await.status, StatusCode::OK);
    get("/api/nope")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    // Wrong method.
    let r = send_with(
        Config::default(),
        Request::get("/api/analyze").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn lists_strategies() {
    let v = get("/api/strategies").await.json();
    let names: Vec<&str> = v["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"boulware") && names.contains(&"conceder"),
        "{names:?}"
    );
}

#[tokio::test]
async fn negotiate_runs_a_traced_session_with_charts() {
    let s = builtin("car-sale").await;
    let body = json!({"scenario": s, "protocol": "alternating", "strategies": ["boulware", "conceder"], "rounds": 50, "seed": 3});
    let r = post("/api/negotiate", body.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["result"]["protocol"], "alternating");
    // The result has the CLI's form: strategies and utilities in party order.
    assert_eq!(v["result"]["strategies"][0], "boulware");
    let trace = v["trace"].as_array().unwrap();
    assert!(!trace.is_empty());
    assert_eq!(trace[0]["action"], "offer");
    assert!(trace[0]["outcome"]["price"].is_number());
    let ids: Vec<&str> = v["charts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["negotiation-offers", "negotiation-rounds"]);
    // Two parties: the frontier is drawn behind the offers.
    assert!(
        v["charts"][0]["svg"]
            .as_str()
            .unwrap()
            .contains(r#"class="frontier""#)
    );
    // Same seed, same session.
    assert_eq!(post("/api/negotiate", body).await.json(), v);
    // An empty strategy keeps the party's default (linear for the dealer).
    let v = post(
        "/api/negotiate",
        json!({"scenario": s, "strategies": ["conceder", ""], "charts": false}),
    )
    .await
    .json();
    assert_eq!(v["result"]["strategies"][1], "linear");
    // The default protocol of a scenario with a mediator is mediated.
    let pt = builtin("peace-talks").await;
    let v = post(
        "/api/negotiate",
        json!({"scenario": pt, "rounds": 30, "charts": false}),
    )
    .await
    .json();
    assert_eq!(v["result"]["protocol"], "mediated");
}

#[tokio::test]
async fn negotiate_rejects_bad_settings() {
    let s = builtin("car-sale").await;
    post(
        "/api/negotiate",
        json!({"scenario": s, "protocol": "auction"}),
    )
    .await
    .error(StatusCode::BAD_REQUEST, "bad_request");
    post("/api/negotiate", json!({"scenario": s, "rounds": 0}))
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
    post(
        "/api/negotiate",
        json!({"scenario": s, "rounds": 1_000_000}),
    )
    .await
    .error(StatusCode::BAD_REQUEST, "bad_request");
    let m = post(
        "/api/negotiate",
        json!({"scenario": s, "strategies": ["nope", "conceder"]}),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable");
    assert!(m.contains("nope"));
    post(
        "/api/negotiate",
        json!({"scenario": s, "strategies": ["boulware"]}),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable");
    let pt = builtin("peace-talks").await;
    let m = post(
        "/api/negotiate",
        json!({"scenario": pt, "protocol": "alternating"}),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable");
    assert!(m.contains("bilateral"), "{m}");
}

/// The answers carry the CLI's forms: each result validates against its
/// kind in `detente schema --results`.
#[tokio::test]
async fn answers_validate_against_the_schema_of_results() {
    let schema = detente_results::schema();
    let kind = |name: &str, v: &Value| {
        let mut one = schema["$defs"][name].clone();
        one["$defs"] = schema["$defs"].clone();
        let validator = jsonschema::validator_for(&one).unwrap();
        let errors: Vec<String> = validator.iter_errors(v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "not a {name}: {errors:?}\n{v}");
    };
    let s = builtin("car-sale").await;
    let pt = builtin("peace-talks").await;
    let v = post("/api/analyze", json!({"scenario": s, "charts": false}))
        .await
        .json();
    kind("Analysis", &v["analysis"]);
    let v = post("/api/evaluate", json!({"scenario": s, "charts": false}))
        .await
        .json();
    kind("Evaluation", &v["evaluation"]);
    for scenario in [&s, &pt] {
        let v = post(
            "/api/negotiate",
            json!({"scenario": scenario, "rounds": 30, "charts": false}),
        )
        .await
        .json();
        kind("Negotiation", &v["result"]);
        for e in v["trace"].as_array().unwrap() {
            kind("TraceEvent", e);
        }
    }
    let v = post("/api/forecast", json!({"scenario": pt})).await.json();
    kind("Forecast", &v["forecast"]);
    for e in get("/api/scenarios").await.json()["scenarios"]
        .as_array()
        .unwrap()
    {
        kind("ScenarioEntry", e);
    }
    for e in get("/api/strategies").await.json()["strategies"]
        .as_array()
        .unwrap()
    {
        kind("StrategyEntry", e);
    }
}

/// `samples` adds the robust objects of `--samples` to analyses and
/// evaluations, the same numbers as the CLI's for the same seed.
#[tokio::test]
async fn samples_add_how_sure_the_verdicts_are() {
    let s = builtin("peace-talks").await;
    let r = post(
        "/api/evaluate",
        json!({"scenario": s, "proposal": "mediator-draft", "samples": 500, "seed": 3, "charts": false}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let robust = &r.json()["evaluation"]["robust"];
    assert_eq!(robust["samples"], 500);
    assert_eq!(robust["seed"], 3);
    assert!(robust["all_accept"]["p"].is_number() && robust["all_accept"]["se"].is_number());
    assert!(!robust["thresholds"].as_array().unwrap().is_empty());
    let r = post(
        "/api/analyze",
        json!({"scenario": s, "samples": 500, "charts": false}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.json()["analysis"]["robust"]["zone_nonempty"]["p"].is_number());
    let m = post(
        "/api/evaluate",
        json!({"scenario": s, "samples": 1_000_000}),
    )
    .await
    .error(StatusCode::BAD_REQUEST, "bad_request");
    assert!(m.contains("samples"), "{m}");
}

/// With samples, the answers carry the report's charts of them (the library
/// draws, the server sends, the page inserts): the outcomes coloured by
/// their chance for an analysis, acceptance by party and the tornado of
/// thresholds for an evaluation, each with its reading; without, none.
#[tokio::test]
async fn samples_add_the_reports_charts_of_them() {
    let s = builtin("peace-talks").await;
    let ids = |v: &Value| -> Vec<String> {
        v["charts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    let chart = |v: &Value, id: &str| -> Value {
        v["charts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no chart {id}"))
    };
    let r = post(
        "/api/evaluate",
        json!({"scenario": s, "proposal": "mediator-draft", "samples": 500, "seed": 3}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    let ids_with = ids(&v);
    assert!(ids_with.contains(&"acceptance".to_string()), "{ids_with:?}");
    assert!(ids_with.contains(&"tornado".to_string()), "{ids_with:?}");
    let acceptance = chart(&v, "acceptance");
    assert!(
        acceptance["svg"]
            .as_str()
            .unwrap()
            .contains("chart acceptance")
    );
    let reading = acceptance["reading"].to_string();
    assert!(
        reading.contains("accepts mediator-draft in") && reading.contains("% ± "),
        "{reading}"
    );
    let tornado = chart(&v, "tornado")["reading"].to_string();
    assert!(tornado.contains("the verdict flips if"), "{tornado}");
    let r = post(
        "/api/evaluate",
        json!({"scenario": s, "proposal": "mediator-draft"}),
    )
    .await;
    let without = ids(&r.json());
    assert!(
        !without.iter().any(|i| i == "acceptance" || i == "tornado"),
        "{without:?}"
    );

    let r = post("/api/analyze", json!({"scenario": s, "samples": 500})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    let chance = chart(&v, "chance");
    assert!(chance["svg"].as_str().unwrap().contains("robust-deal"));
    assert!(
        chance["reading"][0]
            .as_str()
            .unwrap()
            .starts_with("Some deal is acceptable to every party in"),
        "{}",
        chance["reading"]
    );
    let r = post("/api/analyze", json!({"scenario": s})).await;
    assert!(!ids(&r.json()).contains(&"chance".to_string()));
}
