"""Per-call overhead of cadre_sim.run: 1,000 calls of a small scenario from Python, against
the time the simulations themselves take (RunResult.seconds, timed in Rust around the
replicates).

    python python/bench/overhead.py [--calls 1000]

Overhead per call = wall time per call - simulation time per call: resolving the scenario,
the thread hand-off that keeps Ctrl-C working, building the result's columns, and (second
line) the pandas DataFrame of the final table that a calibration loop reads.
"""

import argparse
import statistics
import time

import cadre_sim

parser = argparse.ArgumentParser(description="per-call overhead of cadre_sim.run")
parser.add_argument("--calls", type=int, default=1000)
args = parser.parse_args()

SMALL = dict(set={"population.cadres": 200}, steps=20, replicates=2, seed=1)


def measure(read_final):
    walls, sims = [], []
    for _ in range(args.calls):
        start = time.perf_counter()
        r = cadre_sim.run("optimized_path", **SMALL)
        if read_final:
            r.final.loc["initiative", "mean"]
        walls.append(time.perf_counter() - start)
        sims.append(r.seconds)
    return walls, sims


cadre_sim.run("optimized_path", **SMALL)  # warm up: thread pool, caches
print(f"{args.calls} calls of run('optimized_path', cadres=200, steps=20, replicates=2)")
for label, read_final in [("run only", False), ("run + .final", True)]:
    walls, sims = measure(read_final)
    wall, sim = statistics.mean(walls), statistics.mean(sims)
    over = [w - s for w, s in zip(walls, sims)]
    print(
        f"  {label:13s} wall {wall * 1e3:7.3f} ms/call, simulation {sim * 1e3:7.3f} ms/call, "
        f"overhead mean {statistics.mean(over) * 1e6:6.0f} µs, median {statistics.median(over) * 1e6:6.0f} µs "
        f"({statistics.mean(over) / wall:.0%} of the call)"
    )
