//! The checks every request passes before a handler sees it: the `Host`
//! header (DNS rebinding), and for the API's POST routes the origin, the
//! content type and a body read within a deadline.
//!
//! A page on another origin can make a browser send a "simple" request
//! (`text/plain`, form types) without a CORS preflight; it cannot read the
//! answer, but the server would still do the work. Requiring
//! `application/json` (or `application/octet-stream` for uploads) forces a
//! preflight, which this server never answers with CORS headers, and the
//! `Origin` and `Sec-Fetch-Site` checks refuse what a browser marks as
//! coming from elsewhere.

use crate::error::ApiError;
use crate::{Config, Shared};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use std::net::IpAddr;

/// The host part of a `Host` header value (or of an origin's authority):
/// without the port, an IPv6 literal without its brackets, lower case.
fn host_name(host: &str) -> String {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name.to_ascii_lowercase()
}

/// Whether a `Host` header names this server.
///
/// - Names given with `--allow-host` are accepted.
/// - The literal address the server is bound to is accepted.
/// - Bound to loopback, `localhost` is accepted, and so are `127.0.0.1` and
///   `[::1]` (the two loopback names a browser uses).
/// - Bound to an unspecified address (`0.0.0.0`, `::`), any IP literal is
///   accepted (the server answers on all of them), but never a DNS name
///   that was not allowed: a DNS-rebinding page reaches the server under its
///   own name, which this refuses.
pub(crate) fn host_allowed(config: &Config, host: &str) -> bool {
    let name = host_name(host);
    if name.is_empty() {
        return false;
    }
    if config
        .allowed_hosts
        .iter()
        .any(|h| h.eq_ignore_ascii_case(&name))
    {
        return true;
    }
    let literal: Option<IpAddr> = name.parse().ok();
    let bind = config.bind;
    if bind.is_loopback()
        && (name == "localhost" || literal.is_some_and(|ip| ip.is_loopback() && is_default(ip)))
    {
        return true;
    }
    match literal {
        Some(_) if bind.is_unspecified() => true,
        Some(ip) => ip == bind,
        None => false,
    }
}

/// `127.0.0.1` and `::1`: the loopback addresses a browser names.
fn is_default(ip: IpAddr) -> bool {
    ip == IpAddr::from([127, 0, 0, 1]) || ip == IpAddr::from(std::net::Ipv6Addr::LOCALHOST)
}

/// Whether the `Origin` of a request is this server: `http://` and the
/// request's own `Host` (already checked to name this server), or an origin
/// given with `--allow-origin`.
fn origin_allowed(config: &Config, origin: &str, host: Option<&str>) -> bool {
    let origin = origin.trim_end_matches('/');
    if config
        .allowed_origins
        .iter()
        .any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(origin))
    {
        return true;
    }
    match (origin.strip_prefix("http://"), host) {
        (Some(authority), Some(host)) => authority.eq_ignore_ascii_case(host),
        _ => false,
    }
}

fn header(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The media type of a `Content-Type` header: before any parameter, lower
/// case.
fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = header(headers, header::CONTENT_TYPE)?;
    Some(
        value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
    )
}

/// Checks a state-changing or expensive request (every POST): origin, fetch
/// metadata and content type.
fn check_post(config: &Config, req: &Request) -> Result<(), ApiError> {
    let headers = req.headers();
    if header(headers, header::HeaderName::from_static("sec-fetch-site"))
        .is_some_and(|s| s.eq_ignore_ascii_case("cross-site"))
    {
        return Err(ApiError::ForbiddenOrigin(
            "cross-site requests are refused (Sec-Fetch-Site: cross-site)".into(),
        ));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        if !origin_allowed(config, origin, header(headers, header::HOST)) {
            return Err(ApiError::ForbiddenOrigin(format!(
                "requests from origin `{origin}` are refused: only this server's own page (or an origin given with --allow-origin) may use the API"
            )));
        }
    }
    // Uploads carry a file in any format, so they take a byte stream;
    // either type needs a CORS preflight, unlike text/plain or form types.
    let upload = req.uri().path() == "/api/upload";
    let ok = match media_type(headers).as_deref() {
        Some("application/json") => true,
        Some("application/octet-stream") => upload,
        _ => false,
    };
    if !ok {
        return Err(ApiError::UnsupportedMediaType(if upload {
            "an upload needs `Content-Type: application/octet-stream` (the file's bytes)".into()
        } else {
            "the API takes JSON: send `Content-Type: application/json`".into()
        }));
    }
    Ok(())
}

/// Reads the whole body within [`Config::body_read_timeout`] and
/// [`Config::max_body_bytes`], so that a client announcing more than it sends
/// cannot hold a connection (or a handler) for long.
async fn read_body(config: &Config, req: Request) -> Result<Request, ApiError> {
    let limit = config.max_body_bytes;
    let too_large = ApiError::BodyTooLarge { limit };
    if header(req.headers(), header::CONTENT_LENGTH)
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > limit as u64)
    {
        return Err(too_large);
    }
    let (parts, body) = req.into_parts();
    let collect = Limited::new(body, limit).collect();
    let bytes = match tokio::time::timeout(config.body_read_timeout, collect).await {
        Err(_) => {
            return Err(ApiError::RequestTimeout {
                seconds: config.body_read_timeout.as_secs_f64(),
            });
        }
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => return Err(too_large),
        Ok(Err(e)) => {
            return Err(ApiError::BadRequest(format!(
                "the request body could not be read: {e}"
            )));
        }
        Ok(Ok(collected)) => collected.to_bytes(),
    };
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The middleware: host check, then for POST the origin, content type and
/// body; security headers on every response.
pub(crate) async fn guard(State(app): State<Shared>, req: Request, next: Next) -> Response {
    let mut res = match checked(&app.config, req).await {
        Ok(req) => next.run(req).await,
        Err(e) => {
            let timeout = matches!(e, ApiError::RequestTimeout { .. });
            let mut res = e.into_response();
            if timeout {
                // The rest of the body may still arrive: do not wait for it.
                res.headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            res
        }
    };
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

async fn checked(config: &Config, req: Request) -> Result<Request, ApiError> {
    if let Some(host) = req.headers().get(header::HOST)
        && !host.to_str().is_ok_and(|h| host_allowed(config, h))
    {
        return Err(ApiError::ForbiddenHost);
    }
    if req.method() == Method::POST {
        check_post(config, &req)?;
        return read_body(config, req).await;
    }
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(bind: &str, allowed: &[&str]) -> Config {
        Config {
            bind: bind.parse().unwrap(),
            allowed_hosts: allowed.iter().map(|s| s.to_string()).collect(),
            ..Config::default()
        }
    }

    #[test]
    fn loopback_binds_accept_loopback_names_only() {
        let c = config("127.0.0.1", &[]);
        for h in [
            "localhost",
            "localhost:8080",
            "LOCALHOST:1",
            "127.0.0.1:1",
            "[::1]:80",
            "[::1]",
        ] {
            assert!(host_allowed(&c, h), "{h}");
        }
        for h in [
            "evil.example",
            "evil.example:8080",
            "127.0.0.2:80",
            "localhost.evil:1",
            "10.0.0.1:8080",
            "",
        ] {
            assert!(!host_allowed(&c, h), "{h}");
        }
        // Another loopback address: its own literal, and localhost.
        let c = config("127.0.0.2", &[]);
        for h in ["127.0.0.2:8080", "localhost:8080", "127.0.0.1:8080"] {
            assert!(host_allowed(&c, h), "{h}");
        }
        assert!(!host_allowed(&c, "127.0.0.3:8080"));
    }

    #[test]
    fn other_binds_accept_their_literal_and_named_hosts() {
        let c = config("192.168.1.5", &["workbench.lan"]);
        assert!(host_allowed(&c, "192.168.1.5:8080"));
        assert!(host_allowed(&c, "WORKBENCH.lan:8080"));
        assert!(!host_allowed(&c, "192.168.1.6:8080"));
        assert!(!host_allowed(&c, "localhost:8080"));
        assert!(!host_allowed(&c, "evil.example:8080"));
        // All addresses: any IP literal, but no DNS name unless allowed.
        let c = config("0.0.0.0", &[]);
        assert!(host_allowed(&c, "10.1.2.3:8080"));
        assert!(host_allowed(&c, "[fe80::1]:8080"));
        assert!(!host_allowed(&c, "evil.example:8080"));
        assert!(!host_allowed(&c, "localhost.evil.example"));
    }

    #[test]
    fn origins_must_be_the_requests_own_host_or_allowed() {
        let c = Config {
            allowed_origins: vec!["https://tools.example".into()],
            ..Config::default()
        };
        assert!(origin_allowed(
            &c,
            "http://127.0.0.1:8080",
            Some("127.0.0.1:8080")
        ));
        assert!(origin_allowed(&c, "https://tools.example/", None));
        assert!(!origin_allowed(
            &c,
            "http://127.0.0.1:3000",
            Some("127.0.0.1:8080")
        ));
        assert!(!origin_allowed(&c, "null", Some("127.0.0.1:8080")));
        assert!(!origin_allowed(
            &c,
            "https://127.0.0.1:8080",
            Some("127.0.0.1:8080")
        ));
    }
}
