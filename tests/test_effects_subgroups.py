"""Subgroups of the headline estimator, including the cohort aggregation by start year."""

from __future__ import annotations

import numpy as np

from analysis.effects.data import NEVER, EffectsData, subgroup_masks


def test_start_year_subgroups_partition_the_treated():
    months = np.array(
        [201612 + 0] + [201700 + m for m in range(1, 13)] + [201800 + m for m in range(1, 13)]
    )
    first_start = np.array([3, 13, 14, NEVER, 5])  # 2017-03, 2018-01, 2018-02, never, 2017-05
    n = first_start.size
    data = EffectsData(
        months=months,
        month_index0=0,
        person_ids=np.array([f"P{i}" for i in range(n)], dtype=object),
        first_start=first_start,
        group=np.array([1, 2, 1, 0, 2], dtype=np.int8),
        status=np.zeros((n, months.size), np.int8),
        outcomes={},
        purpose=np.array(["ARBEIDSERFARING", "UTPROVING", "UKJENT", "", "UTPROVING"], dtype=object),
        age_at_start=np.array([25.0, 40.0, 31.0, np.nan, 29.0]),
        immigrant=np.array(["A", "B", "A", "A", "C"], dtype=object),
        gender=np.array([2, 1, 2, 1, 1]),
    )
    treated = first_start < NEVER
    masks = subgroup_masks(data, treated)
    assert masks["start_year=2017"].tolist() == [True, False, False, False, True]
    assert masks["start_year=2018"].tolist() == [False, True, True, False, False]
    years = [k for k in masks if k.startswith("start_year=")]
    assert sum(masks[k].astype(int) for k in years).tolist() == treated.astype(int).tolist()
    assert masks["age=under_30"].tolist() == [True, False, False, False, True]
    assert masks["immigrant=B"].tolist() == [False, True, False, False, False]
