//! The README's and the docs' examples, run as a newcomer runs them: every `cadre-sim` line
//! of every shell block, in the order written, each document in a fresh folder holding only
//! the `scenarios/` folder. A line that fails (say, a folder an earlier example filled) fails
//! the test. Skipped: `serve` (tests/serve_api.rs and tests/web/ drive it), Slurm
//! (`--slurm`, `--shard`, and blocks that submit with `sbatch`: tests/slurm_e2e.sh), and
//! syntax lines with placeholders (`FILE`, `DIR`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The command lines of a Markdown text's shell blocks, continuation lines joined and
/// comments dropped, in order; blocks that submit to Slurm (`sbatch`) are left out whole.
fn shell_lines(markdown: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut block = Vec::new();
    let mut in_shell = false;
    let mut pending = String::new();
    for line in markdown.lines() {
        let trimmed = line.trim();
        if let Some(info) = trimmed.strip_prefix("```") {
            if in_shell && !block.iter().any(|l: &String| l.starts_with("sbatch")) {
                lines.append(&mut block);
            }
            block.clear();
            in_shell = !in_shell && matches!(info, "sh" | "bash" | "console" | "shell");
            continue;
        }
        if !in_shell {
            continue;
        }
        let code = match trimmed.find(" #") {
            Some(i) => trimmed[..i].trim_end(),
            None if trimmed.starts_with('#') => "",
            None => trimmed,
        };
        if let Some(head) = code.strip_suffix('\\') {
            pending.push_str(head);
            continue;
        }
        pending.push_str(code);
        if !pending.trim().is_empty() {
            block.push(pending.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        pending.clear();
    }
    lines
}

/// The line as a `cadre-sim` command, or None for other programs and skipped lines.
fn cadre_sim_line(line: &str) -> Option<String> {
    let rest = [
        "cadre-sim ",
        "./target/release/cadre-sim ",
        "cargo run --release -- ",
    ]
    .iter()
    .find_map(|p| line.strip_prefix(p))?;
    let words: Vec<&str> = rest.split_whitespace().collect();
    let skipped = words.first() == Some(&"serve")
        || words
            .iter()
            .any(|w| ["--slurm", "--shard", "FILE", "DIR"].contains(w));
    (!skipped).then(|| format!("cadre-sim {rest}"))
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn every_example_of_the_readme_and_docs_runs_in_order() {
    // `cadre-sim` on the PATH, as the README's install step leaves it.
    let bin_dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_cadre-sim"),
        bin_dir.path().join("cadre-sim"),
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let mut documents = vec![repo().join("README.md")];
    let mut docs: Vec<PathBuf> = fs::read_dir(repo().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    documents.extend(docs);

    let mut ran = 0;
    for doc in &documents {
        let text = fs::read_to_string(doc).unwrap();
        let folder = tempfile::tempdir().unwrap();
        copy_dir(&repo().join("scenarios"), &folder.path().join("scenarios"));
        for line in shell_lines(&text).iter().filter_map(|l| cadre_sim_line(l)) {
            let out = Command::new("sh")
                .arg("-c")
                .arg(&line)
                .current_dir(folder.path())
                .env("PATH", &path)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}: `{line}` failed ({}):\n{}",
                doc.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(
        ran >= 20,
        "only {ran} examples found: is the parser still right?"
    );
}

#[test]
fn the_parser_joins_continuations_and_skips_what_it_must() {
    let md = "text\n```sh\ncadre-sim compare a \\\n    b --out x   # why\n# a comment\n\
              cadre-sim serve\ncadre-sim sweep FILE --no-plots\ncargo test\n```\n\
              ```toml\ncadre-sim run not_shell\n```\n\
              ```sh\ncadre-sim sweep big.toml\nsbatch big/slurm/sweep.sbatch\n```\n";
    let lines: Vec<String> = shell_lines(md)
        .iter()
        .filter_map(|l| cadre_sim_line(l))
        .collect();
    assert_eq!(lines, ["cadre-sim compare a b --out x"]);
}
