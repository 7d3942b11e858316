//! A hash index over entries that live elsewhere: 4-byte slots holding an entry number and a
//! few hash bits, with linear probing.
//!
//! The featurizer's hot tables (the word cache; the n-gram trie of fitting) map keys that their
//! owner already stores in a dense array (the words in order of first sight; the trie's
//! `(parent, stem)` per node). A general hash map would keep a second copy of every key in a
//! slot of 16 or 32 bytes, so a corpus's word cache outgrows the processor's caches, and
//! `perf` put most of a lookup's time on loading that slot (`benches/README.md`). Here a slot
//! is 4 bytes, and the hash bits in it reject nearly every wrong entry without reading it, so a
//! lookup reads one slot and then the owner's entry, and frequent keys (seen first, so stored
//! first) share cache lines.
//! `hashbrown`'s `HashTable` of `(entry, hash)` pairs (8 bytes and a control byte a slot)
//! measured slower in `stance bench` (`benches/README.md`).

/// The slots, `2^bits` of them: 0 when empty, else `tag << bits | entry`, where `entry` is
/// non-zero and `tag` holds the `32 - bits` hash bits below the ones that chose the slot. The
/// index grows before it is three quarters full and before an entry number would reach the
/// number of slots, so the entry always fits beside the tag.
#[derive(Debug, Clone, Default)]
pub struct SlotIndex {
    slots: Vec<u32>,
    bits: u32,
    len: usize,
}

/// The fewest slots an index that holds anything has.
const MIN_BITS: u32 = 4;

/// The most slots: one more bit would leave no room for a tag. Entry numbers must stay below
/// this many slots (2^31), and at this size the three-quarters limit is dropped (probing still
/// ends, as a slot stays empty). The featurizer's entries are words and n-gram trie nodes of
/// one thread's piece of the corpus: 2^31 of them would take tens of gigabytes before this.
const MAX_BITS: u32 = 31;

/// The top 32 bits of a 64-bit hash of `(a, b)` (a folded multiply, as in `foldhash`).
#[inline]
pub fn hash(a: u64, b: u64) -> u32 {
    let p =
        u128::from(a ^ 0x243f_6a88_85a3_08d3).wrapping_mul(u128::from(b ^ 0x1319_8a2e_0370_7345));
    let h = (p as u64 ^ (p >> 64) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> 32) as u32
}

impl SlotIndex {
    /// An empty index with room for `n` entries.
    pub fn with_capacity(n: usize) -> Self {
        let slots = (n * 4 / 3 + 1).next_power_of_two();
        let mut index = SlotIndex::default();
        index.rebuild(
            slots.trailing_zeros().clamp(MIN_BITS, MAX_BITS),
            std::iter::empty(),
        );
        index
    }

    /// The number of entries.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no entries.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The slot to start probing at and the tag of a hash.
    #[inline]
    fn place(&self, hash: u32) -> (usize, u32) {
        let slot = (hash >> (32 - self.bits)) as usize;
        let tag = hash & ((1 << (32 - self.bits)) - 1);
        (slot, tag)
    }

    /// The entry with this hash for which `is` holds.
    #[inline]
    pub fn find(&self, hash: u32, mut is: impl FnMut(u32) -> bool) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let (mut slot, tag) = self.place(hash);
        let mask = self.slots.len() - 1;
        let entry_mask = (1u32 << self.bits) - 1;
        loop {
            let s = self.slots[slot];
            if s == 0 {
                return None;
            }
            if s >> self.bits == tag && is(s & entry_mask) {
                return Some(s & entry_mask);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// The first entry with this hash's tag, which [`SlotIndex::find`] would check first (0
    /// for none). Reading it, and the owner's entry it names, ahead of the real lookups of a
    /// batch of keys lets the processor overlap their cache misses: a lookup's two reads depend
    /// on each other, but the lookups of different keys do not.
    #[inline]
    pub fn candidate(&self, hash: u32) -> u32 {
        if self.slots.is_empty() {
            return 0;
        }
        let (mut slot, tag) = self.place(hash);
        let mask = self.slots.len() - 1;
        loop {
            let s = self.slots[slot];
            if s == 0 || s >> self.bits == tag {
                return s & ((1u32 << self.bits) - 1);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Whether `entry` can be added as it is, or needs [`SlotIndex::grow`] first: it would make
    /// the index more than three quarters full (below the largest size), or its number does not
    /// fit beside the tag.
    #[inline]
    pub fn has_room_for(&self, entry: u32) -> bool {
        !self.slots.is_empty()
            && (entry as usize) < self.slots.len()
            && ((self.len + 1) * 4 <= self.slots.len() * 3 || self.bits == MAX_BITS)
    }

    /// Makes room for `entry`, re-inserting `entries` (every entry with its hash) into enough
    /// slots: twice as many (up to the largest size), and more than the largest entry number.
    ///
    /// Panics if `entry` is 2^31 or more, which no slot can hold: a clear stop rather than
    /// entries that would silently lose their top bit (see [`MAX_BITS`]).
    pub fn grow(&mut self, entry: u32, entries: impl Iterator<Item = (u32, u32)>) {
        assert!(
            (entry as usize) < 1 << MAX_BITS,
            "a hash index cannot hold entry number {entry}: at most 2^31 entries"
        );
        let needed = ((self.len + 1) * 4 / 3 + 1).max(entry as usize + 1);
        let bits = (self.bits + 1)
            .max(needed.next_power_of_two().trailing_zeros())
            .clamp(MIN_BITS, MAX_BITS);
        self.rebuild(bits, entries);
    }

    /// Adds `entry` (non-zero, not in the index, and with room for it: see
    /// [`SlotIndex::has_room_for`]) with its hash.
    #[inline]
    pub fn insert(&mut self, hash: u32, entry: u32) {
        debug_assert!(entry != 0 && (entry as usize) < self.slots.len());
        let (mut slot, tag) = self.place(hash);
        let mask = self.slots.len() - 1;
        while self.slots[slot] != 0 {
            slot = (slot + 1) & mask;
        }
        self.slots[slot] = tag << self.bits | entry;
        self.len += 1;
    }

    /// Sets `2^bits` empty slots and inserts `entries` (entry, hash).
    fn rebuild(&mut self, bits: u32, entries: impl Iterator<Item = (u32, u32)>) {
        self.bits = bits;
        self.slots.clear();
        self.slots.resize(1 << bits, 0);
        self.len = 0;
        for (entry, hash) in entries {
            self.insert(hash, entry);
        }
    }

    /// Removes every entry, keeping the slots' memory.
    pub fn clear(&mut self) {
        self.slots.fill(0);
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys stored by their owner, found through the index, as the featurizer's tables do.
    #[test]
    fn finds_every_key_through_growth_and_collisions() {
        let mut keys: Vec<u64> = vec![0];
        let mut index = SlotIndex::default();
        // Hashes that collide in the top bits exercise probing and the tag check.
        let hash_of = |k: u64| {
            if k.is_multiple_of(3) {
                0x8000_0000
            } else {
                hash(k, 7)
            }
        };
        for k in (0..5000u64).map(|i| i * 7919 % 10007) {
            let found = index.find(hash_of(k), |e| keys[e as usize] == k);
            assert_eq!(found, None, "{k} is new");
            // Entry numbers run ahead of the count, as the trie's node numbers do.
            keys.extend([u64::MAX, k]);
            let entry = keys.len() as u32 - 1;
            if !index.has_room_for(entry) {
                index.grow(
                    entry,
                    (1..entry)
                        .filter(|&e| keys[e as usize] != u64::MAX)
                        .map(|e| (e, hash_of(keys[e as usize]))),
                );
            }
            index.insert(hash_of(k), entry);
        }
        assert_eq!(index.len(), 5000);
        for (e, &k) in keys
            .iter()
            .enumerate()
            .skip(1)
            .filter(|&(_, &k)| k != u64::MAX)
        {
            assert_eq!(
                index.find(hash_of(k), |f| keys[f as usize] == k),
                Some(e as u32)
            );
        }
        assert!(index
            .find(hash_of(10_008), |f| keys[f as usize] == 10_008)
            .is_none());
        index.clear();
        assert!(index.is_empty());
        assert!(index
            .find(hash_of(7919), |f| keys[f as usize] == 7919)
            .is_none());
    }
}
