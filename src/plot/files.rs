//! Writing figures into an output folder: every requested format, each file atomically and
//! claimed for the command (see [`crate::output::folder`]).

use crate::error::{Error, IoContext};

use super::{Figure, Format, render, render_all};
use crate::i18n::Lang;
use crate::output::OutputDir;

/// Which plot files to write and in which language (the checked `--format`, `--no-plots`,
/// `--lang`).
#[derive(Debug, Clone)]
pub struct PlotOptions {
    /// Formats of plot files; empty with `--no-plots`.
    pub formats: Vec<Format>,
    pub lang: Lang,
}

impl PlotOptions {
    /// The flags that differ from the defaults, as a command line passes them (with a
    /// leading space), so a printed follow-up command (`cadre-sim merge DIR`) draws the same.
    pub fn non_default_flags(&self) -> String {
        let mut flags = String::new();
        if self.formats.is_empty() {
            flags.push_str(" --no-plots");
        } else if self.formats != [Format::Png] {
            let names: Vec<&str> = self.formats.iter().map(|f| f.extension()).collect();
            flags.push_str(&format!(" --format {}", names.join(",")));
        }
        if self.lang == Lang::Zh {
            flags.push_str(" --lang zh");
        }
        flags
    }
}

/// Writes each figure in every requested format into the folder `dir`, each file atomically,
/// and returns the names of the files written, in order.
pub fn write_plot_files(
    dir: &OutputDir,
    figures: &[(String, Figure)],
    formats: &[Format],
) -> crate::error::Result<Vec<String>> {
    let mut names = Vec::new();
    for (stem, figure) in figures {
        for (name, bytes) in render_all(figure, stem, formats)? {
            dir.write(&name, &bytes)
                .doing(|| format!("writing {}", dir.path().join(&name).display()))?;
            names.push(name);
        }
    }
    Ok(names)
}

/// Writes each figure in every requested format, and returns each one's SVG text for the
/// report, in order.
pub fn write_figures(
    out: &OutputDir,
    figures: &[(String, Figure)],
    options: &PlotOptions,
) -> crate::error::Result<Vec<String>> {
    let mut svgs = Vec::new();
    for (stem, figure) in figures {
        for (name, bytes) in render_all(figure, stem, &options.formats)? {
            out.write(&name, &bytes)
                .doing(|| format!("writing {}", out.path().join(&name).display()))?;
        }
        let svg = render(figure, Format::Svg)?;
        svgs.push(String::from_utf8(svg).map_err(|e| Error::Draw {
            doing: format!("drawing {stem}.svg"),
            reason: e.to_string(),
        })?);
    }
    Ok(svgs)
}
