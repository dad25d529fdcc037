//! The world view: one cell per cadre, grouped by unit, coloured by what the cadre is doing.
//!
//! Shared by the classroom page (which receives the statuses as a string of digits per step
//! and draws them on a canvas) and `run --gif` (which draws the same picture into an animated
//! GIF). The colours and the unit layout are decided here once, so the page and the GIF agree;
//! which unit a cadre belongs to comes from the model's [`Groups`].

pub mod gif;

use serde::Serialize;

use crate::model::world::Cadre;
use crate::model::{CadreStatus, Groups};

/// Every status in the order of its code.
pub const STATUSES: [CadreStatus; 6] = [
    CadreStatus::Passive,
    CadreStatus::Reforming,
    CadreStatus::UnderReview,
    CadreStatus::Tolerated,
    CadreStatus::Sanctioned,
    CadreStatus::LyingFlat,
];

/// What the page needs to draw and explain one status.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct StatusStyle {
    /// The digit that stands for it in a step's status string.
    pub code: u8,
    /// Its name in the model (`snake_case`, as in the API).
    pub name: &'static str,
    /// Its colour, `#rrggbb`.
    pub color: &'static str,
}

/// The style of a status. Colours are chosen to stay apart on a washed-out projector and
/// for the common colour-vision deficiencies (blue/orange axis for the two that matter most:
/// reforming vs sanctioned), with passive a quiet grey so that action stands out.
pub fn style(status: CadreStatus) -> StatusStyle {
    let (name, color) = match status {
        CadreStatus::Passive => ("passive", "#c9ced6"),
        CadreStatus::Reforming => ("reforming", "#1f77d0"),
        CadreStatus::UnderReview => ("under_review", "#f2b701"),
        CadreStatus::Tolerated => ("tolerated", "#2ca25f"),
        CadreStatus::Sanctioned => ("sanctioned", "#d7301f"),
        CadreStatus::LyingFlat => ("lying_flat", "#5b4a6b"),
    };
    StatusStyle {
        code: status as u8,
        name,
        color,
    }
}

/// The colour of a status as RGB bytes.
pub fn rgb(status: CadreStatus) -> (u8, u8, u8) {
    let hex = style(status).color;
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).expect("colours are #rrggbb");
    (byte(1), byte(3), byte(5))
}

/// The statuses of all cadres as one ASCII digit each (`'0' + code`), in cadre order: the
/// compact form the page receives every step (1 byte per cadre, readable in a debugger).
pub fn status_string(cadres: &[Cadre]) -> String {
    cadres
        .iter()
        .map(|c| char::from(b'0' + c.status as u8))
        .collect()
}

/// Where the cells go: units as blocks of `block_cols` × `block_rows` cells, laid out
/// `units_per_row` blocks to a row, with a gap of one cell between blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// The cadres drawn and their units.
    pub groups: Groups,
    /// Unit blocks drawn: the units, at least one.
    pub units: u32,
    pub block_cols: u32,
    pub block_rows: u32,
    pub units_per_row: u32,
    /// Size of the whole picture in cells (gaps included).
    pub width_cells: u32,
    pub height_cells: u32,
}

impl Layout {
    /// The layout of `groups` (its cadres in its units) that best fills a `width` × `height`
    /// area (any unit, e.g. pixels): the one with the largest square cells. The same rule is
    /// implemented by the page's `layoutWorld` in `assets/app.js`.
    pub fn fit(groups: Groups, width: f64, height: f64) -> Layout {
        let unit_size = groups.unit_size();
        let units = groups.units().max(1);
        let block_cols = (unit_size as f64).sqrt().ceil() as u32;
        let block_rows = unit_size.div_ceil(block_cols);
        let mut best: Option<(f64, Layout)> = None;
        for units_per_row in 1..=units {
            let rows = units.div_ceil(units_per_row);
            let width_cells = units_per_row * (block_cols + 1) - 1;
            let height_cells = rows * (block_rows + 1) - 1;
            let cell = (width / width_cells as f64).min(height / height_cells as f64);
            if best.as_ref().is_none_or(|(c, _)| cell > *c) {
                best = Some((
                    cell,
                    Layout {
                        groups,
                        units,
                        block_cols,
                        block_rows,
                        units_per_row,
                        width_cells,
                        height_cells,
                    },
                ));
            }
        }
        best.expect("at least one unit").1
    }

    /// The cell (column, row) of cadre `i`, in cells from the top left.
    pub fn cell(&self, i: u32) -> (u32, u32) {
        let unit = self.groups.unit_of(i);
        let k = self.groups.position(i);
        let (ux, uy) = (unit % self.units_per_row, unit / self.units_per_row);
        (
            ux * (self.block_cols + 1) + k % self.block_cols,
            uy * (self.block_rows + 1) + k / self.block_cols,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_enum_and_colours_differ() {
        let mut colours = std::collections::HashSet::new();
        for (i, s) in STATUSES.iter().enumerate() {
            assert_eq!(style(*s).code as usize, i);
            assert!(colours.insert(style(*s).color));
        }
        assert_eq!(rgb(CadreStatus::Sanctioned), (0xd7, 0x30, 0x1f));
    }

    #[test]
    fn layout_places_every_cadre_in_its_own_cell_inside_the_picture() {
        for (n, u, w, h) in [
            (1000, 20, 500.0, 260.0),
            (37, 5, 100.0, 400.0),
            (1, 1, 10.0, 10.0),
        ] {
            let layout = Layout::fit(Groups::new(n, u), w, h);
            let mut seen = std::collections::HashSet::new();
            for i in 0..n {
                let (x, y) = layout.cell(i);
                assert!(x < layout.width_cells && y < layout.height_cells);
                assert!(seen.insert((x, y)), "two cadres share a cell");
            }
        }
        // 50 units of 5 x 4 in a wide area: several units to a row, not one long column.
        let layout = Layout::fit(Groups::new(1000, 20), 500.0, 260.0);
        assert_eq!((layout.block_cols, layout.block_rows), (5, 4));
        assert!(layout.units_per_row > 5, "{layout:?}");
    }
}
