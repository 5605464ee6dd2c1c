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
    let mut child = Command::new(env!("CARGO_BIN_EXE_detente"))
        .args(["serve", "--port", "0"])
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
