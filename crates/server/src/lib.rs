//! The detente workbench: a local HTTP server (axum) with one page and a
//! JSON API over the analysis, evaluation, forecasting and report crates,
//! and live negotiation rooms for people and agents (`detente-rooms`).
//!
//! The page, its script and its styles are compiled into the binary
//! (`include_str!`); nothing is fetched from elsewhere, and there is no
//! build step.
//!
//! # Security defaults
//!
//! A page on any other origin can make the browser send requests to a local
//! server; these defaults keep such a page (and any client) from making the
//! server do work, and keep any request from holding it for long.
//!
//! - **Loopback only.** `detente serve` binds to 127.0.0.1 unless told
//!   otherwise with `--host`.
//! - **Host check, for every bind address.** The `Host` header must name
//!   the server: the literal address it is bound to, `localhost`,
//!   `127.0.0.1` or `[::1]` when bound to loopback, any IP literal when
//!   bound to `0.0.0.0` or `::`, and names given with `--allow-host`. A DNS
//!   name is never accepted unless given, which defeats DNS rebinding
//!   whatever the bind address (403 `forbidden_host`).
//! - **Only the server's own page may POST.** Every POST needs
//!   `Content-Type: application/json` (an upload: `application/octet-stream`),
//!   types a cross-origin page cannot send without a CORS preflight, which
//!   the server never grants (415 `unsupported_media_type`); an `Origin`
//!   header must be the server's own origin (`http://` and the request's
//!   `Host`) or one given with `--allow-origin`, and `Sec-Fetch-Site:
//!   cross-site` is refused (403 `forbidden_origin`).
//! - **No files, except the rooms database.** Apart from the rooms
//!   database (below), the server reads and writes no file of its own accord:
//!   scenarios come in request bodies and leave in responses. An uploaded
//!   file is written to a fresh temporary folder (the readers work on
//!   paths), read, and deleted with the folder before the response is sent.
//!   The downloads (scenario TOML, report HTML) are responses, never files.
//! - **Stateless workbench; rooms in one database.** The workbench keeps
//!   nothing between requests: no sessions, no cookies. Live negotiation
//!   rooms (`/rooms`, `/seat`, `/api/rooms`, `/api/batches`; see
//!   [`router_with_rooms`]) are kept by `detente-rooms` in one SQLite file.
//!   Every room route needs a token in `Authorization: Bearer` (never a
//!   cookie): a seat's token acts only for its own seat (401 without a
//!   token of the room, 403 for another seat's action or a facilitator's
//!   route, 409 for an action the protocol does not allow now); creating
//!   rooms needs [`Config::facilitator_token`] when one is set, and is
//!   refused off loopback without one. The POST checks above apply to
//!   actions too; rooms, batches and actions per second are limited by
//!   [`detente_rooms::Limits`].
//! - **Limits, with JSON errors.** Request bodies are capped
//!   ([`Config::max_body_bytes`], 413 `body_too_large`) and must arrive
//!   within [`Config::body_read_timeout`] (408 `request_timeout`);
//!   scenarios whose utility tables would exceed the core's bound
//!   ([`detente_core::MAX_VALUE_CELLS`]) are refused before they are
//!   built, outcome spaces are enumerated up to [`Config::max_outcomes`], and analyses stay within
//!   [`Config::analysis_budget`] (frontier points, candidate utilities, the
//!   size of the answer); a negotiation whose preparation would sort more
//!   than 512 MiB of outcomes is refused (all 422 `outcome_space_too_large`).
//! - **Cancellable budgets.** Every computation runs on the blocking pool
//!   within [`Config::time_budget`] (503 `time_budget_exceeded`), at most
//!   [`Config::max_concurrent_jobs`] at once. When the budget runs out or
//!   the client closes the connection, the computation is told to stop (a
//!   flag checked between enumeration blocks, search nodes, issues,
//!   forecast turns and negotiation steps) and gives its slot back.
//! - **Connections.** Headers must arrive within
//!   [`Config::header_read_timeout`], which also closes idle connections;
//!   at most [`Config::max_connections`] are open at once (half the open-file
//!   limit, at most 512), the rest wait in the listen queue.
//! - **Headers.** Every response says `X-Content-Type-Options: nosniff`,
//!   `X-Frame-Options: DENY` and `Cache-Control: no-store`; the page is
//!   served with a Content Security Policy that allows only its own script,
//!   styles and API (`'self'`).
//! - No CORS headers are sent, so other origins cannot read responses.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! detente_server::serve(listener, detente_server::Config::default()).await
//! # }
//! ```
//!
//! The [`router`] answers requests without a socket, which is how tests
//! drive it:
//!
//! ```
//! use axum::body::Body;
//! use axum::http::{Request, StatusCode};
//! use tower::ServiceExt;
//!
//! let app = detente_server::router(detente_server::Config::default());
//! let request = Request::get("/api/scenarios")
//!     .header("host", "localhost")
//!     .body(Body::empty())
//!     .unwrap();
//! let runtime = tokio::runtime::Runtime::new().unwrap();
//! let response = runtime.block_on(app.oneshot(request)).unwrap();
//! assert_eq!(response.status(), StatusCode::OK);
//! ```

#![warn(missing_docs)]

mod api;
mod error;
mod guard;
mod json;

pub use error::ApiError;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

/// The server's limits and what it accepts.
#[derive(Clone, Debug)]
pub struct Config {
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Largest outcome space that is enumerated (for frontiers when the
    /// additive method does not apply, and for counting the agreement zone).
    pub max_outcomes: u64,
    /// Memory and output limits of one analysis (frontier points, candidate
    /// utilities of the additive method, size of the JSON answer).
    pub analysis_budget: detente_analysis::Budget,
    /// Most outcomes drawn in a chart; larger spaces are sampled.
    pub draw_limit: u64,
    /// Wall-clock budget of one request's computation; when it runs out the
    /// computation is told to stop and the request is answered with a 503.
    pub time_budget: Duration,
    /// Computations running at once; more wait (within their budget).
    pub max_concurrent_jobs: usize,
    /// Time a client has to send a request's headers, counted from the
    /// moment the server starts waiting for them (so it also closes idle
    /// connections).
    pub header_read_timeout: Duration,
    /// Time a client has to send a request's body once its headers arrived.
    pub body_read_timeout: Duration,
    /// Connections open at once; more wait in the listen queue.
    pub max_connections: usize,
    /// The address the server is bound to, for the `Host` check.
    pub bind: IpAddr,
    /// More names accepted in the `Host` header (`--allow-host`).
    pub allowed_hosts: Vec<String>,
    /// More origins (`scheme://host:port`) allowed to use the API
    /// (`--allow-origin`); the server's own origin always may.
    pub allowed_origins: Vec<String>,
    /// The SHA-256 of the facilitator's token
    /// ([`detente_rooms::token::hash`]): with one, creating rooms needs it,
    /// and it opens every room's facilitator routes. Without one, only a
    /// server on loopback creates rooms (any local caller may).
    pub facilitator_token: Option<detente_rooms::token::TokenHash>,
}

/// Largest outcome space the workbench enumerates for one request, by
/// default (`detente serve --max-outcomes`).
pub const MAX_OUTCOMES: u64 = 5_000_000;

impl Default for Config {
    fn default() -> Self {
        Config {
            max_body_bytes: 2 * 1024 * 1024,
            max_outcomes: MAX_OUTCOMES,
            analysis_budget: detente_analysis::Budget::default(),
            draw_limit: 100_000,
            time_budget: Duration::from_secs(20),
            max_concurrent_jobs: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(10),
            max_connections: default_max_connections(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
            facilitator_token: None,
        }
    }
}

/// Half the soft limit on open files (each connection is one), at most 512,
/// so that idle connections can never use up the descriptors the server
/// needs for everything else.
fn default_max_connections() -> usize {
    let files = open_file_limit().unwrap_or(1024);
    (files / 2).clamp(16, 512) as usize
}

/// The soft limit on open files, from `/proc/self/limits` where there is
/// one.
fn open_file_limit() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

pub(crate) struct AppState {
    pub config: Config,
    pub jobs: Arc<tokio::sync::Semaphore>,
    /// The rooms, when the server keeps them.
    pub rooms: Option<Arc<detente_rooms::Rooms>>,
    /// Per room, the channel its live streams wait on (the room's version).
    pub watchers: std::sync::Mutex<HashMap<String, tokio::sync::watch::Sender<u64>>>,
}

pub(crate) type Shared = Arc<AppState>;

/// The router: the page, its assets, and the API under `/api`, without
/// rooms.
pub fn router(config: Config) -> Router {
    router_with_rooms(config, None)
}

/// The router, with live negotiation rooms when `rooms` is given (their
/// pages, `/api/rooms` and `/api/batches`).
pub fn router_with_rooms(config: Config, rooms: Option<Arc<detente_rooms::Rooms>>) -> Router {
    let state = Arc::new(AppState {
        jobs: Arc::new(tokio::sync::Semaphore::new(
            config.max_concurrent_jobs.max(1),
        )),
        config: config.clone(),
        rooms,
        watchers: std::sync::Mutex::new(HashMap::new()),
    });
    Router::new()
        .route("/", get(api::page))
        .route("/app.js", get(api::script))
        .route("/app.css", get(api::styles))
        .route("/rooms", get(api::rooms_page))
        .route("/seat", get(api::seat_page))
        .route("/rooms.js", get(api::rooms_script))
        .route("/rooms.css", get(api::rooms_styles))
        .route("/api/rooms", post(api::create_room))
        .route("/api/rooms/{id}", get(api::room_view))
        .route("/api/rooms/{id}/seat", get(api::seat_view))
        .route("/api/rooms/{id}/actions", post(api::act))
        .route("/api/rooms/{id}/events", get(api::room_events))
        .route("/api/rooms/{id}/transcript", get(api::transcript))
        .route("/api/rooms/{id}/report", get(api::room_report))
        .route("/api/rooms/{id}/stream", get(api::stream))
        .route("/api/batches/{batch}", get(api::batch_view))
        .route("/api/batches/{batch}/results.csv", get(api::batch_csv))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/scenarios", get(api::list_scenarios))
        .route("/api/scenarios/{name}", get(api::get_scenario))
        .route("/api/upload", post(api::upload))
        .route("/api/analyze", post(api::analyze))
        .route("/api/evaluate", post(api::evaluate))
        .route("/api/forecast", post(api::forecast))
        .route("/api/strategies", get(api::strategies))
        .route("/api/negotiate", post(api::negotiate))
        .route("/api/export/toml", post(api::export_toml))
        .route("/api/export/report", post(api::export_report))
        .fallback(api::not_found)
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), guard::guard))
        .with_state(state)
}

/// Serves the workbench on `listener` until the process is stopped: at most
/// [`Config::max_connections`] connections at once, each closed when its
/// client is slower than [`Config::header_read_timeout`] to send headers
/// (or stays idle that long). [`Config::bind`] should be the listener's
/// address.
pub async fn serve(listener: tokio::net::TcpListener, config: Config) -> std::io::Result<()> {
    serve_with_rooms(listener, config, None).await
}

/// [`serve`], with live negotiation rooms when `rooms` is given.
pub async fn serve_with_rooms(
    listener: tokio::net::TcpListener,
    config: Config,
    rooms: Option<Arc<detente_rooms::Rooms>>,
) -> std::io::Result<()> {
    let connections = Arc::new(tokio::sync::Semaphore::new(config.max_connections.max(1)));
    let app = router_with_rooms(config.clone(), rooms);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout)
        .keep_alive(true);
    loop {
        // Wait for a free slot before accepting: the connections beyond the
        // cap wait in the kernel's queue, holding no descriptor of ours.
        let Ok(permit) = connections.clone().acquire_owned().await else {
            return Ok(());
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of descriptors or a connection reset before accept: wait
            // a little rather than spin.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(app.clone());
        let conn = http.serve_connection(TokioIo::new(stream), service);
        tokio::spawn(async move {
            // Errors are the client's (a reset, a timeout); the connection
            // is closed either way.
            let _ = conn.await;
            drop(permit);
        });
    }
}
