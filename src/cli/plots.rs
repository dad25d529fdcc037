//! Flags shared by the commands that draw: `--format`, `--lang`, `--no-plots`, checked into
//! [`PlotOptions`].

use clap::Args;

use crate::api::PlotRequest;
use crate::error::InputError;
use crate::plot::PlotOptions;

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

impl PlotArgs {
    /// The flags as the library's request.
    pub fn request(&self) -> PlotRequest {
        PlotRequest {
            format: self.format.clone(),
            lang: self.lang.clone(),
            no_plots: self.no_plots,
        }
    }

    /// Checks the flags before any work starts.
    pub fn resolve(&self) -> Result<PlotOptions, InputError> {
        self.request().resolve()
    }
}
