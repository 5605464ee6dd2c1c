//! The command-line habits people expect (first-hour issue): completions and
//! a manual page from the same definitions as --help, tables that fit, no
//! progress drawn into captured output, --json where data is printed.

mod common;

use common::{detente, json_of};

fn stdout_of(args: &[&str]) -> String {
    let out = detente().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn completions_for_every_shell_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let text = stdout_of(&["completions", shell]);
        for sub in ["analyze", "negotiate", "tournament", "completions"] {
            assert!(text.contains(sub), "{shell} completions lack {sub}");
        }
    }
    let out = detente().args(["completions", "tcsh"]).output().unwrap();
    assert!(!out.status.success());
}

#[test]
fn man_page_is_roff_made_from_the_help_texts() {
    let page = stdout_of(&["man"]);
    assert!(
        page.starts_with(".ie") || page.contains(".TH detente"),
        "{page}"
    );
    assert!(page.contains("negotiate"));
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("man");
    stdout_of(&["man", "--dir", pages.to_str().unwrap()]);
    for name in ["detente.1", "detente-analyze.1", "detente-tournament.1"] {
        assert!(pages.join(name).is_file(), "{name} missing");
    }
}

#[test]
fn tables_fit_a_fixed_width_when_not_a_terminal() {
    // The evaluate table holds a long red-line note: it wraps instead of
    // running to 200 columns.
    for args in [
        &["evaluate"][..],
        &["analyze"][..],
        &["strategies"][..],
        &["negotiate", "car-sale"][..],
    ] {
        let text = stdout_of(args);
        for line in text
            .lines()
            .filter(|l| l.contains("──") || l.starts_with(' '))
        {
            assert!(
                line.chars().count() <= 100,
                "{args:?}: {} columns: {line}",
                line.chars().count()
            );
            assert_eq!(line, line.trim_end(), "{args:?}: trailing blanks");
        }
    }
}

#[test]
fn no_progress_is_drawn_into_captured_output() {
    for quiet in [false, true] {
        let mut args = vec!["analyze"];
        if quiet {
            args.push("--quiet");
        }
        let out = detente().args(&args).output().unwrap();
        assert!(out.status.success());
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn scenarios_lists_as_json_too() {
    let v = json_of(&["scenarios", "--json"]);
    let list = v.as_array().unwrap();
    assert!(
        list.iter()
            .any(|s| s["name"] == "peace-talks" && s["default"] == true)
    );
    assert!(list.iter().all(|s| s["issues"].as_u64().unwrap() > 0));
}

#[test]
fn messages_read_as_sentences() {
    // "1 proposals" and a dangling "name — " were printed before.
    let text = stdout_of(&["validate", "car-sale"]);
    assert!(text.contains("1 proposal,"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bare.toml");
    std::fs::write(
        &file,
        "version = 1\nname = \"bare\"\n[[issues]]\nname = \"x\"\noptions = [\"a\", \"b\"]\n\
         [[parties]]\nname = \"p\"\nweights = { x = 1 }\nvalues.x = { a = 0, b = 1 }\n\
         [[parties]]\nname = \"q\"\nweights = { x = 1 }\nvalues.x = { a = 1, b = 0 }\n",
    )
    .unwrap();
    let text = stdout_of(&["analyze", file.to_str().unwrap()]);
    assert_eq!(text.lines().next(), Some("bare"), "{text}");
    // "it worth 0.244" in the mediated account.
    let text = stdout_of(&["negotiate"]);
    assert!(!text.contains("it worth"), "{text}");
    assert!(
        text.starts_with("Read: built-in scenario `peace-talks`"),
        "{text}"
    );
}

#[test]
fn tournament_run_summarises_as_json_too() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("t.toml");
    std::fs::write(
        &config,
        "protocol = \"alternating\"\nrounds = 20\nrepetitions = 1\nseed = 1\n\
         strategies = [\"boulware\", \"conceder\"]\nscenarios = [\"car-sale\"]\n",
    )
    .unwrap();
    let db = dir.path().join("r.db");
    let args = [
        "tournament",
        "run",
        config.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--json",
    ];
    let first = json_of(&args);
    assert!(first["planned"].as_u64().unwrap() > 0);
    assert_eq!(first["ran"], first["planned"]);
    let again = json_of(&args);
    assert_eq!(again["ran"], 0);
    assert_eq!(again["already_stored"], first["planned"]);
}
