//! Groups: which unit each cadre belongs to, and which place each unit.
//!
//! Cadres are numbered 0..n and units are consecutive blocks of `unit_size` of them (the last
//! one may be smaller): cadre i is member k = i mod unit_size of unit i / unit_size. Places
//! group consecutive units the same way, `units_per_place` each (the scenario checks that
//! they divide evenly). That rule is decided here once and used by the world (signals to a
//! unit, blame on its leader, the per-place and per-unit pass of phases 4–6), the classroom
//! page's `start` event and the world view's layout, so they cannot disagree.

use std::ops::Range;

/// How `cadres` cadres are grouped into units of `unit_size` consecutive cadres.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Groups {
    cadres: u32,
    /// Members of a full unit: at least 1, at most the population (a larger configured
    /// size groups everyone into one unit, exactly as that size would).
    unit_size: u32,
    /// Units of a full place (every place but possibly the last).
    units_per_place: u32,
}

impl Groups {
    /// `cadres` cadres in units of `unit_size`.
    pub fn new(cadres: u32, unit_size: u32) -> Groups {
        let unit_size = unit_size.clamp(1, cadres.max(1));
        Groups {
            cadres,
            unit_size,
            units_per_place: cadres.div_ceil(unit_size).max(1),
        }
    }

    /// The same cadres and units, the units split into `places` consecutive places (at
    /// most one place per unit).
    pub fn with_places(self, places: u32) -> Groups {
        let units = self.units().max(1);
        Groups {
            units_per_place: units.div_ceil(places.clamp(1, units)),
            ..self
        }
    }

    /// The number of places.
    #[inline]
    pub fn places(&self) -> u32 {
        self.units().div_ceil(self.units_per_place).max(1)
    }

    /// The place of unit `unit`.
    #[inline]
    pub fn place_of_unit(&self, unit: u32) -> u32 {
        unit / self.units_per_place
    }

    /// The place of cadre `cadre`.
    #[inline]
    pub fn place_of(&self, cadre: u32) -> u32 {
        self.place_of_unit(self.unit_of(cadre))
    }

    /// The units of place `place`, in order.
    pub fn place_units(&self, place: u32) -> Range<u32> {
        let start = place.saturating_mul(self.units_per_place).min(self.units());
        start..start.saturating_add(self.units_per_place).min(self.units())
    }

    /// The cadres of place `place`, in index order.
    pub fn place_cadres(&self, place: u32) -> Range<u32> {
        let units = self.place_units(place);
        self.cadres_in_units(units.start)..self.cadres_in_units(units.end)
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
    fn places_are_consecutive_blocks_of_units() {
        let g = Groups::new(3000, 20).with_places(30);
        assert_eq!((g.units(), g.places()), (150, 30));
        assert_eq!(g.place_units(1), 5..10);
        assert_eq!(g.place_cadres(1), 100..200);
        assert_eq!(
            (g.place_of(99), g.place_of(100), g.place_of(2999)),
            (0, 1, 29)
        );
        let one = Groups::new(1000, 20);
        assert_eq!(one.places(), 1);
        assert_eq!(one.place_cadres(0), 0..1000);
        assert_eq!(one.place_of(999), 0);
        // More places than units: one unit each.
        assert_eq!(Groups::new(40, 20).with_places(5).places(), 2);
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
