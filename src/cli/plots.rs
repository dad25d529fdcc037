//! Flags shared by the commands that draw: `--format`, `--lang`, `--no-plots`, and writing a
//! set of figures into an output folder.

use anyhow::Context;
use clap::Args;

use crate::i18n::Lang;

use crate::output::OutputDir;
use crate::plot::{self, Figure, Format};
use crate::scenario::InputError;

#[derive(Args, Debug, Clone)]
pub struct PlotArgs {
    /// Plot file format: png, svg, or both as png,svg.
    #[arg(long, value_name = "FORMATS", default_value = "png")]
    pub format: String,
    /// Language of plot labels and the report: en or zh.
    #[arg(long, value_name = "LANG", default_value = "en")]
    pub lang: String,
    /// Write no plot files (report.html, with its inline plots, is still written).
    #[arg(long)]
    pub no_plots: bool,
}

/// The checked form of [`PlotArgs`].
#[derive(Debug, Clone)]
pub struct PlotOptions {
    /// Formats of plot files; empty with `--no-plots`.
    pub formats: Vec<Format>,
    pub lang: Lang,
}

impl PlotArgs {
    /// Checks the flags before any work starts.
    pub fn resolve(&self) -> Result<PlotOptions, InputError> {
        let formats = Format::parse_list(&self.format)?;
        Ok(PlotOptions {
            formats: if self.no_plots { Vec::new() } else { formats },
            lang: Lang::parse(&self.lang)?,
        })
    }
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
) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    for (stem, figure) in figures {
        for (name, bytes) in plot::render_all(figure, stem, formats)? {
            dir.write(&name, &bytes)
                .with_context(|| format!("writing {}", dir.path().join(&name).display()))?;
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
) -> anyhow::Result<Vec<String>> {
    let mut svgs = Vec::new();
    for (stem, figure) in figures {
        for (name, bytes) in plot::render_all(figure, stem, &options.formats)? {
            out.write(&name, &bytes)
                .with_context(|| format!("writing {}", out.path().join(&name).display()))?;
        }
        svgs.push(String::from_utf8(plot::render(figure, Format::Svg)?)?);
    }
    Ok(svgs)
}
