//! The drawing commands end to end: `run`, `compare` and `lesson` write valid PNG and SVG
//! files of the expected size that are not blank, and a `report.html` that holds every plot
//! and parses as HTML5 without errors. Text must render without fontconfig, so every command
//! runs with `FONTCONFIG_FILE=/nonexistent`. Runs are small (200 cadres, 20 steps, 4
//! replicates) so the suite stays fast on two cores.

use std::path::Path;

use assert_cmd::Command;
use html5ever::tendril::TendrilSink;
use markup5ever_rcdom::RcDom;
use predicates::prelude::*;
use predicates::str::contains;

/// A small run; 25 steps so that mechanism_introduced's event at step 20 lies inside it.
const SMALL: [&str; 8] = [
    "--set",
    "cadres=200",
    "--steps",
    "25",
    "--replicates",
    "4",
    "--threads",
    "2",
];

fn cadre_sim() -> Command {
    let mut cmd = Command::cargo_bin("cadre-sim").unwrap();
    cmd.env("FONTCONFIG_FILE", "/nonexistent");
    cmd
}

/// HTML5 parse errors of a document (html5ever's tree builder, exact messages).
fn html_errors(html: &str) -> Vec<String> {
    let opts = html5ever::ParseOpts {
        tree_builder: html5ever::tree_builder::TreeBuilderOpts {
            exact_errors: true,
            ..Default::default()
        },
        ..Default::default()
    };
    let dom = html5ever::parse_document(RcDom::default(), opts)
        .from_utf8()
        .read_from(&mut html.as_bytes())
        .unwrap();
    dom.errors.borrow().iter().map(|e| e.to_string()).collect()
}

/// Checks a PNG: signature, size, and that it is not blank (grey-level variance).
fn check_png(path: &Path, size: Option<(u32, u32)>) {
    let bytes = std::fs::read(path).unwrap();
    let img = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_luma8();
    if let Some(size) = size {
        assert_eq!((img.width(), img.height()), size, "{}", path.display());
    }
    assert!(
        img.width() >= 1200 && img.height() >= 900,
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
        var > 100.0,
        "{} looks blank (variance {var})",
        path.display()
    );
}

/// Checks a report: valid HTML5, self-contained, and with `plots` inline SVG plots.
fn check_report(path: &Path, plots: usize) -> String {
    let html = std::fs::read_to_string(path).unwrap();
    let errors = html_errors(&html);
    assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    assert_eq!(html.matches("<svg").count(), plots, "inline plots");
    assert_eq!(html.matches("</svg>").count(), plots);
    for remote in ["http://", "https://", "<script", "<link", "src=\""] {
        let allowed = remote == "http://" && html.matches(remote).count() == plots;
        assert!(
            allowed || !html.contains(remote),
            "report refers to {remote}"
        );
    }
    html
}

#[test]
fn the_html_check_finds_errors() {
    assert!(
        !html_errors(
            "<!DOCTYPE html><html><head><title>t</title></head><body><p></div></body></html>"
        )
        .is_empty()
    );
    assert!(html_errors("<!DOCTYPE html><html lang=\"en\"><head><title>t</title></head><body><p>x</p></body></html>").is_empty());
}

#[test]
fn run_writes_png_and_svg_plots_and_a_report() {
    let dir = tempfile::tempdir().unwrap();
    cadre_sim()
        .args([
            "run",
            "mechanism_introduced",
            "--format",
            "png,svg",
            "-q",
            "--out",
        ])
        .arg(dir.path())
        .args(SMALL)
        .assert()
        .success();
    for stem in ["initiative", "errors", "correction", "beliefs", "overview"] {
        check_png(&dir.path().join(format!("{stem}.png")), None);
        let svg = std::fs::read_to_string(dir.path().join(format!("{stem}.svg"))).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{stem}.svg"
        );
        assert!(svg.contains("policy change"), "{stem}: event marker");
        // A file of its own carries its font; the caption counts the event's changes.
        assert!(
            svg.contains("@font-face { font-family: 'DejaVu Sans'"),
            "{stem}"
        );
        assert!(svg.contains("12 parameters change"), "{stem}");
        assert!(
            !svg.contains("publish = 0.8"),
            "{stem}: full list in the caption"
        );
    }
    check_png(&dir.path().join("initiative.png"), Some((1600, 1000)));
    let html = check_report(&dir.path().join("report.html"), 5);
    for text in [
        "Mechanism introduced at step 20",
        "mechanism_introduced",
        "class=\"differs\"",
        "Over the last 10 steps",
        // The full list of the event's changes, which the plot captions only count.
        "publish = 0.8",
        "Top-leader duty to start reviews (share) — regime.leader_duty",
    ] {
        assert!(html.contains(text), "report lacks {text}");
    }
    assert!(dir.path().join("summary.json").exists());
}

#[test]
fn run_in_chinese_and_without_plot_files() {
    let dir = tempfile::tempdir().unwrap();
    cadre_sim()
        .args([
            "run",
            "optimized_path",
            "--lang",
            "zh",
            "--no-plots",
            "-q",
            "--out",
        ])
        .arg(dir.path())
        .args(SMALL)
        .assert()
        .success();
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.ends_with(".png") || n.ends_with(".svg")),
        "{names:?}"
    );
    let html = check_report(&dir.path().join("report.html"), 5);
    assert!(html.contains("lang=\"zh-CN\"") && html.contains("@font-face"));
    assert!(html.contains("担当作为") && html.contains("一把手"));
    // Every parameter's meaning in Chinese, population parameters included.
    assert!(
        html.contains("<td>模拟的干部人数。</td>"),
        "population meaning"
    );
    assert!(
        html.contains("<td>改革失误被发现并立案的概率。</td>"),
        "regime meaning"
    );
    assert!(!html.contains("Number of cadres (officials) simulated."));
    assert!(!html.contains("Chance that a failed reform is detected"));
}

#[test]
fn chinese_svg_files_embed_the_chinese_font() {
    let dir = tempfile::tempdir().unwrap();
    cadre_sim()
        .args([
            "run",
            "o2_top_leader",
            "--lang",
            "zh",
            "--format",
            "svg",
            "-q",
        ])
        .arg("--out")
        .arg(dir.path())
        .args(SMALL)
        .assert()
        .success();
    let svg = std::fs::read_to_string(dir.path().join("initiative.svg")).unwrap();
    assert!(
        svg.contains("@font-face { font-family: 'CadreSim CJK'; src: url(data:font/otf;base64,")
    );
    assert!(
        svg.contains("font-family=\"CadreSim CJK"),
        "text names the embedded font"
    );
    // report.html embeds the font once for the page, not once per inline plot.
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert_eq!(html.matches("@font-face").count(), 1);
}

#[test]
fn bad_plot_flags_are_input_errors_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    cadre_sim()
        .args(["run", "optimized_path", "--format", "pdf", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("--format").and(contains("png, svg or png,svg")));
    cadre_sim()
        .args(["compare", "--lang", "fr", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("`en` or `zh`"));
    assert!(!out.exists(), "nothing is written on bad input");
}

#[test]
fn compare_writes_table_csv_overlays_bars_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let assert = cadre_sim()
        .args(["compare", "-q", "--out"])
        .arg(dir.path())
        .args(SMALL)
        .args(["--window", "5"])
        .assert()
        .success()
        .stdout(contains(
            "| metric | Strict accountability | Nominal tolerance |",
        ))
        .stdout(contains("Optimized path (O1–O5) raises initiative from"));
    drop(assert);
    let csv = std::fs::read_to_string(dir.path().join("comparison.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 3 * 14);
    assert!(csv.starts_with("scenario,metric,mean,ci_low,ci_high,n,baseline,difference"));
    let ts = std::fs::read_to_string(dir.path().join("timeseries.csv")).unwrap();
    assert_eq!(ts.lines().count(), 1 + 3 * 14 * 25);
    check_png(&dir.path().join("final_means.png"), None);
    check_png(
        &dir.path().join("compare_initiative.png"),
        Some((1600, 1000)),
    );
    check_png(&dir.path().join("compare_violations.png"), None);
    let html = check_report(&dir.path().join("report.html"), 15);
    assert!(html.contains("95% CI") && html.contains("nominal_tolerance"));

    // A finished comparison is not overwritten without --force.
    cadre_sim()
        .args(["compare", "-q", "--out"])
        .arg(dir.path())
        .args(SMALL)
        .assert()
        .code(2)
        .stderr(contains("--force"));
}

#[test]
fn compare_rejects_a_scenario_listed_twice() {
    let dir = tempfile::tempdir().unwrap();
    cadre_sim()
        .args(["compare", "optimized_path", "optimized_path", "--out"])
        .arg(dir.path().join("x"))
        .assert()
        .code(2)
        .stderr(contains("listed twice"));
}

#[test]
fn lesson_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    cadre_sim()
        .args(["lesson", "--lang", "zh", "-q", "--out"])
        .arg(dir.path())
        .args(SMALL)
        .assert()
        .success();
    for stem in ["lesson_1_strict", "lesson_3_levers", "lesson_6_introduced"] {
        check_png(&dir.path().join(format!("{stem}.png")), None);
    }
    let html = check_report(&dir.path().join("report.html"), 6);
    for text in [
        "严格问责",
        "容错不是纵容",
        "一把手",
        "三个区分开来",
        "中途引入容错机制",
    ] {
        assert!(html.contains(text), "lesson lacks {text}");
    }
}

#[test]
fn plots_and_reports_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    for threads in ["1", "2"] {
        cadre_sim()
            .args(["run", "o2_top_leader", "-q", "--format", "png,svg"])
            .args(["--set", "cadres=200", "--steps", "12", "--replicates", "3"])
            .args(["--threads", threads, "--out"])
            .arg(dir.path().join(threads))
            .assert()
            .success();
    }
    for file in [
        "report.html",
        "overview.png",
        "overview.svg",
        "timeseries.csv",
    ] {
        let a = std::fs::read(dir.path().join("1").join(file)).unwrap();
        let b = std::fs::read(dir.path().join("2").join(file)).unwrap();
        assert!(a == b, "{file} differs between 1 and 2 threads");
    }
}
