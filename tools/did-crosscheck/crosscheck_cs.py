"""Cross-check of cadre-sim's Callaway–Sant'Anna options against csdid (the Python port of
R's `did`): covariates with the doubly robust, IPW and outcome-regression estimators, both
comparison groups, anticipation, the universal base period, `aggte`'s balance_e / min_e /
max_e, and an unbalanced panel with `allow_unbalanced_panel = True`.

Writes the seeded covariate panel (make_panel.make_covariate_panel) to
tests/fixtures/did_cs_panel.csv and an unbalanced copy (8% of rows dropped) to
tests/fixtures/did_cs_unbalanced.csv, runs csdid on them with analytic (influence-function)
SEs, and records every ATT(g,t) and aggregation in tests/fixtures/did_crosscheck_cs.json with
the package versions and the date. tests/did_crosscheck.rs compares cadre-sim's numbers with
them (estimates and SEs to 1e-6).

Not run in CI. To rerun (from the repository root):

    python3 -m venv /tmp/didvenv
    /tmp/didvenv/bin/pip install csdid
    /tmp/didvenv/bin/python tools/did-crosscheck/crosscheck_cs.py
"""

import contextlib
import datetime
import importlib.metadata as md
import io
import json
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from make_panel import make_covariate_panel, unbalance  # noqa: E402

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
FORMULA = "y ~ x1 + x2"

# (name, panel, covariates?, method, control, anticipation, base period, aggte window)
RUNS = []
for method in ["dr", "ipw", "reg"]:
    for control in ["nevertreated", "notyettreated"]:
        RUNS.append(dict(panel="balanced", covariates=True, method=method, control=control,
                         anticipation=0, base_period="varying"))
for control in ["nevertreated", "notyettreated"]:
    RUNS.append(dict(panel="balanced", covariates=True, method="dr", control=control,
                     anticipation=1, base_period="varying"))
    RUNS.append(dict(panel="balanced", covariates=True, method="dr", control=control,
                     anticipation=0, base_period="universal"))
RUNS.append(dict(panel="balanced", covariates=True, method="ipw", control="notyettreated",
                 anticipation=1, base_period="universal"))
RUNS.append(dict(panel="balanced", covariates=True, method="dr", control="nevertreated",
                 anticipation=0, base_period="varying", balance_e=2, min_e=-3, max_e=3))
for method in ["dr", "ipw", "reg"]:
    RUNS.append(dict(panel="unbalanced", covariates=True, method=method,
                     control="nevertreated", anticipation=0, base_period="varying"))
RUNS.append(dict(panel="unbalanced", covariates=True, method="dr", control="notyettreated",
                 anticipation=1, base_period="universal"))
RUNS.append(dict(panel="unbalanced", covariates=False, method="dr", control="nevertreated",
                 anticipation=0, base_period="varying"))


def run_key(r):
    parts = [r["panel"], "cov" if r["covariates"] else "nocov", r["method"], r["control"],
             f"ant{r['anticipation']}", r["base_period"]]
    if "balance_e" in r:
        parts.append(f"window{r['balance_e']}/{r['min_e']}/{r['max_e']}")
    return ":".join(parts)


def finite(x):
    """A number for JSON; None where csdid reports NaN (the SE of the universal base
    period's cell, which is 0 by construction)."""
    x = float(x)
    return x if np.isfinite(x) else None


def numbers(df, r):
    from csdid.att_gt import ATTgt

    m = ATTgt(yname="y", tname="time", idname="place", gname="cohort", data=df.copy(),
              control_group=r["control"], xformla=FORMULA if r["covariates"] else None,
              anticipation=r["anticipation"],
              allow_unbalanced_panel=r["panel"] == "unbalanced", cband=False)
    with contextlib.redirect_stdout(io.StringIO()):
        m.fit(est_method=r["method"], base_period=r["base_period"], bstrap=False)
    res = m.results
    rows = [{"target": "group_time", "group": int(g), "time": int(t), "estimate": finite(a),
             "se": finite(s)}
            for g, t, a, s in zip(res["group"], res["year"], res["att"], res["se"])]
    window = {k: r[k] for k in ["balance_e", "min_e", "max_e"] if k in r}
    targets = {"dynamic": ("event_time", "overall_dynamic"),
               "group": ("group", "overall_group"),
               "calendar": ("calendar", "overall_calendar"),
               "simple": (None, "overall")}
    for typec, (each, overall) in targets.items():
        extra = window if typec == "dynamic" else {}
        with contextlib.redirect_stdout(io.StringIO()):
            m.aggte(typec=typec, bstrap=False, cband=False, **extra)
        a = m.atte
        rows.append({"target": overall, "estimate": finite(np.ravel(a["overall_att"])[0]),
                     "se": finite(np.ravel(a["overall_se"])[0])})
        if each is None:
            continue
        for x, v, s in zip(*(np.ravel(a[k]) for k in ["egt", "att_egt", "se_egt"])):
            coord = {"event_time": "event_time", "group": "group", "calendar": "time"}[each]
            rows.append({"target": each, coord: int(x), "estimate": finite(v), "se": finite(s)})
    return rows


def main():
    FIXTURES.mkdir(parents=True, exist_ok=True)
    balanced = make_covariate_panel()
    balanced.to_csv(FIXTURES / "did_cs_panel.csv", index=False, float_format="%.17g")
    unbalance(balanced).to_csv(FIXTURES / "did_cs_unbalanced.csv", index=False,
                               float_format="%.17g")
    panels = {"balanced": pd.read_csv(FIXTURES / "did_cs_panel.csv"),
              "unbalanced": pd.read_csv(FIXTURES / "did_cs_unbalanced.csv")}
    runs = []
    total = 0
    for r in RUNS:
        rows = numbers(panels[r["panel"]], r)
        total += len(rows)
        runs.append({"key": run_key(r), **r, "rows": rows})
    out = {
        "note": "Written by tools/did-crosscheck/crosscheck_cs.py; compared by "
                "tests/did_crosscheck.rs (estimates and analytic SEs to 1e-6).",
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "packages": {p: md.version(p) for p in
                     ["csdid", "drdid", "numpy", "pandas", "statsmodels"]},
        "formula": FORMULA,
        "panels": {"balanced": "did_cs_panel.csv", "unbalanced": "did_cs_unbalanced.csv"},
        "runs": runs,
    }
    (FIXTURES / "did_crosscheck_cs.json").write_text(json.dumps(out, indent=1) + "\n")
    print(f"{len(runs)} runs, {total} reference numbers written to "
          f"{FIXTURES / 'did_crosscheck_cs.json'}")


if __name__ == "__main__":
    main()
