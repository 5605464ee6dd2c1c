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
    /// the workbench to the network (the workbench has no authentication;
    /// rooms need their tokens, see DETENTE_FACILITATOR_TOKEN).
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
    /// Keep live negotiation rooms in this SQLite file (created if
    /// missing). Without it, rooms are kept in
    /// $XDG_DATA_HOME/detente/rooms.db (~/.local/share/detente/rooms.db),
    /// unless another server holds that file, when rooms are off.
    #[arg(long, value_name = "ROOMS.db")]
    pub rooms: Option<std::path::PathBuf>,
    /// Most outcome utilities (outcomes × parties) the rooms' scenarios may
    /// hold in memory together; new rooms beyond it are refused (rooms
    /// created together share theirs).
    #[arg(long, value_name = "N", default_value_t = detente_rooms::DEFAULT_MAX_CELLS)]
    pub max_room_cells: u64,
}

/// The environment variable holding the facilitator's token: with it,
/// creating rooms needs `Authorization: Bearer TOKEN`. A server bound to a
/// network address without one makes one up and prints it.
pub const FACILITATOR_TOKEN_VAR: &str = "DETENTE_FACILITATOR_TOKEN";

/// Where rooms are kept without `--rooms`.
fn default_rooms_path() -> Option<std::path::PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".local/share"))
        })?;
    Some(data.join("detente").join("rooms.db"))
}

/// Opens the rooms database: the named file must open; the default one
/// may be missing or held by another server, and then rooms are off.
fn open_rooms(
    named: Option<&std::path::Path>,
    max_cells: u64,
) -> Result<Option<std::sync::Arc<detente_rooms::Rooms>>> {
    let limits = detente_rooms::Limits {
        max_cells,
        ..Default::default()
    };
    if let Some(path) = named {
        let rooms = detente_rooms::Rooms::open(path, limits)
            .with_context(|| format!("cannot open the rooms database {}", path.display()))?;
        return Ok(Some(std::sync::Arc::new(rooms)));
    }
    let Some(path) = default_rooms_path() else {
        eprintln!("note: no HOME or XDG_DATA_HOME: rooms are off (give --rooms ROOMS.db)");
        return Ok(None);
    };
    let opened = std::fs::create_dir_all(path.parent().unwrap_or(&path))
        .map_err(|e| e.to_string())
        .and_then(|()| detente_rooms::Rooms::open(&path, limits).map_err(|e| e.to_string()));
    match opened {
        Ok(rooms) => Ok(Some(std::sync::Arc::new(rooms))),
        Err(e) => {
            eprintln!(
                "note: rooms are off ({}: {e}); give --rooms ROOMS.db",
                path.display()
            );
            Ok(None)
        }
    }
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
    let rooms = open_rooms(args.rooms.as_deref(), args.max_room_cells)?;
    let mut facilitator = std::env::var(FACILITATOR_TOKEN_VAR)
        .ok()
        .filter(|t| !t.trim().is_empty());
    let mut made_up = false;
    if facilitator.is_none() && rooms.is_some() && !args.host.is_loopback() {
        let (token, _) = detente_rooms::token::new_token()
            .map_err(|e| anyhow::anyhow!("no random bits for a facilitator token: {e}"))?;
        facilitator = Some(token);
        made_up = true;
    }
    let config = detente_server::Config {
        facilitator_token: facilitator.as_deref().map(detente_rooms::token::hash),
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
        // the server on port 0. The lines go out in one write whose error is
        // ignored: a script that reads the address and closes the pipe must
        // not make a later line kill the server.
        let mut banner = format!("detente workbench: {url}\n");
        if rooms.is_some() {
            banner.push_str(&format!("rooms: {url}rooms\n"));
        }
        if let (true, Some(t)) = (made_up, &facilitator) {
            banner.push_str(&format!(
                "facilitator token (creating rooms needs it): {t}\n"
            ));
        }
        {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
        }
        if !args.host.is_loopback() {
            eprintln!(
                "warning: listening on {}: anyone who can reach this address can use the workbench",
                args.host
            );
        }
        if args.open {
            open_browser(&url);
        }
        detente_server::serve_with_rooms(listener, config, rooms)
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
