//! `detente serve`: starts on a free loopback port, prints its address
//! first, answers the API, and refuses foreign Host headers.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get(addr: &str, path: &str, host: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn serves_the_api_on_a_free_loopback_port() {
    // Rooms go to the default place, which must not be the tester's own.
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_detente"))
        .args(["serve", "--port", "0"])
        .env("XDG_DATA_HOME", data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("detente workbench: http://")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"));
    let addr = url.trim_end_matches('/');
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    let reply = get(addr, "/api/scenarios", addr);
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("\"peace-talks\""));
    let page = get(addr, "/", addr);
    assert!(page.contains("detente workbench"));
    let refused = get(addr, "/api/scenarios", "evil.example");
    assert!(refused.starts_with("HTTP/1.1 403"), "{refused}");
    assert!(refused.contains("forbidden_host"));
    drop(server);
    assert!(data.path().join("detente/rooms.db").exists());
}

/// Starts `detente serve` with `args` and returns it with its first lines.
fn start(args: &[&str], lines: usize) -> (Server, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_detente"))
        .args(["serve", "--port", "0"])
        .args(args)
        .env_remove(detente_facilitator_var())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let server = Server(child);
    let mut out = Vec::new();
    for _ in 0..lines {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        out.push(line.trim().to_string());
    }
    (server, out)
}

fn detente_facilitator_var() -> &'static str {
    "DETENTE_FACILITATOR_TOKEN"
}

#[test]
fn rooms_are_kept_in_the_named_file_which_one_server_owns() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("class.db");
    let db = db.to_str().unwrap();
    let (server, lines) = start(&["--rooms", db], 2);
    assert!(
        lines[1].starts_with("rooms: http://127.0.0.1:"),
        "{lines:?}"
    );
    assert!(std::path::Path::new(db).exists());
    // A second server on the same file is refused, clearly.
    let out = Command::new(env!("CARGO_BIN_EXE_detente"))
        .args(["serve", "--port", "0", "--rooms", db])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("in use by another process"), "{stderr}");
    drop(server);
}

#[test]
fn a_server_on_the_network_makes_up_a_facilitator_token() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("class.db");
    let (_server, lines) = start(&["--host", "0.0.0.0", "--rooms", db.to_str().unwrap()], 3);
    let token = lines[2]
        .strip_prefix("facilitator token (creating rooms needs it): ")
        .unwrap_or_else(|| panic!("{lines:?}"));
    assert_eq!(token.len(), 64);
}

#[test]
fn bad_arguments_fail_cleanly() {
    let out = Command::new(env!("CARGO_BIN_EXE_detente"))
        .args(["serve", "--time-budget", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--time-budget"), "{stderr}");
    assert!(!stderr.contains("panicked"));
}
