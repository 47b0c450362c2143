//! The one source of randomness: ChaCha8 streams derived from the seed, so
//! the same seed and size give the same data set byte for byte.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded random stream with the few draws the generator needs.
pub(crate) struct DemoRng(ChaCha8Rng);

/// The independent streams of one seed, one per phase of generation, so a
/// change in how one phase draws numbers leaves the others as they were.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stream {
    Org = 1,
    Ground = 2,
    Households = 3,
    Tickets = 4,
    Visits = 5,
    Positions = 6,
}

impl DemoRng {
    pub(crate) fn new(seed: u64, stream: Stream) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream as u64);
        Self(rng)
    }

    /// A uniform number in [0, 1).
    pub(crate) fn u01(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.u01() < p
    }

    /// A uniform integer in `lo..=hi`; `hi < lo` gives `lo`.
    pub(crate) fn int(&mut self, lo: u32, hi: u32) -> u32 {
        if hi <= lo { lo } else { self.0.random_range(lo..=hi) }
    }

    /// A uniform number in [lo, hi).
    pub(crate) fn real(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.u01()
    }

    /// A triangular number in [lo, hi] that peaks at `mode`.
    pub(crate) fn triangular(&mut self, lo: f64, mode: f64, hi: f64) -> f64 {
        let u = self.u01();
        let cut = (mode - lo) / (hi - lo);
        if u < cut {
            lo + ((hi - lo) * (mode - lo) * u).sqrt()
        } else {
            hi - ((hi - lo) * (hi - mode) * (1.0 - u)).sqrt()
        }
    }

    /// A uniform index below `len`; `len` must not be zero (callers pass
    /// non-empty tables and lists they checked).
    pub(crate) fn index(&mut self, len: usize) -> usize {
        self.0.random_range(0..len.max(1))
    }

    /// A uniform pick from a non-empty table.
    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.index(items.len())]
    }

    /// A pick from a non-empty table of (item, weight) with positive total weight.
    pub(crate) fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut roll = self.int(0, total.saturating_sub(1));
        for (item, weight) in items {
            if roll < *weight {
                return item;
            }
            roll -= weight;
        }
        &items[items.len() - 1].0
    }

    /// Ten random bytes for a UUIDv7.
    pub(crate) fn id_bytes(&mut self) -> [u8; 10] {
        let mut bytes = [0u8; 10];
        self.0.fill(&mut bytes);
        bytes
    }

    /// `count` random decimal digits as a number.
    pub(crate) fn digits(&mut self, count: u32) -> u64 {
        self.0.random_range(0..10u64.pow(count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_repeatable_and_independent() {
        let a: Vec<f64> = (0..5).map(|_| DemoRng::new(7, Stream::Org).u01()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let mut org = DemoRng::new(7, Stream::Org);
        let mut ground = DemoRng::new(7, Stream::Ground);
        assert_ne!(org.u01(), ground.u01());
    }

    #[test]
    fn draws_stay_in_range() {
        let mut rng = DemoRng::new(1, Stream::Tickets);
        for _ in 0..1000 {
            let t = rng.triangular(50.0, 90.0, 160.0);
            assert!((50.0..=160.0).contains(&t), "{t}");
            assert!((3..=8).contains(&rng.int(3, 8)));
            assert_eq!(rng.int(5, 2), 5);
            assert!(*rng.weighted(&[("a", 1), ("b", 0), ("c", 3)]) != "b");
        }
    }
}
