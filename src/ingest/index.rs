//! The ingest's lookup structures: the fast hasher of its maps, shared column text and
//! the index of participants by pilot and id.

use std::collections::HashMap;
use std::sync::Arc;

use super::Participant;

/// The ingest maps are keyed by short ids and small tuples, where SipHash's protection
/// against crafted collisions costs more than it buys (inputs are the evaluator's own
/// files): foldhash with a fixed seed, so runs are repeatable. Only lookups go through
/// these maps; nothing printed depends on their order.
type FastHasher = foldhash::fast::FixedState;

pub(crate) type FastMap<K, V> = HashMap<K, V, FastHasher>;

/// Texts that repeat down a column (pilots, categories, codes), each held once and shared.
#[derive(Debug, Default)]
pub(crate) struct SharedText(std::collections::HashSet<Arc<str>, FastHasher>);

impl SharedText {
    pub(crate) fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.0.get(text) {
            return Arc::clone(shared);
        }
        let shared: Arc<str> = Arc::from(text);
        self.0.insert(Arc::clone(&shared));
        shared
    }
}

/// Participants by pilot and id: slots holding an index into the participants and the
/// key's hash, checked against the participants themselves only when the hashes agree.
/// Eight bytes a slot, where a map of strings would hold a second copy of every id.
#[derive(Debug, Clone, Default)]
pub(crate) struct ParticipantIndex {
    /// Open addressing with linear probing, kept at most half full: (index, hash), with
    /// `EMPTY` as the index of a free slot.
    slots: Vec<(u32, u32)>,
    len: usize,
}

impl ParticipantIndex {
    const EMPTY: u32 = u32::MAX;

    fn hash(pilot: &str, id: &str) -> u32 {
        use std::hash::BuildHasher;
        let v = FastHasher::default().hash_one((pilot, id));
        (v ^ (v >> 32)) as u32
    }

    /// The slot holding the key, or the free slot where it would go.
    pub(super) fn find(&self, participants: &[Participant], pilot: &str, id: &str, hash: u32) -> usize {
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            let (index, stored) = self.slots[at];
            if index == Self::EMPTY {
                return at;
            }
            if stored == hash {
                let p = &participants[index as usize];
                if p.participant_id == id && &*p.pilot_id == pilot {
                    return at;
                }
            }
            at = (at + 1) & mask;
        }
    }

    pub(super) fn get(&self, participants: &[Participant], pilot: &str, id: &str) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let (index, _) = self.slots[self.find(participants, pilot, id, Self::hash(pilot, id))];
        (index != Self::EMPTY).then_some(index as usize)
    }

    /// Adds `participants[index]`, or returns the index of the earlier participant with
    /// the same pilot and id.
    pub(super) fn insert_new(
        &mut self,
        participants: &[Participant],
        index: usize,
    ) -> std::result::Result<(), usize> {
        if (self.len + 1) * 2 > self.slots.len() {
            let size = (self.slots.len() * 2).max(64);
            let old = std::mem::replace(&mut self.slots, vec![(Self::EMPTY, 0); size]);
            let mask = size - 1;
            for (slot, hash) in old.into_iter().filter(|s| s.0 != Self::EMPTY) {
                let mut at = hash as usize & mask;
                while self.slots[at].0 != Self::EMPTY {
                    at = (at + 1) & mask;
                }
                self.slots[at] = (slot, hash);
            }
        }
        let p = &participants[index];
        let hash = Self::hash(&p.pilot_id, &p.participant_id);
        let at = self.find(participants, &p.pilot_id, &p.participant_id, hash);
        match self.slots[at].0 {
            Self::EMPTY => {
                self.slots[at] = (index as u32, hash);
                self.len += 1;
                Ok(())
            }
            earlier => Err(earlier as usize),
        }
    }
}
