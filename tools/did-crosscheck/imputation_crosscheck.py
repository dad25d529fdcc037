"""Cross-check of cadre-sim's imputation estimator and pre-trend test against pyfixest and csdid.

On the cross-check panel (tests/fixtures/did_crosscheck_panel.csv, written by crosscheck.py)
and on the same panel without its never-treated places (so that the periods from the last
cohort's adoption on have no untreated observation), records

- pyfixest's `did2s` (Gardner's two-stage estimator, whose point estimates equal Borusyak,
  Jaravel & Spiess's imputation estimator): the static effect (`~ 0 + is_treated`, the mean
  effect over every treated place-period) and one coefficient per event time from adoption on
  (second stage on treated-at-event-time-e dummies, the rest the reference), with did2s's own
  GMM standard errors for reference (cadre-sim reports BJS's conservative SEs instead, which
  differ by design). did2s as pyfixest ships it recovers the first stage's fixed effects with
  scipy's lsqr at atol = btol = 1e-6 (`Feols.fixef`), which leaves errors of a few 1e-6 in
  the estimates (up to 6e-6 here); the reference numbers are computed with those tolerances
  at 1e-14, so that the comparison measures the method rather than a solver's stopping rule
  (the shipped-tolerance numbers are recorded too, as `estimate_shipped_tolerance`);
- csdid's Wald pre-test of parallel trends (`W`, `Wpval` of `att_gt`, R `did`'s formula) with
  never-treated and not-yet-treated controls, on a wider panel written here
  (tests/fixtures/did_pretrend_panel.csv: 60 places over 10 periods, cohorts 5, 7, 9 of 10
  places and 30 never treated, with a pre-trend of 0.01 a period in cohort 9, too small to reject) -- on the cross-check panel
  the 34 pre-adoption cells outnumber its 30 places, so their covariance is singular and
  neither csdid nor cadre-sim gives a statistic; the imputation estimator runs on it too,

in tests/fixtures/did_imputation.json with the package versions and the date;
tests/did_imputation_crosscheck.rs compares cadre-sim to 1e-6.

Not run in CI. To rerun (from the repository root):

    python3 -m venv /tmp/didvenv
    /tmp/didvenv/bin/pip install pyfixest==0.60.0 csdid==0.4.3
    /tmp/didvenv/bin/python tools/did-crosscheck/imputation_crosscheck.py
"""

import contextlib
import datetime
import importlib.metadata as md
import io
import json
import platform
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


def did2s_rows(df, panel, tight=True):
    from pyfixest.estimation.models.feols_ import Feols

    Feols.fixef.__defaults__ = (1e-14, 1e-14) if tight else (1e-6, 1e-6)
    d = df.copy()
    # did2s's convention: never treated as a large cohort never reached; the treatment dummy.
    d["g"] = np.where(d["cohort"] > 0, d["cohort"], 0)
    d["is_treated"] = ((d["g"] > 0) & (d["time"] >= d["g"])).astype(bool)
    # The periods a treated observation can be imputed in: those with an untreated one.
    untreated_periods = set(d.loc[~d["is_treated"], "time"])
    imputable = d["time"].isin(untreated_periods)
    rows = []
    fit = pf.did2s(d[imputable | ~d["is_treated"]], yname="y", first_stage="~ 0 | place + time",
                   second_stage="~ 0 + is_treated", treatment="is_treated", cluster="place")
    coef = fit.coef()
    name = [n for n in coef.index if "is_treated" in n][0]
    rows.append({"panel": panel, "target": "overall", "event_time": None,
                 "estimate": float(coef[name]), "did2s_se": float(fit.se()[name]),
                 "treated_cells": int((d["is_treated"] & imputable).sum())})
    # Event times: a dummy per event time e ≥ 0 among treated observations.
    d["ev"] = np.where(d["is_treated"], d["time"] - d["g"], -1000)
    events = sorted(set(d.loc[d["is_treated"] & imputable, "ev"]))
    names = []
    for e in events:
        col = f"ev_{e}"
        d[col] = (d["is_treated"] & (d["ev"] == e)).astype(float)
        names.append(col)
    fit = pf.did2s(d[imputable | ~d["is_treated"]], yname="y",
                   first_stage="~ 0 | place + time",
                   second_stage="~ 0 + " + " + ".join(names), treatment="is_treated",
                   cluster="place")
    coef, se = fit.coef(), fit.se()
    for e, col in zip(events, names):
        rows.append({"panel": panel, "target": "event_time", "event_time": int(e),
                     "estimate": float(coef[col]), "did2s_se": float(se[col]),
                     "treated_cells": int((d["is_treated"] & imputable & (d["ev"] == e)).sum())})
    return rows


def make_pretrend_panel(seed=1):
    rng = np.random.default_rng(seed)
    periods = np.arange(1, 11)
    cohorts = [5] * 10 + [7] * 10 + [9] * 10 + [0] * 30
    lam = 0.1 * periods + 0.2 * rng.standard_normal(len(periods))
    rows = []
    for place, g in enumerate(cohorts, start=1):
        alpha = rng.standard_normal()
        for k, t in enumerate(periods):
            e = t - g
            tau = (0.5 + 0.1 * e) if (g > 0 and e >= 0) else 0.0
            drift = 0.01 * min(t, g) if g == 9 else 0.0
            rows.append((place, int(t), g, alpha + lam[k] + tau + drift
                         + 0.5 * rng.standard_normal()))
    return pd.DataFrame(rows, columns=["place", "time", "cohort", "y"])


def pretrend_rows(df):
    from csdid.att_gt import ATTgt

    rows = []
    for control in ["nevertreated", "notyettreated"]:
        m = ATTgt(yname="y", tname="time", idname="place", gname="cohort", data=df,
                  control_group=control)
        with contextlib.redirect_stdout(io.StringIO()):
            m.fit(est_method="dr", base_period="varying", bstrap=False)
        pre = [(g, t) for g, t in zip(m.MP["group"], m.MP["t"]) if t < g]
        rows.append({"panel": "did_pretrend_panel.csv", "control": control,
                     "W": float(m.MP["W"]), "p_value": float(m.MP["Wpval"]), "cells": len(pre)})
    return rows


def main():
    df = pd.read_csv(FIXTURES / "did_crosscheck_panel.csv")
    treated_only = df[df["cohort"] > 0]
    treated_only.to_csv(FIXTURES / "did_crosscheck_panel_treated_only.csv", index=False,
                        float_format="%.17g")
    rows = did2s_rows(df, "did_crosscheck_panel.csv")
    rows += did2s_rows(treated_only, "did_crosscheck_panel_treated_only.csv")
    wide = make_pretrend_panel()
    wide.to_csv(FIXTURES / "did_pretrend_panel.csv", index=False, float_format="%.17g")
    wide = pd.read_csv(FIXTURES / "did_pretrend_panel.csv")
    rows += did2s_rows(wide, "did_pretrend_panel.csv")
    shipped = did2s_rows(df, "did_crosscheck_panel.csv", tight=False)
    shipped += did2s_rows(treated_only, "did_crosscheck_panel_treated_only.csv", tight=False)
    shipped += did2s_rows(wide, "did_pretrend_panel.csv", tight=False)
    for r, s in zip(rows, shipped):
        r["estimate_shipped_tolerance"] = s["estimate"]
    print("largest effect of did2s's shipped lsqr tolerance:",
          max(abs(r["estimate"] - r["estimate_shipped_tolerance"]) for r in rows))
    out = {
        "note": "Written by tools/did-crosscheck/imputation_crosscheck.py; compared by "
                "tests/did_imputation_crosscheck.rs: imputation point estimates against "
                "pyfixest's did2s, the CS pre-trend Wald test against csdid, to 1e-6. "
                "did2s_se is Gardner's GMM SE, recorded for reference only.",
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "packages": {p: md.version(p) for p in ["pyfixest", "csdid", "numpy", "pandas"]},
        "imputation": rows,
        "pretrend": pretrend_rows(wide),
    }
    (FIXTURES / "did_imputation.json").write_text(json.dumps(out, indent=1) + "\n")
    print(f"{len(rows)} imputation and {len(out['pretrend'])} pre-trend reference numbers "
          f"written to {FIXTURES / 'did_imputation.json'}")


if __name__ == "__main__":
    main()
