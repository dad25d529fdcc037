//! Output folders as users meet them: no command writes into another command's results or
//! among a user's own files, a refused command leaves the folder byte for byte as it was,
//! `--force` replaces only the command's own files, and a rerun removes its own stale ones.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

/// Small settings that every command accepts, so each run takes a fraction of a second.
const SMALL: &[&str] = &["--steps", "4", "--replicates", "2", "--quiet"];

fn cadre(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("cadre-sim").unwrap();
    c.current_dir(dir);
    c
}

/// A scenario, a 2-point sweep and a 2-trajectory Morris analysis over a tiny population.
fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(
        d.join("tiny.toml"),
        "base = \"nominal_tolerance\"\n[population]\ncadres = 40\nunit_size = 10\n\
         [run]\nsteps = 4\nreplicates = 2\n",
    )
    .unwrap();
    fs::write(
        d.join("grid.toml"),
        "base = \"tiny.toml\"\nreplicates = 2\n[[axis]]\nparam = \"regime.severity\"\n\
         values = [1.0, 3.0]\n",
    )
    .unwrap();
    fs::write(
        d.join("morris.toml"),
        "base = \"tiny.toml\"\nmethod = \"morris\"\nsamples = 2\nlevels = 4\n\
         metrics = [\"initiative\"]\nreplicates = 2\nbootstrap = 50\n\
         [[parameter]]\nparam = \"regime.leader_duty\"\nfrom = 0\nto = 1\n\
         [[parameter]]\nparam = \"regime.publish\"\nfrom = 0\nto = 1\n",
    )
    .unwrap();
    dir
}

/// The command line of each writing command, into `out`.
fn command(name: &str, out: &str) -> Vec<String> {
    let mut args: Vec<&str> = match name {
        "run" => vec!["run", "tiny.toml"],
        "compare" => vec!["compare", "tiny.toml", "strict_accountability"],
        "lesson" => vec!["lesson"],
        "sweep" => vec!["sweep", "grid.toml", "--quiet"],
        "sensitivity" => vec!["sensitivity", "morris.toml", "--quiet"],
        "merge" => vec!["merge"],
        other => panic!("no command {other}"),
    };
    match name {
        "run" => args.extend(SMALL),
        "compare" => args.extend(SMALL.iter().chain(&["--set", "population.cadres=40"])),
        // The lesson's mechanism arrives at step 20.
        "lesson" => args.extend([
            "--steps",
            "22",
            "--replicates",
            "2",
            "--quiet",
            "--set",
            "population.cadres=40",
        ]),
        _ => {}
    }
    let mut args: Vec<String> = args.into_iter().map(String::from).collect();
    if name == "merge" {
        args.push(out.to_string());
    } else {
        args.extend(["--out".to_string(), out.to_string()]);
    }
    args
}

/// Every file under `dir` with its bytes (the folder's whole state).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, into: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.strip_prefix(root).unwrap().display().to_string();
            if path.is_dir() {
                into.insert(format!("{name}/"), Vec::new());
                walk(root, &path, into);
            } else {
                into.insert(name, fs::read(&path).unwrap());
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

const WRITERS: [&str; 5] = ["run", "compare", "lesson", "sweep", "sensitivity"];

#[test]
fn no_command_writes_into_another_commands_folder_or_a_users() {
    let dir = setup();
    let d = dir.path();
    for owner in WRITERS {
        cadre(d).args(command(owner, owner)).assert().success();
    }
    fs::create_dir(d.join("mine")).unwrap();
    fs::write(d.join("mine/notes.txt"), "my own notes\n").unwrap();

    let mut targets: Vec<&str> = WRITERS.to_vec();
    targets.push("mine");
    for target in targets {
        let before = snapshot(&d.join(target));
        for intruder in WRITERS.iter().copied().chain(["merge"]) {
            if intruder == target
                || (intruder == "merge" && ["sweep", "sensitivity"].contains(&target))
            {
                continue;
            }
            let mut args = command(intruder, target);
            // --force replaces a command's own results, never another command's.
            let forces: &[bool] = if target == "mine" || intruder == "merge" {
                &[false]
            } else {
                &[false, true]
            };
            for &force in forces {
                if force {
                    args.push("--force".into());
                }
                let what = if target == "mine" {
                    "notes.txt".to_string()
                } else {
                    format!("`cadre-sim {target}`")
                };
                cadre(d)
                    .args(&args)
                    .assert()
                    .code(2)
                    .stderr(predicate::str::contains(what));
                assert_eq!(
                    snapshot(&d.join(target)),
                    before,
                    "`{}` changed the folder of {target}",
                    args.join(" ")
                );
            }
        }
    }
}

#[test]
fn a_rerun_keeps_each_commands_rules_and_a_users_files() {
    let dir = setup();
    let d = dir.path();
    for name in WRITERS {
        cadre(d).args(command(name, name)).assert().success();
        let notes = d.join(name).join("notes.txt");
        fs::write(&notes, "my own notes\n").unwrap();
        // A user's file in the folder: refused without --force, named.
        cadre(d)
            .args(command(name, name))
            .assert()
            .code(2)
            .stderr(predicate::str::contains("notes.txt"));
        // With --force the command writes beside it and leaves it alone.
        let mut forced = command(name, name);
        forced.push("--force".into());
        cadre(d).args(&forced).assert().success();
        assert_eq!(fs::read_to_string(&notes).unwrap(), "my own notes\n");
        fs::remove_file(&notes).unwrap();
        // Run, compare and lesson refuse to replace their finished results without --force;
        // a sweep and an analysis resume.
        let again = cadre(d).args(command(name, name)).assert();
        if ["sweep", "sensitivity"].contains(&name) {
            again.success();
        } else {
            again.code(2).stderr(predicate::str::contains("--force"));
        }
    }
}

#[test]
fn a_rerun_removes_its_own_stale_files_only() {
    let dir = setup();
    let d = dir.path();
    let run = |extra: &[&str]| {
        cadre(d)
            .args(command("run", "out"))
            .args(extra)
            .assert()
            .success();
    };
    run(&["--raw", "--format", "png,svg"]);
    assert!(d.join("out/replicates.csv").exists() && d.join("out/initiative.svg").exists());
    fs::write(d.join("out/initiative_annotated.svg"), "<svg/>").unwrap();
    run(&["--force", "--no-plots"]);
    let left: Vec<String> = fs::read_dir(d.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.starts_with('.'))
        .collect();
    let mut left = left;
    left.sort();
    assert_eq!(
        left,
        [
            "initiative_annotated.svg",
            "report.html",
            "summary.json",
            "timeseries.csv"
        ]
    );

    // A finished sweep rerun with --no-plots keeps no plots of the earlier run.
    let sweep = |extra: &[&str]| {
        cadre(d)
            .args(command("sweep", "grid"))
            .args(extra)
            .assert()
            .success();
    };
    sweep(&[]);
    assert!(d.join("grid/lines_initiative.png").exists());
    sweep(&["--no-plots"]);
    assert!(!d.join("grid/lines_initiative.png").exists());
    sweep(&["--format", "svg"]);
    assert!(d.join("grid/lines_initiative.svg").exists());
    assert!(d.join("grid/results.csv").exists() && d.join("grid/points").is_dir());
}
