//! Where output files go (issue "first hour"): `-` is standard output,
//! devices and FIFOs are written, not replaced; read-only files are refused;
//! hard links keep their meaning; no temporary file is left behind.

mod common;

use common::{detente, fails_with};
use std::path::Path;

fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".detente-tmp-"))
        .collect()
}

fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    detente().current_dir(dir).args(args).output().unwrap()
}

/// Issue "first hour": `report -o -` and `convert -o -` wrote a file named
/// `-`.
#[test]
fn outputs_dash_is_standard_output_for_report_and_convert() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["report", "car-sale", "-o", "-"]);
    assert!(out.status.success(), "{out:?}");
    assert!(out.stdout.starts_with(b"<!DOCTYPE html>"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrote standard output"));

    let out = run_in(
        dir.path(),
        &["convert", "car-sale", "--to", "native", "-o", "-"],
    );
    assert!(out.status.success(), "{out:?}");
    let toml = String::from_utf8(out.stdout).unwrap();
    assert!(toml.contains("name = \"car-sale\""), "{toml}");

    // Folder formats cannot go to standard output: refused, nothing made.
    let out = run_in(
        dir.path(),
        &["convert", "car-sale", "--to", "genius", "-o", "-"],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot go to standard output"), "{err}");
    assert!(out.stdout.is_empty());

    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no file named `-`"
    );
}

#[test]
fn outputs_dash_is_standard_output_for_trace_and_forecast_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["negotiate", "car-sale", "--trace", "-"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().count() > 1);
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v.get("action").is_some(), "{line}");
    }
    fails_with(
        &["negotiate", "car-sale", "--trace", "-", "--json"],
        &["--trace -", "--json"],
    );

    let out = run_in(dir.path(), &["forecast", "--win-csv", "-"]);
    assert!(out.status.success(), "{out:?}");
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("actor,"), "{csv}");
    // The summary went to standard error instead.
    assert!(!String::from_utf8_lossy(&out.stderr).is_empty());
    fails_with(
        &["forecast", "--csv", "-", "--win-csv", "-"],
        &["only one output"],
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no file named `-`"
    );
}

/// Issue "first hour": a FIFO given to `-o` was replaced by a regular file.
#[cfg(unix)]
#[test]
fn outputs_a_fifo_is_written_not_replaced() {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut s = String::new();
            std::fs::File::open(fifo)
                .unwrap()
                .read_to_string(&mut s)
                .unwrap();
            s
        })
    };
    let out = run_in(
        dir.path(),
        &["convert", "car-sale", "--to", "native", "-o", "pipe"],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(reader.join().unwrap().contains("name = \"car-sale\""));
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "still a FIFO");
    assert!(temporaries(dir.path()).is_empty());
}

/// Issue "first hour": a device given to `-o` was replaced by a regular
/// file. The device is a private copy of the null device (1,3) made in a
/// temporary folder; the real /dev/null is never touched. Where mknod is
/// not allowed (not root), `/dev/stdout` stands in: the output must arrive
/// through the pipe it names, not replace anything.
#[cfg(unix)]
#[test]
fn outputs_a_device_is_written_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let dev = dir.path().join("null");
    let made = std::process::Command::new("mknod")
        .arg(&dev)
        .args(["c", "1", "3"])
        .output()
        .unwrap();
    if made.status.success() {
        let out = run_in(dir.path(), &["report", "car-sale", "-o", "null"]);
        assert!(out.status.success(), "{out:?}");
        let kind = std::fs::symlink_metadata(&dev).unwrap().file_type();
        assert!(kind.is_char_device(), "still a device");
        assert!(temporaries(dir.path()).is_empty());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    } else {
        eprintln!(
            "mknod refused ({}); checking /dev/stdout instead",
            String::from_utf8_lossy(&made.stderr).trim()
        );
    }
    let out = run_in(
        dir.path(),
        &["convert", "car-sale", "--to", "native", "-o", "/dev/stdout"],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("name = \"car-sale\""));
}

/// Issue "first hour": a read-only output file was silently replaced.
#[cfg(unix)]
#[test]
fn outputs_a_read_only_target_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("keep.toml");
    std::fs::write(&target, "precious").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = run_in(
        dir.path(),
        &["convert", "car-sale", "--to", "native", "-o", "keep.toml"],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("keep.toml") && err.contains("read-only"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
    assert!(temporaries(dir.path()).is_empty());
}

/// Issue "first hour": writing to a hard-linked file cut it from its other
/// name; both names now see the new contents, with the old permissions.
#[cfg(unix)]
#[test]
fn outputs_a_hard_linked_target_keeps_its_links() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.toml");
    let b = dir.path().join("b.toml");
    std::fs::write(&a, "old").unwrap();
    std::fs::set_permissions(&a, std::fs::Permissions::from_mode(0o664)).unwrap();
    std::fs::hard_link(&a, &b).unwrap();
    let out = run_in(
        dir.path(),
        &["convert", "car-sale", "--to", "native", "-o", "b.toml"],
    );
    assert!(out.status.success(), "{out:?}");
    let new = std::fs::read_to_string(&a).unwrap();
    assert!(new.contains("name = \"car-sale\""));
    assert_eq!(std::fs::read_to_string(&b).unwrap(), new);
    let meta = std::fs::metadata(&a).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o664);
    assert!(temporaries(dir.path()).is_empty());
}

/// Issue "first hour": an interrupted write could leave its temporary file.
/// SIGTERM at several moments of a report's life: whenever it lands, the
/// process ends by that signal and leaves no `.detente-tmp-*` file, and the
/// target is either absent or complete.
#[cfg(unix)]
#[test]
fn outputs_an_interrupted_write_leaves_no_temporary_file() {
    use std::os::unix::process::ExitStatusExt;
    let bin = assert_cmd::cargo::cargo_bin("detente");
    for delay_ms in [0u64, 20, 50, 100, 200, 400] {
        let dir = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new(&bin)
            .current_dir(dir.path())
            .args(["report", "peace-talks", "-o", "out.html"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        if sent.success() && !status.success() {
            assert_eq!(status.signal(), Some(15), "ends as SIGTERM's default would");
        }
        assert!(temporaries(dir.path()).is_empty(), "after {delay_ms} ms");
        let out = dir.path().join("out.html");
        if out.exists() {
            assert!(
                std::fs::read_to_string(&out)
                    .unwrap()
                    .ends_with("</html>\n")
            );
        }
    }
}
