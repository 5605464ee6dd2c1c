//! The detente workbench: a local HTTP server (axum) with one page and a
//! JSON API over the analysis, evaluation, forecasting and report crates.
//!
//! The page, its script and its styles are compiled into the binary
//! (`include_str!`); nothing is fetched from elsewhere, and there is no
//! build step.
//!
//! # Security defaults
//!
//! - **Loopback only.** `detente serve` binds to 127.0.0.1 unless told
//!   otherwise with `--host`. While bound to loopback, requests whose `Host`
//!   header is not `localhost`, `127.0.0.1` or `[::1]` are refused (403),
//!   which defeats DNS-rebinding pages that would otherwise reach the server
//!   from a browser.
//! - **No files.** The server reads and writes no file of its own accord:
//!   scenarios come in request bodies and leave in responses. An uploaded
//!   file is written to a fresh temporary folder (the readers work on
//!   paths), read, and deleted with the folder before the response is sent.
//!   The downloads (scenario TOML, report HTML) are responses, never files.
//! - **Stateless.** Nothing is stored between requests: no sessions, no
//!   cookies, no database.
//! - **Limits, with JSON errors.** Request bodies are capped
//!   ([`Config::max_body_bytes`], 413 `body_too_large`); outcome spaces are
//!   enumerated up to [`Config::max_outcomes`] (422
//!   `outcome_space_too_large`); every computation runs on the blocking pool
//!   within [`Config::time_budget`] (503 `time_budget_exceeded`), and at most
//!   [`Config::max_concurrent_jobs`] run at once.
//! - **Headers.** Every response says `X-Content-Type-Options: nosniff` and
//!   `X-Frame-Options: DENY`; the page is served with a Content Security
//!   Policy that allows only its own script, styles and API (`'self'`).
//! - No CORS headers are sent, so other origins cannot read responses.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! detente_server::serve(listener, detente_server::Config::default()).await
//! # }
//! ```

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
    /// Most utility-table entries a scenario may need (the values of every
    /// issue, times the parties plus one), checked before it is built.
    pub max_value_cells: u64,
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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_body_bytes: 2 * 1024 * 1024,
            max_outcomes: 5_000_000,
            analysis_budget: detente_analysis::Budget::default(),
            max_value_cells: 1 << 25,
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
}

pub(crate) type Shared = Arc<AppState>;

/// The router: the page, its assets, and the API under `/api`.
pub fn router(config: Config) -> Router {
    let state = Arc::new(AppState {
        jobs: Arc::new(tokio::sync::Semaphore::new(
            config.max_concurrent_jobs.max(1),
        )),
        config: config.clone(),
    });
    Router::new()
        .route("/", get(api::page))
        .route("/app.js", get(api::script))
        .route("/app.css", get(api::styles))
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
    let connections = Arc::new(tokio::sync::Semaphore::new(config.max_connections.max(1)));
    let app = router(config.clone());
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
