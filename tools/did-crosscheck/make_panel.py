"""Writes the seeded synthetic staggered panel the cross-check runs on (see crosscheck.py)."""
import numpy as np
import pandas as pd


def make_panel(seed: int = 20260227) -> pd.DataFrame:
    """30 places over periods 1..20: cohorts adopting at 6, 9, 12, 15 (5 places each) and
    10 never treated (cohort 0, the did/csdid convention). The effect grows with time since
    adoption and differs by cohort; AR(1) errors within a place."""
    rng = np.random.default_rng(seed)
    periods = np.arange(1, 21)
    cohorts = [6] * 5 + [9] * 5 + [12] * 5 + [15] * 5 + [0] * 10
    lam = 0.05 * periods + 0.25 * rng.standard_normal(len(periods))
    rows = []
    for place, g in enumerate(cohorts, start=1):
        alpha = rng.standard_normal()
        eps = rng.standard_normal() / np.sqrt(1 - 0.25)
        for k, t in enumerate(periods):
            if k > 0:
                eps = 0.5 * eps + rng.standard_normal()
            e = t - g
            tau = (0.3 + 0.1 * e + 0.02 * g) if (g > 0 and e >= 0) else 0.0
            rows.append((place, int(t), g, alpha + lam[k] + tau + eps))
    return pd.DataFrame(rows, columns=["place", "time", "cohort", "y"])


def make_covariate_panel(seed: int = 20261204) -> pd.DataFrame:
    """90 places over periods 1..12 with two time-invariant covariates, x1 (continuous) and
    x2 (0/1), that shift both the adoption date (cohorts 5, 7, 9, or never: cohort 0) and the
    outcome's trend, so that parallel trends hold only given the covariates. The effect is
    0.5 + 0.1 per period since adoption. AR(1) errors within a place."""
    rng = np.random.default_rng(seed)
    periods = np.arange(1, 13)
    lam = 0.05 * periods + 0.2 * rng.standard_normal(len(periods))
    cohorts = np.array([0, 5, 7, 9])
    rows = []
    for place in range(1, 91):
        x1 = rng.standard_normal()
        x2 = float(rng.random() < 0.4)
        logits = np.array([0.0, 0.5 * x1 + 0.4 * x2, 0.3 * x1, -0.2 * x1 + 0.5 * x2])
        p = np.exp(logits) / np.exp(logits).sum()
        g = int(rng.choice(cohorts, p=p))
        alpha = rng.standard_normal() + 0.5 * x1
        eps = rng.standard_normal() / np.sqrt(1 - 0.25)
        for k, t in enumerate(periods):
            if k > 0:
                eps = 0.5 * eps + rng.standard_normal()
            e = t - g
            tau = (0.5 + 0.1 * e) if (g > 0 and e >= 0) else 0.0
            trend = (0.15 * x1 + 0.1 * x2) * t
            rows.append((place, int(t), g, round(x1, 6), x2,
                         alpha + lam[k] + trend + tau + eps))
    return pd.DataFrame(rows, columns=["place", "time", "cohort", "x1", "x2", "y"])


def unbalance(df: pd.DataFrame, share: float = 0.08, seed: int = 7) -> pd.DataFrame:
    """The panel with `share` of its rows dropped at random (an unbalanced panel)."""
    rng = np.random.default_rng(seed)
    keep = rng.random(len(df)) >= share
    return df[keep].reset_index(drop=True)
