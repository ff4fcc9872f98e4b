"""The specification grid's plumbing (analysis.effects.specifications) on a small hand-built panel.

Its estimates against a synthetic world are tested in tests/test_effects_synthetic.py."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from analysis.effects import specifications as specs
from analysis.effects.headline import HEADLINE_SPEC, estimate_event_study
from tests.test_effects_headline import SPEC, _data


def test_each_specification_changes_only_its_settings():
    for name, s in specs.SPECIFICATIONS.items():
        spec = specs.spec_of(name)
        changed = {
            f.name
            for f in dataclasses.fields(spec)
            if getattr(spec, f.name) != getattr(HEADLINE_SPEC, f.name)
        }
        assert changed == set(s.changes), name
    assert specs.spec_of(specs.HEADLINE) is HEADLINE_SPEC
    with pytest.raises(ValueError, match="unknown specification"):
        specs.spec_of("no_such_thing")


def test_threshold_specification_redefines_employment_in_outcome_and_history(monkeypatch):
    """`threshold_x2`: employment = earnings >= 2 x the run's threshold, in the outcome and in the
    history the design conditions on; the other outcomes are untouched."""
    data = _data({28: 40})
    rng = np.random.default_rng(5)
    earn = rng.gamma(2.0, 4000.0, data.outcomes["employed"].shape)
    data.outcomes["earnings_nok"] = earn
    data.outcomes["employed"] = (earn >= 5000).astype(float)
    monkeypatch.setattr(specs, "spec_of", lambda name: SPEC)  # the small panel's window
    got = {st.outcome: st for st in specs.estimate_specification(data, "threshold_x2", 5000)}
    assert got["employed"].meta["employment_threshold_nok"] == 10000
    strict = dataclasses.replace(
        data, outcomes={**data.outcomes, "employed": (earn >= 10000).astype(float)}
    )
    want = estimate_event_study(strict, list(specs.OUTCOMES), spec=SPEC)
    for o in specs.OUTCOMES:
        np.testing.assert_array_equal(got[o].estimate, want[o].estimate)
    plain = estimate_event_study(data, ["employed"], spec=SPEC)["employed"]
    assert not np.allclose(np.nan_to_num(plain.estimate), np.nan_to_num(got["employed"].estimate))
    assert specs.threshold_of("base_window_12", 5000) == 5000
