//! The plots `cadre-sim sweep` and `merge` draw: heatmaps for a 2-D grid, lines with bands for
//! a 1-D sweep, none for other designs or with `--no-plots`; the shipped examples at a small
//! size (200 cadres, 10 steps, 2 replicates) so the tests stay fast.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn cadre() -> Command {
    Command::cargo_bin("cadre-sim").unwrap()
}

/// A folder holding a shipped sweep example, shrunk: its base scenario gets 200 cadres and
/// 10 steps, the sweep 2 replicates and a window of 5. Returns the folder and the file name.
fn shipped_small(example: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/sweeps")
        .join(format!("{example}.toml"));
    let text = fs::read_to_string(&shipped).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        let key = line.split('=').next().unwrap_or("").trim();
        match key {
            "base" => {
                let base = line.split('"').nth(1).unwrap();
                fs::write(
                    dir.path().join("small.toml"),
                    format!(
                        "base = \"{base}\"\n[population]\ncadres = 200\nunit_size = 10\n\
                         [run]\nsteps = 10\n"
                    ),
                )
                .unwrap();
                out.push_str("base = \"small.toml\"\nreplicates = 2\nwindow = 5\n");
            }
            "replicates" | "window" | "steps" => {}
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    fs::write(dir.path().join("sweep.toml"), out).unwrap();
    dir
}

fn sweep(dir: &Path, out: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    cadre()
        .current_dir(dir)
        .args(["sweep", "sweep.toml", "--quiet", "--out", out])
        .args(extra)
        .assert()
}

/// The plot files in `dir`, sorted by name.
fn plot_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png" || e == "svg"))
        .collect();
    files.sort();
    files
}

fn names(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// A decoded PNG is 1600 × 1000 and far from one flat colour.
fn assert_png_drawn(path: &Path) {
    let img = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_luma8();
    assert_eq!(
        (img.width(), img.height()),
        (1600, 1000),
        "{}",
        path.display()
    );
    let n = (img.width() * img.height()) as f64;
    let mean = img.pixels().map(|p| p.0[0] as f64).sum::<f64>() / n;
    let var = img
        .pixels()
        .map(|p| (p.0[0] as f64 - mean).powi(2))
        .sum::<f64>()
        / n;
    assert!(
        var > 500.0,
        "{} looks blank (variance {var})",
        path.display()
    );
}

const METRICS: [&str; 6] = [
    "correction_rate",
    "error_rate",
    "initiative",
    "social_value",
    "tolerance_rate",
    "violations",
];

#[test]
fn grid_heatmaps_are_drawn_and_merged_shards_draw_the_same_bytes() {
    let dir = shipped_small("strictness_x_tolerance");
    let d = dir.path();
    sweep(d, "one", &["--format", "png,svg"])
        .success()
        .stdout(predicate::str::contains("plots: heatmap_"));
    let one = plot_files(&d.join("one"));
    let mut expected: Vec<String> = METRICS
        .iter()
        .flat_map(|m| [format!("heatmap_{m}.png"), format!("heatmap_{m}.svg")])
        .collect();
    expected.sort();
    assert_eq!(names(&one), expected);
    for png in one.iter().filter(|p| p.extension().unwrap() == "png") {
        assert_png_drawn(png);
    }
    let svg = fs::read_to_string(d.join("one/heatmap_initiative.svg")).unwrap();
    let texts: Vec<&str> = svg
        .split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>')?.1.split_once("</text>"))
        .map(|(t, _)| t.trim())
        .collect();
    for text in [
        "Initiative — sweep strictness_x_tolerance",
        "regime.severity",
        "regime.sensitivity",
        "Initiative (reforms / opportunities)",
        "base: small · 200 cadres · 10 steps · 28 points × 2 replicates",
    ] {
        assert!(
            texts.iter().any(|t| t.contains(text)),
            "the heatmap lacks {text:?}: {texts:?}"
        );
    }
    // Every lever value labels its column or row.
    for tick in ["0", "0.3", "0.6", "0.9", "1", "2", "3", "4", "5", "6"] {
        assert!(texts.contains(&tick), "no tick {tick}: {texts:?}");
    }
    // results.csv marks the folder finished: it is renamed into place after the plots are
    // written (a rename sets the status-change time).
    let changed = |p: &Path| {
        let m = fs::metadata(p).unwrap();
        (m.ctime(), m.ctime_nsec())
    };
    let results = changed(&d.join("one/results.csv"));
    assert!(one.iter().all(|p| changed(p) <= results));

    // Shards draw nothing; merge draws the same bytes as the one-machine run.
    sweep(d, "sharded", &["--shard", "1/2", "--format", "png,svg"])
        .success()
        .stdout(
            predicate::str::contains("cadre-sim merge")
                .and(predicate::str::contains("--format png,svg\n")),
        );
    sweep(d, "sharded", &["--shard", "0/2", "--threads", "1"]).success();
    assert!(
        plot_files(&d.join("sharded")).is_empty(),
        "shards drew plots"
    );
    cadre()
        .current_dir(d)
        .args(["merge", "sharded", "--format", "png,svg"])
        .assert()
        .success()
        .stdout(predicate::str::contains("plots: heatmap_"));
    let merged = plot_files(&d.join("sharded"));
    assert_eq!(names(&merged), names(&one));
    for (a, b) in one.iter().zip(&merged) {
        assert!(
            fs::read(a).unwrap() == fs::read(b).unwrap(),
            "{} differs",
            b.display()
        );
    }
}

#[test]
fn a_one_parameter_sweep_draws_lines_in_chinese_and_no_plots_draws_none() {
    let dir = shipped_small("leader_duty");
    let d = dir.path();
    sweep(d, "zh", &["--lang", "zh"]).success();
    let files = plot_files(&d.join("zh"));
    let expected: Vec<String> = METRICS.iter().map(|m| format!("lines_{m}.png")).collect();
    assert_eq!(names(&files), expected);
    for png in &files {
        assert_png_drawn(png);
    }

    sweep(d, "none", &["--no-plots"]).success();
    assert!(plot_files(&d.join("none")).is_empty());
    assert!(d.join("none/results.csv").exists());

    // --force discards the old plots with the other sweep files.
    sweep(d, "zh", &["--force", "--no-plots"]).success();
    assert!(plot_files(&d.join("zh")).is_empty());

    // A bad flag is refused before anything is written.
    sweep(d, "bad", &["--format", "gif"])
        .code(2)
        .stderr(predicate::str::contains("png, svg or png,svg"));
    assert!(!d.join("bad").exists());
}

#[test]
fn designs_without_a_picture_say_so_and_draw_nothing() {
    let dir = shipped_small("levers_lhs");
    let d = dir.path();
    fs::write(
        d.join("sweep.toml"),
        fs::read_to_string(d.join("sweep.toml"))
            .unwrap()
            .replace("points = 64", "points = 6"),
    )
    .unwrap();
    sweep(d, "lhs", &[])
        .success()
        .stdout(predicate::str::contains(
            "no plots for a lhs design over 5 parameters",
        ));
    assert!(plot_files(&d.join("lhs")).is_empty());
    assert!(d.join("lhs/results.csv").exists());
}
