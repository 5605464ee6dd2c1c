//! `/api/rooms` and `/api/batches`: live negotiation rooms. The rules
//! (seats, tokens, turns, legality, replay) are `detente-rooms`'; this file
//! reads the token from the `Authorization` header, checks that its holder
//! may use the route, converts JSON and errors, and pushes updates to
//! server-sent event streams.
//!
//! Who may do what:
//!
//! | route | who |
//! |---|---|
//! | `POST /api/rooms` | the server's facilitator token; on loopback without one, any local caller |
//! | `GET /api/rooms/ID` , `.../events`, `.../transcript`, `.../report` | the room's facilitator token (or the server's) |
//! | `GET /api/rooms/ID/seat`, `POST .../actions` | a seat's token, for its own seat only |
//! | `GET /api/rooms/ID/stream` | any token of the room |
//! | `GET /api/batches/B`, `.../results.csv` | the batch's facilitator token (or the server's) |

use super::*;
use axum::extract::RawQuery;
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use detente_rooms::{Action, RoomError, RoomSpec, Rooms, SeatSpec, Who};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Live streams one room may have open at once (a few tabs per seat and
/// the facilitator's).
pub const MAX_STREAMS_PER_ROOM: usize = 24;

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

impl From<RoomError> for ApiError {
    fn from(e: RoomError) -> ApiError {
        match e {
            RoomError::NotFound(_) => ApiError::NotFound(e.to_string()),
            RoomError::Unauthorized => ApiError::Unauthorized(e.to_string()),
            RoomError::Forbidden(m) => ApiError::Forbidden(m),
            RoomError::Illegal(m) => ApiError::Conflict(m),
            RoomError::BadRequest(m) => ApiError::Unprocessable(m),
            RoomError::TooMany(m) => ApiError::TooManyRequests(m),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// The bearer token of a request, if any.
fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

fn rooms(app: &Shared) -> Result<Arc<Rooms>, ApiError> {
    app.rooms.clone().ok_or_else(|| {
        ApiError::NotFound(
            "this server keeps no rooms (start it with `detente serve --rooms ROOMS.db`)".into(),
        )
    })
}

/// Whether the request carries the server's own facilitator token.
fn server_facilitator(app: &Shared, token: Option<&str>) -> bool {
    match (&app.config.facilitator_token, token) {
        (Some(hash), Some(t)) => detente_rooms::token::matches(t, hash),
        _ => false,
    }
}

/// The origin people reach this server at, for their seats' links: the
/// request's `Host` (checked to name this server before any handler runs)
/// and `https` when a TLS reverse proxy says so in `X-Forwarded-Proto`.
fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
    format!("{}://{host}", if https { "https" } else { "http" })
}

/// Who the request's token is in room `id`.
async fn who(app: &Shared, id: &str, headers: &HeaderMap) -> Result<Who, ApiError> {
    let token = bearer(headers);
    if server_facilitator(app, token.as_deref()) {
        rooms(app)?.version(id)?;
        return Ok(Who::Facilitator);
    }
    // Checking a token reads only the room's keys (no database, no wait
    // for the room's action in flight), so it runs here, not on the
    // blocking pool.
    Ok(rooms(app)?.authorize(id, token.as_deref())?)
}

async fn facilitator_only(app: &Shared, id: &str, headers: &HeaderMap) -> Result<(), ApiError> {
    match who(app, id, headers).await? {
        Who::Facilitator => Ok(()),
        Who::Seat(_) => Err(ApiError::Forbidden(
            "a seat's token cannot use the facilitator's routes".into(),
        )),
    }
}

async fn seat_only(app: &Shared, id: &str, headers: &HeaderMap) -> Result<String, ApiError> {
    match who(app, id, headers).await? {
        Who::Seat(party) => Ok(party),
        Who::Facilitator => Err(ApiError::Forbidden(
            "the facilitator's token cannot act for a seat: use the seat's own link".into(),
        )),
    }
}

/// Runs room work (SQLite, replays) on the blocking pool.
async fn run<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, RoomError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(format!("the room's work failed: {e}")))?
        .map_err(ApiError::from)
}

/// Tells the room's live streams that it changed.
fn notify(app: &Shared, id: &str, version: u64) {
    let watchers = app.watchers.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(tx) = watchers.get(id) {
        tx.send_if_modified(|v| {
            let changed = *v != version;
            *v = version;
            changed
        });
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    /// A built-in scenario's name, or a native scenario (text or object).
    scenario: ScenarioInput,
    /// The scenario's name in the room, for one given as text or object.
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    protocol: Option<String>,
    #[serde(default)]
    rounds: Option<u32>,
    #[serde(default)]
    minutes: Option<f64>,
    seats: Vec<SeatSpec>,
    #[serde(default)]
    seed: Option<u64>,
    /// How many identical rooms (a class at once).
    #[serde(default)]
    count: Option<usize>,
}

pub async fn create_room(
    State(app): State<Shared>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let token = bearer(&headers);
    if app.config.facilitator_token.is_some() {
        if !server_facilitator(&app, token.as_deref()) {
            return Err(ApiError::Unauthorized(
                "creating rooms needs the server's facilitator token: send `Authorization: Bearer TOKEN`".into(),
            ));
        }
    } else if !app.config.bind.is_loopback()
        || headers.contains_key("forwarded")
        || headers.contains_key("x-forwarded-for")
    {
        // Behind a reverse proxy every client comes from loopback: without
        // a token, anyone who reaches the proxy would be the facilitator.
        return Err(ApiError::Unauthorized(
            "this server has no facilitator token (DETENTE_FACILITATOR_TOKEN), so rooms are created only by callers on this machine, not through a proxy".into(),
        ));
    }
    let req: CreateRequest = parse(&app, body)?;
    let (name, text) = match &req.scenario {
        ScenarioInput::Text(t) if !t.contains('\n') && builtin::text(t).is_some() => {
            (t.clone(), builtin::text(t).unwrap_or_default().to_string())
        }
        input => {
            check_size(input)?;
            let text = match input {
                ScenarioInput::Text(t) => t.clone(),
                ScenarioInput::Native(m) => serde_json::to_string_pretty(m).unwrap_or_default(),
            };
            (req.name.clone().unwrap_or_else(|| "scenario".into()), text)
        }
    };
    let protocol = match &req.protocol {
        Some(p) => p.clone(),
        None => {
            let scenario = detente_formats::native::read_str(&text, &name)
                .map_err(|e| ApiError::InvalidScenario(e.to_string()))?;
            detente_negotiation::ProtocolKind::default_for(&scenario)
                .as_str()
                .to_string()
        }
    };
    let spec = RoomSpec {
        scenario: name,
        protocol,
        rounds: req.rounds,
        minutes: req.minutes,
        seats: req.seats,
        seed: req.seed.unwrap_or(1),
    };
    let count = req.count.unwrap_or(1);
    let rooms = rooms(&app)?;
    let created = run(move || rooms.create(&spec, &text, count, now_ms())).await?;
    let origin = origin(&headers);
    let room_json = |r: &detente_rooms::NewRoom| {
        json!({
            "room": r.room,
            "seats": r.seats.iter().map(|s| {
                let path = format!("/seat#room={}&token={}", r.room, s.token);
                json!({
                    "party": s.party,
                    "token": s.token,
                    "link": format!("{origin}{path}"),
                    "path": path,
                })
            }).collect::<Vec<_>>(),
        })
    };
    let first = &created.rooms[0];
    let mut body = room_json(first);
    body["facilitator_token"] = created.facilitator_token.clone().into();
    body["batch"] = created.batch.clone().into();
    body["rooms"] = created.rooms.iter().map(room_json).collect();
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

pub async fn room_view(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    facilitator_only(&app, &id, &headers).await?;
    let rooms = rooms(&app)?;
    let room = id.clone();
    let v = run(move || rooms.facilitator_view(&room, now_ms())).await?;
    // Reading a room past its wall-clock deadline ends it: tell its seats.
    notify(&app, &id, v["version"].as_u64().unwrap_or(0));
    Ok(axum::Json(v).into_response())
}

/// `?since=N` on a seat's routes: the reader has the history up to entry
/// N and the view's unchanging parts, and wants an update
/// ([`Rooms::seat_update`]).
fn since(query: Option<&str>) -> Result<Option<usize>, ApiError> {
    let Some(value) = query
        .unwrap_or("")
        .split('&')
        .find_map(|kv| kv.strip_prefix("since="))
    else {
        return Ok(None);
    };
    value.parse().map(Some).map_err(|_| {
        ApiError::BadRequest(format!(
            "`since` is the number of history entries the page has (0 or more), not `{value}`"
        ))
    })
}

pub async fn seat_view(
    State(app): State<Shared>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let since = since(query.as_deref())?;
    let party = seat_only(&app, &id, &headers).await?;
    let rooms = rooms(&app)?;
    let room = id.clone();
    let v = run(move || rooms.seat_update(&room, &party, now_ms(), since)).await?;
    notify(&app, &id, v["version"].as_u64().unwrap_or(0));
    Ok(axum::Json(v).into_response())
}

#[derive(Deserialize)]
pub struct ActionRequest {
    /// The seat acting, if the client names it: it must be the token's.
    #[serde(default)]
    party: Option<String>,
    #[serde(flatten)]
    action: Value,
}

pub async fn act(
    State(app): State<Shared>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let since = since(query.as_deref())?;
    let party = seat_only(&app, &id, &headers).await?;
    let req: ActionRequest = parse(&app, body)?;
    if let Some(named) = &req.party
        && named != &party
    {
        return Err(ApiError::Forbidden(format!(
            "this token is `{party}`'s seat: it cannot act for `{named}`"
        )));
    }
    let action: Action = serde_json::from_value(req.action).map_err(|e| {
        ApiError::BadRequest(format!(
            "an action is {{\"type\": \"offer\", \"outcome\": {{...}}}}, accept, reject, end, {{\"type\": \"vote\", \"accept\": true, \"reason\": \"...\"}}, or the mediator's {{\"type\": \"propose\", \"outcome\": {{...}}}} and close: {e}"
        ))
    })?;
    let rooms = rooms(&app)?;
    let room = id.clone();
    let (version, view) = run(move || {
        let now = now_ms();
        rooms.act(&room, &party, &action, now)?;
        Ok((
            rooms.version(&room)?,
            rooms.seat_update(&room, &party, now, since)?,
        ))
    })
    .await?;
    notify(&app, &id, version);
    Ok(axum::Json(view).into_response())
}

pub async fn room_events(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    facilitator_only(&app, &id, &headers).await?;
    let rooms = rooms(&app)?;
    let v = run(move || rooms.events(&id)).await?;
    Ok(axum::Json(json!({ "events": v })).into_response())
}

pub async fn transcript(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    facilitator_only(&app, &id, &headers).await?;
    let rooms = rooms(&app)?;
    let v = run(move || rooms.transcript(&id, now_ms())).await?;
    Ok(axum::Json(v).into_response())
}

/// The room's HTML report once it is over: the scenario's analysis and the
/// session's offers over time in each party's utility space.
pub async fn room_report(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    facilitator_only(&app, &id, &headers).await?;
    let rooms = rooms(&app)?;
    let room = id.clone();
    let finished = run(move || rooms.finished(&room, now_ms())).await?;
    blocking(&app, move |config, cancel| {
        let s = &finished.scenario;
        let a = analyze_with(config, cancel, s, None, None)?;
        let session =
            detente_report::negotiation::from_result(s, &finished.session, &finished.players);
        let cloud = detente_report::cloud(s, &a, config.draw_limit);
        let source = format!("detente room {id}");
        let html = detente_report::render(&Report {
            negotiation: Some(&session),
            cloud: Some(&cloud),
            source: Some(&source),
            ..Report::new(s, &a)
        });
        Ok(download(
            html,
            "text/html; charset=utf-8",
            &format!("room-{id}.html"),
        ))
    })
    .await
}

/// Live updates: an event `update` with the room's version whenever it
/// changes (and once at the start), a comment every 15 s to keep the
/// connection open. The page then fetches its view with its token.
pub async fn stream(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    who(&app, &id, &headers).await?;
    let version = rooms(&app)?.version(&id)?;
    let rx = {
        let mut watchers = app.watchers.lock().unwrap_or_else(|e| e.into_inner());
        let tx = watchers
            .entry(id)
            .or_insert_with(|| tokio::sync::watch::channel(version).0);
        // Each stream holds a connection: one seat opening many must not
        // use up the server's connections.
        if tx.receiver_count() >= MAX_STREAMS_PER_ROOM {
            return Err(ApiError::TooManyRequests(format!(
                "at most {MAX_STREAMS_PER_ROOM} live streams per room: close other tabs"
            )));
        }
        tx.subscribe()
    };
    let stream = futures_util::stream::unfold((rx, true), |(mut rx, first)| async move {
        if !first && rx.changed().await.is_err() {
            return None;
        }
        let v = *rx.borrow_and_update();
        let event = SseEvent::default().event("update").data(v.to_string());
        Some((Ok::<_, std::convert::Infallible>(event), (rx, false)))
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response())
}

async fn batch_auth(app: &Shared, batch: &str, headers: &HeaderMap) -> Result<(), ApiError> {
    let token = bearer(headers);
    let rooms = rooms(app)?;
    if server_facilitator(app, token.as_deref()) {
        return Ok(());
    }
    Ok(rooms.authorize_batch(batch, token.as_deref())?)
}

pub async fn batch_view(
    State(app): State<Shared>,
    Path(batch): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    batch_auth(&app, &batch, &headers).await?;
    let rooms = rooms(&app)?;
    let v = run(move || rooms.batch_view(&batch, now_ms())).await?;
    Ok(axum::Json(v).into_response())
}

pub async fn batch_csv(
    State(app): State<Shared>,
    Path(batch): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    batch_auth(&app, &batch, &headers).await?;
    let rooms = rooms(&app)?;
    let name = format!("attachment; filename=\"rooms-{batch}.csv\"");
    let csv = run(move || rooms.results_csv(&batch, now_ms())).await?;
    let mut res = csv.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&name) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}
