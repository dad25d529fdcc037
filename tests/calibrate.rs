//! `cadre-sim calibrate` end to end at a tiny size: the files a user reads, a resumed run
//! ending exactly as an uninterrupted one, results independent of the thread count, and bad
//! input refused with file:line and exit code 2.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn cadre_sim() -> Command {
    Command::cargo_bin("cadre-sim").unwrap()
}

/// A tiny calibration: 2 free parameters, 150 cadres, 12 steps, 2 replicates, 24 particles,
/// 3 generations; a survey-style target, a one-sided one and a paired difference.
const TINY: &str = r#"
name = "tiny"
description = "Illustrative."
base = "nominal_tolerance"
steps = 12
replicates = 2
seed = 7
window = 4
particles = 24
max_generations = 3
predictive = 30

[[parameter]]
param = "population.loss_aversion"
prior = "log-uniform"
from = 0.5
to = 4.0

[[parameter]]
param = "population.prior_tolerance"
prior = "beta"
alpha = 2
beta = 2
from = 0.05
to = 0.8

[[target]]
name = "deterred"
metric = "deterred_share"
observed = 0.4
tolerance = 0.05
source = "a survey"

[[target]]
metric = "initiative"
side = "at_least"
observed = 0.3
se = 0.05
source = "a count"

[[target]]
name = "duty"
metric = "initiative"
statistic = "difference"
scenario = { regime = { leader_duty = 1.0 } }
versus = {}
observed = 0.05
tolerance = 0.02
source = "a study"
"#;

/// Writes the calibration file, on a base of 150 cadres (a scenario file beside it) so that
/// it runs in a fraction of a second.
fn write_file(dir: &Path, text: &str) -> PathBuf {
    std::fs::write(
        dir.join("small.toml"),
        "base = \"nominal_tolerance\"\n[population]\ncadres = 150\nunit_size = 15\n",
    )
    .unwrap();
    let path = dir.join("tiny.toml");
    std::fs::write(
        &path,
        text.replace("\"nominal_tolerance\"", "\"small.toml\""),
    )
    .unwrap();
    path
}

fn calibrate(file: &Path, out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    cadre_sim()
        .arg("calibrate")
        .arg(file)
        .args(["--quiet", "--no-plots", "--out"])
        .arg(out)
        .args(extra)
        .assert()
}

const RESULTS: [&str; 6] = [
    "posterior.csv",
    "summary.csv",
    "targets.csv",
    "generations.csv",
    "correlations.csv",
    "predictive.csv",
];

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn writes_the_posterior_summaries_checks_plots_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), TINY);
    let out = dir.path().join("out");
    cadre_sim()
        .arg("calibrate")
        .arg(&file)
        .args(["--quiet", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "calibrate tiny: 3 generations, 24 particles",
        ))
        .stdout(predicate::str::contains(
            "targets lie inside the model's 90%",
        ));
    let posterior = read(&out, "posterior.csv");
    assert!(posterior.starts_with(
        "generation,particle,proposal,weight,population.loss_aversion,\
         population.prior_tolerance,distance,sim_deterred,sim_initiative_2,sim_duty\n"
    ));
    assert_eq!(posterior.lines().count(), 1 + 3 * 24);
    // Every kept particle lies inside its priors, and each generation's weights sum to 1.
    let mut sums = [0.0; 3];
    for line in posterior.lines().skip(1) {
        let f: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
        sums[f[0] as usize] += f[3];
        assert!(
            (0.5..=4.0).contains(&f[4]) && (0.05..=0.8).contains(&f[5]),
            "{line}"
        );
    }
    assert!(sums.iter().all(|s| (s - 1.0).abs() < 1e-9), "{sums:?}");
    let summary = read(&out, "summary.csv");
    assert!(summary.starts_with("parameter,prior,prior_mean,prior_sd,posterior_mean,"));
    assert!(summary.contains("population.prior_tolerance,\"beta(2, 2) on [0.05, 0.8]\""));
    let targets = read(&out, "targets.csv");
    assert_eq!(targets.lines().count(), 4);
    assert!(targets.contains("duty,initiative,difference,regime.leader_duty=1,base,equal,0.05"));
    assert!(
        targets
            .lines()
            .skip(1)
            .all(|l| l.contains(",pass,") || l.contains(",fail,"))
    );
    let generations = read(&out, "generations.csv");
    assert!(
        generations
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("0,inf,24,24,1,")
    );
    assert_eq!(read(&out, "predictive.csv").lines().count(), 31);
    for png in ["marginals", "corner", "predictive", "progress"] {
        let bytes = std::fs::read(out.join(format!("calibrate_{png}.png"))).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "{png}");
    }
    let report = read(&out, "report.html");
    assert!(report.contains("Calibration: tiny"));
    assert!(report.contains("90% credible interval"));
    assert!(report.contains("a study"), "each target's source is shown");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for name in RESULTS.iter().chain(&["report.html", "checkpoint.json"]) {
            let mode = std::fs::metadata(out.join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o644, "{name}");
        }
    }

    // The same folder in Chinese: nothing is simulated again (the checkpoint says it is
    // finished), the data stay, the report is redrawn.
    let before = read(&out, "posterior.csv");
    cadre_sim()
        .arg("calibrate")
        .arg(&file)
        .args(["--quiet", "--no-plots", "--lang", "zh", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("calibrate tiny: 3 generations"));
    assert_eq!(read(&out, "posterior.csv"), before);
    assert!(read(&out, "report.html").contains("校准"));
    assert!(
        !out.join("calibrate_corner.png").exists(),
        "--no-plots removes stale plots"
    );
}

#[test]
fn a_resumed_calibration_ends_exactly_as_an_uninterrupted_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), TINY);
    let whole = dir.path().join("whole");
    calibrate(&file, &whole, &[]).success();

    // A run stopped after generation 0: the checkpoint as it was then.
    let cut = dir.path().join("cut");
    std::fs::create_dir(&cut).unwrap();
    let mut checkpoint: serde_json::Value =
        serde_json::from_str(&read(&whole, "checkpoint.json")).unwrap();
    checkpoint["generations"]
        .as_array_mut()
        .unwrap()
        .truncate(1);
    checkpoint["stop"] = serde_json::Value::Null;
    std::fs::write(cut.join("checkpoint.json"), checkpoint.to_string()).unwrap();
    std::fs::write(
        cut.join(".cadre-sim.json"),
        r#"{"tool":"cadre-sim","command":"calibrate","files":["checkpoint.json"]}"#,
    )
    .unwrap();
    calibrate(&file, &cut, &[]).success();
    for name in RESULTS {
        assert_eq!(read(&whole, name), read(&cut, name), "{name}");
    }

    // A real kill, wherever it lands: the rerun ends with the same results.
    let killed = dir.path().join("killed");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cadre-sim"))
        .arg("calibrate")
        .arg(&file)
        .args(["--quiet", "--no-plots", "--out"])
        .arg(&killed)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    while !killed.join("checkpoint.json").exists() {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().ok();
    child.wait().unwrap();
    calibrate(&file, &killed, &[]).success();
    for name in RESULTS {
        assert_eq!(read(&whole, name), read(&killed, name), "{name}");
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), TINY);
    let one = dir.path().join("one");
    let three = dir.path().join("three");
    calibrate(&file, &one, &["--threads", "1"]).success();
    calibrate(&file, &three, &["--threads", "3"]).success();
    for name in RESULTS {
        assert_eq!(read(&one, name), read(&three, name), "{name}");
    }
}

#[test]
fn bad_input_is_refused_with_its_location_and_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write_file(
        dir.path(),
        &TINY.replace("\"log-uniform\"", "\"lognormal\""),
    );
    let out = dir.path().join("out");
    calibrate(&bad, &out, &[])
        .code(2)
        .stderr(predicate::str::contains(
            "tiny.toml:15: `prior` = \"lognormal\" is not a prior",
        ));
    assert!(!out.exists(), "nothing is written");

    let bad = write_file(
        dir.path(),
        &TINY.replace(
            "metric = \"initiative\"\nside",
            "metric = \"initiative\"\nside = \"above\"\nx",
        ),
    );
    calibrate(&bad, &out, &[])
        .code(2)
        .stderr(predicate::str::contains("`side` = \"above\" is not a side"));

    // A folder with another calibration's checkpoint is refused, --force starts over.
    let file = write_file(dir.path(), TINY);
    calibrate(&file, &out, &["--generations", "1"]).success();
    calibrate(&file, &out, &["--generations", "1", "--particles", "20"])
        .code(2)
        .stderr(predicate::str::contains(
            "a calibration of another file or other flags",
        ));
    calibrate(
        &file,
        &out,
        &["--generations", "1", "--particles", "20", "--force"],
    )
    .success();
    calibrate(&file, &out, &["--generations", "1", "--particles", "1"])
        .code(2)
        .stderr(predicate::str::contains(
            "--particles 1 must be an integer in [2,",
        ));

    // A scenario file is not a calibration file.
    calibrate(
        Path::new("scenarios/o2_top_leader.toml"),
        &dir.path().join("x"),
        &[],
    )
    .code(2)
    .stderr(predicate::str::contains("this is a scenario file"));
    calibrate(&dir.path().join("missing.toml"), &dir.path().join("y"), &[])
        .code(2)
        .stderr(predicate::str::contains("cannot read"));
}

#[test]
fn more_generations_continue_a_finished_run_as_if_asked_for_at_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), TINY);
    let whole = dir.path().join("whole");
    calibrate(&file, &whole, &["--generations", "3"]).success();
    let grown = dir.path().join("grown");
    calibrate(&file, &grown, &["--generations", "2"]).success();
    cadre_sim()
        .arg("calibrate")
        .arg(&file)
        .args(["--no-plots", "--generations", "3", "--out"])
        .arg(&grown)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "continuing tiny after generation 1",
        ))
        .stderr(predicate::str::contains("generation 2 of at most 3: ε ="));
    for name in RESULTS {
        assert_eq!(read(&whole, name), read(&grown, name), "{name}");
    }
    // Fewer generations than the folder holds: refused, nothing changed.
    calibrate(&file, &grown, &["--generations", "2"])
        .code(2)
        .stderr(predicate::str::contains(
            "this folder holds 3 generations, more than the 2 now asked for",
        ));
    assert_eq!(read(&whole, "posterior.csv"), read(&grown, "posterior.csv"));
}

#[test]
fn a_run_that_has_not_converged_says_so_and_tempers_its_check() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), TINY);
    let out = dir.path().join("out");
    // Generation 0 alone is the prior: ε is infinite.
    calibrate(&file, &out, &["--generations", "1"])
        .success()
        .stdout(predicate::str::contains("warning: Not converged"))
        .stdout(predicate::str::contains(
            "rerun the same command with --generations 5",
        ))
        .stdout(predicate::str::contains("but the fit has not converged"));
    let summary = read(&out, "summary.csv");
    assert!(
        summary
            .lines()
            .next()
            .unwrap()
            .ends_with(",against_bound,final_epsilon,epsilon_large_above,converged,stop"),
        "{summary}"
    );
    let row = summary.lines().nth(1).unwrap();
    assert!(
        row.contains(",inf,2.79") && row.ends_with(",false,max_generations"),
        "{summary}"
    );
    assert!(read(&out, "report.html").contains("Not converged"));
    let generations = read(&out, "generations.csv");
    let mut lines = generations.lines();
    assert_eq!(
        lines.next(),
        Some("generation,epsilon,proposals,accepted,acceptance_rate,simulations,ess")
    );
    let row = lines.next().unwrap();
    assert!(
        row.starts_with("0,inf,24,24,1,") && row.ends_with(",24.0"),
        "equal weights: the effective sample is every particle; {generations}"
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_says_where_it_stopped_and_how_to_resume() {
    let dir = tempfile::tempdir().unwrap();
    // Enough generations that the run is still going when the signal comes.
    let file = write_file(
        dir.path(),
        &TINY.replace(
            "max_generations = 3",
            "max_generations = 60\nmin_acceptance = 0.0001",
        ),
    );
    let out = dir.path().join("out");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_cadre-sim"))
        .arg("calibrate")
        .arg(&file)
        .args(["--no-plots", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    while !out.join("checkpoint.json").exists() {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("; rerun the same command to resume")
            && stderr.contains("stopped after generation "),
        "{stderr}"
    );
}

#[test]
fn a_published_did_estimate_is_fitted_and_its_implied_truth_written() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("design.toml"),
        "name = \"d\"\nbase = \"nominal_tolerance\"\n[run]\nsteps = 14\n[population]\n\
         cadres = 160\nunit_size = 20\n[places]\ncount = 8\npublish_scope = \"national\"\n\
         [rollout]\nadopt = \"optimized_path\"\nassign = \"random\"\n\
         [[rollout.cohorts]]\nat = 4\nshare = 0.25\n[[rollout.cohorts]]\nat = 8\nshare = 0.25\n",
    )
    .unwrap();
    let text = "name = \"study\"\nbase = \"nominal_tolerance\"\nsteps = 10\nreplicates = 1\n\
        seed = 3\nparticles = 8\nmax_generations = 2\npredictive = 6\n\
        [[parameter]]\nparam = \"population.loss_aversion\"\nprior = \"normal\"\nmean = 2\nsd = 0.4\n\
        [[target]]\nname = \"did\"\nstatistic = \"experiment\"\nexperiment = \"design.toml\"\n\
        estimator = \"cs\"\ncontrol = \"notyettreated\"\noutcome = \"initiative\"\n\
        observed = 0.04\nse = 0.02\nsource = \"illustrative\"\n";
    let file = dir.path().join("study.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    calibrate(&file, &out, &[])
        .success()
        .stdout(predicate::str::contains(
            "A study that found +0.04 with Callaway–Sant'Anna implies, under this model, a true \
             effect of the policy of",
        ));
    let implied = read(&out, "implied.csv");
    let mut lines = implied.lines();
    assert!(
        lines.next().unwrap().starts_with(
            "target,design,estimator,control,reported,outcome,observed,estimate_mean,"
        )
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("did,design.toml,cs,notyettreated,overall,initiative,0.04,"),
        "{implied}"
    );
    assert!(
        read(&out, "predictive.csv")
            .starts_with("draw,population.loss_aversion,did,did_estimand,did_policy_effect\n")
    );
    assert!(read(&out, "report.html").contains("What the published estimate implies"));

    // Its own keys are checked: file, line, key, value, what is allowed.
    std::fs::write(&file, text.replace("\"cs\"", "\"csa\"")).unwrap();
    calibrate(&file, &dir.path().join("bad"), &[])
        .code(2)
        .stderr(predicate::str::contains(
            "study.toml:18: `estimator` = \"csa\" is not an estimator; allowed: twfe, twfe_es, cs, sa",
        ));
    std::fs::write(
        &file,
        text.replace("outcome = ", "metric = \"initiative\"\noutcome = "),
    )
    .unwrap();
    calibrate(&file, &dir.path().join("bad"), &[])
        .code(2)
        .stderr(predicate::str::contains(
            "`metric` does not apply to statistic = \"experiment\"",
        ));
}

/// An estimate the study cannot make on its design is refused before any simulation, with
/// the file, the target and its keys, and why.
#[test]
fn an_estimate_the_design_cannot_make_is_refused_before_simulating() {
    let dir = tempfile::tempdir().unwrap();
    // Every place adopts (steps 4 and 8): no never-treated places.
    std::fs::write(
        dir.path().join("all.toml"),
        "name = \"all\"\nbase = \"nominal_tolerance\"\n[run]\nsteps = 14\n[population]\n\
         cadres = 160\nunit_size = 20\n[places]\ncount = 8\n\
         [rollout]\nadopt = \"optimized_path\"\nassign = \"random\"\n\
         [[rollout.cohorts]]\nat = 4\nshare = 0.5\n[[rollout.cohorts]]\nat = 8\nshare = 0.5\n",
    )
    .unwrap();
    let text = "name = \"study\"\nbase = \"nominal_tolerance\"\nsteps = 10\nreplicates = 1\n\
        seed = 3\nparticles = 8\nmax_generations = 2\npredictive = 6\n\
        [[parameter]]\nparam = \"population.loss_aversion\"\nprior = \"normal\"\nmean = 2\nsd = 0.4\n\
        [[target]]\nname = \"did\"\nstatistic = \"experiment\"\nexperiment = \"all.toml\"\n\
        estimator = \"cs\"\ncontrol = \"nevertreated\"\noutcome = \"initiative\"\n\
        observed = 0.04\nse = 0.02\nsource = \"illustrative\"\n";
    let file = dir.path().join("study.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    calibrate(&file, &out, &[])
        .code(2)
        .stderr(predicate::str::contains(
            "study.toml:14: target `did`: `estimator` = \"cs\", `control` = \"nevertreated\", \
             `target` = \"overall\" on `experiment` = \"all.toml\": every place of the design adopts",
        ))
        .stderr(predicate::str::contains("set control = \"notyettreated\""));
    assert!(!out.exists(), "nothing written");
    // An event time the design cannot reach (the last cohort adopts at 8 of 14 steps).
    let far = text.replace(
        "control = \"nevertreated\"",
        "control = \"notyettreated\"\ntarget = \"event_time\"\nevent_time = 12",
    );
    std::fs::write(&file, far).unwrap();
    calibrate(&file, &out, &[])
        .code(2)
        .stderr(predicate::str::contains(
            "`event_time` = 12 on `experiment` = \"all.toml\": Callaway–Sant'Anna estimates no \
             event time 12 on this design",
        ));
    assert!(!out.exists(), "nothing written");
}
