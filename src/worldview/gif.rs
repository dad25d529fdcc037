//! `run --gif`: the world view of replicate 0 over time, as an animated GIF for slides.
//!
//! One frame per step (every k-th step for long runs), one square cell per cadre, grouped by
//! unit and coloured as on the classroom page, with a thin bar at the bottom that fills as
//! time passes. No text, so the picture needs no fonts and reads the same in any language.
//! The frames are drawn by an observer (`Film`) of the model's one driver loop.

use std::path::PathBuf;

use crate::error::IoContext;
use plotters::prelude::*;

use plotters::coord::Shift;

use super::{Layout, rgb};
use crate::model::{Flow, Groups, Observer, StepMetrics, World, drive, rng};
use crate::output::OutputDir;
use crate::scenario::Scenario;

/// The file name `run --gif` writes into the output folder.
pub const GIF_NAME: &str = "worldview.gif";
/// The largest picture, in pixels, so that slides stay light.
const MAX_WIDTH: u32 = 960;
const MAX_HEIGHT: u32 = 540;
/// A cell is at least this many pixels wide; larger populations show their first units only.
const MIN_CELL: u32 = 2;
/// A cell is at most this many pixels wide, so a tiny population does not become a few blobs.
const MAX_CELL: u32 = 24;
/// The most frames: longer runs show every k-th step.
const MAX_FRAMES: u32 = 400;
/// Time per frame.
const FRAME_MS: u32 = 200;
/// The time bar: height and gap above it, in pixels.
const BAR: u32 = 6;
const MARGIN: u32 = 8;

/// What was drawn, for the message after the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GifSummary {
    pub path: PathBuf,
    pub frames: u32,
    /// Cadres shown: all of them, unless the population is too large for the picture.
    pub cadres_shown: u32,
    pub cadres: u32,
}

/// Simulates replicate 0 of `scenario` (the same stream as `run`'s replicate 0) and writes
/// its world view to `worldview.gif` in `out`, atomically: drawn into a temporary file in the
/// same folder, then renamed (readable by others, mode 0644, like every result).
pub fn write_world_gif(scenario: &Scenario, out: &OutputDir) -> crate::error::Result<GifSummary> {
    let dir = out.path();
    let pop = &scenario.population;
    let groups = Groups::new(pop.cadres, pop.unit_size);
    let unit_size = groups.unit_size();
    // Show as many whole units as fit with cells of at least MIN_CELL pixels.
    let block = {
        let probe = Layout::fit(Groups::new(unit_size, unit_size), 1.0, 1.0);
        (probe.block_cols + 1) * (probe.block_rows + 1)
    };
    let max_units = ((MAX_WIDTH / MIN_CELL) * (MAX_HEIGHT / MIN_CELL) / block).max(1);
    let cadres_shown = groups.cadres_in_units(max_units);
    let layout = Layout::fit(
        Groups::new(cadres_shown, unit_size),
        MAX_WIDTH as f64,
        MAX_HEIGHT as f64,
    );
    let cell = (MAX_WIDTH / layout.width_cells)
        .min(MAX_HEIGHT / layout.height_cells)
        .clamp(1, MAX_CELL);
    let width = layout.width_cells * cell + 2 * MARGIN;
    let height = layout.height_cells * cell + 3 * MARGIN + BAR;

    let steps = scenario.run.steps;
    let tmp = tempfile::Builder::new()
        .prefix(".worldview-")
        .suffix(".gif")
        .tempfile_in(dir)
        .doing(|| format!("creating a temporary file in {}", dir.display()))?;

    let mut world = World::new(
        &scenario.model_spec(),
        rng::replicate_rng(scenario.run.seed, 0),
    );
    let frames = {
        let root = BitMapBackend::gif(tmp.path(), (width, height), FRAME_MS)
            .map_err(|e| draw_error("starting the GIF", e))?
            .into_drawing_area();
        let mut film = Film {
            root: &root,
            layout: &layout,
            cell,
            shown: cadres_shown,
            steps,
            stride: steps.div_ceil(MAX_FRAMES).max(1),
            frames: 0,
            failed: None,
        };
        drive(std::slice::from_mut(&mut world), steps, &mut film);
        if let Some(e) = film.failed {
            return Err(e);
        }
        film.frames
    };
    // Temporary files are created private (0600); a result is for everyone who may read
    // the folder.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    let path = out.claim(GIF_NAME)?;
    tmp.persist(&path)
        .map_err(|e| e.error)
        .doing(|| format!("writing {}", path.display()))?;
    Ok(GifSummary {
        path,
        frames,
        cadres_shown,
        cadres: pop.cadres,
    })
}

/// A failure of the GIF encoder or of drawing a frame.
fn draw_error(doing: &str, e: impl std::fmt::Display) -> crate::error::Error {
    crate::error::Error::Draw {
        doing: doing.to_string(),
        reason: e.to_string(),
    }
}

impl GifSummary {
    /// Tells the user where the GIF is and what it shows.
    pub fn report(&self) {
        let shown = if self.cadres_shown < self.cadres {
            format!(
                ", the first {} of {} cadres",
                self.cadres_shown, self.cadres
            )
        } else {
            String::new()
        };
        println!(
            "world view of replicate 0 ({} frames{shown}) in {}",
            self.frames,
            self.path.display()
        );
    }
}

/// The GIF as an observer of replicate 0: a frame after every `stride`-th step and after the
/// last; the first drawing error stops the run and is kept for the caller.
struct Film<'a, 'b> {
    root: &'a DrawingArea<BitMapBackend<'b>, Shift>,
    layout: &'a Layout,
    cell: u32,
    shown: u32,
    steps: u32,
    stride: u32,
    frames: u32,
    failed: Option<crate::error::Error>,
}

impl Observer for Film<'_, '_> {
    fn step(&mut self, t: u32, worlds: &[World], _metrics: &[StepMetrics]) -> Flow {
        if !(t + 1).is_multiple_of(self.stride) && t + 1 != self.steps {
            return Flow::Continue;
        }
        let done = (t + 1, self.steps);
        let drawn = draw_frame(
            self.root,
            &worlds[0],
            self.layout,
            self.cell,
            self.shown,
            done,
        )
        .map_err(|e| draw_error(&format!("drawing frame {t}"), e))
        .and_then(|()| {
            self.root
                .present()
                .map_err(|e| draw_error(&format!("writing frame {t}"), e))
        });
        match drawn {
            Ok(()) => {
                self.frames += 1;
                Flow::Continue
            }
            Err(e) => {
                self.failed = Some(e);
                Flow::Stop
            }
        }
    }
}

/// One frame: the cells after step `done.0` of `done.1`, and the time bar.
fn draw_frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    world: &World,
    layout: &Layout,
    cell: u32,
    shown: u32,
    done: (u32, u32),
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let (m, c) = (MARGIN as i32, cell as i32);
    // Leave a hairline between cells once they are large enough to afford it.
    let inset = if cell >= 5 { 1 } else { 0 };
    for (i, cadre) in world.cadres().iter().take(shown as usize).enumerate() {
        let (x, y) = layout.cell(i as u32);
        let (x0, y0) = (m + x as i32 * c, m + y as i32 * c);
        let (r, g, b) = rgb(cadre.status);
        root.draw(&Rectangle::new(
            [(x0, y0), (x0 + c - 1 - inset, y0 + c - 1 - inset)],
            RGBColor(r, g, b).filled(),
        ))?;
    }
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let bar_y = h - m - BAR as i32;
    let full = w - 2 * m;
    let filled = (full as i64 * done.0 as i64 / done.1.max(1) as i64) as i32;
    root.draw(&Rectangle::new(
        [(m, bar_y), (m + full - 1, bar_y + BAR as i32 - 1)],
        RGBColor(0xe4, 0xe7, 0xeb).filled(),
    ))?;
    if filled > 0 {
        root.draw(&Rectangle::new(
            [(m, bar_y), (m + filled - 1, bar_y + BAR as i32 - 1)],
            RGBColor(0x44, 0x4c, 0x56).filled(),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Producer;

    #[test]
    fn writes_one_frame_per_step_and_nothing_else() {
        let mut s = Scenario::load("optimized_path").unwrap();
        s.population.cadres = 200;
        s.run.steps = 7;
        let dir = tempfile::tempdir().unwrap();
        let out = OutputDir::prepare(dir.path(), Producer::Run, false).unwrap();
        let summary = write_world_gif(&s, &out).unwrap();
        assert_eq!(summary.frames, 7);
        assert_eq!(summary.cadres_shown, 200);
        let bytes = std::fs::read(dir.path().join(GIF_NAME)).unwrap();
        assert!(bytes.starts_with(b"GIF89a"));
        // Frames are image descriptors (0x2C) after graphic control extensions (0x21 0xF9).
        let frames = bytes.windows(2).filter(|w| w == &[0x21, 0xF9]).count();
        assert_eq!(frames, 7);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n != crate::output::folder::STAMP)
            .collect();
        assert_eq!(
            leftovers,
            [GIF_NAME],
            "the temporary file was renamed, not left behind"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(GIF_NAME))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o644, "readable by others like every result");
        }
    }

    #[test]
    fn long_runs_and_large_populations_are_thinned() {
        let mut s = Scenario::default();
        s.population.cadres = 300_000;
        s.run.steps = 2;
        let dir = tempfile::tempdir().unwrap();
        let out = OutputDir::prepare(dir.path(), Producer::Run, false).unwrap();
        let summary = write_world_gif(&s, &out).unwrap();
        assert!(summary.cadres_shown < 300_000 && summary.cadres_shown > 10_000);
        assert_eq!(summary.cadres_shown % 20, 0, "whole units only");
    }
}
