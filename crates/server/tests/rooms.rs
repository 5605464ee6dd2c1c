//! Rooms over HTTP: the API as the issue lists it, and every route tried
//! with no token, a wrong one, another room's, another seat's and the
//! facilitator's.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use detente_server::{Config, router_with_rooms};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

struct App {
    app: axum::Router,
    _dir: tempfile::TempDir,
}

fn app(config: Config) -> App {
    let dir = tempfile::tempdir().unwrap();
    let rooms =
        detente_rooms::Rooms::open(&dir.path().join("rooms.db"), Default::default()).unwrap();
    App {
        app: router_with_rooms(config, Some(Arc::new(rooms))),
        _dir: dir,
    }
}

async fn send(
    app: &App,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "localhost");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string()))
            .unwrap(),
        None => req.body(Body::empty()).unwrap(),
    };
    let res = app.app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    if res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v == "text/event-stream")
    {
        return (status, Value::Null);
    }
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let v = serde_json::from_slice(&bytes)
        .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, v)
}

fn car_sale(buyer: &str, dealer: &str) -> Value {
    json!({"scenario": "car-sale", "protocol": "alternating", "rounds": 20,
           "seats": [{"party": "buyer", "player": buyer}, {"party": "dealer", "player": dealer}]})
}

#[tokio::test]
async fn the_api_as_the_issue_lists_it() {
    let app = app(Config::default());
    let (s, r) = send(
        &app,
        "POST",
        "/api/rooms",
        None,
        Some(car_sale("human", "boulware")),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let id = r["room"].as_str().unwrap();
    assert!(r["facilitator_token"].as_str().unwrap().len() >= 32);
    let seats = r["seats"].as_array().unwrap();
    assert_eq!(seats.len(), 1, "tokens only for people's seats");
    assert_eq!(seats[0]["party"], "buyer");
    let token = seats[0]["token"].as_str().unwrap();
    // The link is absolute, from the request's Host; `path` is its path.
    let link = seats[0]["link"].as_str().unwrap();
    assert!(link.starts_with("http://localhost/seat#room="), "{link}");
    assert!(link.ends_with(&format!("&token={token}")), "{link}");
    assert_eq!(
        link,
        format!("http://localhost{}", seats[0]["path"].as_str().unwrap())
    );
    let (s, v) = send(
        &app,
        "GET",
        &format!("/api/rooms/{id}/seat"),
        Some(token),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["party"], "buyer");
    assert_eq!(v["turn"]["yours"], true);
    let path = format!("/api/rooms/{id}/actions");
    let (s, v) = send(
        &app,
        "POST",
        &path,
        Some(token),
        Some(json!({"type": "accept"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["error"]["code"], "illegal_action");
    assert!(v["error"]["message"].as_str().unwrap().contains("no offer"));
    let offer =
        json!({"type": "offer", "outcome": {"price": 14, "warranty": "none", "delivery": "today"}});
    let (s, v) = send(&app, "POST", &path, Some(token), Some(offer)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // The dealer (boulware) answered at once.
    assert_eq!(v["history"].as_array().unwrap().len(), 2);
    // An update from entry 1: the rest of the history, no unchanging parts.
    let (s, u) = send(
        &app,
        "GET",
        &format!("/api/rooms/{id}/seat?since=1"),
        Some(token),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{u}");
    assert_eq!(u["history_from"], 1);
    assert_eq!(u["history"][0], v["history"][1]);
    assert!(u.get("you").is_none() && u.get("issues").is_none());
    assert_eq!(u["turn"], v["turn"]);
    for bad in ["-1", "x", ""] {
        let (s, e) = send(
            &app,
            "GET",
            &format!("/api/rooms/{id}/seat?since={bad}"),
            Some(token),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {e}");
        assert!(
            e["error"]["message"].as_str().unwrap().contains("since"),
            "{e}"
        );
    }
    let (s, v) = send(
        &app,
        "POST",
        &path,
        Some(token),
        Some(json!({"type": "offer", "outcome": {"price": "cheap"}})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (s, _) = send(
        &app,
        "POST",
        &path,
        Some(token),
        Some(json!({"type": "dance"})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, v) = send(
        &app,
        "POST",
        &path,
        Some(token),
        Some(json!({"type": "end"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["status"], "over");
    let fac = r["facilitator_token"].as_str().unwrap();
    let (s, v) = send(
        &app,
        "GET",
        &format!("/api/rooms/{id}/events"),
        Some(fac),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["events"].as_array().unwrap().len(), 2);
    let (s, v) = send(
        &app,
        "GET",
        &format!("/api/rooms/{id}/transcript"),
        Some(fac),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["session"]["end_reason"], "walkaway");
    let (s, v) = send(
        &app,
        "GET",
        &format!("/api/rooms/{id}/report"),
        Some(fac),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let html = v.as_str().unwrap();
    assert!(
        html.contains("<svg") && html.contains("buyer"),
        "{html:.200}"
    );
    let batch = r["batch"].as_str().unwrap();
    let (s, v) = send(
        &app,
        "GET",
        &format!("/api/batches/{batch}/results.csv"),
        Some(fac),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(v.as_str().unwrap().lines().count() == 2, "{v}");
}

#[tokio::test]
async fn every_route_checks_whose_token_it_is() {
    let app = app(Config::default());
    let (_, a) = send(
        &app,
        "POST",
        "/api/rooms",
        None,
        Some(car_sale("human", "human")),
    )
    .await;
    let (_, b) = send(
        &app,
        "POST",
        "/api/rooms",
        None,
        Some(car_sale("human", "human")),
    )
    .await;
    let id = a["room"].as_str().unwrap();
    let batch = a["batch"].as_str().unwrap();
    let buyer = a["seats"][0]["token"].as_str().unwrap();
    let dealer = a["seats"][1]["token"].as_str().unwrap();
    let fac = a["facilitator_token"].as_str().unwrap();
    let other_seat = b["seats"][0]["token"].as_str().unwrap();
    let other_fac = b["facilitator_token"].as_str().unwrap();
    let wrong = "0".repeat(64);
    use StatusCode as S;
    let get_routes = [
        format!("/api/rooms/{id}"),
        format!("/api/rooms/{id}/seat"),
        format!("/api/rooms/{id}/events"),
        format!("/api/rooms/{id}/transcript"),
        format!("/api/rooms/{id}/report"),
        format!("/api/rooms/{id}/stream"),
        format!("/api/batches/{batch}"),
        format!("/api/batches/{batch}/results.csv"),
    ];
    // Tokens that are not this room's: 401 on every route.
    for token in [
        None,
        Some(wrong.as_str()),
        Some(other_seat),
        Some(other_fac),
        Some(""),
    ] {
        for route in &get_routes {
            let (s, v) = send(&app, "GET", route, token, None).await;
            assert_eq!(s, S::UNAUTHORIZED, "{route} with {token:?}: {v}");
            assert_eq!(v["error"]["code"], "unauthorized");
        }
        let (s, _) = send(
            &app,
            "POST",
            &format!("/api/rooms/{id}/actions"),
            token,
            Some(json!({"type": "end"})),
        )
        .await;
        assert_eq!(s, S::UNAUTHORIZED, "actions with {token:?}");
    }
    // A seat's token on the facilitator's routes: 403 (batches: 401, the
    // seat is no token of the batch's).
    for seat in [buyer, dealer] {
        for route in &get_routes {
            let (s, v) = send(&app, "GET", route, Some(seat), None).await;
            let expected = if route.ends_with("/seat") || route.ends_with("/stream") {
                S::OK
            } else if route.starts_with("/api/batches") {
                S::UNAUTHORIZED
            } else {
                S::FORBIDDEN
            };
            assert_eq!(s, expected, "{route}: {v}");
        }
    }
    // Each seat sees its own seat.
    let (_, v) = send(
        &app,
        "GET",
        &format!("/api/rooms/{id}/seat"),
        Some(dealer),
        None,
    )
    .await;
    assert_eq!(v["party"], "dealer");
    // The facilitator may not act or see a seat.
    let (s, _) = send(
        &app,
        "GET",
        &format!("/api/rooms/{id}/seat"),
        Some(fac),
        None,
    )
    .await;
    assert_eq!(s, S::FORBIDDEN);
    let actions = format!("/api/rooms/{id}/actions");
    let (s, _) = send(
        &app,
        "POST",
        &actions,
        Some(fac),
        Some(json!({"type": "end"})),
    )
    .await;
    assert_eq!(s, S::FORBIDDEN);
    // Acting for another seat: 403; out of turn: 409.
    let (s, v) = send(
        &app,
        "POST",
        &actions,
        Some(dealer),
        Some(json!({"type": "end", "party": "buyer"})),
    )
    .await;
    assert_eq!(s, S::FORBIDDEN, "{v}");
    let (s, v) = send(
        &app,
        "POST",
        &actions,
        Some(dealer),
        Some(json!({"type": "end"})),
    )
    .await;
    assert_eq!(s, S::CONFLICT, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not your turn")
    );
    // The facilitator's routes answer the facilitator.
    for route in &get_routes {
        let (s, v) = send(&app, "GET", route, Some(fac), None).await;
        let expected = if route.ends_with("/seat") {
            S::FORBIDDEN
        } else if route.ends_with("/transcript") || route.ends_with("/report") {
            S::CONFLICT
        } else {
            S::OK
        };
        assert_eq!(s, expected, "{route}: {v}");
    }
    // A cookie is not a token.
    let req = Request::get(format!("/api/rooms/{id}/seat"))
        .header(header::HOST, "localhost")
        .header(header::COOKIE, format!("token={buyer}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        app.app.clone().oneshot(req).await.unwrap().status(),
        S::UNAUTHORIZED
    );
    // The existing protections hold: another origin, or a simple content type.
    let req = Request::post(&actions)
        .header(header::HOST, "localhost:8080")
        .header(header::ORIGIN, "http://evil.example")
        .header(header::AUTHORIZATION, format!("Bearer {buyer}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"type":"end"}"#))
        .unwrap();
    assert_eq!(
        app.app.clone().oneshot(req).await.unwrap().status(),
        S::FORBIDDEN
    );
    let req = Request::post(&actions)
        .header(header::HOST, "localhost")
        .header(header::AUTHORIZATION, format!("Bearer {buyer}"))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(r#"{"type":"end"}"#))
        .unwrap();
    assert_eq!(
        app.app.clone().oneshot(req).await.unwrap().status(),
        S::UNSUPPORTED_MEDIA_TYPE
    );
    // An unknown room.
    let (s, _) = send(&app, "GET", "/api/rooms/nosuch/seat", Some(buyer), None).await;
    assert_eq!(s, S::NOT_FOUND);
}

#[tokio::test]
async fn a_server_facilitator_token_guards_room_creation() {
    let config = Config {
        facilitator_token: Some(detente_rooms::token::hash("teacher")),
        ..Config::default()
    };
    let app = app(config);
    for token in [None, Some("student")] {
        let (s, _) = send(
            &app,
            "POST",
            "/api/rooms",
            token,
            Some(car_sale("human", "boulware")),
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let mut req = car_sale("human", "boulware");
    req["count"] = json!(3);
    let (s, r) = send(&app, "POST", "/api/rooms", Some("teacher"), Some(req)).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(r["rooms"].as_array().unwrap().len(), 3);
    // The server's token opens every room's facilitator routes.
    let id = r["rooms"][2]["room"].as_str().unwrap();
    let (s, _) = send(
        &app,
        "GET",
        &format!("/api/rooms/{id}"),
        Some("teacher"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = send(
        &app,
        "GET",
        &format!("/api/batches/{}", r["batch"].as_str().unwrap()),
        Some("teacher"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["rooms"].as_array().unwrap().len(), 3);
    // Bad set-ups are 422 with the reason.
    let (s, v) = send(
        &app,
        "POST",
        "/api/rooms",
        Some("teacher"),
        Some(car_sale("human", "nosuch")),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["error"]["message"].as_str().unwrap().contains("nosuch"));
    let mut too_many = car_sale("human", "boulware");
    too_many["count"] = json!(100_000);
    let (s, _) = send(&app, "POST", "/api/rooms", Some("teacher"), Some(too_many)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_network_server_without_a_facilitator_token_creates_no_rooms() {
    let app = app(Config {
        bind: "0.0.0.0".parse().unwrap(),
        ..Config::default()
    });
    let req = Request::post("/api/rooms")
        .header(header::HOST, "10.0.0.1:8080")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(car_sale("human", "boulware").to_string()))
        .unwrap();
    assert_eq!(
        app.app.clone().oneshot(req).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    // Nor does a loopback server reached through a reverse proxy.
    let app = self::app(Config::default());
    let req = Request::post("/api/rooms")
        .header(header::HOST, "localhost")
        .header("x-forwarded-for", "203.0.113.9")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(car_sale("human", "boulware").to_string()))
        .unwrap();
    assert_eq!(
        app.app.clone().oneshot(req).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn live_streams_per_room_are_capped() {
    let app = app(Config::default());
    let (_, r) = send(
        &app,
        "POST",
        "/api/rooms",
        None,
        Some(car_sale("human", "boulware")),
    )
    .await;
    let id = r["room"].as_str().unwrap();
    let token = r["seats"][0]["token"].as_str().unwrap();
    let mut open = Vec::new();
    for _ in 0..STREAMS_PER_ROOM {
        let req = Request::get(format!("/api/rooms/{id}/stream"))
            .header(header::HOST, "localhost")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let res = app.app.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        open.push(res);
    }
    let (s, v) = send(
        &app,
        "GET",
        &format!("/api/rooms/{id}/stream"),
        Some(token),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{v}");
    // Closing one frees its place.
    drop(open.pop());
    let (s, _) = send(
        &app,
        "GET",
        &format!("/api/rooms/{id}/stream"),
        Some(token),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
}

/// The server's cap on live streams per room.
const STREAMS_PER_ROOM: usize = 24;

async fn post(app: &App, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    send(app, "POST", path, Some(token), Some(body)).await
}

#[tokio::test]
async fn the_mediators_seat_acts_for_itself_only() {
    let app = app(Config::default());
    let (s, r) = send(
        &app,
        "POST",
        "/api/rooms",
        None,
        Some(json!({"scenario": "car-sale", "protocol": "mediated", "rounds": 5,
            "seats": [{"party": "buyer", "player": "human"}, {"party": "dealer", "player": "boulware"},
                      {"party": "mediator", "player": "human"}]})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let id = r["room"].as_str().unwrap();
    assert_eq!(r["seats"][1]["party"], "mediator");
    let buyer = r["seats"][0]["token"].as_str().unwrap();
    let chair = r["seats"][1]["token"].as_str().unwrap();
    let seat = format!("/api/rooms/{id}/seat");
    let actions = format!("/api/rooms/{id}/actions");
    let (_, v) = send(&app, "GET", &seat, Some(chair), None).await;
    assert_eq!(v["role"], "mediator");
    assert_eq!(
        v["you"],
        Value::Null,
        "a neutral mediator has no preferences"
    );
    assert_eq!(v["turn"]["asked"], "propose");
    let text = v["turn"]["text"]["outcome"].clone();
    let mut revised = text.clone();
    revised["delivery"] = json!(if text["delivery"] == "today" {
        "next-month"
    } else {
        "today"
    });
    // The chair's token cannot act for the buyer; the buyer cannot draft.
    let (s, _) = post(
        &app,
        &actions,
        chair,
        json!({"party": "buyer", "type": "propose", "outcome": revised}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = post(
        &app,
        &actions,
        buyer,
        json!({"type": "propose", "outcome": revised}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let (s, e) = post(
        &app,
        &actions,
        chair,
        json!({"type": "propose", "outcome": text}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("as it stands")
    );
    let (s, v) = post(
        &app,
        &actions,
        chair,
        json!({"type": "propose", "outcome": revised}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["turn"]["party"], "buyer");
    assert_eq!(v["turn"]["asked"], "vote");
}
