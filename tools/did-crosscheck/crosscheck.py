"""Cross-check of cadre-sim's DiD estimators against established Python implementations.

Writes a seeded synthetic staggered panel (make_panel.py) to
tests/fixtures/did_crosscheck_panel.csv, estimates on it with

- pyfixest: TWFE `y ~ D | place + time` and the binned TWFE event study (leads 3, lags 5),
  CR1 clustered by place (pyfixest's default small-sample correction); Sun & Abraham's
  interaction-weighted event study as the saturated regression `y ~ cohort × event-time
  dummies | place + time` with the cohort-share aggregation done here from pyfixest's
  coefficients and clustered covariance (pyfixest has no `sunab`; its SaturatedEventStudy runs
  the same regression);
- csdid: Callaway & Sant'Anna with never-treated and not-yet-treated controls, the analytic
  (influence-function) SEs and the multiplier bootstrap SEs, aggregations simple, dynamic,
  group and calendar. csdid draws Rademacher multipliers, R's did (and cadre-sim) Mammen's;
  with 5 places in a cohort the two bootstrap distributions differ by more than Monte Carlo
  error, so the bootstrap is run twice: with csdid's multiplier function swapped for a
  Mammen one (se_kind "bootstrap", compared by the test) and as csdid ships it
  ("bootstrap_rademacher", recorded for reference),

and records every number in tests/fixtures/did_crosscheck.json with the package versions and
the date. tests/did_crosscheck.rs reads both files and compares cadre-sim's estimates.

Not run in CI. To rerun (from the repository root):

    python3 -m venv /tmp/didvenv
    /tmp/didvenv/bin/pip install pyfixest csdid
    /tmp/didvenv/bin/python tools/did-crosscheck/crosscheck.py
"""

import contextlib
import datetime
import io
import importlib.metadata as md
import json
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf
from scipy import stats

sys.path.insert(0, str(Path(__file__).parent))
from make_panel import make_panel  # noqa: E402

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
LEADS, LAGS = 3, 5
BOOT_DRAWS = 20000


def row(estimator, target, estimate, se, se_kind, control="", group=None, time=None,
        event_time=None, ci=None):
    return {
        "estimator": estimator, "control": control, "target": target,
        "group": None if group is None else int(group),
        "time": None if time is None else int(time),
        "event_time": None if event_time is None else int(event_time),
        "estimate": float(np.ravel(estimate)[0]), "se": float(np.ravel(se)[0]), "se_kind": se_kind,
        "ci_low": None if ci is None else float(ci[0]),
        "ci_high": None if ci is None else float(ci[1]),
    }


def pyfixest_rows(df):
    rows = []
    G = df["place"].nunique()
    tq = stats.t.ppf(0.975, G - 1)
    treated = df["cohort"] > 0
    d = df.copy()
    d["D"] = (treated & (d["time"] >= d["cohort"])).astype(float)
    fit = pf.feols("y ~ D | place + time", data=d, vcov={"CRV1": "place"})
    ci = fit.confint().loc["D"]
    rows.append(row("twfe", "overall", fit.coef()["D"], fit.se()["D"], "cr1",
                    ci=(ci.iloc[0], ci.iloc[1])))

    # Binned event study: e ≤ −LEADS and e ≥ LAGS each one dummy; −1 the reference.
    e = np.where(treated, np.clip(d["time"] - d["cohort"], -LEADS, LAGS), -1)
    names = {}
    for k in sorted(set(e[treated]) - {-1}):
        name = f"ev_{'m' if k < 0 else 'p'}{abs(k)}"
        d[name] = (treated & (e == k)).astype(float)
        names[name] = k
    fit = pf.feols(f"y ~ {' + '.join(names)} | place + time", data=d, vcov={"CRV1": "place"})
    coefs, ses, cis, V = fit.coef(), fit.se(), fit.confint(), fit._vcov
    for name, k in names.items():
        rows.append(row("twfe_es", "event_time", coefs[name], ses[name], "cr1", event_time=k,
                        ci=(cis.loc[name].iloc[0], cis.loc[name].iloc[1])))
    w = np.array([1.0 if names[n] >= 0 else 0.0 for n in fit._coefnames])
    w /= w.sum()
    b = fit._beta_hat
    val, se = w @ b, np.sqrt(w @ V @ w)
    rows.append(row("twfe_es", "overall", val, se, "cr1", ci=(val - tq * se, val + tq * se)))

    # Sun–Abraham: every treated cohort × event time but −1; never-treated places the control.
    d = df.copy()
    cohorts = sorted(d.loc[d["cohort"] > 0, "cohort"].unique())
    size = d[d["time"] == d["time"].min()].groupby("cohort").size()
    cells = {}
    for g in cohorts:
        for t in sorted(d["time"].unique()):
            k = t - g
            if k == -1:
                continue
            name = f"sa_{g}_{'m' if k < 0 else 'p'}{abs(k)}"
            d[name] = ((d["cohort"] == g) & (d["time"] == t)).astype(float)
            cells[name] = (g, k)
    fit = pf.feols(f"y ~ {' + '.join(cells)} | place + time", data=d, vcov={"CRV1": "place"})
    b, V, names = fit._beta_hat, fit._vcov, list(fit._coefnames)
    for name, (g, k) in cells.items():
        j = names.index(name)
        se = np.sqrt(V[j, j])
        rows.append(row("sa", "group_time", b[j], se, "cr1", control="nevertreated", group=g,
                        time=g + k, ci=(b[j] - tq * se, b[j] + tq * se)))
    overall = np.zeros(len(names))
    events = sorted({k for (_, k) in cells.values()})
    post = 0
    for k in events:
        w = np.zeros(len(names))
        for name, (g, kk) in cells.items():
            if kk == k:
                w[names.index(name)] = size[g]
        w /= w.sum()
        val, se = w @ b, np.sqrt(w @ V @ w)
        rows.append(row("sa", "event_time", val, se, "cr1", control="nevertreated",
                        event_time=k, ci=(val - tq * se, val + tq * se)))
        if k >= 0:
            overall += w
            post += 1
    overall /= post
    val, se = overall @ b, np.sqrt(overall @ V @ overall)
    rows.append(row("sa", "overall", val, se, "cr1", control="nevertreated",
                    ci=(val - tq * se, val + tq * se)))
    return rows


def mammen_multiplier_bootstrap(inf_func, biters, seed=None):
    """csdid's multiplier_bootstrap with R did's Mammen weights instead of Rademacher."""
    rng = np.random.default_rng(seed) if seed is not None else np.random
    n = inf_func.shape[0]
    kappa = (np.sqrt(5) + 1) / 2
    low = rng.random((int(biters), n)) < kappa / np.sqrt(5)
    v = np.where(low, 1 - kappa, kappa)
    return v @ inf_func / n


def csdid_rows(df, control, bootstrap, crit, weights="mammen"):
    """csdid's numbers; with `weights = "mammen"` its bootstrap draws R did's Mammen weights
    (cadre-sim's), with "rademacher" csdid's own."""
    import csdid.utils.mboot as mboot
    from csdid.att_gt import ATTgt
    from csdid.utils.bmisc import multiplier_bootstrap

    mboot.multiplier_bootstrap = (
        mammen_multiplier_bootstrap if weights == "mammen" else multiplier_bootstrap
    )
    kind = ("bootstrap" if weights == "mammen" else "bootstrap_rademacher") if bootstrap \
        else "analytic"
    np.random.seed(7)
    m = ATTgt(yname="y", tname="time", idname="place", gname="cohort", data=df,
              control_group=control, biters=BOOT_DRAWS, cband=bootstrap)
    with contextlib.redirect_stdout(io.StringIO()):
        m.fit(est_method="dr", base_period="varying", bstrap=bootstrap)
    r = m.results
    if bootstrap:
        crit[f"{kind}/{control}/group_time"] = float(np.ravel(r["c"])[0])
    rows = [row("cs", "group_time", a, s, kind, control=control, group=g, time=t)
            for g, t, a, s in zip(r["group"], r["year"], r["att"], r["se"])]
    targets = {"dynamic": ("event_time", "overall_dynamic"), "group": ("group", "overall_group"),
               "calendar": ("calendar", "overall_calendar"), "simple": (None, "overall")}
    for typec, (each, overall) in targets.items():
        with contextlib.redirect_stdout(io.StringIO()):
            m.aggte(typec=typec, bstrap=bootstrap, biters=BOOT_DRAWS, cband=bootstrap)
        a = m.atte
        rows.append(row("cs", overall, a["overall_att"], a["overall_se"], kind, control=control))
        if each is None:
            continue
        if bootstrap:
            crit[f"{kind}/{control}/{each}"] = float(np.ravel(a["crit_val_egt"])[0])
        for x, v, s in zip(*(np.ravel(a[k]) for k in ["egt", "att_egt", "se_egt"])):
            coords = {"event_time": {"event_time": x}, "group": {"group": x},
                      "calendar": {"time": x}}[each]
            rows.append(row("cs", each, v, s, kind, control=control, **coords))
    return rows


def main():
    df = make_panel()
    FIXTURES.mkdir(parents=True, exist_ok=True)
    df.to_csv(FIXTURES / "did_crosscheck_panel.csv", index=False, float_format="%.17g")
    df = pd.read_csv(FIXTURES / "did_crosscheck_panel.csv")
    rows = pyfixest_rows(df)
    crit = {}
    for control in ["nevertreated", "notyettreated"]:
        rows += csdid_rows(df, control, False, crit)
        for weights in ["mammen", "rademacher"]:
            rows += csdid_rows(df, control, True, crit, weights)
    out = {
        "note": "Written by tools/did-crosscheck/crosscheck.py; compared by "
                "tests/did_crosscheck.rs. cr1 and analytic SEs must match to ~1e-6, "
                "bootstrap SEs within Monte Carlo error.",
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "packages": {p: md.version(p) for p in ["pyfixest", "csdid", "numpy", "pandas"]},
        "panel": "did_crosscheck_panel.csv",
        "leads": LEADS, "lags": LAGS, "bootstrap_draws": BOOT_DRAWS,
        "band_critical_values": crit,
        "rows": rows,
    }
    (FIXTURES / "did_crosscheck.json").write_text(json.dumps(out, indent=1) + "\n")
    print(f"{len(rows)} reference numbers written to {FIXTURES / 'did_crosscheck.json'}")


if __name__ == "__main__":
    main()
