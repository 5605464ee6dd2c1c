//! Interrupted writes leave no temporary files.
//!
//! Output files are written through `.detente-tmp-*` files renamed into
//! place (`detente_formats::write_file`). On SIGINT, SIGTERM or SIGHUP a
//! thread removes the ones in flight, then the process ends as the signal's
//! default action would (so the exit status still says which signal). Only
//! SIGKILL, which cannot be caught, can leave one behind.

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// Starts the thread that cleans up on a terminating signal. Without it
/// (the handler cannot be installed) signals keep their default action.
pub fn remove_temporary_files_on_signal() {
    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            detente_formats::remove_temporary_files();
            let _ = signal_hook::low_level::emulate_default_handler(signal);
            std::process::exit(128 + signal);
        }
    });
}
