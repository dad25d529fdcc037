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
