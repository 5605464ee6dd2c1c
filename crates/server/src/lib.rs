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
mod json;

pub use error::ApiError;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::sync::Arc;
use std::time::Duration;

/// The server's limits.
#[derive(Clone, Debug)]
pub struct Config {
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Largest outcome space that is enumerated (for frontiers when the
    /// additive method does not apply, and for counting the agreement zone).
    pub max_outcomes: u64,
    /// Most outcomes drawn in a chart; larger spaces are sampled.
    pub draw_limit: u64,
    /// Wall-clock budget of one request's computation.
    pub time_budget: Duration,
    /// Computations running at once; more wait (within their budget).
    pub max_concurrent_jobs: usize,
    /// Refuse requests whose `Host` is not a loopback name (set when bound
    /// to a loopback address).
    pub loopback_only: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_body_bytes: 2 * 1024 * 1024,
            max_outcomes: 5_000_000,
            draw_limit: 100_000,
            time_budget: Duration::from_secs(20),
            max_concurrent_jobs: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            loopback_only: true,
        }
    }
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
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// True for `localhost`, `127.0.0.1` and `[::1]`, with or without a port.
fn loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    matches!(name, "localhost" | "127.0.0.1" | "::1")
}

/// Host check and security headers on every response.
async fn guard(State(app): State<Shared>, req: Request, next: Next) -> Response {
    if app.config.loopback_only
        && let Some(host) = req.headers().get(header::HOST)
        && !host.to_str().is_ok_and(loopback_host)
    {
        return ApiError::ForbiddenHost.into_response();
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Serves the workbench on `listener` until the process is stopped.
pub async fn serve(listener: tokio::net::TcpListener, config: Config) -> std::io::Result<()> {
    axum::serve(listener, router(config)).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost",
            "localhost:8080",
            "127.0.0.1:1",
            "[::1]:80",
            "[::1]",
        ] {
            assert!(super::loopback_host(h), "{h}");
        }
        for h in [
            "evil.example",
            "evil.example:8080",
            "127.0.0.2:80",
            "localhost.evil:1",
        ] {
            assert!(!super::loopback_host(h), "{h}");
        }
    }
}
