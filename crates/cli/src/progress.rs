//! Progress on standard error for work that can take more than a second.
//!
//! The libraries report nothing themselves (ARCHITECTURE.md: progress is an
//! observer owned by the CLI). A single run shows a spinner with the elapsed
//! time, and only once it has lasted [`SHOW_AFTER`], so quick commands print
//! nothing extra; nothing is drawn when standard error is not a terminal or
//! with `--quiet`, so captured output never contains it.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long a run goes before its spinner appears.
pub const SHOW_AFTER: Duration = Duration::from_secs(1);

static QUIET: AtomicBool = AtomicBool::new(false);

/// Turns every progress indicator off (`--quiet`).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether progress may be drawn: not `--quiet`, and standard error is a
/// terminal.
pub fn enabled() -> bool {
    !QUIET.load(Ordering::Relaxed) && std::io::stderr().is_terminal()
}

/// A spinner shown while it lives; dropping it clears the line.
pub struct Spinner {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Spinner {
    /// Starts the clock on `what` (e.g. "analysing"); the spinner appears
    /// after [`SHOW_AFTER`] if the run is still going.
    pub fn start(what: &str) -> Spinner {
        if !enabled() {
            return Spinner {
                stop: None,
                thread: None,
            };
        }
        let (tx, rx) = channel::<()>();
        let what = what.to_string();
        let thread = std::thread::spawn(move || {
            match rx.recv_timeout(SHOW_AFTER) {
                Err(RecvTimeoutError::Timeout) => {}
                _ => return,
            }
            // The run started SHOW_AFTER ago: count from then, not from now.
            let bar = ProgressBar::new_spinner().with_elapsed(SHOW_AFTER);
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_message(what);
            loop {
                bar.tick();
                match rx.recv_timeout(Duration::from_millis(120)) {
                    Err(RecvTimeoutError::Timeout) => {}
                    _ => break,
                }
            }
            bar.finish_and_clear();
        });
        Spinner {
            stop: Some(tx),
            thread: Some(thread),
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        // Closing the channel wakes the thread; wait so the line is cleared
        // before the command prints its result.
        self.stop.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
