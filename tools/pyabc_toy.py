#!/usr/bin/env python3
"""Cross-check of cadre-sim's ABC-SMC against pyabc on the toy with an analytic posterior.

The toy (src/calibrate/smc.rs, `toy`): theta ~ Uniform(-5, 5); the statistic is
theta + N(0, 0.2^2); observed 1.0; distance |s - 1| / 0.2; tolerance schedule: the median of
the previous generation's distances; stop once epsilon <= 0.1. Exact posterior N(1, 0.2^2);
with ABC's final tolerance eps the posterior sd is 0.2 * sqrt(1 + eps^2 / 3).

Runs pyabc and cadre-sim (`cargo run --release --example abc_toy`) with the same population
size over several seeds, and prints the mean and spread of the posterior means and sds of
each, so that they can be compared within Monte Carlo error.

Not part of CI. Setup (any machine with Python 3 and PyPI):
    python3 -m venv /tmp/pyabc-venv && /tmp/pyabc-venv/bin/pip install pyabc
    /tmp/pyabc-venv/bin/python tools/pyabc_toy.py [particles] [seeds]
"""
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np
import pyabc

logging.getLogger("ABC").setLevel(logging.WARNING)
logging.getLogger("Epsilon").setLevel(logging.WARNING)
logging.getLogger("Distance").setLevel(logging.WARNING)
logging.getLogger("Sampler").setLevel(logging.WARNING)

SE = 0.2
OBSERVED = 1.0


def run_pyabc(particles, seed):
    rng = np.random.default_rng(seed)

    def model(p):
        return {"s": p["theta"] + SE * rng.standard_normal()}

    def distance(x, x0):
        return abs(x["s"] - x0["s"]) / SE

    np.random.seed(seed)
    abc = pyabc.ABCSMC(
        model,
        pyabc.Distribution(theta=pyabc.RV("uniform", -5, 10)),
        distance,
        population_size=particles,
        eps=pyabc.QuantileEpsilon(alpha=0.5),
        sampler=pyabc.sampler.SingleCoreSampler(),
    )
    db = os.path.join(tempfile.mkdtemp(), "toy.db")
    abc.new("sqlite:///" + db, {"s": OBSERVED})
    history = abc.run(minimum_epsilon=0.1, max_nr_populations=20)
    frame, w = history.get_distribution(m=0, t=history.max_t)
    theta = frame["theta"].to_numpy()
    mean = float(np.sum(w * theta))
    sd = float(np.sqrt(np.sum(w * (theta - mean) ** 2)))
    eps = float(history.get_all_populations()["epsilon"].iloc[-1])
    sims = int(history.total_nr_simulations)
    return {"mean": mean, "sd": sd, "epsilon": eps, "simulations": sims}


def run_cadre_sim(particles, seeds):
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    out = subprocess.run(
        ["cargo", "run", "--release", "--quiet", "--example", "abc_toy", "--",
         str(particles), str(seeds)],
        cwd=root, check=True, capture_output=True, text=True,
    ).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def describe(name, runs):
    means = [r["mean"] for r in runs]
    sds = [r["sd"] for r in runs]
    eps = [r["epsilon"] for r in runs]
    sims = [r["simulations"] for r in runs]
    analytic = [SE * (1 + e * e / 3) ** 0.5 for e in eps]
    print(
        f"{name:10s} posterior mean {statistics.mean(means):.4f} "
        f"(spread over seeds {statistics.stdev(means):.4f}), "
        f"sd {statistics.mean(sds):.4f} (spread {statistics.stdev(sds):.4f}), "
        f"final eps {statistics.mean(eps):.3f}, analytic sd at that eps "
        f"{statistics.mean(analytic):.4f}, simulations {statistics.mean(sims):.0f}"
    )
    return statistics.mean(means), statistics.mean(sds), statistics.stdev(means), statistics.stdev(sds)


def main():
    particles = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    print(f"toy: N(1, 0.2^2) posterior; {particles} particles; {seeds} seeds each; "
          f"pyabc {pyabc.__version__}")
    ours = run_cadre_sim(particles, seeds)
    for r in ours:
        print(f"cadre-sim: {json.dumps(r)}", flush=True)
    theirs = []
    for s in range(seeds):
        theirs.append(run_pyabc(particles, s))
        print(f"pyabc seed {s}: {json.dumps(theirs[-1])}", flush=True)
    m1, s1, dm1, ds1 = describe("cadre-sim", ours)
    m2, s2, dm2, ds2 = describe("pyabc", theirs)
    # Monte Carlo error of the difference of the two averages over seeds.
    se_mean = ((dm1 ** 2 + dm2 ** 2) / seeds) ** 0.5
    se_sd = ((ds1 ** 2 + ds2 ** 2) / seeds) ** 0.5
    print(f"difference of means {m1 - m2:+.4f} (Monte Carlo se {se_mean:.4f}); "
          f"difference of sds {s1 - s2:+.4f} (Monte Carlo se {se_sd:.4f})")


if __name__ == "__main__":
    main()
