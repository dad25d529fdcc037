//! Groups: which unit each cadre belongs to.
//!
//! Cadres are numbered 0..n and units are consecutive blocks of `unit_size` of them (the last
//! one may be smaller): cadre i is member k = i mod unit_size of unit i / unit_size. That rule
//! is decided here once and used by the world (signals to a unit, blame on its leader, the
//! per-unit pass of phases 4–6), the classroom page's `start` event and the world view's
//! layout, so they cannot disagree. A level above units (places, for a difference-in-
//! differences study) belongs here too: places would group consecutive units the same way.

use std::ops::Range;

/// How `cadres` cadres are grouped into units of `unit_size` consecutive cadres.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Groups {
    cadres: u32,
    /// Members of a full unit: at least 1, at most the population (a larger configured
    /// size groups everyone into one unit, exactly as that size would).
    unit_size: u32,
}

impl Groups {
    /// `cadres` cadres in units of `unit_size`.
    pub fn new(cadres: u32, unit_size: u32) -> Groups {
        Groups {
            cadres,
            unit_size: unit_size.clamp(1, cadres.max(1)),
        }
    }

    /// The number of cadres.
    #[inline]
    pub fn cadres(&self) -> u32 {
        self.cadres
    }

    /// Members of a full unit (every unit but possibly the last).
    #[inline]
    pub fn unit_size(&self) -> u32 {
        self.unit_size
    }

    /// The number of units: the last one holds the remainder.
    #[inline]
    pub fn units(&self) -> u32 {
        self.cadres.div_ceil(self.unit_size)
    }

    /// The unit of cadre `cadre`.
    #[inline]
    pub fn unit_of(&self, cadre: u32) -> u32 {
        cadre / self.unit_size
    }

    /// The position of cadre `cadre` among its unit's members (0 for the first).
    #[inline]
    pub fn position(&self, cadre: u32) -> u32 {
        cadre % self.unit_size
    }

    /// The cadres of unit `unit`, in index order (empty past the last unit): the indices
    /// that go with [`Groups::by_unit`]'s slice of that unit.
    #[inline]
    pub fn members(&self, unit: u32) -> Range<u32> {
        let start = (unit.saturating_mul(self.unit_size)).min(self.cadres);
        start..start.saturating_add(self.unit_size).min(self.cadres)
    }

    /// The cadres of the first `units` units together (all cadres if there are fewer units).
    pub fn cadres_in_units(&self, units: u32) -> u32 {
        units.saturating_mul(self.unit_size).min(self.cadres)
    }

    /// Per-cadre data cut into one slice per unit, in unit order: the way the world's
    /// per-unit pass walks its cadres without any index arithmetic.
    #[inline]
    pub fn by_unit<'a, T>(&self, per_cadre: &'a mut [T]) -> std::slice::ChunksMut<'a, T> {
        debug_assert_eq!(per_cadre.len(), self.cadres as usize);
        per_cadre.chunks_mut(self.unit_size as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cadre_is_in_exactly_one_unit_at_its_position() {
        for (n, size) in [(10, 3), (12, 4), (1, 1), (5, 20), (100_001, 20)] {
            let g = Groups::new(n, size);
            let mut seen = 0;
            for unit in 0..g.units() {
                let members = g.members(unit);
                assert!(!members.is_empty(), "unit {unit} of {n}/{size} is empty");
                for (k, cadre) in members.enumerate() {
                    assert_eq!(cadre, seen, "units are consecutive blocks");
                    assert_eq!(g.unit_of(cadre), unit);
                    assert_eq!(g.position(cadre), k as u32);
                    seen += 1;
                }
            }
            assert_eq!(seen, n, "{n}/{size}: every cadre belongs to a unit");
            assert!(g.members(g.units()).is_empty());
        }
    }

    #[test]
    fn the_last_unit_holds_the_remainder_and_sizes_are_clamped() {
        let g = Groups::new(10, 4);
        assert_eq!(g.units(), 3);
        assert_eq!(g.members(2), 8..10);
        assert_eq!(g.cadres_in_units(2), 8);
        assert_eq!(g.cadres_in_units(9), 10);
        // A unit larger than the population is the whole population.
        let g = Groups::new(5, 20);
        assert_eq!((g.unit_size(), g.units()), (5, 1));
        let mut data = [0u8; 10];
        let sizes: Vec<usize> = Groups::new(10, 4)
            .by_unit(&mut data)
            .map(|c| c.len())
            .collect();
        assert_eq!(sizes, [4, 4, 2]);
    }
}
