"""Writes scenarios/experiments/did_panel.csv, the illustrative panel of docs/did.md: 24 cities over
2010-2025, adopting a fault-tolerance rule in 2014 (4), 2016 (6) or 2018 (8) or never (6),
with an effect on an innovation index that grows with years since adoption (0.5 + 0.15 per
year). Synthetic: the numbers illustrate the estimators, they are not data."""
import csv
import random
from pathlib import Path

random.seed(2014)
root = Path(__file__).resolve().parents[2]
cohorts = [2014] * 4 + [2016] * 6 + [2018] * 8 + [None] * 6
years = range(2010, 2026)
trend = {t: 0.08 * (t - 2010) + random.gauss(0, 0.2) for t in years}
with open(root / "scenarios" / "experiments" / "did_panel.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["city", "year", "adopted", "innovation"])
    for k, g in enumerate(cohorts):
        city = f"city_{k + 1:02d}"
        level = random.gauss(5, 1)
        eps = random.gauss(0, 0.5)
        for t in years:
            eps = 0.5 * eps + random.gauss(0, 0.5)
            effect = 0.5 + 0.15 * (t - g) if g is not None and t >= g else 0.0
            w.writerow([city, t, "" if g is None else g, f"{level + trend[t] + effect + eps:.4f}"])
