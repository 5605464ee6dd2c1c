//! `detente serve`: the workbench, a local web page over the JSON API.

use anyhow::{Context, Result};
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, short, default_value_t = 8080)]
    pub port: u16,
    /// Address to bind. The default is loopback only; anything else exposes
    /// the workbench to the network (it has no authentication).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Seconds of computation allowed per request.
    #[arg(long, value_name = "SECONDS", default_value_t = 20.0)]
    pub time_budget: f64,
    /// Largest outcome space to enumerate.
    #[arg(long, value_name = "N", default_value_t = detente_server::MAX_OUTCOMES)]
    pub max_outcomes: u64,
    /// Also accept this name in the Host header (repeatable), e.g. the
    /// machine's DNS name when bound to a network address. Without it only
    /// the bound address (and, on loopback, localhost) is accepted.
    #[arg(long, value_name = "NAME")]
    pub allow_host: Vec<String>,
    /// Also let pages from this origin (scheme://host:port, repeatable) use
    /// the API. The server's own page always may.
    #[arg(long, value_name = "ORIGIN")]
    pub allow_origin: Vec<String>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if !(args.time_budget.is_finite() && args.time_budget > 0.0) {
        anyhow::bail!("--time-budget must be a positive number of seconds");
    }
    let time_budget = std::time::Duration::try_from_secs_f64(args.time_budget)
        .context("--time-budget is too large")?;
    if let Some(bad) = args
        .allow_origin
        .iter()
        .find(|o| !(o.starts_with("http://") || o.starts_with("https://")))
    {
        anyhow::bail!(
            "--allow-origin {bad}: an origin is scheme://host:port, e.g. http://localhost:3000"
        );
    }
    let config = detente_server::Config {
        time_budget,
        max_outcomes: args.max_outcomes,
        bind: args.host,
        allowed_hosts: args.allow_host.clone(),
        allowed_origins: args.allow_origin.clone(),
        ..detente_server::Config::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let addr = SocketAddr::new(args.host, args.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener.local_addr()?;
        let url = format!("http://{local}/");
        // The first line on stdout is the address, for scripts that start
        // the server on port 0.
        println!("detente workbench: {url}");
        if !args.host.is_loopback() {
            eprintln!(
                "warning: listening on {}: anyone who can reach this address can use the workbench",
                args.host
            );
        }
        if args.open {
            open_browser(&url);
        }
        detente_server::serve(listener, config)
            .await
            .context("serving")?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Best effort: a missing opener is reported, not fatal.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(target_os = "windows") {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(opener).arg(url).spawn() {
        eprintln!("could not open a browser ({opener}: {e}); open {url} yourself");
    }
}
