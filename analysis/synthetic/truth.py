"""The true effects of the synthetic register: truth.json and truth_cells.parquet."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from analysis.synthetic import params as P
from analysis.synthetic.arbeidstrening import GROUPS, PIPELINE_PURPOSES
from analysis.synthetic.calendar import yyyymm
from analysis.synthetic.outcomes import EVENT_TIMES, TruthAccumulator

DEFINITION = (
    "Average treatment effect on the treated (ATT) by event time e = months since the start month "
    "of the person's first took-place ARBTREN spell (participant_status GJENN, FULLF, DELAVB or "
    "GJENN_AVB), for persons whose first such spell starts 2016-01..2024-12. Computed from both "
    "potential outcomes of the persons actually treated, drawn with the same uniform U_it: "
    "att(e) = mean over treated persons with start month + e inside the observation window "
    "(2016-01..2024-12) of Y1 - Y0. Outcomes: 'employed' (total monthly earnings >= the "
    "employment threshold; equal to the latent employment indicator by construction) and "
    "'earnings_nok' (total monthly earnings, including small jobs in non-employed months). "
    "Event times -12..-1 have effect exactly 0 (no anticipation). Subgroups as the pipeline sees "
    "them: purpose = rank-1 purpose of the spell's first non-ANNULLERT agreement by agreed_start, "
    "then agreement_id (no agreement -> UKJENT); status group = NAV status spell covering the "
    "spell's start date (none -> ANNET). lock_in_0_5 = mean of att over e = 0..5; at_12, at_24, "
    "at_36 = att at those event times. truth_cells.parquet holds the sums per first-start cohort "
    "so the truth for any set of cohorts is sum(sum_y1 - sum_y0) / sum(n_treated)."
)

OUTCOME_KEYS = {"employed": ("y1", "y0"), "earnings_nok": ("e1", "e0")}


def truth_cells_table(acc: TruthAccumulator) -> pa.Table:
    nz = np.flatnonzero(acc.n > 0)
    coh, ei, pu, gr = np.unravel_index(nz, acc.shape)
    parts = []
    for outcome, (k1, k0) in OUTCOME_KEYS.items():
        parts.append(
            {
                "cohort_ym": yyyymm(coh).astype(np.int32),
                "event_time": EVENT_TIMES[ei].astype(np.int32),
                "purpose": np.array(PIPELINE_PURPOSES)[pu],
                "status_group": np.array(GROUPS)[gr],
                "outcome": np.full(nz.size, outcome),
                "n_treated": acc.n[nz],
                "sum_y1": np.rint(acc.sums[k1][nz]).astype(np.int64),
                "sum_y0": np.rint(acc.sums[k0][nz]).astype(np.int64),
            }
        )
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return pa.table(
        {
            "cohort_ym": pa.array(cols["cohort_ym"], pa.int32()),
            "event_time": pa.array(cols["event_time"], pa.int32()),
            "purpose": pa.array(cols["purpose"].tolist(), pa.string()),
            "status_group": pa.array(cols["status_group"].tolist(), pa.string()),
            "outcome": pa.array(cols["outcome"].tolist(), pa.string()),
            "n_treated": pa.array(cols["n_treated"], pa.int64()),
            "sum_y1": pa.array(cols["sum_y1"], pa.int64()),
            "sum_y0": pa.array(cols["sum_y0"], pa.int64()),
        }
    )


def _profile(n: np.ndarray, s1: np.ndarray, s0: np.ndarray) -> dict:
    """n, s1, s0 indexed by event time (EVENT_TIMES)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        att = np.where(n > 0, (s1 - s0) / np.maximum(n, 1), np.nan)
    rows = [
        {"event_time": int(e), "att": (None if np.isnan(a) else float(a)), "n_treated": int(k)}
        for e, a, k in zip(EVENT_TIMES, att, n, strict=True)
    ]

    def at(e):
        a = att[e - EVENT_TIMES[0]]
        return None if np.isnan(a) else float(a)

    lock = att[12:18]
    return {
        "by_event_time": rows,
        "lock_in_0_5": None if np.isnan(lock).any() else float(lock.mean()),
        "at_12": at(12),
        "at_24": at(24),
        "at_36": at(36),
    }


def truth_json(acc: TruthAccumulator, seed: int, scale: float, threshold: int) -> dict:
    n = acc.n.reshape(acc.shape)
    out: dict = {
        "definition": DEFINITION,
        "seed": seed,
        "scale": scale,
        "employment_threshold_nok": threshold,
        "event_times": [int(EVENT_TIMES[0]), int(EVENT_TIMES[-1])],
        "n_treated_persons": int(n[:, EVENT_TIMES == 0].sum()),
        "effect_parameters": {
            "lock_in_pp_by_status_group": P.LOCKIN,
            "lock_in_scaling": f"lock-in x min(1, b_i / {P.LOCKIN_B_REF}) "
            "(b_i = the person's untreated employment probability), "
            "in every month from the first spell's start month to its end month",
            "post_effect_pp_by_purpose": P.POST_EFFECT,
            "post_effect_multiplier_by_status_group": P.GROUP_MULTIPLIER,
            "post_ramp_months_by_purpose": P.POST_RAMP_MONTHS,
            "post_effect_shape": "post x min(1, months since end month / ramp) from the month "
            "after the first spell's end month, persisting to the end of the window",
            "latent_purpose_note": "effects depend on the latent purpose of the first spell; "
            "spells without a digital agreement carry a latent purpose too (pipeline: UKJENT)",
        },
        "dgp": {
            "untreated_probability": "p0_it = b_i + c_t (additive), b_i in "
            f"[{P.B_LOW}, {P.B_HIGH}], c_t within a few pp (season, covid dip 2020, trend)",
            "copula": f"z_it AR(1), rho = {P.RHO}; U_it = Phi(z_it); Y_d = 1{{U_it < p_d}}",
            "selection": "AT starts depend on b_i, NAV status, demographics and calendar time, "
            "never on z_it",
        },
        "outcomes": {},
    }
    for outcome, (k1, k0) in OUTCOME_KEYS.items():
        s1 = acc.sums[k1].reshape(acc.shape)
        s0 = acc.sums[k0].reshape(acc.shape)
        res = {"overall": _profile(n.sum((0, 2, 3)), s1.sum((0, 2, 3)), s0.sum((0, 2, 3)))}
        res["by_purpose"] = {
            name: _profile(n[:, :, i].sum((0, 2)), s1[:, :, i].sum((0, 2)), s0[:, :, i].sum((0, 2)))
            for i, name in enumerate(PIPELINE_PURPOSES)
            if n[:, :, i].sum() > 0
        }
        res["by_status_group"] = {
            name: _profile(
                n[:, :, :, i].sum((0, 2)), s1[:, :, :, i].sum((0, 2)), s0[:, :, :, i].sum((0, 2))
            )
            for i, name in enumerate(GROUPS)
            if n[:, :, :, i].sum() > 0
        }
        out["outcomes"][outcome] = res
    return out
