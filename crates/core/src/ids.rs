//! The index of a party, shared by the scenario and its uncertain numbers.

/// Index of a party in its scenario's party list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartyId(pub u32);

impl PartyId {
    /// The position of the party in the scenario's party list, for indexing per-party vectors.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
