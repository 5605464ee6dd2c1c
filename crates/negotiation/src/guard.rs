//! The guard around every strategy call: a panic, a typed failure raised
//! with [`fail`](crate::fail), or an overrun of the step budget ends the
//! session with a recorded failure instead of the process.

use crate::{EndReason, FailureKind};
use detente_core::PartyId;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-text payload".to_string()
    }
}

/// Calls between two clock readings while no overrun has been seen.
const CHECK_EVERY: u32 = 16;

thread_local! {
    static IN_STRATEGY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// True while this thread runs a strategy call under the session's guard: a
/// panic raised now will be caught and recorded as the session's failure.
/// A program's panic hook can use it to stay quiet about such panics (the
/// CLI does, so that a tournament with a faulty strategy does not print a
/// backtrace per match).
pub fn strategy_call_in_progress() -> bool {
    IN_STRATEGY.with(|c| c.get())
}

/// Runs strategy calls, turning a panic or an overrun into a failure.
///
/// Reading the clock around every call would cost more than a whole step of
/// the time-based strategies, so the guard reads it every [`CHECK_EVERY`]
/// calls: if that many calls together stayed within one step budget, none of
/// them overran. Once a stretch exceeds the budget, the guard times every
/// call from then on (one reading per call: the end of one call is the start
/// of the next), and the first call over budget ends the session. A
/// strategy that overruns repeatedly is therefore always caught; a single
/// overrun in an otherwise fast stretch may go unpunished.
pub(crate) struct Guard {
    budget: Duration,
    precise: bool,
    calls: u32,
    mark: Instant,
}

impl Guard {
    pub fn new(budget: Duration) -> Guard {
        Guard {
            budget,
            precise: false,
            calls: 0,
            mark: Instant::now(),
        }
    }

    /// Starts a new stretch now: the time an external participant took to
    /// answer is not the next strategy call's.
    pub fn restart(&mut self) {
        if !self.budget.is_zero() {
            self.mark = Instant::now();
        }
    }

    pub fn call<T>(&mut self, party: PartyId, f: impl FnOnce() -> T) -> Result<T, EndReason> {
        IN_STRATEGY.with(|c| c.set(true));
        let result = catch_unwind(AssertUnwindSafe(f));
        IN_STRATEGY.with(|c| c.set(false));
        // A strategy that fails on purpose (one written outside Rust whose
        // call raised) unwinds with its `FailureKind` as the payload.
        let value = result.map_err(|payload| EndReason::Failure {
            party,
            kind: match payload.downcast::<FailureKind>() {
                Ok(kind) => *kind,
                Err(payload) => FailureKind::Panic {
                    message: panic_message(payload),
                },
            },
        })?;
        if self.budget.is_zero() {
            return Ok(value);
        }
        self.calls += 1;
        if self.precise || self.calls.is_multiple_of(CHECK_EVERY) {
            let now = Instant::now();
            let over = now.duration_since(self.mark) > self.budget;
            self.mark = now;
            if over && self.precise {
                return Err(EndReason::Failure {
                    party,
                    kind: FailureKind::OverBudget {
                        budget_ms: u64::try_from(self.budget.as_millis()).unwrap_or(u64::MAX),
                    },
                });
            }
            self.precise |= over;
        }
        Ok(value)
    }
}
