"""cadre-sim from Python in one page: run a regime, compare the paper's three headline
regimes with common random numbers, and draw a figure with matplotlib.

    pip install ./python matplotlib        # from a clone of the repository
    python examples/python/quickstart.py   # writes output/python/quickstart.png

The numbers are those `cadre-sim run` and `cadre-sim compare` write to their CSV files; no
file is written except the figure.
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # draw to a file, no display needed
import matplotlib.pyplot as plt

import cadre_sim

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", default="output/python/quickstart.png", help="the figure's file")
args = parser.parse_args()

# 1. One regime: the time series (tidy) and the final-window table (indexed by metric).
r = cadre_sim.run("optimized_path", seed=1)
print(f"{r.name}: {len(r.summary['replicate_seeds'])} replicates, "
      f"final window {r.window} steps, simulated in {r.seconds:.2f} s")
print(r.final.loc[["initiative", "tolerance_rate", "social_value"], ["mean", "ci_low", "ci_high"]].to_string())

# 2. The headline comparison: paired differences against the first regime.
table = cadre_sim.compare("strict_accountability", "nominal_tolerance", "optimized_path", seed=1)
initiative = table[table["metric"] == "initiative"].set_index("scenario")
print("\nInitiative, paired difference against strict accountability:")
print(initiative[["mean", "difference", "difference_ci_low", "difference_ci_high"]].to_string())
best = initiative["mean"].idxmax()
print(f"highest initiative: {best}")

# 3. A figure: initiative over time with 95% bands, and the paired differences.
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
for name in initiative.index:
    run = cadre_sim.run(name, seed=1)
    ts = run.timeseries[run.timeseries["metric"] == "initiative"]
    left.plot(ts["step"], ts["mean"], label=name.replace("_", " "))
    left.fill_between(ts["step"], ts["ci_low"], ts["ci_high"], alpha=0.2)
left.set(xlabel="step (quarter)", ylabel="initiative (mean, 95% CI)", title="Initiative over time")
left.legend(frameon=False)

others = initiative.iloc[1:]
err = [others["difference"] - others["difference_ci_low"], others["difference_ci_high"] - others["difference"]]
right.barh([n.replace("_", " ") for n in others.index], others["difference"], xerr=err, color="#4c72b0")
right.axvline(0, color="black", linewidth=0.8)
right.set(xlabel="Δ initiative vs strict accountability (paired, 95% CI)",
          title=f"Final {table.attrs['window']} steps, {table.attrs['replicates']} replicate pairs")

out = Path(args.out)
out.parent.mkdir(parents=True, exist_ok=True)
fig.savefig(out, dpi=120)
print(f"\nfigure: {out}")
