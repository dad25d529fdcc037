"""Morris screening with SALib's own sampler and analyser, cadre_sim.run as the model, checked
against `cadre-sim sensitivity` on the same design (docs/sensitivity.md).

    pip install ./python SALib
    cargo build --release                  # the command line this example checks against
    python examples/python/salib_morris.py

The design is scenarios/sensitivity/levers_morris.toml: ten levers of the paper's optimisation
paths O1-O5 around the nominal regime, 40 trajectories on a 4-level grid, each point the mean
over 4 replicates (common random numbers: seed 1) of the last 10 of 40 steps. SALib draws its
own trajectories (`morris.sample`), so its mu* differ from cadre-sim's by sampling noise; the
ranking must agree wherever cadre-sim tells two levers apart (their mu* intervals do not
overlap). Exits non-zero if it does not.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.sample import morris as morris_sample

import cadre_sim

ROOT = Path(__file__).resolve().parents[2]
DESIGN = ROOT / "scenarios" / "sensitivity" / "levers_morris.toml"

# The rest of levers_morris.toml's design; its parameters and bounds are read from the
# problem.json that `cadre-sim sensitivity` writes in SALib's layout.
BASE, TRAJECTORIES, LEVELS, REPLICATES, STEPS, WINDOW, SEED = "nominal_tolerance", 40, 4, 4, 40, 10, 1
METRIC = "initiative"


def cli_binary():
    """The cadre-sim command line: $CADRE_SIM, on PATH, or this clone's release build."""
    for candidate in (os.environ.get("CADRE_SIM"), shutil.which("cadre-sim"),
                      ROOT / "target" / "release" / "cadre-sim"):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    sys.exit("cadre-sim not found: run `cargo build --release` or set CADRE_SIM")


def model(problem, X):
    """cadre_sim.run at every row of X: the final-window mean of METRIC (integer levers are
    rounded, as cadre-sim rounds them)."""
    integer = cadre_sim.params().set_index("key")["integer"]
    y = np.empty(len(X))
    for i, row in enumerate(X):
        values = {k: (round(v) if integer[k] else float(v)) for k, v in zip(problem["names"], row)}
        r = cadre_sim.run(BASE, set=values, replicates=REPLICATES, steps=STEPS, seed=SEED, window=WINDOW)
        y[i] = r.final.loc[METRIC, "mean"]
    return y


def main():
    parser = argparse.ArgumentParser(description="Morris screening with SALib and cadre_sim")
    parser.add_argument("--keep", help="keep cadre-sim's sensitivity folder here")
    args = parser.parse_args()

    # `cadre-sim sensitivity` on the design.
    out = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="levers_morris_"))
    subprocess.run([cli_binary(), "sensitivity", str(DESIGN), "--out", str(out), "--force",
                    "--quiet", "--no-plots"], check=True, stdout=subprocess.DEVNULL)
    with open(out / "salib" / "problem.json") as f:
        problem = json.load(f)
    names = problem["names"]
    indices = pd.read_csv(out / "indices.csv")
    cli = indices[indices["metric"] == METRIC].set_index("parameter")[["mu_star", "mu_star_conf"]]

    # SALib's own sampler and analyser on the same problem, cadre_sim.run as the model.
    X = morris_sample.sample(problem, N=TRAJECTORIES, num_levels=LEVELS, seed=SEED)
    Y = model(problem, X)
    Si = morris_analyze.analyze(problem, X, Y, num_levels=LEVELS, seed=SEED)
    salib = pd.DataFrame({"mu_star": Si["mu_star"], "mu_star_conf": Si["mu_star_conf"]}, index=names)

    # The same model: cadre_sim.run reproduces cadre-sim's own outputs on its first trajectory.
    X_cli = np.loadtxt(out / "salib" / "X.txt")[: len(names) + 1]
    Y_cli = np.loadtxt(out / "salib" / f"Y_{METRIC}.txt")[: len(names) + 1]
    if not np.array_equal(model(problem, X_cli), Y_cli):
        sys.exit("cadre_sim.run differs from cadre-sim sensitivity on the same points")
    if not args.keep:
        shutil.rmtree(out)

    table = pd.DataFrame({
        "salib_mu_star": salib["mu_star"],
        "salib_rank": salib["mu_star"].rank(ascending=False).astype(int),
        "cadre_sim_mu_star": cli["mu_star"],
        "cadre_sim_rank": cli["mu_star"].rank(ascending=False).astype(int),
    }).sort_values("cadre_sim_rank")
    print(f"Morris mu* of {METRIC} ({TRAJECTORIES} trajectories, {len(X)} points each way)")
    print(table.to_string(float_format=lambda v: f"{v:.4f}"))

    # Agreement: every pair cadre-sim separates (intervals apart) is ordered alike by SALib.
    disagreements = []
    for a in names:
        for b in names:
            apart = cli.loc[a, "mu_star"] - cli.loc[a, "mu_star_conf"] > cli.loc[b, "mu_star"] + cli.loc[b, "mu_star_conf"]
            if apart and not salib.loc[a, "mu_star"] > salib.loc[b, "mu_star"]:
                disagreements.append(f"{a} > {b}")
    separated = sum(
        cli.loc[a, "mu_star"] - cli.loc[a, "mu_star_conf"] > cli.loc[b, "mu_star"] + cli.loc[b, "mu_star_conf"]
        for a in names for b in names
    )
    top_salib, top_cli = salib["mu_star"].idxmax(), cli["mu_star"].idxmax()
    print(f"most influential: SALib {top_salib}, cadre-sim {top_cli}; "
          f"{separated - len(disagreements)} of {separated} separated pairs ordered alike")
    if disagreements or top_salib != top_cli:
        sys.exit("rankings disagree: " + ", ".join(disagreements or [f"top {top_salib} vs {top_cli}"]))
    print("the rankings agree")


if __name__ == "__main__":
    main()
