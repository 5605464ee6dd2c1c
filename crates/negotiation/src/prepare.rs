//! The one-off work before a session's first offer: every bargaining
//! party's outcomes sorted by its own utility, shared by all the sessions of
//! a tournament on one scenario.

use crate::space::OwnSpace;
use detente_core::{PartyId, Scenario};
use std::sync::Arc;

/// Every bargaining party's outcomes sorted by its own utility: the one-off
/// work before the first offer. A sorted space depends only on the scenario
/// and the party, so a tournament can prepare a scenario once and share it
/// between all its sessions with [`run_session_prepared`](crate::run_session_prepared).
#[derive(Clone, Debug)]
pub struct Prepared {
    /// Indexed by party; `None` for parties that do not bargain.
    spaces: Vec<Option<Arc<OwnSpace>>>,
}

impl Prepared {
    /// The sorted space of a party, if it bargains.
    pub fn space(&self, p: PartyId) -> Option<&OwnSpace> {
        self.spaces.get(p.index())?.as_deref()
    }

    /// The sorted space of a party, shared, for a strategy that keeps it
    /// beyond one call (an agent's view of its own outcomes).
    pub fn shared(&self, p: PartyId) -> Option<Arc<OwnSpace>> {
        self.spaces.get(p.index())?.clone()
    }
}

/// Outcome spaces at least this large are sorted for all parties in
/// parallel (scoped threads), smaller ones in turn.
const PARALLEL_SORT: u64 = 1 << 16;

/// Sorts every bargaining party's outcomes (in parallel for large spaces).
pub fn prepare(scenario: &Scenario) -> Prepared {
    let bargainers = scenario.bargainers();
    let mut spaces: Vec<Option<Arc<OwnSpace>>> = vec![None; scenario.parties().len()];
    let large = scenario
        .space()
        .count_u64()
        .is_none_or(|c| c >= PARALLEL_SORT);
    // Asking for the parallelism reads cgroup files: only worth it when large.
    let parallel = large
        && bargainers.len() > 1
        && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    if parallel {
        // The calling thread sorts the first party's outcomes itself while
        // helper threads sort the others'.
        let built: Vec<(PartyId, OwnSpace)> = std::thread::scope(|s| {
            let handles: Vec<_> = bargainers[1..]
                .iter()
                .map(|&p| s.spawn(move || (p, OwnSpace::build(scenario, p))))
                .collect();
            let first = (bargainers[0], OwnSpace::build(scenario, bargainers[0]));
            let mut built = vec![first];
            for h in handles {
                match h.join() {
                    Ok(x) => built.push(x),
                    Err(e) => std::panic::resume_unwind(e),
                }
            }
            built
        });
        for (p, space) in built {
            spaces[p.index()] = Some(Arc::new(space));
        }
    } else {
        for p in bargainers {
            spaces[p.index()] = Some(Arc::new(OwnSpace::build(scenario, p)));
        }
    }
    Prepared { spaces }
}
