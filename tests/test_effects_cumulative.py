"""Horizon sums of event-time effects: estimate and SE from the joint covariance, by hand."""

from __future__ import annotations

import numpy as np

from analysis.effects.build import cumulative_frame
from analysis.effects.result import EventStudy


def test_cumulative_sums_use_the_joint_covariance():
    times = np.arange(-2, 4)  # -2..3
    est = np.array([[0.0, 0.0, -0.1, 0.05, 0.1, 0.2]])
    vcov = np.zeros((1, 6, 6))
    vcov[0] = np.diag([1.0, 1.0, 4.0, 9.0, 16.0, 25.0]) * 1e-4
    vcov[0, 2, 3] = vcov[0, 3, 2] = 3e-4  # covariance between e=0 and e=1
    study = EventStudy(
        "callaway_santanna", "employed", times, ["ALL"], est, vcov, np.array([[9, 9, 8, 7, 6, 5]])
    )
    frame = cumulative_frame([study], max_horizon=4).set_index("horizon_months")
    # H=2: months 0 and 1 -> -0.1 + 0.05; var = 4e-4 + 9e-4 + 2 * 3e-4
    assert np.isclose(frame.loc[2, "estimate"], -0.05)
    assert np.isclose(frame.loc[2, "std_error"], np.sqrt(19e-4))
    # H=4: months 0..3 -> 0.25; var = (4+9+16+25)e-4 + 6e-4
    assert np.isclose(frame.loc[4, "estimate"], 0.25)
    assert np.isclose(frame.loc[4, "std_error"], np.sqrt(60e-4))
    assert frame.loc[4, "n_treated"] == 5 and frame.loc[1, "n_treated"] == 8
    assert np.isclose(
        frame.loc[4, "ci_high"] - frame.loc[4, "estimate"], 1.959964 * np.sqrt(60e-4), atol=1e-6
    )


def test_normalised_estimators_are_not_summed():
    times = np.arange(0, 2)
    study = EventStudy(
        "twfe_event_study",
        "employed",
        times,
        ["ALL"],
        np.zeros((1, 2)),
        np.zeros((1, 2, 2)),
        np.ones((1, 2), int),
        reference=-1,
    )
    assert cumulative_frame([study]).empty
